"""What the login page and the page header need to know about sign-in."""

from django.conf import settings

from .roles import may_use_password


def sign_in(request):
    user = getattr(request, "user", None)
    can_change_password = bool(
        user is not None
        and user.is_authenticated
        and user.has_usable_password()
        and may_use_password(
            user.get_username(),
            local_login=settings.LOCAL_LOGIN,
            break_glass=settings.BREAK_GLASS_USERS,
        )
    )
    return {
        "sso_enabled": bool(settings.OIDC_ISSUER),
        "sso_provider_name": settings.OIDC_PROVIDER_NAME,
        "local_login": settings.LOCAL_LOGIN,
        "can_change_password": can_change_password,
        "lockout_minutes": settings.AXES_COOLOFF_MINUTES,
    }

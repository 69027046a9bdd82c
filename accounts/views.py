"""Sign in (SSO first, then the password form), sign out, change one's own password, and the
accessibility statement, which anyone may read, signed in or not."""

from django.conf import settings
from django.contrib import auth
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse_lazy
from django.views.decorators.http import require_POST

from .forms import LoginForm
from .oidc import provider_logout_url, sso_enabled
from .reads import own_organisation
from .roles import may_use_password


class LoginView(auth_views.LoginView):
    form_class = LoginForm


@login_not_required
@require_POST
def logout(request):
    """End our session and, after an SSO sign-in, the provider's too."""
    id_token = request.session.get("oidc_id_token")
    auth.logout(request)
    if id_token and sso_enabled():
        url = provider_logout_url(request, id_token)
        if url:
            return redirect(url)
    return redirect(settings.LOGOUT_REDIRECT_URL)


class PasswordChangeView(auth_views.PasswordChangeView):
    template_name = "registration/password_change_form.html"
    success_url = reverse_lazy("accounts:password_change_done")

    def dispatch(self, request, *args, **kwargs):
        user = request.user
        if user.is_authenticated and not (
            user.has_usable_password()
            and may_use_password(
                user.get_username(),
                local_login=settings.LOCAL_LOGIN,
                break_glass=settings.BREAK_GLASS_USERS,
            )
        ):
            raise Http404("Lösenord byts hos identitetsleverantören.")
        return super().dispatch(request, *args, **kwargs)


class PasswordChangeDoneView(auth_views.PasswordChangeDoneView):
    template_name = "registration/password_change_done.html"


# The latest assessment of the statement (DIGG: the date of the assessment and of the update).
ACCESSIBILITY_ASSESSED = "2026-12-04"


@login_not_required
def accessibility(request):
    """Tillgänglighetsredogörelse, after DIGG's template."""
    return render(
        request,
        "accessibility.html",
        {
            "organisation": own_organisation(),
            "assessed": ACCESSIBILITY_ASSESSED,
            "contact_email": settings.ACCESSIBILITY_CONTACT_EMAIL,
            "contact_phone": settings.ACCESSIBILITY_CONTACT_PHONE,
        },
    )

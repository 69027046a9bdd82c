"""Single sign-on with OpenID Connect through mozilla-django-oidc.

Everything comes from the environment (config/settings.py): the issuer, whose discovery
document names the endpoints, the client, the scopes, the claim with the user's groups and
which groups give which role. At every sign-in the user's name, e-mail and roles are set from
the provider's claims, so a person removed from a group loses the role at the next sign-in;
a person with none of the groups is refused.
"""

import logging
import time
from urllib.parse import urlencode

import requests
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.models import Group
from django.core.exceptions import ImproperlyConfigured, SuspiciousOperation
from django.db import transaction
from django.http import Http404
from django.shortcuts import resolve_url
from django.urls import reverse
from django.views import View
from mozilla_django_oidc.auth import OIDCAuthenticationBackend
from mozilla_django_oidc.utils import import_from_settings
from mozilla_django_oidc.views import OIDCAuthenticationCallbackView, OIDCAuthenticationRequestView

from common.roles import Role

from .models import SsoIdentity
from .roles import roles_from_groups

log = logging.getLogger("statsbidrag.auth")

# mozilla-django-oidc setting -> the key in the provider's discovery document.
DISCOVERED = {
    "OIDC_OP_AUTHORIZATION_ENDPOINT": "authorization_endpoint",
    "OIDC_OP_TOKEN_ENDPOINT": "token_endpoint",
    "OIDC_OP_USER_ENDPOINT": "userinfo_endpoint",
    "OIDC_OP_JWKS_ENDPOINT": "jwks_uri",
}
DISCOVERY_MAX_AGE = 3600
_discovery: dict[str, tuple[float, dict]] = {}

REFUSED = (
    "Du är inloggad hos {provider} men har ingen behörighet i Statsbidrag: ditt konto är inte "
    "med i någon av de grupper som ger en roll. Kontakta den som administrerar Statsbidrag."
)
FAILED = "Inloggningen med {provider} misslyckades. Försök igen."


def sso_enabled() -> bool:
    return bool(settings.OIDC_ISSUER)


def provider_configuration() -> dict:
    """The issuer's discovery document, fetched once an hour."""
    issuer = settings.OIDC_ISSUER
    if not issuer:
        raise ImproperlyConfigured("OIDC_ISSUER är inte satt.")
    fetched = _discovery.get(issuer)
    if fetched is None or time.monotonic() - fetched[0] > DISCOVERY_MAX_AGE:
        response = requests.get(
            f"{issuer}/.well-known/openid-configuration", timeout=settings.OIDC_TIMEOUT
        )
        response.raise_for_status()
        document = response.json()
        if document.get("issuer", "").rstrip("/") != issuer:
            raise ImproperlyConfigured(
                f"Identitetsleverantören uppger utfärdaren {document.get('issuer')!r}, "
                f"inte OIDC_ISSUER={issuer!r}."
            )
        fetched = (time.monotonic(), document)
        _discovery[issuer] = fetched
    return fetched[1]


def oidc_setting(attr, *args):
    if attr in DISCOVERED:
        return provider_configuration()[DISCOVERED[attr]]
    return import_from_settings(attr, *args)


def provider_logout_url(request, id_token: str) -> str | None:
    """Where to send the browser so the provider ends its session too (RP-initiated logout)."""
    end_session = provider_configuration().get("end_session_endpoint")
    if not end_session:
        return None
    query = urlencode(
        {
            "id_token_hint": id_token,
            "client_id": settings.OIDC_RP_CLIENT_ID,
            "post_logout_redirect_uri": request.build_absolute_uri(reverse("login")),
        }
    )
    return f"{end_session}?{query}"


class RoleMappingOIDCBackend(OIDCAuthenticationBackend):
    """Users from the provider, matched by issuer and subject, with roles from their groups."""

    get_settings = staticmethod(oidc_setting)

    def __init__(self, *args, **kwargs):
        # Django makes a backend for every authenticate() call, password logins too: read the
        # provider's endpoints only when an SSO callback asks for them.
        from django.contrib.auth import get_user_model

        self.UserModel = get_user_model()

    OIDC_OP_TOKEN_ENDPOINT = property(lambda self: oidc_setting("OIDC_OP_TOKEN_ENDPOINT"))
    OIDC_OP_USER_ENDPOINT = property(lambda self: oidc_setting("OIDC_OP_USER_ENDPOINT"))
    OIDC_OP_JWKS_ENDPOINT = property(lambda self: oidc_setting("OIDC_OP_JWKS_ENDPOINT"))
    OIDC_RP_CLIENT_ID = property(lambda self: settings.OIDC_RP_CLIENT_ID)
    OIDC_RP_CLIENT_SECRET = property(lambda self: settings.OIDC_RP_CLIENT_SECRET)
    OIDC_RP_SIGN_ALGO = property(lambda self: settings.OIDC_RP_SIGN_ALGO)
    OIDC_RP_IDP_SIGN_KEY = None

    def authenticate(self, request, **kwargs):
        # Only the SSO callback passes a nonce; a password login is none of our business.
        if not sso_enabled() or "nonce" not in kwargs:
            return None
        return super().authenticate(request, **kwargs)

    def verify_token(self, token, **kwargs):
        """The library checks the signature and nonce; also check who issued the token, for
        whom, and that it is still valid."""
        payload = super().verify_token(token, **kwargs)
        audience = payload.get("aud")
        audiences = [audience] if isinstance(audience, str) else list(audience or [])
        if payload.get("iss", "").rstrip("/") != settings.OIDC_ISSUER:
            raise SuspiciousOperation("ID-token från fel utfärdare")
        if settings.OIDC_RP_CLIENT_ID not in audiences:
            raise SuspiciousOperation("ID-token för en annan klient")
        if float(payload.get("exp", 0)) < time.time():
            raise SuspiciousOperation("ID-token har gått ut")
        return payload

    def get_or_create_user(self, access_token, id_token, payload):
        # Entra ID sends groups in the ID token, others in userinfo: use both.
        claims = {**payload, **self.get_userinfo(access_token, id_token, payload)}
        subject = str(payload.get("sub") or "")
        if not subject or claims.get("sub", subject) != subject:
            raise SuspiciousOperation("sub saknas eller skiljer sig mellan ID-token och userinfo")
        roles = roles_from_groups(claims.get(settings.OIDC_GROUPS_CLAIM), settings.OIDC_ROLE_GROUPS)
        return sync_user(self.request, subject, claims, roles)

    def verify_claims(self, claims):
        return True


def _username_for(claims, subject) -> str:
    from django.contrib.auth.models import User

    base = (claims.get("preferred_username") or claims.get("email") or f"sso-{subject}")[:140]
    username, n = base, 1
    while User.objects.filter(username=username).exists():
        n += 1
        username = f"{base}-{n}"
    return username


@transaction.atomic
def sync_user(request, subject: str, claims: dict, roles: set[str]):
    """Create or update the user behind (issuer, subject) with the claims' name and e-mail and
    exactly the given roles. With no role the user is refused (None) and keeps no role."""
    from django.contrib.auth.models import User

    identity = (
        SsoIdentity.objects.select_for_update()
        .select_related("user")
        .filter(issuer=settings.OIDC_ISSUER, subject=subject)
        .first()
    )
    user = identity.user if identity else None
    role_groups = {group.name: group for group in Group.objects.filter(name__in=list(Role))}
    if not roles:
        if user is not None:
            user.groups.remove(*role_groups.values())
            user.is_staff = user.is_superuser = False
            user.save(update_fields=["is_staff", "is_superuser"])
        request.sso_username = claims.get("preferred_username") or claims.get("email") or subject
        request.sso_refused = True
        messages.error(request, REFUSED.format(provider=settings.OIDC_PROVIDER_NAME))
        log.warning(
            "inloggning nekad: inga behöriga grupper",
            extra={"event": "sso_refused", "user": request.sso_username, "subject": subject},
        )
        return None
    if user is None:
        user = User(username=_username_for(claims, subject))
        user.set_unusable_password()
    user.first_name = (claims.get("given_name") or "")[:150]
    user.last_name = (claims.get("family_name") or "")[:150]
    if not (user.first_name or user.last_name) and claims.get("name"):
        user.first_name = str(claims["name"])[:150]
    user.email = claims.get("email") or ""
    # The admin role is the Django admin too; taken away with the group like every role.
    user.is_staff = user.is_superuser = Role.ADMIN.value in roles
    user.save()
    if identity is None:
        SsoIdentity.objects.create(user=user, issuer=settings.OIDC_ISSUER, subject=subject)
    else:
        identity.save(update_fields=["last_login_at"])
    user.groups.remove(*[group for name, group in role_groups.items() if name not in roles])
    user.groups.add(*[group for name, group in role_groups.items() if name in roles])
    return user


class SsoLoginView(OIDCAuthenticationRequestView):
    get_settings = staticmethod(oidc_setting)

    def __init__(self, **kwargs):
        View.__init__(self, **kwargs)  # the endpoint is read when a request needs it

    OIDC_OP_AUTH_ENDPOINT = property(lambda self: oidc_setting("OIDC_OP_AUTHORIZATION_ENDPOINT"))
    OIDC_RP_CLIENT_ID = property(lambda self: settings.OIDC_RP_CLIENT_ID)

    def dispatch(self, request, *args, **kwargs):
        if not sso_enabled():
            raise Http404
        return super().dispatch(request, *args, **kwargs)


class SsoCallbackView(OIDCAuthenticationCallbackView):
    get_settings = staticmethod(oidc_setting)

    def dispatch(self, request, *args, **kwargs):
        if not sso_enabled():
            raise Http404
        return super().dispatch(request, *args, **kwargs)

    @property
    def failure_url(self):
        return resolve_url("login")

    def login_failure(self):
        if not getattr(self.request, "sso_refused", False):
            messages.error(self.request, FAILED.format(provider=settings.OIDC_PROVIDER_NAME))
            log.warning(
                "inloggning via identitetsleverantören misslyckades",
                extra={"event": "sso_failed", "error": self.request.GET.get("error", "")},
            )
        return super().login_failure()

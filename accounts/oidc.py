"""Single sign-on with OpenID Connect through mozilla-django-oidc.

Everything comes from the environment (config/settings.py): the issuer, whose discovery
document names the endpoints, the client, the scopes, and which app roles (the `roles` claim,
recommended for Entra ID) or groups give which role. At every sign-in, and again every
OIDC_ROLE_CHECK_MINUTES while the session lasts (RoleRefresh, a silent sign-in at the
provider), the user's name, e-mail and roles are set from the provider's claims, so a person
removed from a role or group loses it within minutes; a person with none is refused.

Entra ID as regions run it: a user in more groups than fit in a token gets `_claim_names`
instead of `groups` (overage); the groups are then read from Microsoft Graph (`memberOf`, with
the user's access token), or the sign-in is refused with a message telling the admin to use
app roles. Users are matched on `oid` in tenant `tid` when sent (the same for every app
registration), else on `sub`. A provider that cannot be reached, or a token that is expired
or invalid, gives a Swedish message on the login page, never an error page.
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
from django.shortcuts import redirect, resolve_url
from django.urls import reverse
from django.utils.deprecation import MiddlewareMixin
from django.views import View
from mozilla_django_oidc.auth import OIDCAuthenticationBackend
from mozilla_django_oidc.middleware import SessionRefresh
from mozilla_django_oidc.utils import import_from_settings
from mozilla_django_oidc.views import OIDCAuthenticationCallbackView, OIDCAuthenticationRequestView

from common import refusals as common_refusals
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
    "Du är inloggad hos {provider} men har ingen behörighet i Statsbidrag: ditt konto har "
    "ingen av de approller eller grupper som ger en roll. Kontakta den som administrerar "
    "Statsbidrag."
)
OVERAGE = (
    "Du är med i fler grupper än {provider} skickar med i inloggningen, och grupperna kunde "
    "inte läsas från Microsoft Graph. Be den som administrerar Statsbidrag att ge rollerna som "
    "approller (OIDC_ROLES_…) i stället för grupper."
)
FAILED = "Inloggningen med {provider} misslyckades. Försök igen."
EXPIRED = (
    "Inloggningen med {provider} kunde inte godtas (beviset var ogiltigt eller hade gått ut). "
    "Försök igen; kontrollera att datorns klocka går rätt om det upprepas."
)
UNREACHABLE = (
    "{provider} går inte att nå just nu. Försök igen om en stund. Administratörer kan använda "
    "nödinloggningen."
)
GRAPH_PAGES = 20  # at most this many pages of memberOf (100 groups each)


class Refused(common_refusals.Refused):
    """A sign-in the provider allowed but Statsbidrag refuses, with the Swedish reason."""


def now() -> float:
    return time.time()


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
    try:
        end_session = provider_configuration().get("end_session_endpoint")
    except (requests.RequestException, ValueError, ImproperlyConfigured) as error:
        log.warning(
            "identitetsleverantören kunde inte nås vid utloggning",
            extra={"event": "sso_unreachable", "error": type(error).__name__},
        )
        return None
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
        if float(payload.get("exp", 0)) < now():
            raise SuspiciousOperation("ID-token har gått ut")
        return payload

    def get_or_create_user(self, access_token, id_token, payload):
        # Entra ID sends roles and groups in the ID token, others in userinfo: use both.
        claims = {**payload, **self.get_userinfo(access_token, id_token, payload)}
        subject = str(payload.get("sub") or "")
        if not subject or claims.get("sub", subject) != subject:
            raise SuspiciousOperation("sub saknas eller skiljer sig mellan ID-token och userinfo")
        try:
            roles = roles_from_claims(claims, access_token)
        except Refused as refusal:
            refuse(self.request, str(refusal), claims, subject)
            return None
        return sync_user(self.request, subject, claims, roles)

    def verify_claims(self, claims):
        return True


def graph_groups(access_token: str) -> list[str]:
    """The ids of the user's groups from Microsoft Graph `memberOf`, every page."""
    url = settings.OIDC_GRAPH_MEMBER_OF_URL
    ids: list[str] = []
    for _ in range(GRAPH_PAGES):
        response = requests.get(
            url, headers={"Authorization": f"Bearer {access_token}"}, timeout=settings.OIDC_TIMEOUT
        )
        response.raise_for_status()
        page = response.json()
        ids += [str(item["id"]) for item in page.get("value", []) if item.get("id")]
        url = page.get("@odata.nextLink")
        if not url:
            return ids
    raise ValueError("för många sidor från memberOf")


def groups_of(claims: dict, access_token: str):
    """The groups claim, or after an overage (`_claim_names` names it instead) the groups
    from Microsoft Graph. Refused when they cannot be had."""
    claim = settings.OIDC_GROUPS_CLAIM
    if claim in claims:
        return claims[claim]
    overage = claim in (claims.get("_claim_names") or {})
    if not overage:
        return None
    provider = settings.OIDC_PROVIDER_NAME
    if not settings.OIDC_GRAPH_MEMBER_OF_URL:
        raise Refused(OVERAGE.format(provider=provider))
    try:
        return graph_groups(access_token)
    except (requests.RequestException, ValueError, KeyError, TypeError) as error:
        log.warning(
            "grupperna kunde inte läsas från Microsoft Graph",
            extra={"event": "sso_graph_failed", "error": type(error).__name__},
        )
        raise Refused(OVERAGE.format(provider=provider)) from None


def roles_from_claims(claims: dict, access_token: str) -> set[str]:
    """Roles from the app roles (`roles` claim), and from the groups where configured."""
    roles = roles_from_groups(claims.get(settings.OIDC_ROLES_CLAIM), settings.OIDC_ROLE_APP_ROLES)
    if any(settings.OIDC_ROLE_GROUPS.values()):
        roles |= roles_from_groups(groups_of(claims, access_token), settings.OIDC_ROLE_GROUPS)
    return roles


def email_of(claims: dict) -> str:
    """`email`, else Entra ID's `upn` or `preferred_username` when it is an address."""
    for name in ("email", "upn", "preferred_username"):
        value = str(claims.get(name) or "").strip()
        if "@" in value:
            return value[:254]
    return ""


def refuse(request, message: str, claims: dict, subject: str) -> None:
    request.sso_username = claims.get("preferred_username") or claims.get("email") or subject
    request.sso_refused = True
    messages.error(request, message)
    log.warning(
        "inloggning nekad",
        extra={"event": "sso_refused", "user": request.sso_username, "subject": subject},
    )


def _username_for(claims, subject) -> str:
    from django.contrib.auth.models import User

    base = (claims.get("preferred_username") or email_of(claims) or f"sso-{subject}")[:140]
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

    tenant, object_id = str(claims.get("tid") or ""), str(claims.get("oid") or "")
    identities = SsoIdentity.objects.select_for_update().select_related("user")
    identity = None
    if object_id:
        identity = identities.filter(tenant=tenant, object_id=object_id).first()
    if identity is None:
        identity = identities.filter(issuer=settings.OIDC_ISSUER, subject=subject).first()
    user = identity.user if identity else None
    role_groups = {group.name: group for group in Group.objects.filter(name__in=list(Role))}
    if not roles:
        if user is not None:
            user.groups.remove(*role_groups.values())
            user.is_staff = user.is_superuser = False
            user.save(update_fields=["is_staff", "is_superuser"])
        refuse(request, REFUSED.format(provider=settings.OIDC_PROVIDER_NAME), claims, subject)
        return None
    if user is None:
        user = User(username=_username_for(claims, subject))
        user.set_unusable_password()
    user.first_name = (claims.get("given_name") or "")[:150]
    user.last_name = (claims.get("family_name") or "")[:150]
    if not (user.first_name or user.last_name) and claims.get("name"):
        user.first_name = str(claims["name"])[:150]
    user.email = email_of(claims)
    # The admin role is the Django admin too; taken away with the group like every role.
    user.is_staff = user.is_superuser = Role.ADMIN.value in roles
    user.save()
    if identity is None:
        SsoIdentity.objects.create(
            user=user,
            issuer=settings.OIDC_ISSUER,
            subject=subject,
            tenant=tenant,
            object_id=object_id,
        )
    else:
        # A new app registration (another `sub`) or a first sign-in since oid was sent.
        identity.issuer, identity.subject = settings.OIDC_ISSUER, subject
        identity.tenant, identity.object_id = tenant, object_id
        identity.save()
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
        try:
            return super().dispatch(request, *args, **kwargs)
        except (requests.RequestException, ValueError, KeyError, ImproperlyConfigured) as error:
            return unreachable(request, error)


def unreachable(request, error):
    """The provider (its discovery document or token endpoint) could not be used."""
    log.warning(
        "identitetsleverantören går inte att nå",
        extra={"event": "sso_unreachable", "error": type(error).__name__},
    )
    messages.error(request, UNREACHABLE.format(provider=settings.OIDC_PROVIDER_NAME))
    return redirect("login")


class SsoCallbackView(OIDCAuthenticationCallbackView):
    get_settings = staticmethod(oidc_setting)

    def dispatch(self, request, *args, **kwargs):
        if not sso_enabled():
            raise Http404
        return super().dispatch(request, *args, **kwargs)

    def get(self, request):
        try:
            return super().get(request)
        except SuspiciousOperation as error:
            # An expired or invalid ID token, an unknown state: refused in Swedish.
            log.warning(
                "ogiltig inloggning från identitetsleverantören",
                extra={"event": "sso_failed", "error": str(error)[:200]},
            )
            request.sso_refused = True
            messages.error(request, EXPIRED.format(provider=settings.OIDC_PROVIDER_NAME))
            return self.login_failure()
        except (requests.RequestException, ValueError, KeyError, ImproperlyConfigured) as error:
            request.sso_refused = True
            return unreachable(request, error)

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


class RoleRefresh(SessionRefresh):
    """Re-checks an SSO user's roles every OIDC_ROLE_CHECK_MINUTES: a GET after that sends the
    browser through a silent sign-in at the provider (prompt=none), whose callback sets the
    roles anew, or signs the user out when the provider no longer knows them. Users signed in
    with a password are left alone."""

    def __init__(self, get_response):
        MiddlewareMixin.__init__(self, get_response)
        self.OIDC_EXEMPT_URLS = []
        self.OIDC_STATE_SIZE = 32
        self.OIDC_AUTHENTICATION_CALLBACK_URL = settings.OIDC_AUTHENTICATION_CALLBACK_URL
        self.OIDC_USE_NONCE = True
        self.OIDC_NONCE_SIZE = 32

    get_settings = staticmethod(oidc_setting)
    OIDC_OP_AUTHORIZATION_ENDPOINT = property(
        lambda self: oidc_setting("OIDC_OP_AUTHORIZATION_ENDPOINT")
    )
    OIDC_RP_CLIENT_ID = property(lambda self: settings.OIDC_RP_CLIENT_ID)
    OIDC_RP_SCOPES = property(lambda self: settings.OIDC_RP_SCOPES)

    @property
    def exempt_urls(self):
        return {
            reverse(name)
            for name in ("accounts:sso_login", "accounts:sso_callback", "login", "logout")
        }

    def process_request(self, request):
        if not sso_enabled():
            return None
        try:
            return super().process_request(request)
        except (requests.RequestException, ValueError, KeyError, ImproperlyConfigured) as error:
            # The provider is away: keep the session until it answers again.
            log.warning(
                "rollerna kunde inte kontrolleras: identitetsleverantören går inte att nå",
                extra={"event": "sso_unreachable", "error": type(error).__name__},
            )
            return None

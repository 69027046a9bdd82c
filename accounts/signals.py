"""Every sign-in, failed sign-in and lockout goes to the log (logger `statsbidrag.auth`)."""

import logging

from axes.signals import user_locked_out
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver

from common.net import client_ip

from .middleware import mark_seen

log = logging.getLogger("statsbidrag.auth")


def _address(request):
    return client_ip(request) if request is not None else ""


@receiver(user_logged_in)
def _logged_in(sender, request, user, **kwargs):
    if request is not None and hasattr(request, "session"):
        mark_seen(request.session)
    log.info(
        "inloggad",
        extra={
            "event": "login",
            "user": user.get_username(),
            "ip": _address(request),
            "method": "sso" if getattr(user, "backend", "").endswith("OIDCBackend") else "lokal",
        },
    )


@receiver(user_logged_out)
def _logged_out(sender, request, user, **kwargs):
    log.info(
        "utloggad",
        extra={
            "event": "logout",
            "user": user.get_username() if user else "",
            "ip": _address(request),
        },
    )


@receiver(user_login_failed)
def _login_failed(sender, credentials, request=None, **kwargs):
    # Django has already masked the password in `credentials`.
    username = credentials.get("username") or getattr(request, "sso_username", "") or ""
    log.warning(
        "misslyckad inloggning",
        extra={"event": "login_failed", "user": username, "ip": _address(request)},
    )


@receiver(user_locked_out)
def _locked_out(sender, request, username, ip_address, **kwargs):
    log.warning(
        "inloggning spärrad efter upprepade misslyckanden",
        extra={"event": "lockout", "user": username or "", "ip": ip_address or ""},
    )

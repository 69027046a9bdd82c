"""Local accounts: Django's own password check, switched off by LOCAL_LOGIN=0 except for the
break-glass accounts (and for those, outside BREAK_GLASS_NETWORKS when set)."""

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend

from .lockout import password_allowed


class LocalBackend(ModelBackend):
    def authenticate(self, request, username=None, password=None, **kwargs):
        if username is None or password is None:
            return None
        if not password_allowed(request, username):
            # The same work as checking a password, as Django does for an unknown name: the
            # answer's time must not tell which names may use a password.
            get_user_model()().set_password(password)
            return None
        return super().authenticate(request, username=username, password=password, **kwargs)

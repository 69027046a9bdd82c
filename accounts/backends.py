"""Local accounts: Django's own password check, switched off by LOCAL_LOGIN=0 except for the
break-glass accounts."""

from django.conf import settings
from django.contrib.auth.backends import ModelBackend

from .roles import may_use_password


class LocalBackend(ModelBackend):
    def authenticate(self, request, username=None, password=None, **kwargs):
        if username is None or password is None:
            return None
        if not may_use_password(
            username, local_login=settings.LOCAL_LOGIN, break_glass=settings.BREAK_GLASS_USERS
        ):
            return None
        return super().authenticate(request, username=username, password=password, **kwargs)

from django import forms
from django.conf import settings
from django.contrib.auth.forms import AuthenticationForm

from .roles import may_use_password


class LoginForm(AuthenticationForm):
    """The password form; with LOCAL_LOGIN=0 it says so instead of 'wrong password'."""

    error_messages = {
        **AuthenticationForm.error_messages,
        "local_login_off": "Lokala konton är avstängda. Logga in med %(provider)s.",
    }

    def clean(self):
        username = self.cleaned_data.get("username")
        if username and not may_use_password(
            username, local_login=settings.LOCAL_LOGIN, break_glass=settings.BREAK_GLASS_USERS
        ):
            raise forms.ValidationError(
                self.error_messages["local_login_off"],
                code="local_login_off",
                params={"provider": settings.OIDC_PROVIDER_NAME},
            )
        return super().clean()

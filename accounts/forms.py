from django import forms
from django.conf import settings
from django.contrib.auth.forms import AuthenticationForm


class LoginForm(AuthenticationForm):
    """The password form. With LOCAL_LOGIN=0 every refusal says the same (local accounts are
    off), for a break-glass name as for any other, so neither the words nor the time (every
    name goes through one password hash, accounts.backends) tell which names may sign in."""

    error_messages = {
        **AuthenticationForm.error_messages,
        "local_login_off": (
            "Lokala konton är avstängda. Logga in med %(provider)s. (Nödinloggning: "
            "kontrollera användarnamn och lösenord.)"
        ),
    }

    def clean(self):
        try:
            return super().clean()
        except forms.ValidationError as error:
            if settings.LOCAL_LOGIN or error.code != "invalid_login":
                raise
            raise forms.ValidationError(
                self.error_messages["local_login_off"],
                code="local_login_off",
                params={"provider": settings.OIDC_PROVIDER_NAME},
            ) from None

from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = "Inloggning"

    def ready(self):
        from . import signals  # noqa: F401  (log every login, failure and lockout)

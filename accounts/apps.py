from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = "Inloggning"

    def ready(self):
        from django.apps import apps

        from . import signals  # noqa: F401  (log every login, failure and lockout)

        # django-axes has no name of its own in the admin but "Axes"; its strings are
        # translated in locale/sv.
        apps.get_app_config("axes").verbose_name = "Inloggningsspärrar"

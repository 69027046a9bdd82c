from django.apps import AppConfig


class GrantsConfig(AppConfig):
    name = "grants"
    verbose_name = "Överenskommelser"

    def ready(self):
        from common import lookups  # noqa: F401  (ids past an integer column's range)

from django.apps import AppConfig


class PlanConfig(AppConfig):
    name = "plan"
    verbose_name = "Gemensam plan för primärvårdsnivå"

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from .models import (
    ActivityLink,
    Indicator,
    Measurement,
    Party,
    Plan,
    PlanActivity,
    StatusChange,
    Strategy,
    SubActivity,
)


@admin.register(Plan)
class PlanAdmin(SimpleHistoryAdmin):
    list_display = ["name", "valid_from", "revision_year"]


@admin.register(Party)
class PartyAdmin(SimpleHistoryAdmin):
    list_display = ["name", "kind", "kolada_id", "plan"]


@admin.register(Strategy)
class StrategyAdmin(SimpleHistoryAdmin):
    list_display = ["name", "plan", "position"]


@admin.register(Indicator)
class IndicatorAdmin(SimpleHistoryAdmin):
    list_display = ["name", "strategy", "agreement", "target_kind", "kolada_kpi"]
    search_fields = ["name"]


@admin.register(Measurement)
class MeasurementAdmin(SimpleHistoryAdmin):
    list_display = ["indicator", "party", "year", "half", "group", "gender", "value", "source"]
    list_filter = ["year", "gender"]


@admin.register(PlanActivity)
class PlanActivityAdmin(SimpleHistoryAdmin):
    list_display = ["name", "strategy", "priority_from", "priority_to"]


@admin.register(SubActivity)
class SubActivityAdmin(SimpleHistoryAdmin):
    list_display = ["name", "activity", "status"]
    list_filter = ["status"]


@admin.register(StatusChange)
class StatusChangeAdmin(admin.ModelAdmin):
    list_display = ["sub_activity", "old_status", "status", "changed_by", "changed_at"]


@admin.register(ActivityLink)
class ActivityLinkAdmin(SimpleHistoryAdmin):
    list_display = ["plan_activity", "activity", "created_by", "created_at"]

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from common.admin import ReadOnlyAdminMixin

from .models import Activity, CostObject, Reallocation


@admin.register(CostObject)
class CostObjectAdmin(SimpleHistoryAdmin):
    list_display = ["number", "name", "year", "area"]
    list_filter = ["year"]


@admin.register(Activity)
class ActivityAdmin(ReadOnlyAdminMixin, SimpleHistoryAdmin):
    """Read-only: changes go through the distribution pages (money checks, reasons)."""

    list_display = ["name", "area", "amount", "status", "cost_object", "ring_fenced_component"]
    list_filter = ["status", "area__agreement"]
    search_fields = ["name", "goal", "covers", "responsible"]


@admin.register(Reallocation)
class ReallocationAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["created_at", "from_activity", "to_activity", "amount", "created_by"]
    readonly_fields = ["created_at"]

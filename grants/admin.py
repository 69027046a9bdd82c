from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from common.admin import Inline, ReadOnlyAdminMixin

from .models import Agreement, Component, Deadline, DevelopmentArea, Region


@admin.register(Region)
class RegionAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """Reference data from the migration; read-only (no history)."""

    list_display = ["county_code", "county_name", "name"]
    search_fields = ["county_name", "name"]


class DevelopmentAreaInline(Inline):
    model = DevelopmentArea
    fields = ["position", "name"]
    extra = 0


class DeadlineInline(Inline):
    model = Deadline
    fields = ["kind", "due_date", "authority", "applies_to"]
    extra = 0


@admin.register(Agreement)
class AgreementAdmin(SimpleHistoryAdmin):
    list_display = ["short_name", "year", "skr_case_number", "region_case_number", "national_total"]
    list_filter = ["year"]
    search_fields = ["short_name", "name", "skr_case_number", "region_case_number"]
    inlines = [DevelopmentAreaInline, DeadlineInline]

    def has_delete_permission(self, request, obj=None):
        # Deleting an agreement clears references (state grants) without history.
        return False


@admin.register(DevelopmentArea)
class DevelopmentAreaAdmin(SimpleHistoryAdmin):
    list_display = ["name", "agreement", "position"]
    list_filter = ["agreement"]


@admin.register(Component)
class ComponentAdmin(SimpleHistoryAdmin):
    list_display = [
        "name",
        "agreement",
        "area",
        "recipient_group",
        "national_amount",
        "ring_fenced",
        "included_in",
    ]
    list_filter = ["agreement", "recipient_group", "ring_fenced"]
    search_fields = ["name"]


@admin.register(Deadline)
class DeadlineAdmin(SimpleHistoryAdmin):
    list_display = ["agreement", "kind", "due_date", "authority", "applies_to"]
    list_filter = ["agreement", "kind", "authority"]

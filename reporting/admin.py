from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from common.admin import Inline, ReadOnlyAdminMixin

from .models import Decision, DecisionCondition, GeneratedDocument, ReportingRequirement


@admin.register(GeneratedDocument)
class GeneratedDocumentAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """Documents as they were generated and sent: never changed or deleted."""

    list_display = ["created_at", "kind", "agreement", "year", "file_name", "created_by"]
    list_filter = ["kind", "year"]


class DecisionConditionInline(Inline):
    model = DecisionCondition
    extra = 1


@admin.register(Decision)
class DecisionAdmin(SimpleHistoryAdmin):
    """A distribution decision's metadata and its conditions, entered per agreement and year."""

    list_display = ["agreement", "decided_by", "decided_on", "paragraph"]
    inlines = [DecisionConditionInline]


@admin.register(ReportingRequirement)
class ReportingRequirementAdmin(SimpleHistoryAdmin):
    """What an agreement asks the region to report on; the narrative is written on the
    report texts page."""

    list_display = ["agreement", "section", "heading"]
    list_filter = ["agreement"]

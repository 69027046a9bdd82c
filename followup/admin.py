from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from common.admin import ReadOnlyAdminMixin

from .models import (
    ActivityLink,
    ClosedPeriod,
    LedgerImport,
    LedgerSource,
    LedgerTransaction,
    ReplacedLedgerTransaction,
)


@admin.register(LedgerSource)
class LedgerSourceAdmin(SimpleHistoryAdmin):
    list_display = ["name"]


@admin.register(LedgerImport)
class LedgerImportAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """Read-only: imports are made and replaced only through the import page."""

    list_display = [
        "uploaded_at",
        "file_name",
        "uploaded_by",
        "rows_kept",
        "rows_ignored",
        "total_amount",
    ]
    readonly_fields = ["uploaded_at"]


@admin.register(LedgerTransaction)
class LedgerTransactionAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["cost_object", "year", "month", "activity", "account", "amount", "is_budget"]
    list_filter = ["year", "month", "cost_object", "is_budget"]
    raw_id_fields = ["ledger_import", "activity"]


@admin.register(ReplacedLedgerTransaction)
class ReplacedLedgerTransactionAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """Read-only: the rows a later import replaced, kept as they were."""

    list_display = ["cost_object", "year", "month", "account", "amount", "replaced_by"]
    list_filter = ["year", "month", "cost_object"]
    raw_id_fields = ["ledger_import", "replaced_by", "activity"]


@admin.register(ActivityLink)
class ActivityLinkAdmin(ReadOnlyAdminMixin, SimpleHistoryAdmin):
    """Read-only: a link made on the links page also ties the object's untied rows (outside
    closed months) to its activity; saved here it would not."""

    list_display = ["cost_object", "responsibility", "activity"]


@admin.register(ClosedPeriod)
class ClosedPeriodAdmin(ReadOnlyAdminMixin, SimpleHistoryAdmin):
    """Read-only: months are closed and reopened (with a reason) on the periods page."""

    list_display = ["year", "month", "closed_by", "closed_at"]

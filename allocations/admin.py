from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from common.admin import ReadOnlyAdminMixin, ReadOnlyInline

from .models import (
    AllocationRule,
    DecidedAmount,
    KeyDataColumn,
    KeyDataSet,
    KeyDataValue,
    Municipality,
    RuleTerm,
    RuleTermColumn,
)


class KeyDataColumnInline(ReadOnlyInline):
    model = KeyDataColumn


@admin.register(KeyDataSet)
class KeyDataSetAdmin(SimpleHistoryAdmin):
    """Name, source and notes may be corrected here; the values only in the app, with a
    reason, and a data set is not deleted here (its columns have no history)."""

    list_display = ["name", "measure", "reference_date", "source"]
    list_filter = ["measure"]
    inlines = [KeyDataColumnInline]

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(KeyDataValue)
class KeyDataValueAdmin(ReadOnlyAdminMixin, SimpleHistoryAdmin):
    list_display = ["column", "region", "value"]
    list_filter = ["column__dataset"]


class RuleTermInline(ReadOnlyInline):
    model = RuleTerm


@admin.register(AllocationRule)
class AllocationRuleAdmin(ReadOnlyAdminMixin, SimpleHistoryAdmin):
    list_display = ["component", "method", "base_amount"]
    list_filter = ["method", "component__agreement"]
    inlines = [RuleTermInline]


@admin.register(RuleTermColumn)
class RuleTermColumnAdmin(ReadOnlyAdminMixin, SimpleHistoryAdmin):
    list_display = ["term", "column", "weight"]


@admin.register(DecidedAmount)
class DecidedAmountAdmin(ReadOnlyAdminMixin, SimpleHistoryAdmin):
    list_display = ["component", "region", "amount", "source"]
    list_filter = ["component__agreement", "component"]


@admin.register(Municipality)
class MunicipalityAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """The 290 municipalities: reference data from a migration, never edited."""

    list_display = ["code", "name", "county"]
    list_filter = ["county"]
    search_fields = ["code", "name"]

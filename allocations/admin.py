from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from .models import (
    AllocationRule,
    DecidedAmount,
    KeyDataColumn,
    KeyDataSet,
    KeyDataValue,
    RuleTerm,
    RuleTermColumn,
)


class KeyDataColumnInline(admin.TabularInline):
    model = KeyDataColumn
    extra = 0


@admin.register(KeyDataSet)
class KeyDataSetAdmin(SimpleHistoryAdmin):
    list_display = ["name", "measure", "reference_date", "source"]
    list_filter = ["measure"]
    inlines = [KeyDataColumnInline]


@admin.register(KeyDataValue)
class KeyDataValueAdmin(SimpleHistoryAdmin):
    list_display = ["column", "region", "value"]
    list_filter = ["column__dataset"]


class RuleTermInline(admin.TabularInline):
    model = RuleTerm
    extra = 0


@admin.register(AllocationRule)
class AllocationRuleAdmin(SimpleHistoryAdmin):
    list_display = ["component", "method", "base_amount"]
    list_filter = ["method", "component__agreement"]
    inlines = [RuleTermInline]


@admin.register(RuleTermColumn)
class RuleTermColumnAdmin(admin.ModelAdmin):
    list_display = ["term", "column", "weight"]


@admin.register(DecidedAmount)
class DecidedAmountAdmin(SimpleHistoryAdmin):
    list_display = ["component", "region", "amount", "source"]
    list_filter = ["component__agreement", "component"]

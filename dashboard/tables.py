"""Drill-down tables; render_* methods only format."""

import django_tables2 as tables
from django.urls import reverse
from django.utils.html import format_html

from common.money import format_amount
from distribution.models import Activity
from followup.models import LedgerTransaction


class ActivityTable(tables.Table):
    caption = "Aktiviteter"
    row_template = "dashboard/rows/activities.html"  # the rows as these columns show them
    name = tables.Column("Insats")
    area = tables.Column("Utvecklingsområde", accessor="area__name", order_by="area__name")
    agreement = tables.Column("Överenskommelse", accessor="area__agreement__short_name")
    amount = tables.Column("Belopp", attrs={"td": {"class": "num"}, "th": {"class": "num"}})
    status = tables.Column("Status")
    responsible = tables.Column("Ansvarig")
    missing = tables.Column("Villkor", empty_values=(), orderable=False)

    class Meta:
        model = Activity
        fields = ["name", "area", "agreement", "amount", "status", "responsible"]
        attrs = {"class": "data-table"}
        order_by = ("area__agreement__year", "area__name", "name")

    def render_name(self, value, record):
        return format_html(
            '<a href="{}">{}</a>', reverse("distribution:area", args=[record.area_id]), value
        )

    def render_amount(self, value):
        return format_amount(value)

    def render_missing(self, record):
        missing = record.missing_conditions()
        return "; ".join(missing) if missing else "Uppfyllda"


class TransactionTable(tables.Table):
    caption = "Transaktioner"
    row_template = "dashboard/rows/transactions.html"  # the rows as these columns show them
    period = tables.Column("Period", empty_values=(), order_by=("year", "month"))
    cost_object = tables.Column("Objekt", accessor="cost_object__number")
    activity = tables.Column("Aktivitet", accessor="activity__name", default="Ej kopplat")
    account = tables.Column("Konto")
    responsibility = tables.Column("Ansvar")
    voucher = tables.Column("Verifikation")
    text = tables.Column("Text")
    amount = tables.Column("Belopp", attrs={"td": {"class": "num"}, "th": {"class": "num"}})

    class Meta:
        model = LedgerTransaction
        fields = [
            "period",
            "cost_object",
            "activity",
            "account",
            "responsibility",
            "voucher",
            "text",
            "amount",
        ]
        attrs = {"class": "data-table"}
        order_by = ("period",)

    def render_period(self, record):
        return f"{record.year}-{record.month:02d}"

    def render_amount(self, value):
        return format_amount(value)

"""django-tables2 tables; render_* methods only format."""

import django_tables2 as tables
from django.utils.html import format_html

from common.money import format_amount

from .models import Agreement, Region


class AgreementTable(tables.Table):
    caption = "Alla registrerade överenskommelser"
    row_template = "grants/rows/agreements.html"  # the rows as these columns show them
    year = tables.Column("År")
    short_name = tables.Column("Överenskommelse")
    skr_case_number = tables.Column("SKR:s ärendenr")
    region_case_number = tables.Column("Regionens diarienr")
    decision_date = tables.DateColumn(format="Y-m-d", verbose_name="Beslutsdatum")
    national_total = tables.Column(
        "Nationell total", attrs={"td": {"class": "num"}, "th": {"class": "num"}}
    )

    class Meta:
        model = Agreement
        fields = [
            "year",
            "short_name",
            "skr_case_number",
            "region_case_number",
            "decision_date",
            "national_total",
        ]
        order_by = ("-year", "short_name")
        empty_text = "Inga överenskommelser är registrerade."
        attrs = {"class": "data-table"}

    def render_national_total(self, value):
        return format_amount(value)

    def render_short_name(self, value, record):
        if record.is_draft:
            return format_html(
                '<a href="{}">{}</a> <span class="badge badge-soon">Utkast</span>',
                record.get_absolute_url(),
                value,
            )
        return format_html('<a href="{}">{}</a>', record.get_absolute_url(), value)


class RegionTable(tables.Table):
    caption = "Regioner och länskoder"
    county_code = tables.Column("Länskod")
    county_name = tables.Column("Län")
    name = tables.Column("Region")

    class Meta:
        model = Region
        fields = ["county_code", "county_name", "name"]
        attrs = {"class": "data-table"}
        row_attrs = {"class": lambda record: "own-region" if record.is_own else ""}

    def render_name(self, value, record):
        if record.is_own:
            return format_html('{} <span class="tag">egen region</span>', value)
        return value

"""django-tables2 tables; render_* methods only format."""

import django_tables2 as tables

from .models import KeyDataSet


class KeyDataSetTable(tables.Table):
    caption = "Nyckeldata"
    name = tables.Column("Namn", linkify=True)
    measure = tables.Column("Mått")
    reference_date = tables.DateColumn(format="Y-m-d", verbose_name="Referensdatum")
    source = tables.Column("Källa")

    class Meta:
        model = KeyDataSet
        fields = ["name", "measure", "reference_date", "source"]
        order_by = ("-reference_date", "name")
        empty_text = "Inga nyckeldata är inlästa."
        attrs = {"class": "data-table"}

"""A table that renders its rows with a plain template (`row_template`, for speed) shows in
every cell what django-tables2 would render from its columns: the same text, the same markup,
the same cell attributes, row by row, for the demo data and for records with empty values."""

import importlib
from decimal import Decimal
from html.parser import HTMLParser

import django_tables2 as tables
import pytest
from django.apps import apps
from django.test import RequestFactory
from django_tables2 import RequestConfig

from dashboard.tables import ActivityTable, TransactionTable
from distribution.models import Activity
from followup.models import LedgerTransaction
from grants.models import Agreement
from grants.tables import AgreementTable


def project_tables():
    for config in apps.get_app_configs():
        if config.path.startswith(str(__import__("django").conf.settings.BASE_DIR)):
            try:
                importlib.import_module(f"{config.name}.tables")
            except ModuleNotFoundError:
                pass
    return [t for t in tables.Table.__subclasses__() if getattr(t, "row_template", None)]


class Cells(HTMLParser):
    """The tbody's rows: [(tr attrs, [(td attrs, inner markup)])], whitespace folded."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.rows, self.depth, self.inside = [], 0, False
        self.cell = None

    def handle_starttag(self, tag, attrs):
        if tag == "tbody":
            self.inside = True
        elif self.inside and tag == "tr":
            self.rows.append((sorted(attrs), []))
        elif self.inside and tag == "td":
            self.cell = [sorted(attrs), []]
        elif self.cell is not None:
            self.cell[1].append(f"<{tag} {sorted(attrs)}>")

    def handle_endtag(self, tag):
        if tag == "tbody":
            self.inside = False
        elif self.inside and tag == "td":
            attrs, parts = self.cell
            self.rows[-1][1].append((attrs, " ".join("".join(parts).split())))
            self.cell = None
        elif self.cell is not None:
            self.cell[1].append(f"</{tag}>")

    def handle_data(self, data):
        if self.cell is not None:
            self.cell[1].append(data)


def rendered(table_class, queryset, *, plain):
    request = RequestFactory().get("/")
    table = table_class(queryset)
    if plain:
        table.row_template = None
    RequestConfig(request, paginate={"per_page": 50}).configure(table)
    parser = Cells()
    parser.feed(table.as_html(request))
    return parser.rows


def test_every_table_with_a_row_template_is_checked_here():
    assert set(project_tables()) == {ActivityTable, TransactionTable, AgreementTable}


@pytest.mark.django_db
def test_row_templates_render_what_the_columns_render(ledger2023):
    # Records with empty values beside the demo's: no responsible, no account, no activity,
    # an agreement without case numbers or decision date, a draft.
    area = ledger2023.areas.first()
    Activity.objects.create(area=area, name="Tom <b>", amount=Decimal("0.50"), responsible="")
    Agreement.objects.create(
        year=2031, short_name="Utkast & co", name="Ett utkast", national_total=0, is_draft=True
    )
    row = LedgerTransaction.objects.first()
    row.pk, row.account, row.activity, row.text, row.amount = None, "", None, "", Decimal("-3")
    row.line += 100_000
    row.save()
    cases = [
        (ActivityTable, Activity.objects.select_related("area__agreement")),
        (TransactionTable, LedgerTransaction.objects.select_related("cost_object", "activity")),
        (AgreementTable, Agreement.objects.all()),
    ]
    for table_class, queryset in cases:
        fast = rendered(table_class, queryset, plain=False)
        slow = rendered(table_class, queryset, plain=True)
        assert len(fast) >= 2
        assert fast == slow, table_class.__name__


@pytest.mark.django_db
def test_an_empty_table_says_so_either_way():
    for plain in (False, True):
        rows = rendered(AgreementTable, Agreement.objects.none(), plain=plain)
        assert rows == [([], [([("colspan", "6")], "Inga överenskommelser är registrerade.")])]

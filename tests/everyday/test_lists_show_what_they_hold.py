"""Every list shows what it holds on first open, and its export holds the same rows and
statuses as the page; every year-bound section follows the chosen year."""

import datetime
import io
import json
import re
from html.parser import HTMLParser

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from distribution.models import Activity
from followup.models import LedgerImport
from grants.models import Deadline, DeadlineSubmission, DocumentKind, DocumentState
from plan.actions import do_answer_question
from plan.demo import load_plan_setup
from plan.models import Indicator, Measurement, MeasureQuestion, Plan
from tests.plan.conftest import PLAN_FILE

pytestmark = pytest.mark.django_db


class _Tables(HTMLParser):
    """Each table's body rows, each row the text of its cells."""

    def __init__(self):
        super().__init__()
        self.tables, self._in_body, self._row, self._cell = [], 0, None, None
        self.ids = []

    def handle_starttag(self, tag, attrs):
        if tag == "table":
            self.tables.append([])
            self.ids.append(dict(attrs).get("id"))
        elif tag == "tbody":
            self._in_body += 1
        elif tag == "tr" and self._in_body:
            self._row = []
        elif tag in ("td", "th") and self._row is not None:
            self._cell = []

    def handle_endtag(self, tag):
        if tag == "tbody":
            self._in_body -= 1
        elif tag == "tr" and self._row is not None:
            self.tables[-1].append(self._row)
            self._row = None
        elif tag in ("td", "th") and self._cell is not None:
            self._row.append(" ".join("".join(self._cell).split()))
            self._cell = None

    def handle_data(self, data):
        if self._cell is not None:
            self._cell.append(data)


def page_rows(html, table=0):
    parser = _Tables()
    parser.feed(html)
    rows = parser.tables[parser.ids.index(table) if isinstance(table, str) else table]
    # An empty list's one row says so ("Inga ..."); it holds nothing.
    return [r for r in rows if not (len(r) == 1 and r[0].startswith("Inga"))]


def export_rows(response):
    assert response.status_code == 200, response.content[:500]
    sheet = load_workbook(io.BytesIO(response.content)).worksheets[0]
    rows = list(sheet.iter_rows(values_only=True))
    # A title line may stand above the header: the header is the first row of several cells.
    start = next(i for i, r in enumerate(rows) if sum(v is not None for v in r) > 1)
    rows = rows[start:]
    body = rows[1:]
    if body and body[-1][0] == "Summa":
        body = body[:-1]
    return rows[0], body


def column(header, rows, name):
    index = list(header).index(name)
    return [r[index] for r in rows]


@pytest.fixture
def everything(ledger2023, users):
    """The demo agreements, the 2023 distribution and ledger, the joint plan, and a deadline
    whose report has been sent (its status on the page is "Skickat <date>")."""
    plan = load_plan_setup(json.loads(PLAN_FILE.read_text("utf-8")))
    deadline = Deadline.objects.filter(due_date__lt=datetime.date.today()).first()
    DeadlineSubmission.objects.update_or_create(
        deadline=deadline,
        defaults={
            "document_kind": DocumentKind.FINANCIAL_REPORT,
            "state": DocumentState.SENT,
            "sent_on": datetime.date(2024, 3, 22),
            "changed_at": timezone.now(),
        },
    )
    return plan


# (url name and args, which table on the page, the page's column and the export's column
# that must say the same, in the same order). Every view that answers wants_xlsx is here;
# test_every_list_with_an_export_is_compared checks that none is left out.
def _lists(plan):
    area = Activity.objects.filter(area__agreement__year=2023).first().area
    record = LedgerImport.objects.first()
    from allocations.models import KeyDataSet

    dataset = KeyDataSet.objects.first()
    return [
        (reverse("grants:agreement_list"), "", 0, 1, "Överenskommelse"),
        (reverse("grants:deadline_list"), "", 0, 5, "Status"),
        (reverse("grants:region_list"), "", 0, 2, "Region"),
        (reverse("allocations:dataset_list"), "", 0, 0, None),
        (reverse("allocations:dataset_detail", args=[dataset.pk]), "", 0, 0, None),
        (reverse("followup:imports"), "", 0, 0, None),
        (reverse("followup:import_detail", args=[record.pk]), "", 0, 0, None),
        (reverse("dashboard:activities"), "", 0, 4, "Status"),
        (reverse("dashboard:transactions"), "", 0, 0, None),
        (reverse("distribution:area", args=[area.pk]), "", 0, 6, "Status"),
        (
            reverse("plan:followup", args=[plan.pk]),
            "&lista=handlingsplan",
            "actionplan",
            4,
            "Status",
        ),
    ]


def test_every_list_shows_on_first_open_what_its_export_holds(client_for, everything):
    client = client_for("admin")
    for url, extra, table, page_column, export_column in _lists(everything):
        page = client.get(url)
        assert page.status_code == 200, url
        rows = page_rows(page.content.decode(), table)
        header, exported = export_rows(client.get(f"{url}?format=xlsx{extra}"))
        if url.startswith(reverse("followup:imports")) or "transaktioner" in url:
            # Long lists show their first page; the export holds them all.
            assert len(rows) == min(len(exported), 50 if "transaktioner" in url else 500), url
            continue
        if "Mått" in header:
            # The action plan's export gives each sub-activity one row per measure.
            exported = list({r[:4]: r for r in exported}.values())
        assert len(rows) == len(exported) > 0, (url, len(rows), len(exported))
        if export_column:
            # The page may say more under a value (a status's document), never something else.
            shown = sorted(r[page_column] for r in rows)
            said = sorted(str(v) for v in column(header, exported, export_column))
            assert all(a.startswith(b) for a, b in zip(shown, said, strict=True)), (
                url,
                shown,
                said,
            )


def test_the_deadline_list_shows_every_deadline_and_sent_ones_as_sent(client_for, everything):
    client = client_for("finance")
    page = client.get(reverse("grants:deadline_list")).content.decode()
    assert "Inga frister." not in page
    rows = page_rows(page)
    assert len(rows) == Deadline.objects.count()
    assert any(r[5] == "Skickat 2024-03-22" for r in rows)
    header, exported = export_rows(client.get(reverse("grants:deadline_list") + "?format=xlsx"))
    assert "Skickat 2024-03-22" in column(header, exported, "Status")


def test_every_list_with_an_export_is_compared(settings):
    """A new list with an export must be added to the comparison above."""
    import pathlib

    views = [
        p
        for p in pathlib.Path(settings.BASE_DIR).glob("*/views.py")
        if "wants_xlsx(request)" in p.read_text("utf-8")
    ]
    counted = sum(p.read_text("utf-8").count("wants_xlsx(request)") for p in views)
    assert counted == 11  # the eleven lists in _lists


def test_the_dashboards_indicators_follow_the_chosen_year(client_for, everything):
    indicator = Indicator.objects.filter(measurements__isnull=False).first()
    latest = indicator.measurements.order_by("-year").first()
    later = Measurement.objects.get(pk=latest.pk)
    later.pk, later.year, later.value = None, 2099, later.value + 1
    later.save()
    client = client_for("manager")
    chosen = client.get(reverse("dashboard:overview") + "?ar=2023").content.decode()
    section = chosen[chosen.index('id="plan-indicators"') :]
    section = section[: section.index("</table>")]
    assert "2099" not in section
    assert re.search(r"20(1\d|2[0-3])", section)
    now = client.get(reverse("dashboard:overview") + "?ar=2100").content.decode()
    assert "2099" in now[now.index('id="plan-indicators"') :]


def test_the_action_plan_export_follows_the_chosen_year(client_for, everything, users):
    question = MeasureQuestion.objects.filter(answer_kind="text").first() or (
        MeasureQuestion.objects.first()
    )
    for year in (2023, 2024):
        do_answer_question(
            question,
            year,
            acting_user=users["admin"],
            answer_yes=True,
            answer_text=f"Svar {year}",
            expected_version=0,
        )
    plan = Plan.objects.get()
    url = reverse("plan:followup", args=[plan.pk])
    header, rows = export_rows(
        client_for("officer").get(f"{url}?ar=2023&format=xlsx&lista=handlingsplan")
    )
    answers = [a for a in column(header, rows, "Senaste svar") if a]
    assert answers and all(a.startswith("2023:") for a in answers)

"""The managers' dashboard: its figures agree with the follow-up, its lists and its queries."""

import datetime
import io
import json
from decimal import Decimal
from pathlib import Path

import pytest
from django.conf import settings
from django.db.models import Q
from django.urls import reverse
from openpyxl import load_workbook

from allocations.demo import load_allocation_setup
from dashboard.reads.figures import build_dashboard, default_year
from distribution.demo import load_distribution_setup
from distribution.models import Activity
from followup.models import LedgerTransaction
from followup.month_totals import refresh_month_totals
from followup.periods import PERIODS
from followup.reads import build_followup
from grants.models import Agreement, Deadline

D = Decimal
TODAY = datetime.date(2023, 11, 20)


def test_figures_agree_with_the_follow_up(ledger2023):
    dashboard = build_dashboard(2023, TODAY)
    report = build_followup(ledger2023, PERIODS["ar"])
    assert dashboard.received == D(75_422_690) == report.unused.received
    assert dashboard.outcome == report.unused.outcome
    assert dashboard.unused == report.unused.unused
    assert dashboard.distributed == sum(
        Activity.objects.filter(area__agreement=ledger2023).values_list("amount", flat=True)
    )
    assert dashboard.last_month == 12
    by_name = {a.name: a for a in dashboard.areas}
    ambulance = by_name["Förstärkning av ambulanssjukvården"]
    assert ambulance.decided == D(1_438_690)
    assert ambulance.cumulative_outcome()[-1] == ambulance.outcome
    assert ambulance.cumulative_budget()[-1] == ambulance.distributed
    objects = {o.name: o for o in dashboard.objects}
    assert set(objects) == {
        "9916 Nära vård",
        "9917 Vårdens medarbetare",
        "9942 Vision e-hälsa",
        "9943 Ambulanssjukvård",
    }
    assert objects["9943 Ambulanssjukvård"].outcome == ambulance.outcome
    assert sum(o.outcome for o in objects.values()) == dashboard.outcome


def test_deadlines_show_days_left_and_overdue_without_document(ledger2023):
    dashboard = build_dashboard(2023, TODAY)
    requisition = next(r for r in dashboard.deadlines if r.deadline.kind == "rekvisition")
    assert requisition.days_left == 11 and not requisition.overdue
    vfu = next(r for r in dashboard.deadlines if r.deadline.kind == "vfu_redovisning")
    assert vfu.overdue  # 2023-03-31 passed and no activity report has been generated
    assert all(r.deadline.applies_to not in ("skr", "kommuner") for r in dashboard.deadlines)


def test_threshold_changes_which_deviations_show(ledger2023):
    few = build_dashboard(2023, TODAY, threshold=500)
    many = build_dashboard(2023, TODAY, threshold=1)
    assert len(many.deviations) >= len(few.deviations)
    assert all(abs(percent) >= 1 for _, _, _, percent in many.deviations)


def test_years_side_by_side(distribution2020):
    fixtures = Path(settings.BASE_DIR) / "fixtures"
    setup = fixtures / "allocations" / "god-och-nara-vard-2023.json"
    load_allocation_setup(json.loads(setup.read_text("utf-8")), setup.parent)
    path = fixtures / "distribution" / "god-och-nara-vard-2021.json"
    load_distribution_setup(json.loads(path.read_text("utf-8")))
    dashboard = build_dashboard(2023, TODAY)
    nara = dashboard.years_by_area["Nära vård och primärvård"]
    assert nara == {2020: D(37_172_024), 2021: D(30_400_000), 2023: D(41_247_254)}
    assert dashboard.years_by_area["Barnhälsovård"] == {2020: D(1_140_877)}


def test_default_year_is_this_year_or_the_latest_with_data(demo):
    assert default_year(datetime.date(2026, 11, 24)) == 2023
    assert default_year(datetime.date(2021, 5, 1)) == 2021


@pytest.mark.parametrize("who", ["manager", "finance", "officer", "admin"])
def test_each_role_lands_on_its_start_page_with_att_gora(client, users, who):
    client.force_login(users[who])
    html = client.get(reverse("dashboard:start")).content.decode()
    assert "Att göra" in html
    # Officers also find their agreements and deadlines there; the others the way on.
    assert ("Överenskommelser per år" in html) == (who in ("officer", "admin"))
    assert reverse("dashboard:overview") in html


def test_dashboard_page_shows_numbers_charts_and_their_tables(client_for, ledger2023):
    from django.utils import timezone

    Deadline.objects.create(
        agreement=ledger2023,
        kind="ekonomisk_redovisning",
        due_date=timezone.localdate() - datetime.timedelta(days=5),
        authority="kammarkollegiet",
    )
    html = client_for("manager").get(reverse("dashboard:overview") + "?ar=2023").content.decode()
    assert '<dd id="received">75\u00a0422\u00a0690\u00a0kr</dd>' in html
    assert html.count('role="img"') >= 2  # and one image per cost object (test_lazy_charts)
    assert '<title id="chart-areas-title">' in html and '<desc id="chart-areas-desc">' in html
    assert "<script" not in html
    assert "Siffrorna i diagrammet" in html
    assert "Försenad: \u22125" in html


def test_drill_down_lists_filter_and_export(client_for, ledger2023):
    client = client_for("manager")
    html = client.get(
        reverse("dashboard:activities") + "?year=2023&status=beslutad"
    ).content.decode()
    assert "24 mkr fördelas till samtliga vårdenheter inom hälsovalet" in html
    response = client.get(
        reverse("dashboard:transactions") + "?year=2023&cost_object=9943&format=xlsx"
    )
    sheet = load_workbook(io.BytesIO(response.content))["Transaktioner"]
    *rows, total = list(sheet.iter_rows(min_row=2, values_only=True))
    assert total[0] == "Summa"
    expected = LedgerTransaction.objects.filter(cost_object__number="9943")
    assert len(rows) == expected.count()
    assert round(sum(D(str(r[7])) for r in rows), 2) == sum(
        expected.values_list("amount", flat=True)
    )


def test_roleless_and_anonymous_users_are_kept_out(client, client_for, db):
    names = [
        "dashboard:overview",
        "dashboard:activities",
        "dashboard:transactions",
        "dashboard:start",
    ]
    for name in names:
        assert client.get(reverse(name)).status_code == 302
    roleless = client_for("norole")
    for name in names:
        assert roleless.get(reverse(name)).status_code == 403


def _grow(years, agreements_per_year, activities_per_area):
    """More years, agreements, activities and monthly outcome, as a big region would have."""
    from allocations.models import DecidedAmount
    from distribution.models import CostObject
    from followup.models import LedgerImport
    from grants.models import Component, DevelopmentArea, Region

    own = Region.objects.get(county_code="23")
    ledger = LedgerImport.objects.create(file_name="gen.csv", file_format="csv", checksum="x" * 64)
    for year in years:
        for n in range(agreements_per_year):
            agreement = Agreement.objects.create(
                year=year, short_name=f"Bidrag {year}-{n}", name="Gen", national_total=10**9
            )
            area = DevelopmentArea.objects.create(agreement=agreement, name="Område")
            component = Component.objects.create(
                agreement=agreement,
                area=area,
                name="Del",
                recipient_group="regioner",
                national_amount=10**8,
            )
            DecidedAmount.objects.create(component=component, region=own, amount=10**7)
            cost_object = CostObject.objects.create(
                year=year, number=f"{year}{n:03d}", name="Obj", area=area
            )
            Deadline.objects.create(
                agreement=agreement,
                kind="rekvisition",
                due_date=datetime.date(year, 12, 1),
                authority="kammarkollegiet",
            )
            activities = Activity.objects.bulk_create(
                Activity(
                    area=area,
                    name=f"A{i}",
                    amount=1000 * i,
                    private_providers=True,
                    cost_object=cost_object,
                )
                for i in range(activities_per_area)
            )
            LedgerTransaction.objects.bulk_create(
                LedgerTransaction(
                    ledger_import=ledger,
                    cost_object=cost_object,
                    activity=a,
                    year=year,
                    month=m,
                    amount=100,
                    line=1,
                )
                for a in activities
                for m in range(1, 13)
            )
    refresh_month_totals(Q())  # rows made here, not by an import: their totals too


def test_dashboard_queries_do_not_grow_with_the_data(
    client_for, ledger2023, django_assert_max_num_queries
):
    client = client_for("manager")
    url = reverse("dashboard:overview") + "?ar=2023"
    with django_assert_max_num_queries(60) as captured:
        client.get(url)
    baseline = len(captured)
    _grow([2022, 2023], agreements_per_year=3, activities_per_area=40)
    with django_assert_max_num_queries(baseline):
        response = client.get(url)
    assert response.status_code == 200


def test_the_page_follows_every_change_to_its_data(client_for, ledger2023):
    client = client_for("manager")
    url = reverse("dashboard:overview") + "?ar=2023"
    before = client.get(url).content.decode()
    assert "75\u00a0422\u00a0690\u00a0kr</dd>" in before
    decided = ledger2023.components.get(name="Ambulanssjukvård").decided_amounts.get(
        region__county_code="23"
    )
    decided.amount += 1000
    decided.save()
    after = client.get(url).content.decode()
    assert "75\u00a0423\u00a0690\u00a0kr</dd>" in after

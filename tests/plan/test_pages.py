"""The plan's pages through the test client, as each role: reading, editing with history,
refusing stale saves, the money behind a plan activity, and the exports read back."""

import io
from decimal import Decimal as D

import pytest
from django.db.models import Q
from django.urls import reverse
from openpyxl import load_workbook

from distribution.models import Activity
from followup.models import LedgerImport, LedgerTransaction
from followup.month_totals import refresh_month_totals
from plan.models import (
    ActivityLink,
    Indicator,
    MeasureAnswer,
    Measurement,
    PlanActivity,
    StatusChange,
    SubActivity,
    SubStatus,
)

CONTINUITY = "Kontinuitetsindex, kronisk sjukdom, primärvård (region)"
FAST_CONTACTS = "Utveckla rutiner och arbetssätt för fasta kontakter"
ALL_ROLES = ["officer", "finance", "manager", "admin"]


def read_pages(plan):
    indicator = Indicator.objects.get(name=CONTINUITY)
    activity = PlanActivity.objects.get(name=FAST_CONTACTS)
    return [
        reverse("plan:list"),
        reverse("plan:detail", args=[plan.pk]),
        reverse("plan:followup", args=[plan.pk]),
        reverse("plan:indicator", args=[indicator.pk]),
        reverse("plan:activity", args=[activity.pk]),
        reverse(
            "plan:agreement_indicators",
            args=[Indicator.objects.filter(agreement__isnull=False).first().agreement_id],
        ),
    ]


def edit_pages(plan):
    indicator = Indicator.objects.get(name=CONTINUITY)
    activity = PlanActivity.objects.get(name=FAST_CONTACTS)
    sub = activity.sub_activities.first()
    return [
        reverse("plan:edit", args=[plan.pk]),
        reverse("plan:indicator_edit", args=[indicator.pk]),
        reverse("plan:activity_edit", args=[activity.pk]),
        reverse("plan:sub_edit", args=[sub.pk]),
        reverse("plan:question_answer", args=[sub.questions.first().pk]),
        reverse("plan:measurement_edit", args=[indicator.measurements.first().pk]),
    ]


@pytest.mark.parametrize("who", ALL_ROLES)
def test_every_role_reads_the_plan(client_for, demo_plan, who):
    client = client_for(who)
    for url in read_pages(demo_plan):
        response = client.get(url, follow=True)
        assert response.status_code == 200, url


def test_without_a_role_or_login_nothing_is_shown(client, client_for, demo_plan):
    for url in read_pages(demo_plan):
        assert client.get(url).status_code == 302  # to the login page
    client = client_for("norole")
    for url in read_pages(demo_plan) + edit_pages(demo_plan):
        assert client.get(url).status_code == 403, url


@pytest.mark.parametrize("who", ["finance", "manager"])
def test_readers_cannot_edit(client_for, demo_plan, who):
    client = client_for(who)
    for url in edit_pages(demo_plan):
        assert client.get(url).status_code == 403, url
    page = client.get(reverse("plan:detail", args=[demo_plan.pk])).content.decode()
    assert "Lägg till effektmått" not in page and "Läs in värden från Kolada" not in page


def test_officer_sees_the_edit_pages(client_for, demo_plan):
    client = client_for("officer")
    for url in edit_pages(demo_plan):
        assert client.get(url).status_code == 200, url


def test_plan_page_shows_bilaga_1(client_for, demo_plan):
    page = client_for("manager").get(reverse("plan:detail", args=[demo_plan.pk])).content.decode()
    for text in [
        "Strategi: Ökad delaktighet",
        "Strategi: Ökad samordning och samverkan",
        "Ökat antal upprättade SIP jämfört med föregående år",
        "Ingår i uppdraget från SVOM gällande översyn av länsamverkan och samverkansarenor",
        "Ej påbörjat – uppdrag behövs",
        "Finns fast läkarkontakt?",
        "2025–2026",
    ]:
        assert text in page, text


def test_indicator_page_evaluates_each_year(client_for, demo_plan):
    indicator = Indicator.objects.get(name=CONTINUITY)
    page = client_for("manager").get(reverse("plan:indicator", args=[indicator.pk])).content
    page = page.decode()
    # 2021 has nothing before it; 2022 fell (0,31 → 0,30); 2023 rose; 2024 fell again.
    assert page.count("verdict-not-met") >= 2 and page.count("verdict-met") >= 1
    assert "0,33" in page and "↑ ökat" in page and "↓ minskat" in page
    assert 'role="img"' in page  # the chart, with its own title and description


def test_officer_types_in_a_value_with_a_comma(client_for, demo_plan, users):
    indicator = Indicator.objects.get(name=CONTINUITY)
    region = demo_plan.parties.get(kind="region")
    client = client_for("officer")
    response = client.post(
        reverse("plan:measurement_add", args=[indicator.pk]),
        {
            "party": region.pk,
            "year": 2025,
            "half": 0,
            "gender": "T",
            "value": "0,3712",
            "source": "Primärvårdskvalitet",
            "comment": "Preliminärt",
        },
    )
    assert response.status_code == 302
    value = Measurement.objects.get(indicator=indicator, year=2025, gender="T")
    assert value.value == D("0.3712") and value.updated_by == users["officer"]
    record = value.history.latest("history_date")
    assert record.history_user == users["officer"]
    assert record.history_change_reason == "Preliminärt"

    # The same period again is refused with a message, not a 500.
    again = client.post(
        reverse("plan:measurement_add", args=[indicator.pk]),
        {"party": region.pk, "year": 2025, "half": 0, "gender": "T", "value": "1"},
    )
    assert again.status_code == 400
    assert "Det finns redan ett värde för Region Jämtland Härjedalen 2025" in again.content.decode()
    bad = client.post(
        reverse("plan:measurement_add", args=[indicator.pk]),
        {"party": region.pk, "year": 2026, "half": 0, "gender": "T", "value": "hög"},
    )
    assert bad.status_code == 400 and "”hög” är inte ett tal." in bad.content.decode()


def test_a_stale_save_is_refused(client_for, demo_plan):
    indicator = Indicator.objects.get(name=CONTINUITY)
    url = reverse("plan:indicator_edit", args=[indicator.pk])
    data = {
        "name": indicator.name,
        "unit": "",
        "frequency": "ar",
        "forum": "Fredagsgruppen",
        "target_text": "Ska öka från föregående år",
        "target_kind": "increase",
        "split_by_gender": "on",
        "version": indicator.version,
    }
    client = client_for("officer")
    assert client.post(url, {**data, "forum": "SamReKo HSI"}).status_code == 302
    stale = client.post(url, {**data, "forum": "Något annat"})
    assert stale.status_code == 400
    assert "har ändrats av någon annan" in stale.content.decode()
    indicator.refresh_from_db()
    assert indicator.forum == "SamReKo HSI" and indicator.version == 2


def test_status_change_records_who_when_and_comment(client_for, demo_plan, users):
    sub = SubActivity.objects.get(name="Vid psykisk ohälsa övergång till vuxenblivande")
    url = reverse("plan:sub_status", args=[sub.pk])
    client = client_for("officer")
    response = client.post(
        url, {"version": sub.version, "status": SubStatus.ONGOING, "comment": "Uppdrag från SVOM"}
    )
    assert response.status_code == 302
    change = StatusChange.objects.get(sub_activity=sub)
    assert (change.old_status, change.status, change.changed_by) == (
        SubStatus.NOT_STARTED,
        SubStatus.ONGOING,
        users["officer"],
    )
    page = client.get(reverse("plan:activity", args=[sub.activity_id])).content.decode()
    assert "Statushistorik för Vid psykisk ohälsa" in page and "Uppdrag från SVOM" in page
    # The same form sent again carries the old version: refused, nothing changed.
    client.post(url, {"version": sub.version, "status": SubStatus.DONE, "comment": "x"})
    sub.refresh_from_db()
    assert sub.status == SubStatus.ONGOING and StatusChange.objects.count() == 1
    # "Ingår i" needs what it is part of.
    client.post(url, {"version": sub.version, "status": SubStatus.PART_OF, "reference": ""})
    sub.refresh_from_db()
    assert sub.status == SubStatus.ONGOING


def test_answers_per_follow_up_year(client_for, demo_plan, users):
    question = SubActivity.objects.get(name="Handlingsplan fasta kontakter etc.").questions.get()
    client = client_for("officer")
    url = reverse("plan:question_answer", args=[question.pk])
    client.post(url, {"year": 2024, "answer_yes": "0", "comment": "Inte än"})
    client.post(url, {"year": 2025, "answer_yes": "1", "comment": "Uppföljd i mars"})
    answers = {a.year: a.answer_yes for a in MeasureAnswer.objects.filter(question=question)}
    assert answers == {2024: False, 2025: True}
    assert client.post(url, {"year": 2025, "answer_yes": ""}).status_code == 400


def test_plan_activity_shows_the_money_behind_it(client_for, demo_plan, users):
    activity = PlanActivity.objects.get(name=FAST_CONTACTS)
    linked = ActivityLink.objects.get(plan_activity=activity).activity
    ledger = LedgerImport.objects.create(file_name="t.csv", file_format="csv", checksum="x")
    for month, amount in [(3, "1200000.50"), (4, "800000")]:
        LedgerTransaction.objects.create(
            ledger_import=ledger,
            cost_object=linked.cost_object,
            activity=linked,
            year=2023,
            month=month,
            amount=D(amount),
            line=month,
        )
    # Outcome of another year is not this agreement's.
    LedgerTransaction.objects.create(
        ledger_import=ledger,
        cost_object=linked.cost_object,
        activity=linked,
        year=2022,
        month=1,
        amount=D("999"),
        line=9,
    )
    # Income booked on the activity is not its outcome (outcome is the costs).
    LedgerTransaction.objects.create(
        ledger_import=ledger,
        cost_object=linked.cost_object,
        activity=linked,
        year=2023,
        month=5,
        account="3010",
        amount=D("-5000000"),
        line=10,
    )
    refresh_month_totals(Q())  # rows made here, not by an import: their totals too
    page = client_for("manager").get(reverse("plan:activity", args=[activity.pk])).content
    page = page.decode()
    assert linked.name in page
    assert "24\xa0000\xa0000\xa0kr" in page  # its amount in the distribution
    assert "2\xa0000\xa0000,50\xa0kr" in page  # its outcome in 2023
    assert "21\xa0999\xa0999,50\xa0kr" in page  # left


def test_officer_links_and_unlinks_a_distribution_activity(client_for, demo_plan):
    activity = PlanActivity.objects.get(name="Skapa överenskommelse för säkra digitala möten")
    target = Activity.objects.get(name__startswith="Driftsätta en vårdgivarwebb")
    client = client_for("officer")
    client.post(
        reverse("plan:link_add", args=[activity.pk]), {"activity": target.pk, "note": "Möten"}
    )
    link = ActivityLink.objects.get(plan_activity=activity)
    assert link.activity == target
    # The distribution's area page shows which plan activity its activity serves.
    area_page = client.get(reverse("distribution:area", args=[target.area_id])).content.decode()
    assert "Stödjer i gemensam plan:" in area_page and activity.name in area_page
    edit_page = client.get(reverse("distribution:activity_edit", args=[target.pk])).content
    assert activity.name in edit_page.decode()
    again = client.post(
        reverse("plan:link_add", args=[activity.pk]), {"activity": target.pk}, follow=True
    )
    assert "är redan kopplad" in again.content.decode()
    stale = client.post(reverse("plan:link_delete", args=[link.pk]), follow=True)
    assert "har ändrats av någon annan" in stale.content.decode()  # no version: not from our page
    client.post(reverse("plan:link_delete", args=[link.pk]), {"version": link.version})
    assert not ActivityLink.objects.filter(plan_activity=activity).exists()
    assert ActivityLink.history.filter(plan_activity_id=activity.pk, history_type="-").exists()


def test_followup_filters(client_for, demo_plan):
    client = client_for("manager")
    url = reverse("plan:followup", args=[demo_plan.pk])
    page = client.get(url, {"status": "uppdrag_behovs"}).content.decode()
    assert "Genomföra kartläggning" in page and "Kartlägga behovet" not in page
    page = client.get(url, {"period": "2023–2024"}).content.decode()
    assert "Handlingsplan fasta kontakter etc." in page
    assert "Skapa överenskommelse för säkra digitala möten" not in page
    region = demo_plan.parties.get(kind="region")
    page = client.get(url, {"party": region.pk}).content.decode()
    assert "Länet, Vuxna" not in page and "Region Jämtland Härjedalen" in page
    # Nonsense filters are ignored, never a 500.
    assert client.get(url, {"status": "x", "party": "abc", "period": "nu"}).status_code == 200


def _sheet(response):
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    return load_workbook(io.BytesIO(response.content)).active


def test_followup_exports_read_back(client_for, demo_plan):
    client = client_for("finance")
    url = reverse("plan:followup", args=[demo_plan.pk])
    rows = list(_sheet(client.get(url, {"format": "xlsx", "lista": "matt"})).values)
    header = rows[2]
    assert header[:6] == (
        "Strategi/överenskommelse",
        "Effektmått",
        "Part",
        "Grupp",
        "Kön",
        "Period",
    )
    continuity = [r for r in rows[3:] if r[1] == CONTINUITY and r[4] == "Totalt"]
    assert [(r[5], r[6], r[9]) for r in continuity] == [
        ("2021", 0.31, "Inget värde"),
        ("2022", 0.3, "Ej uppfyllt"),
        ("2023", 0.34, "Uppfyllt"),
        ("2024", 0.33, "Ej uppfyllt"),
    ]
    plan_rows = list(_sheet(client.get(url, {"format": "xlsx", "lista": "handlingsplan"})).values)
    assert len([r for r in plan_rows[3:] if r[3]]) >= 36
    money_rows = list(_sheet(client.get(url, {"format": "xlsx", "lista": "pengar"})).values)
    assert any(r[4] and r[4].startswith("24 mkr fördelas") and r[6] == 24000000 for r in money_rows)
    assert client.get(url, {"format": "xlsx", "lista": "okänd"}).status_code == 404


def test_followup_page_makes_a_fixed_number_of_queries(
    client_for, demo_plan, django_assert_max_num_queries
):
    client = client_for("manager")
    url = reverse("plan:followup", args=[demo_plan.pk])
    with django_assert_max_num_queries(40) as captured:
        client.get(url)
    baseline = len(captured)
    indicator = Indicator.objects.get(name=CONTINUITY)
    party = demo_plan.parties.get(name="Östersund")
    for year in range(2010, 2020):
        Measurement.objects.create(indicator=indicator, party=party, year=year, value=D(year))
    with django_assert_max_num_queries(baseline):
        client.get(url)


def test_dashboard_shows_indicators_against_targets(client_for, demo_plan):
    client = client_for("manager")
    page = client.get(reverse("dashboard:overview") + "?ar=2024").content.decode()
    assert "Indikatorer mot mål" in page
    assert "Andel i befolkningen med namngiven fast läkarkontakt i primärvården" in page
    assert "Minst 55 %" in page and "56,1 %" in page
    # The dashboard's year (the 2023 agreement) shows the value known for 2023.
    page = client.get(reverse("dashboard:overview")).content.decode()
    assert "52,4 %" in page and "56,1 %" not in page


def test_officer_adds_an_agreement_indicator_with_a_threshold(client_for, demo_plan):
    agreement = Indicator.objects.filter(agreement__isnull=False).first().agreement
    client = client_for("officer")
    detail = client.get(agreement.get_absolute_url()).content.decode()
    assert reverse("plan:agreement_indicators", args=[agreement.pk]) in detail
    url = reverse("plan:agreement_indicator_add", args=[agreement.pk])
    data = {
        "name": "Andel med fast vårdkontakt",
        "unit": "%",
        "frequency": "ar",
        "target_kind": "at_least",
        "split_by_gender": "on",
    }
    refused = client.post(url, data)
    assert refused.status_code == 400
    assert "Ange gränsvärdet för målet." in refused.content.decode()
    assert client.post(url, {**data, "threshold": "60"}).status_code == 302
    added = Indicator.objects.get(name="Andel med fast vårdkontakt")
    assert added.agreement == agreement and added.target_display() == "Minst 60 %"
    assert client_for("manager").get(url).status_code == 403


def test_officer_edits_a_partys_kolada_id_with_history(client_for, demo_plan, users):
    party = demo_plan.parties.get(name="Länet")
    client = client_for("officer")
    url = reverse("plan:party_edit", args=[party.pk])
    data = {"name": "Länet", "kind": "lan", "position": party.position, "version": 1}
    bad = client.post(url, {**data, "kolada_id": "23"})
    assert bad.status_code == 400 and "Kolada-id är fyra siffror" in bad.content.decode()
    assert client.post(url, {**data, "kolada_id": "0023"}).status_code == 302
    assert client.post(url, {**data, "kolada_id": "0001"}).status_code == 400  # stale
    party.refresh_from_db()
    assert party.kolada_id == "0023"
    assert party.history.latest("history_date").history_user == users["officer"]
    strategy = demo_plan.strategies.first()
    response = client.post(
        reverse("plan:strategy_edit", args=[strategy.pk]),
        {
            "name": strategy.name,
            "description": "Invånaren är delaktig.",
            "position": 1,
            "version": strategy.version,
        },
    )
    assert response.status_code == 302
    assert (
        "Invånaren är delaktig."
        in client.get(reverse("plan:detail", args=[demo_plan.pk])).content.decode()
    )


def test_plan_page_makes_a_fixed_number_of_queries(
    client_for, demo_plan, django_assert_max_num_queries
):
    client = client_for("officer")
    url = reverse("plan:detail", args=[demo_plan.pk])
    with django_assert_max_num_queries(40) as captured:
        client.get(url)
    baseline = len(captured)
    strategy = demo_plan.strategies.first()
    for n in range(5):
        activity = PlanActivity.objects.create(
            strategy=strategy, name=f"Extra {n}", priority_from=2025, priority_to=2026
        )
        SubActivity.objects.create(activity=activity, name=f"Del {n}")
    with django_assert_max_num_queries(baseline):
        client.get(url)


def test_an_activity_added_by_mistake_can_be_removed_and_stays_in_the_history(
    client_for, demo_plan, users
):
    strategy = PlanActivity.objects.get(name=FAST_CONTACTS).strategy
    mistake = PlanActivity.objects.create(
        strategy=strategy, name="Felaktigt tillagd", priority_from=2025, priority_to=2026
    )
    client = client_for("officer")
    url = reverse("plan:activity_edit", args=[mistake.pk])
    page = client.get(url).content.decode()
    assert "Ta bort aktiviteten" in page
    # A version older than the stored one is refused, nothing removed.
    stale = client.post(url, {"action": "delete", "version": mistake.version - 1})
    assert stale.status_code == 400 and PlanActivity.objects.filter(pk=mistake.pk).exists()
    response = client.post(url, {"action": "delete", "version": mistake.version})
    assert response.status_code == 302
    assert not PlanActivity.objects.filter(pk=mistake.pk).exists()
    removal = PlanActivity.history.get(id=mistake.pk, history_type="-")
    assert removal.history_user == users["officer"]
    # Read-only roles cannot.
    kept = PlanActivity.objects.get(name=FAST_CONTACTS)
    denied = client_for("manager").post(
        reverse("plan:activity_edit", args=[kept.pk]), {"action": "delete", "version": 1}
    )
    assert denied.status_code == 403


def test_an_activity_with_sub_activities_or_links_is_not_removed(client_for, demo_plan):
    activity = PlanActivity.objects.get(name=FAST_CONTACTS)
    assert activity.sub_activities.exists()
    response = client_for("officer").post(
        reverse("plan:activity_edit", args=[activity.pk]),
        {"action": "delete", "version": activity.version},
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "delaktivitet" in html and "ta bort dem först" in html
    assert PlanActivity.objects.filter(pk=activity.pk).exists()


def test_a_sub_activity_is_removed_only_while_nothing_was_followed_up_on_it(
    client_for, demo_plan, users
):
    from plan.actions import do_set_status

    activity = PlanActivity.objects.get(name=FAST_CONTACTS)
    client = client_for("officer")
    fresh = SubActivity.objects.create(activity=activity, name="Ny delaktivitet av misstag")
    url = reverse("plan:sub_edit", args=[fresh.pk])
    assert client.post(url, {"action": "delete", "version": fresh.version}).status_code == 302
    assert not SubActivity.objects.filter(pk=fresh.pk).exists()

    followed = activity.sub_activities.first()
    do_set_status(followed, "pagar", comment="Startad", acting_user=users["officer"])
    followed.refresh_from_db()
    response = client.post(
        reverse("plan:sub_edit", args=[followed.pk]),
        {"action": "delete", "version": followed.version},
    )
    assert response.status_code == 400
    assert "uppföljningen bygger på" in response.content.decode()
    assert SubActivity.objects.filter(pk=followed.pk).exists()

"""Two officers at once: for every kind of edit form, the second save of a page opened before
the first save is refused with the activities' Swedish message, and nothing of it is saved."""

import json
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from allocations.models import AllocationRule, DecidedAmount, KeyDataSet, KeyDataValue
from distribution.models import AreaPlan
from grants.models import Agreement, Component, Deadline, DevelopmentArea, Region
from plan.models import MeasureQuestion
from reporting.models import AgreementReport, AreaReport, OrganisationProfile

from .formdata import form_data

STALE = "har ändrats av någon annan sedan du öppnade sidan. Ladda om sidan"


@pytest.fixture
def two(users):
    """Two sessions: an officer and an administrator (who may edit the same things)."""
    first, second = Client(), Client()
    first.force_login(users["officer"])
    second.force_login(users["admin"])
    return first, second


def open_both(two, url, field):
    first, second = two
    return (
        form_data(first.get(url).content.decode(), field),
        form_data(second.get(url).content.decode(), field),
    )


def assert_refused(response):
    assert response.status_code == 400
    html = response.content.decode()
    assert STALE in html, html[:2000]
    assert "inget har sparats" in html


def run_two(two, url, field, first_change, second_change, post_url=None):
    a, b = open_both(two, url, field)
    first = two[0].post(post_url or url, {**a, **first_change})
    assert first.status_code == 302, first.content.decode()[:3000]
    second = two[1].post(post_url or url, {**b, **second_change})
    assert_refused(second)


def test_agreement(two, gnv2023):
    url = reverse("grants:agreement_edit", args=[gnv2023.pk])
    run_two(two, url, "short_name", {"notes": "Av A"}, {"notes": "Av B"})
    assert Agreement.objects.get(pk=gnv2023.pk).notes == "Av A"


def test_area(two, gnv2023):
    area = gnv2023.areas.first()
    url = reverse("grants:area_edit", args=[gnv2023.pk, area.pk])
    run_two(two, url, "description", {"description": "A"}, {"description": "B"})
    assert DevelopmentArea.objects.get(pk=area.pk).description == "A"


def test_component(two, gnv2023):
    component = gnv2023.components.first()
    url = reverse("grants:component_edit", args=[gnv2023.pk, component.pk])
    run_two(two, url, "recipient_group", {"notes": "A"}, {"national_amount": "1"})
    component.refresh_from_db()
    assert component.notes == "A" and component.national_amount != 1


def test_deadline_and_its_deletion(two, gnv2023):
    deadline = gnv2023.deadlines.first()
    url = reverse("grants:deadline_edit", args=[gnv2023.pk, deadline.pk])
    delete_url = reverse("grants:deadline_delete", args=[gnv2023.pk, deadline.pk])
    opened_delete = form_data(two[1].get(delete_url).content.decode(), "version")
    run_two(two, url, "due_date", {"description": "A"}, {"description": "B"})
    assert Deadline.objects.get(pk=deadline.pk).description == "A"
    response = two[1].post(delete_url, opened_delete, follow=True)
    assert STALE in response.content.decode()
    assert Deadline.objects.filter(pk=deadline.pk).exists()


def test_area_plan(two, distribution2023, area_named):
    area = area_named(distribution2023, "Utvecklingen")
    url = reverse("distribution:area", args=[area.pk])
    run_two(
        two,
        url,
        "overall_responsible",
        {"overall_responsible": "A"},
        {"overall_responsible": "B"},
        post_url=reverse("distribution:area_plan", args=[area.pk]),
    )
    assert AreaPlan.objects.get(area=area).overall_responsible == "A"


def test_activity(two, distribution2023, area_named):
    activity = area_named(distribution2023, "Utvecklingen").activities.first()
    url = reverse("distribution:activity_edit", args=[activity.pk])
    run_two(two, url, "name", {"notes": "A"}, {"notes": "B"})
    activity.refresh_from_db()
    assert activity.notes == "A"


def test_rule(two, allocations2023):
    rule = AllocationRule.objects.filter(component__agreement=allocations2023).first()
    url = reverse("allocations:rule_edit", args=[allocations2023.pk, rule.component_id])
    run_two(
        two,
        url,
        "method",
        {"notes": "A", "reason": "Förtydligande"},
        {"notes": "B", "reason": "Annat"},
    )
    rule.refresh_from_db()
    assert rule.notes == "A"


def test_key_data(two, allocations2023):
    dataset = KeyDataSet.objects.get(name="HSL-individer 2022")
    column = dataset.columns.get()
    url = reverse("allocations:dataset_edit", args=[dataset.pk])
    field = f"v{column.pk}_23"
    run_two(
        two,
        url,
        field,
        {field: "6 000", "reason": "Rättelse"},
        {field: "7 000", "reason": "Annan rättelse"},
    )
    assert KeyDataValue.objects.get(column=column, region__county_code="23").value == 6000


def _decided_component(agreement):
    return agreement.components.get(name="VFU-satsning för sjuksköterskestudenter")


def _fill(amount):
    return {f"r{r.county_code}": amount for r in Region.objects.all()}


def test_decided_amounts_typed(two, allocations2023):
    component = _decided_component(allocations2023)
    url = reverse("allocations:decided_edit", args=[allocations2023.pk, component.pk])
    run_two(two, url, "r23", {**_fill("1 000")}, {**_fill("2 000")})
    assert {d.amount for d in DecidedAmount.objects.filter(component=component)} == {1000}


def test_decided_amounts_imported_after_a_typed_save(two, allocations2023):
    component = _decided_component(allocations2023)
    url = reverse("allocations:decided_edit", args=[allocations2023.pk, component.pk])
    typed, _ = open_both(two, url, "r23")
    imported = form_data(two[1].get(url).content.decode(), "column")
    assert two[0].post(url, {**typed, **_fill("1 000")}).status_code == 302
    text = "lanskod;lan;vfu\n" + "".join(
        f"{r.county_code};{r.county_name};5000\n" for r in Region.objects.all()
    )
    upload = SimpleUploadedFile("vfu.csv", text.encode(), content_type="text/csv")
    import_url = reverse("allocations:decided_import", args=[allocations2023.pk, component.pk])
    response = two[1].post(import_url, {**imported, "file": upload, "reason": "Ny fil"})
    assert_refused(response)
    assert {d.amount for d in DecidedAmount.objects.filter(component=component)} == {1000}


def test_report_texts_per_text(two, distribution2023):
    url = reverse("reporting:texts", args=[distribution2023.pk])
    area = distribution2023.areas.first()
    a, b = open_both(two, url, "ok-summary")
    b_second = dict(b)
    first = two[0].post(url, {**a, "ok-summary": "Sammanfattning av A"})
    assert first.status_code == 302
    # B changed another text only: saved, and A's summary is not written back.
    area_field = f"omrade{area.pk}-results"
    assert two[1].post(url, {**b, area_field: "Resultat av B"}).status_code == 302
    assert AgreementReport.objects.get(agreement=distribution2023).summary == (
        "Sammanfattning av A"
    )
    assert AreaReport.objects.get(area=area).results == "Resultat av B"
    # B changes the summary A changed since B opened the page: refused, nothing saved.
    response = two[1].post(
        url, {**b_second, "ok-summary": "Sammanfattning av B", area_field: "Annat"}
    )
    assert_refused(response)
    assert AgreementReport.objects.get(agreement=distribution2023).summary == (
        "Sammanfattning av A"
    )
    assert AreaReport.objects.get(area=area).results == "Resultat av B"


def test_region_details(two, gnv2023):
    url = reverse("reporting:organisation")
    run_two(two, url, "bankgiro", {"bankgiro": "505-0109"}, {"bankgiro": ""})
    assert OrganisationProfile.objects.get().bankgiro == "505-0109"


def test_component_removed_meanwhile(two, gnv2023):
    component = Component.objects.create(
        agreement=gnv2023, name="Tillfälligt", recipient_group="regioner"
    )
    url = reverse("grants:component_edit", args=[gnv2023.pk, component.pk])
    opened = form_data(two[1].get(url).content.decode(), "recipient_group")
    delete_url = reverse("grants:component_delete", args=[gnv2023.pk, component.pk])
    two[0].post(delete_url, {"version": component.version})
    assert not Component.objects.filter(pk=component.pk).exists()
    assert two[1].post(url, opened).status_code == 404  # gone: nothing to save over


def test_saved_amounts_are_untouched_by_a_refused_save(two, allocations2023):
    """A refused save of decided amounts leaves every row as it was (a set, not one row)."""
    component = _decided_component(allocations2023)
    url = reverse("allocations:decided_edit", args=[allocations2023.pk, component.pk])
    assert (
        two[0]
        .post(url, {**form_data(two[0].get(url).content.decode(), "r23"), **_fill("1 000")})
        .status_code
        == 302
    )
    before = list(
        DecidedAmount.objects.filter(component=component).values_list("version", "amount")
    )
    stale = form_data(two[1].get(url).content.decode(), "r23")
    stale["token"] = ""
    assert_refused(two[1].post(url, {**stale, **_fill("9"), "reason": "x"}))
    after = list(DecidedAmount.objects.filter(component=component).values_list("version", "amount"))
    assert after == before and all(a == Decimal(1000) for _, a in after)


def test_forecast(two, distribution2023, area_named):
    activity = area_named(distribution2023, "Utvecklingen").activities.first()
    url = reverse("followup:forecast", args=[activity.pk])
    run_two(two, url, "forecast", {"forecast": "1 000"}, {"forecast": "2 000"})
    activity.refresh_from_db()
    assert activity.forecast == 1000


@pytest.mark.parametrize("first_answer", [True, False], ids=["existing", "first"])
def test_plan_answer(two, users, first_answer):
    """Two people answering the same measure for the same year: the second is refused,
    both when an answer stood and when both wrote the first one."""
    from plan.actions import do_answer_question
    from plan.demo import load_plan_setup
    from plan.models import MeasureAnswer
    from tests.plan.conftest import PLAN_FILE

    load_plan_setup(json.loads(PLAN_FILE.read_text("utf-8")))
    question = MeasureQuestion.objects.filter(answer_kind="text").first()
    if first_answer:
        do_answer_question(
            question, 2024, answer_text="Förra", acting_user=users["admin"], expected_version=0
        )
    url = reverse("plan:question_answer", args=[question.pk]) + "?ar=2024"
    post = reverse("plan:question_answer", args=[question.pk])
    run_two(two, url, "comment", {"answer_text": "Av A"}, {"answer_text": "Av B"}, post_url=post)
    assert MeasureAnswer.objects.get(question=question, year=2024).answer_text == "Av A"

"""Att göra on each user's start page, per role."""

import datetime

import pytest
from django.db.models import Q
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

from comments.actions import do_add_comment
from dashboard.reads.todo import deadlines_without_document, todo_for
from followup.month_totals import refresh_month_totals
from grants.models import Deadline, DeadlineSubmission

pytestmark = pytest.mark.django_db


def start_page(client):
    response = client.get(reverse("dashboard:start"))
    assert response.status_code == 200
    return response.content.decode()


def _deadline(agreement, kind, days, applies_to=""):
    return Deadline.objects.create(
        agreement=agreement,
        kind=kind,
        due_date=timezone.localdate() + datetime.timedelta(days=days),
        authority="kammarkollegiet",
        applies_to=applies_to,
    )


def test_deadlines_wait_until_their_document_is_sent(users, gnv2023):
    today = timezone.localdate()
    Deadline.objects.all().delete()
    soon = _deadline(gnv2023, "rekvisition", 10)
    passed = _deadline(gnv2023, "ekonomisk_redovisning", -3)
    _deadline(gnv2023, "rekvisition", 45)  # outside the warning period
    _deadline(gnv2023, "ekonomisk_redovisning", -400)  # over a year ago
    _deadline(gnv2023, "rekvisition", 5, applies_to="skr")  # SKR's, not ours
    waiting = deadlines_without_document(today, 30)
    assert [(w.deadline, w.days_left) for w in waiting] == [(passed, -3), (soon, 10)]

    # A generated document does not meet the deadline; only a sent one does.
    submission = DeadlineSubmission.objects.create(
        deadline=soon, document_kind="rekvisition", state="skapat", changed_at=timezone.now()
    )
    assert [w.deadline for w in deadlines_without_document(today, 30)] == [passed, soon]
    submission.state = "skickat"
    submission.save()
    assert [w.deadline for w in deadlines_without_document(today, 30)] == [passed]


def test_officer_sees_deadlines_conditions_and_mentions(client_for, users, ledger2023):
    Deadline.objects.all().delete()
    _deadline(ledger2023, "ekonomisk_redovisning", 12)
    activity = ledger2023.areas.first().activities.first()
    type(activity).objects.filter(pk=activity.pk).update(private_providers=None, status="pagar")
    do_add_comment(activity, "Kan @hospa fylla i villkoren?", acting_user=users["manager"])
    html = start_page(client_for("officer"))
    assert "Frister utan dokument" in html
    assert "12 dagar kvar" in html
    assert "Aktiviteter som saknar villkor" in html
    assert activity.name in html
    assert "Kommentarer som nämner dig" in html
    assert "Kan @hospa fylla i villkoren?" in html
    assert reverse("distribution:area", args=[activity.area_id]) in html
    # Officers do not reconcile the ledger.
    assert "Huvudboksrader som inte är kopplade" not in html


def test_finance_sees_unlinked_ledger_rows_and_only_their_own_mentions(
    client_for, users, ledger2023
):
    from followup.models import LedgerTransaction

    row = LedgerTransaction.objects.costs().first()
    LedgerTransaction.objects.filter(pk=row.pk).update(activity=None)
    refresh_month_totals(Q(cost_object_id=row.cost_object_id))  # as the write paths do
    unlinked = LedgerTransaction.objects.costs().filter(
        activity__isnull=True, cost_object=row.cost_object, year=row.year
    )
    do_add_comment(ledger2023, "Till @hospa", acting_user=users["manager"])
    today = datetime.date(row.year, 12, 31)
    todo = todo_for(users["finance"], today, 30)
    assert [
        (u.cost_object, u.rows) for u in todo.unlinked if u.cost_object == row.cost_object.number
    ] == [(row.cost_object.number, unlinked.count())]
    assert todo.deadlines == [] and todo.missing_conditions == [] and todo.mentions == []
    with override_settings():
        html = start_page(client_for("finance"))
    assert "Till @hospa" not in html
    assert "Frister utan dokument" not in html
    assert "Aktiviteter som saknar villkor" not in html


def test_manager_sees_mentions_and_marks_them_done(client_for, users, gnv2023):
    Deadline.objects.all().delete()
    do_add_comment(gnv2023, "@chef: beslut behövs", acting_user=users["officer"])
    client = client_for("manager")
    html = start_page(client)
    assert "@chef: beslut behövs" in html
    assert "Frister utan dokument" not in html
    assert "Aktiviteter som saknar villkor" not in html
    mention = users["manager"].mentions.get()
    response = client.post(
        reverse("comments:mention_done", args=[mention.pk]), {"next": reverse("dashboard:start")}
    )
    assert response["Location"] == reverse("dashboard:start")
    html = start_page(client)
    assert "@chef: beslut behövs" not in html
    assert "Inget väntar på dig just nu." in html


def test_start_page_queries_do_not_grow_with_mentions(
    client_for, users, gnv2023, django_assert_max_num_queries
):
    client = client_for("officer")
    do_add_comment(gnv2023, "@hospa 1", acting_user=users["manager"])
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as one:
        start_page(client)
    for n in range(2, 12):
        do_add_comment(gnv2023, f"@hospa {n}", acting_user=users["manager"])
    with django_assert_max_num_queries(len(one.captured_queries)):
        start_page(client)


def test_booked_grant_income_is_not_unlinked_work(users, ledger2023):
    """The grant booked as income on its object (9916 in the demo) belongs to no activity;
    Att göra lists only the cost rows nobody has tied to an activity."""
    from followup.models import LedgerTransaction

    income = LedgerTransaction.objects.income().filter(activity__isnull=True)
    assert income.exists()  # the demo books the grant as income, tied to no activity
    cost = LedgerTransaction.objects.costs().first()
    LedgerTransaction.objects.filter(pk=cost.pk).update(activity=None)
    refresh_month_totals(Q(cost_object_id=cost.cost_object_id))  # as the write paths do
    todo = todo_for(users["finance"], datetime.date(cost.year, 12, 31), 30)
    listed = {(u.cost_object, u.year): u for u in todo.unlinked}
    assert (cost.cost_object.number, cost.year) in listed
    assert all(u.amount > 0 for u in todo.unlinked)
    for row in income:
        entry = listed.get((row.cost_object.number, row.year))
        assert entry is None or entry.amount != row.amount

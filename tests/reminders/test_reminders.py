"""Deadline reminders: each step mailed once to the officers, overdue once unless answered."""

import datetime
import io
import logging
import smtplib
from decimal import Decimal

import pytest
from django.contrib.auth.models import User
from django.core.mail.backends.base import BaseEmailBackend
from django.core.management import CommandError, call_command

from common.roles import Role
from grants.models import (
    Agreement,
    Authority,
    Deadline,
    DeadlineKind,
    DocumentKind,
    DocumentState,
    RecipientGroup,
)
from reminders.actions import do_send_deadline_reminders
from reminders.models import OVERDUE, SentReminder
from reminders.reads import due_step
from reporting.actions import (
    do_attest_document,
    do_send_document,
    do_upload_signed_copy,
    sync_deadlines,
)
from reporting.models import GeneratedDocument
from tests.conftest import make_user
from tests.reporting.conftest import fill_report_details, plain_pdf

TODAY = datetime.date(2023, 11, 24)
LABEL = "Rekvisition till Kammarkollegiet – God och nära vård 2023"


def day(offset):
    return TODAY + datetime.timedelta(days=offset)


@pytest.fixture
def officers(db):
    """Two officers who get the mail, and users who must not."""
    make_user("anna", Role.OFFICER, email="anna@regionjh.se")
    make_user("bertil", Role.OFFICER, email="bertil@regionjh.se")
    make_user("utan-adress", Role.OFFICER)
    make_user("slutat", Role.OFFICER, email="slutat@regionjh.se", is_active=False)
    make_user("ekonom", Role.FINANCE, email="ekonom@regionjh.se")
    return ["anna@regionjh.se", "bertil@regionjh.se"]


@pytest.fixture
def agreement(db):
    return Agreement.objects.create(
        year=2023,
        short_name="God och nära vård 2023",
        name="Överenskommelse om god och nära vård 2023",
        national_total=Decimal("6394500000"),
    )


@pytest.fixture
def deadline(agreement):
    """`deadline(days)`: a deadline `days` after TODAY (negative: before)."""

    def make(
        days,
        kind=DeadlineKind.REQUISITION,
        authority=Authority.KAMMARKOLLEGIET,
        applies_to="",
        on=None,
    ):
        return Deadline.objects.create(
            agreement=on or agreement,
            kind=kind,
            due_date=day(days),
            authority=authority,
            applies_to=applies_to,
        )

    return make


def generate(agreement, kind):
    """A generated PDF, without rendering one; the deadlines learn of it as on generation."""
    document = GeneratedDocument.objects.create(
        kind=kind,
        agreement=agreement,
        year=agreement.year,
        file_format="pdf",
        file_name=f"{kind}-{agreement.slug}.pdf",
        content=b"%PDF-1.7",
        checksum="0" * 64,
    )
    sync_deadlines(agreement, kind)
    return document


def recorded(deadline):
    return {(r.step, r.skipped) for r in SentReminder.objects.filter(deadline=deadline)}


def test_due_step_sends_the_smallest_due_step_and_skips_the_larger_ones():
    steps = [30, 7, 1]
    assert due_step(31, steps, set()) is None
    assert due_step(30, steps, set()) == ("30", ())
    assert due_step(12, steps, {"30"}) is None
    assert due_step(5, steps, set()) == ("7", ("30",))
    assert due_step(0, steps, {"30"}) == ("1", ("7",))
    assert due_step(-1, steps, {"30", "7", "1"}) == (OVERDUE, ())
    assert due_step(-40, steps, {OVERDUE}) is None


def test_each_step_is_sent_once_however_often_the_command_runs(officers, deadline, mailoutbox):
    due = deadline(30)
    for offset in range(0, 35):
        for _ in range(3):  # three runs a day
            do_send_deadline_reminders(day(offset))
    assert [m.subject for m in mailoutbox] == [
        f"Frist om 30 dagar: {LABEL} (2023-12-24)",
        f"Frist om 7 dagar: {LABEL} (2023-12-24)",
        f"Frist om 1 dag: {LABEL} (2023-12-24)",
        f"Frist passerad: {LABEL} (2023-12-24)",
    ]
    assert all(m.to == officers for m in mailoutbox)
    assert all(m.from_email == "statsbidrag@localhost" for m in mailoutbox)
    assert recorded(due) == {("30", False), ("7", False), ("1", False), (OVERDUE, False)}
    sent = SentReminder.objects.get(deadline=due, step="7")
    assert sent.recipients == "anna@regionjh.se, bertil@regionjh.se"


def test_the_mail_says_what_is_due_where_and_when(officers, gnv2023, mailoutbox, settings):
    settings.SITE_URL = "https://statsbidrag.example.se/"
    sent = do_send_deadline_reminders(TODAY)
    # The SKR-only interim report (2023-09-30) is not the region's; the 2024 ones are far off.
    assert sorted(m.subject for m in mailoutbox) == [
        "Frist om 7 dagar: Rekvisition till Kammarkollegiet – God och nära vård 2023 (2023-12-01)",
        "Frist passerad: VFU-redovisning till Socialstyrelsen – God och nära vård 2023 "
        "(2023-03-31)",
        "Frist passerad: Övrigt till Socialstyrelsen – God och nära vård 2023 (2023-05-31)",
    ]
    assert len(sent) == 3
    requisition = next(m for m in mailoutbox if "Rekvisition" in m.subject)
    body = requisition.body
    assert "Fristen går ut om 7 dagar." in body
    assert "Överenskommelse: God och nära vård 2023" in body
    assert "Vad: Rekvisition" in body
    assert "Till: Kammarkollegiet" in body
    assert "Senast: 2023-12-01" in body
    assert "Dagar kvar: 7" in body
    assert "Rätten till bidrag förfaller" in body
    assert "Dokument: Rekvisition till Kammarkollegiet, inte skapat ännu" in body
    assert f"https://statsbidrag.example.se/overenskommelser/{gnv2023.pk}/\n" in body
    assert f"https://statsbidrag.example.se/overenskommelser/{gnv2023.pk}/rapporter/" in body
    vfu = next(m for m in mailoutbox if "VFU" in m.subject)
    assert "Fristen passerade för 238 dagar sedan och dokumentet" in vfu.body
    assert "Gäller: Regioner och kommuner" in vfu.body


def test_a_missed_day_sends_only_the_smallest_due_step(officers, deadline, mailoutbox):
    first_seen_late = deadline(5)
    do_send_deadline_reminders(TODAY)
    assert [m.subject for m in mailoutbox] == [f"Frist om 5 dagar: {LABEL} (2023-11-29)"]
    assert recorded(first_seen_late) == {("7", False), ("30", True)}

    # The command stopped after the 30-day reminder and ran again on the due date.
    mailoutbox.clear()
    stopped = deadline(40)
    do_send_deadline_reminders(day(10))  # 30 days left
    do_send_deadline_reminders(day(40))
    assert [m.subject for m in mailoutbox] == [
        f"Frist passerad: {LABEL} (2023-11-29)",  # the first one, 1-day reminder missed
        f"Frist om 30 dagar: {LABEL} (2024-01-03)",
        f"Frist i dag: {LABEL} (2024-01-03)",
    ]
    assert recorded(first_seen_late) == {("30", True), ("7", False), ("1", True), (OVERDUE, False)}
    assert recorded(stopped) == {("30", False), ("7", True), ("1", False)}

    # Nothing of what was skipped comes later.
    mailoutbox.clear()
    for offset in range(41, 60):
        do_send_deadline_reminders(day(offset))
    assert [m.subject for m in mailoutbox] == [f"Frist passerad: {LABEL} (2024-01-03)"]


def send(document, user, on):
    """Take the document through its trail, with the real actions, until it is sent."""
    if document.next_state == DocumentState.ATTESTED:
        do_attest_document(document, correct=True, deviations="", acting_user=user)
        document.refresh_from_db()
    if document.next_state == DocumentState.SIGNED:
        do_upload_signed_copy(
            document,
            content=plain_pdf(),
            file_name="undertecknad.pdf",
            signatory="Regiondirektören",
            signed_on=on,
            acting_user=user,
        )
        document.refresh_from_db()
    return do_send_document(document, sent_on=on, channel="e-tjanst", acting_user=user)


def test_overdue_is_sent_once_and_again_when_generated_but_not_sent(
    officers, agreement, deadline, mailoutbox
):
    requisition = deadline(-1)
    generate(agreement, DocumentKind.REQUISITION)  # generated, not sent: still not met
    # The financial report has been sent, attested with nothing to repay (no money was
    # decided): its deadline and the repayment are met.
    other = Agreement.objects.create(
        year=2024,
        short_name="Psykisk hälsa 2024",
        name="Psykisk hälsa",
        national_total=0,
        government_case_number="S2024/01234",
        payment_decision_case_number="S2024/05678",
    )
    fill_report_details()  # the region's details, so the report can be attested
    answered = deadline(-1, DeadlineKind.FINANCIAL_REPORT, on=other)
    repayment = deadline(-1, DeadlineKind.REPAYMENT, on=other)
    send(generate(other, DocumentKind.FINANCIAL_REPORT), User.objects.get(username="anna"), day(-3))
    # No document answers an action plan: its overdue mail is sent once too.
    plan = deadline(-2, DeadlineKind.ACTION_PLAN, Authority.OTHER)

    for offset in range(0, 5):
        do_send_deadline_reminders(day(offset))

    assert sorted(m.subject for m in mailoutbox) == [
        "Frist passerad: Handlingsplan – God och nära vård 2023 (2023-11-22)",
        f"Frist passerad: {LABEL} (2023-11-23)",
    ]
    requisition_mail = next(m for m in mailoutbox if LABEL in m.subject)
    assert "inte registrerats som skickat" in requisition_mail.body
    assert "Dokument: Rekvisition till Kammarkollegiet, skapat " in requisition_mail.body
    assert "inte skickat ännu" in requisition_mail.body
    assert recorded(requisition) == {
        ("30", True),
        ("7", True),
        ("1", True),
        (OVERDUE, False),
    }
    assert recorded(plan) == {("30", True), ("7", True), ("1", True), (OVERDUE, False)}
    assert recorded(answered) == recorded(repayment) == set()


def test_reminders_stop_once_the_document_is_sent(officers, agreement, deadline, mailoutbox):
    officer = User.objects.get(username="anna")
    due = deadline(8)
    document = generate(agreement, DocumentKind.REQUISITION)
    do_send_deadline_reminders(TODAY)
    assert [m.subject for m in mailoutbox] == [f"Frist om 8 dagar: {LABEL} (2023-12-02)"]
    # Signed but not sent: the next reminder still comes.
    do_upload_signed_copy(
        document,
        content=plain_pdf(),
        file_name="rekvisition-undertecknad.pdf",
        signatory="Regiondirektören",
        signed_on=day(1),
        acting_user=officer,
    )
    do_send_deadline_reminders(day(1))
    assert len(mailoutbox) == 2 and "undertecknat" in mailoutbox[1].body
    document.refresh_from_db()
    do_send_document(document, sent_on=day(2), channel="e-tjanst", acting_user=officer)
    for offset in range(2, 12):
        do_send_deadline_reminders(day(offset))
    assert len(mailoutbox) == 2  # sent: the deadline is met, neither 1 day nor overdue comes
    assert recorded(due) == {("30", False), ("7", False)}


def test_deadlines_more_than_a_year_overdue_are_left_alone(officers, deadline, mailoutbox):
    deadline(-365)
    deadline(-366)
    do_send_deadline_reminders(TODAY)
    assert [m.subject for m in mailoutbox] == [f"Frist passerad: {LABEL} (2022-11-24)"]


def test_the_old_demo_data_sends_nothing(officers, demo, mailoutbox):
    assert do_send_deadline_reminders(datetime.date(2025, 6, 1)) == []
    assert mailoutbox == []
    assert not SentReminder.objects.exists()


def test_deadlines_only_for_skr_or_the_municipalities_are_skipped(officers, deadline, mailoutbox):
    deadline(7, applies_to=RecipientGroup.SKR)
    deadline(7, applies_to=RecipientGroup.MUNICIPALITIES)
    deadline(-1, applies_to=RecipientGroup.SKR)
    ours = [
        deadline(7, applies_to=RecipientGroup.REGIONS),
        deadline(7, applies_to=RecipientGroup.REGIONS_AND_MUNICIPALITIES),
        deadline(7),
    ]
    sent = do_send_deadline_reminders(TODAY)
    assert [reminder.deadline for reminder in sent] == ours
    assert len(mailoutbox) == 3
    assert set(SentReminder.objects.values_list("deadline", flat=True)) == {d.pk for d in ours}


def test_without_recipients_nothing_is_recorded_until_someone_is_there(
    deadline, mailoutbox, caplog, users
):
    # `users` has an officer, but without an e-mail address.
    make_user("slutat", Role.OFFICER, email="slutat@regionjh.se", is_active=False)
    make_user("ekonom2", Role.FINANCE, email="ekonom@regionjh.se")
    due = deadline(7)
    with caplog.at_level(logging.WARNING, logger="reminders"):
        assert do_send_deadline_reminders(TODAY) == []
    assert mailoutbox == []
    assert not SentReminder.objects.exists()
    assert "Ingen aktiv HOSPA-handläggare har en e-postadress" in caplog.text

    users["officer"].email = "hospa@regionjh.se"
    users["officer"].save()
    do_send_deadline_reminders(day(1))
    assert [m.subject for m in mailoutbox] == [f"Frist om 6 dagar: {LABEL} (2023-12-01)"]
    assert mailoutbox[0].to == ["hospa@regionjh.se"]
    assert recorded(due) == {("30", True), ("7", False)}


def test_a_dry_run_sends_and_records_nothing(officers, deadline, mailoutbox):
    due = deadline(7)
    would = do_send_deadline_reminders(TODAY, dry_run=True)
    assert [r.subject for r in would] == [f"Frist om 7 dagar: {LABEL} (2023-12-01)"]
    assert would[0].recipients == tuple(officers)
    assert mailoutbox == []
    assert not SentReminder.objects.exists()

    assert len(do_send_deadline_reminders(TODAY)) == 1
    assert recorded(due) == {("30", True), ("7", False)}


class FailingBackend(BaseEmailBackend):
    def send_messages(self, email_messages):
        raise smtplib.SMTPServerDisconnected("Connection unexpectedly closed")


def test_a_failed_send_records_nothing(officers, deadline, settings, caplog):
    due = deadline(7)
    settings.EMAIL_BACKEND = f"{__name__}.FailingBackend"
    with caplog.at_level(logging.ERROR, logger="reminders"):
        assert do_send_deadline_reminders(TODAY) == []
    assert "kunde inte skickas" in caplog.text
    assert not SentReminder.objects.exists()

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    assert len(do_send_deadline_reminders(TODAY)) == 1
    assert recorded(due) == {("30", True), ("7", False)}


def test_the_configured_days(officers, deadline, mailoutbox, settings):
    settings.DEADLINE_REMINDER_DAYS = [14, 3]
    deadline(14)
    for offset in range(0, 16):
        do_send_deadline_reminders(day(offset))
    assert [m.subject for m in mailoutbox] == [
        f"Frist om 14 dagar: {LABEL} (2023-12-08)",
        f"Frist om 3 dagar: {LABEL} (2023-12-08)",
        f"Frist passerad: {LABEL} (2023-12-08)",
    ]


def run_command(*args):
    out = io.StringIO()
    call_command("send_deadline_reminders", *args, stdout=out)
    return out.getvalue()


def test_the_command_prints_what_it_sends(officers, deadline, mailoutbox):
    deadline(5)
    deadline(-3, DeadlineKind.ACTION_PLAN, Authority.OTHER)

    output = run_command("--today", "2023-11-24", "--dry-run")
    assert output == (
        "Skulle skicka: Frist passerad: Handlingsplan – God och nära vård 2023 (2023-11-21) "
        "→ anna@regionjh.se, bertil@regionjh.se (hoppar över påminnelsen 30 dagar före, "
        "7 dagar före, 1 dag före)\n"
        f"Skulle skicka: Frist om 5 dagar: {LABEL} (2023-11-29) "
        "→ anna@regionjh.se, bertil@regionjh.se (hoppar över påminnelsen 30 dagar före)\n"
        "Torrkörning 2023-11-24: 2 påminnelser skulle skickas; inget skickades eller sparades.\n"
    )
    assert mailoutbox == []
    assert not SentReminder.objects.exists()

    output = run_command("--today", "2023-11-24")
    assert output.splitlines()[0].startswith("Skickade: Frist passerad: Handlingsplan")
    assert output.splitlines()[-1] == "2023-11-24: 2 påminnelser skickade."
    assert len(mailoutbox) == 2

    assert run_command("--today", "2023-11-24") == "2023-11-24: inga påminnelser att skicka.\n"
    with pytest.raises(CommandError, match="ÅÅÅÅ-MM-DD"):
        run_command("--today", "24/11/2023")


def test_the_command_defaults_to_today_in_stockholm(officers, deadline, mailoutbox, monkeypatch):
    from django.utils import timezone

    monkeypatch.setattr(timezone, "localdate", lambda *args, **kwargs: TODAY)
    deadline(1)
    output = run_command()
    assert output.splitlines() == [
        f"Skickade: Frist om 1 dag: {LABEL} (2023-11-25) → anna@regionjh.se, bertil@regionjh.se "
        "(hoppar över påminnelsen 30 dagar före, 7 dagar före)",
        "2023-11-24: 1 påminnelse skickad.",
    ]

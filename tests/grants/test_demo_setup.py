"""A newcomer's first run: the demo officer gets the reminders, setup warns only of what is
true, and the README says how to pick the port."""

import datetime
from pathlib import Path

from django.conf import settings
from django.core import mail
from django.core.management import call_command

from reminders.actions import do_send_deadline_reminders

ROOT = Path(settings.BASE_DIR)


def test_the_demo_officer_receives_the_reminders(gnv2023, capsys):
    call_command("create_demo_users")
    deadline = gnv2023.deadlines.order_by("due_date").first()
    sent = do_send_deadline_reminders(deadline.due_date - datetime.timedelta(days=1))
    assert sent
    assert any("hospa@example.org" in message.to for message in mail.outbox)


def test_the_readme_says_how_to_choose_port_and_host():
    readme = (ROOT / "README.md").read_text("utf-8")
    assert "make run PORT=" in readme and "HOST=" in readme

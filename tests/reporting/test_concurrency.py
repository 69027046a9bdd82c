"""Two users recording the same step of a document at the same moment: one is recorded, the
other refused (PostgreSQL, two connections)."""

import datetime
import threading
from importlib import import_module

import pytest
from django.apps import apps
from django.db import connection, connections
from django.utils import timezone

from grants.models import DocumentKind
from reporting.actions import TrailError, do_generate_document, do_send_document
from reporting.models import DocumentEvent, GeneratedDocument

from .conftest import fill_report_details

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def _reference_data():
    import_module("grants.migrations.0002_regions_and_roles").add_reference_data(apps, None)


def test_two_connections_cannot_both_send_the_same_document(gnv2023, users):
    if connection.vendor != "postgresql":
        pytest.skip("Kräver PostgreSQL med två anslutningar; körs i .ci/run")
    fill_report_details()  # a complete document, not a draft (which neither may send)
    gnv2023.refresh_from_db()
    document = do_generate_document(
        DocumentKind.ACTIVITY_REPORT, "pdf", agreement=gnv2023, acting_user=users["officer"]
    )
    sent_on = timezone.localdate() - datetime.timedelta(days=1)
    barrier = threading.Barrier(2)
    outcomes = []

    def send(channel, who):
        try:
            barrier.wait(timeout=10)
            do_send_document(
                GeneratedDocument.objects.get(pk=document.pk),
                sent_on=sent_on,
                channel=channel,
                acting_user=users[who],
                expected_state="skapat",
            )
            outcomes.append(channel)
        except TrailError:
            outcomes.append("refused")
        finally:
            connections.close_all()

    threads = [
        threading.Thread(target=send, args=args)
        for args in (("post", "officer"), ("e-post", "admin"))
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert outcomes.count("refused") == 1
    document.refresh_from_db()
    assert document.sent_channel in {"post", "e-post"} and document.sent_channel in outcomes
    assert DocumentEvent.objects.filter(document=document, state="skickat").count() == 1

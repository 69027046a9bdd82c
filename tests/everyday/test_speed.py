"""The dashboard is built once per data version and built ahead for every year."""

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from dashboard.figures import data_version
from dashboard.views import DEFAULT_THRESHOLD, _body_key, build_ahead
from tests.conftest import load_demo_agreement

pytestmark = pytest.mark.django_db


def test_first_view_after_a_change_builds_every_other_year(client_for, ledger2023, settings):
    load_demo_agreement("god-och-nara-vard-2020")
    settings.DASHBOARD_BUILD_AHEAD = True
    today = timezone.localdate()
    version = data_version()
    client = client_for("manager")
    assert cache.get(_body_key(2020, DEFAULT_THRESHOLD, today, version)) is None
    client.get(reverse("dashboard:overview") + "?ar=2023")
    # The test client closes the response as a server does: 2020 is built now.
    assert cache.get(_body_key(2020, DEFAULT_THRESHOLD, today, version)) is not None
    # A year nobody has viewed is then served from the cache: no dashboard query at all.
    with CaptureQueriesContext(connection) as queries:
        html = client.get(reverse("dashboard:overview") + "?ar=2020").content.decode()
    assert "Översikt: statsbidragen 2020" in html
    assert not any("distribution_activity" in q["sql"] for q in queries.captured_queries)
    # Only once per version: a second view does not build again.
    assert build_ahead(today, version) == []


def test_a_change_to_the_data_shows_at_once(client_for, ledger2023):
    from distribution.models import Activity

    client = client_for("manager")
    url = reverse("dashboard:overview") + "?ar=2023"
    before = client.get(url).content.decode()
    activity = Activity.objects.filter(area__agreement=ledger2023).order_by("pk").first()
    activity.name = "Ett helt nytt namn på insatsen"
    activity._history_user = None
    activity.save()  # leaves a history row, as every write through the app does
    assert activity.name not in before
    client.get(url + "&avvikelse=1")
    assert activity.name in client.get(url + "&avvikelse=1").content.decode()


def test_the_page_still_greets_each_user(client_for, users, ledger2023):
    url = reverse("dashboard:overview") + "?ar=2023"
    client_for("manager").get(url)
    html = client_for("admin").get(url).content.decode()
    assert "admin (Administratör)" in html
    assert "chef (Chef)" not in html

"""The dashboard is built once per data version and built ahead for every year."""

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from dashboard.pages import DEFAULT_THRESHOLD, body_key, build_ahead
from followup.versions import data_version
from tests.conftest import load_demo_agreement

pytestmark = pytest.mark.django_db


def test_first_view_after_a_change_builds_every_other_year(client_for, ledger2023, settings):
    load_demo_agreement("god-och-nara-vard-2020")
    settings.DASHBOARD_BUILD_AHEAD = True
    today = timezone.localdate()
    client = client_for("manager")
    assert cache.get(body_key(2020, DEFAULT_THRESHOLD, today, data_version(2020))) is None
    client.get(reverse("dashboard:overview") + "?ar=2023")
    # The test client closes the response as a server does: 2020 is built now.
    assert cache.get(body_key(2020, DEFAULT_THRESHOLD, today, data_version(2020))) is not None
    # A year nobody has viewed is then served from the cache: no dashboard query at all.
    with CaptureQueriesContext(connection) as queries:
        html = client.get(reverse("dashboard:overview") + "?ar=2020").content.decode()
    assert "Översikt: statsbidragen 2020" in html
    assert not any("followup_ledgertransaction" in q["sql"] for q in queries.captured_queries)
    # Only once per version: a second view does not build again.
    assert build_ahead(today) == []


def test_a_change_in_one_year_makes_only_that_years_page_new(ledger2023):
    """A forecast in 2023 leaves 2020's page as built; an area renamed (the years chart
    shows every year's areas) makes every page new."""
    from distribution.models import Activity
    from grants.models import Agreement, DevelopmentArea

    gnv2020 = load_demo_agreement("god-och-nara-vard-2020")
    before = {year: data_version(year) for year in (2020, 2023)}
    activity = Activity.objects.filter(area__agreement=ledger2023).first()
    activity.forecast = 1000
    activity.save()
    assert data_version(2020) == before[2020]
    assert data_version(2023) != before[2023]
    years = set(Agreement.objects.values_list("year", flat=True))
    assert {2020, 2023} <= years
    assert set(build_ahead(timezone.localdate())) == years  # nothing was built before
    assert build_ahead(timezone.localdate()) == []
    activity.forecast = 2000
    activity.save()
    assert build_ahead(timezone.localdate()) == [2023]

    area = DevelopmentArea.objects.filter(agreement=gnv2020).first()
    area.name = "Nytt namn"
    area.save()
    assert set(build_ahead(timezone.localdate())) == years


def test_a_change_to_the_data_shows_at_once(client_for, ledger2023):
    from distribution.models import Activity

    client = client_for("manager")
    # The same page before and after (the threshold is part of what is cached): the demo
    # ledger's deliberate deviations, the ambulance's +25 % among them, are named on it.
    url = reverse("dashboard:overview") + "?ar=2023&avvikelse=1"
    before = client.get(url).content.decode()
    activity = Activity.objects.get(
        area__agreement=ledger2023, name="Utveckling av ambulanssjukvården"
    )
    assert activity.name in before
    activity.name = "Ett helt nytt namn på insatsen"
    activity._history_user = None
    activity.save()  # leaves a history row, as every write through the app does
    assert activity.name not in before
    assert activity.name in client.get(url).content.decode()


def test_the_page_still_greets_each_user(client_for, users, ledger2023):
    url = reverse("dashboard:overview") + "?ar=2023"
    client_for("manager").get(url)
    html = client_for("admin").get(url).content.decode()
    assert "admin (Administratör)" in html
    assert "chef (Chef)" not in html


def test_a_write_builds_every_year_before_anyone_looks(client_for, ledger2023, settings):
    """A forecast saved by finance (a POST that succeeds) builds the dashboards for the new
    data once its response is sent; a refused POST builds nothing."""
    from distribution.models import Activity

    load_demo_agreement("god-och-nara-vard-2020")
    settings.DASHBOARD_BUILD_AHEAD = True
    today = timezone.localdate()
    activity = Activity.objects.filter(area__agreement=ledger2023).order_by("pk").first()
    url = reverse("followup:forecast", args=[activity.pk])
    finance = client_for("finance")

    refused = finance.post(url, {"forecast": "inte ett belopp", "version": activity.version})
    assert refused.status_code == 400
    assert cache.get(body_key(2023, DEFAULT_THRESHOLD, today, data_version(2023))) is None

    # Never below the outcome so far (issue 22): the outcome plus 123 456.
    from followup.reads import activity_outcome

    entered = activity_outcome(activity) + 123_456
    saved = finance.post(url, {"forecast": str(entered), "version": activity.version})
    assert saved.status_code == 302
    for year in (2023, 2020):
        assert cache.get(body_key(year, DEFAULT_THRESHOLD, today, data_version(year)))
    with CaptureQueriesContext(connection) as queries:
        html = client_for("manager").get(reverse("dashboard:overview") + "?ar=2023")
    assert not any("followup_ledgertransaction" in q["sql"] for q in queries.captured_queries)
    # The year's forecast as it is after the write, as the follow-up reckons it.
    from common.money import format_amount
    from followup.periods import PERIODS
    from followup.reads import build_followup
    from grants.models import Agreement

    forecast = sum(
        build_followup(a, PERIODS["ar"]).total.followup.forecast
        for a in Agreement.objects.filter(year=2023)
    )
    assert Activity.objects.get(pk=activity.pk).forecast == entered != activity.amount
    assert format_amount(forecast) in html.content.decode()


@pytest.fixture
def redis_cache(settings):
    """The shared cache as production has it: Redis on 127.0.0.1, a key prefix of our own."""
    import uuid

    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:6379/0",
            "KEY_PREFIX": f"test-{uuid.uuid4().hex}",
        }
    }
    from django.core.cache import caches

    cache = caches["default"]
    yield cache
    # Only this test's keys: clear() would empty the whole Redis database, under the feet of
    # a test running beside it in another pytest-xdist worker (or another checkout's CI).
    client = cache._cache.get_client(write=True)
    for key in client.scan_iter(match=f"{settings.CACHES['default']['KEY_PREFIX']}:*"):
        client.delete(key)


def test_a_page_is_built_once_however_many_ask_at_the_same_time(redis_cache, monkeypatch):
    """Five workers asking for the same cold page: one builds it, the others wait for it."""
    import threading

    from dashboard import pages

    built = []

    def slow_build(year, threshold, today, **_):
        built.append(year)
        threading.Event().wait(0.3)  # a build takes a while
        return pages.PageEntry(f"<p>{year}</p>")

    monkeypatch.setattr(pages, "_build", slow_build)
    today = timezone.localdate()
    results = []
    start = threading.Barrier(5)

    def ask():
        start.wait()
        results.append(pages.page_body(2023, 20, today, ("v", 1)))

    workers = [threading.Thread(target=ask) for _ in range(5)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=20)
    assert results == ["<p>2023</p>"] * 5
    assert built == [2023]
    # The claim is given up after the build: a new version is built again, once.
    assert pages.page_body(2023, 20, today, ("v", 2)) == "<p>2023</p>" and built == [2023] * 2


def test_a_failed_build_gives_up_its_claim(redis_cache, monkeypatch):
    from dashboard import pages

    def failing(year, threshold, today, **_):
        raise RuntimeError("databasen svarar inte")

    monkeypatch.setattr(pages, "_build", failing)
    today = timezone.localdate()
    with pytest.raises(RuntimeError):
        pages.page_body(2023, 20, today, ("v", 1))
    monkeypatch.setattr(pages, "_build", lambda *args, **_: pages.PageEntry("<p>ok</p>"))
    # Not left waiting for a build that will never come.
    assert pages.page_body(2023, 20, today, ("v", 1)) == "<p>ok</p>"


def test_every_change_the_dashboard_shows_makes_new_data(ledger2023, users):
    """The data version moves with every table the figures are read from: an area renamed, a
    component, a cost object, a link between ledger rows and an activity."""
    from distribution.models import Activity, CostObject
    from followup.actions import do_save_activity_link
    from followup.models import ActivityLink
    from grants.models import Component, DevelopmentArea

    def changes(write):
        before = data_version()
        write()
        return data_version() != before

    area = DevelopmentArea.objects.filter(agreement=ledger2023).first()
    area.name = "Ett nytt namn på området"
    assert changes(area.save)
    component = Component.objects.filter(agreement=ledger2023).first()
    component.name = "Ett nytt namn på delområdet"
    assert changes(component.save)
    cost_object = CostObject.objects.filter(area__agreement=ledger2023).first()
    cost_object.name = "Nytt objektnamn"
    assert changes(cost_object.save)
    activity = Activity.objects.filter(cost_object=cost_object).first()
    link = ActivityLink(cost_object=cost_object, responsibility="9999", activity=activity)
    assert changes(lambda: do_save_activity_link(link, acting_user=users["finance"]))

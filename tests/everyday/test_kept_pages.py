"""The follow-up, the drill-down lists and the agreement list are kept in the shared cache per
version of their data (common.cache.kept): read again from the cache while nothing changed,
and showing a change on the very next view."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from common.money import format_amount

pytestmark = pytest.mark.django_db


def _queries(client, url) -> tuple[str, list[str]]:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return response.content.decode(), [q["sql"] for q in queries.captured_queries]


def test_the_follow_up_is_read_from_the_cache_and_shows_a_new_forecast_at_once(
    client_for, ledger2023, users
):
    from distribution.models import Activity
    from followup.actions import do_set_forecast
    from followup.reads import activity_outcome

    url = reverse("followup:overview", args=[ledger2023.pk])
    client = client_for("manager")
    first, built = _queries(client, url)
    assert any("followup_ledgermonthtotal" in sql for sql in built)
    _, kept = _queries(client, url)
    assert not any("followup_ledgermonthtotal" in sql for sql in kept)

    activity = Activity.objects.filter(area__agreement=ledger2023, cost_object__isnull=False)
    activity = activity.order_by("pk").first()
    forecast = activity_outcome(activity) + 7_654_321
    assert format_amount(forecast) not in first
    do_set_forecast(activity, forecast, acting_user=users["finance"])
    after, _ = _queries(client, url)
    assert format_amount(forecast) in after


def test_a_kept_report_is_never_older_than_its_version(ledger2023):
    """The version is read first and everything after it: an agreement the view fetched before
    a change committed is read again, so the report kept under the new version shows it."""
    from followup.periods import PERIODS
    from followup.reads import followup_report
    from grants.models import Agreement

    fetched_before = Agreement.objects.get(pk=ledger2023.pk)
    ledger2023.short_name = "Namnet efter ändringen"
    ledger2023.save()
    report = followup_report(fetched_before, PERIODS["ar"])
    assert report.agreement.short_name == "Namnet efter ändringen"


def test_the_activity_list_shows_a_renamed_activity_at_once(client_for, ledger2023):
    from distribution.models import Activity

    url = reverse("dashboard:activities") + "?year=2023"
    client = client_for("manager")
    activity = Activity.objects.filter(area__agreement=ledger2023).order_by("pk").first()
    before, _ = _queries(client, url)
    assert activity.name in before
    _, kept = _queries(client, url)
    assert not any("distribution_activity" in sql and "LIMIT" in sql for sql in kept)

    activity.name = "Ett helt nytt namn på insatsen"
    activity.save()  # leaves a history row, as every write through the app does
    after, _ = _queries(client, url)
    assert activity.name in after and activity.name not in before


def test_the_transaction_list_shows_a_new_link_at_once(client_for, ledger2023, users):
    """Rows on a responsibility that no link ties to an activity are 'Ej kopplat'; the link
    saved, the same list shows the activity."""
    from distribution.models import Activity
    from followup.actions import do_save_activity_link
    from followup.models import ActivityLink, LedgerTransaction

    row = (
        LedgerTransaction.objects.filter(
            cost_object__area__agreement=ledger2023, is_budget=False, activity__isnull=True
        )
        .exclude(responsibility="")
        .order_by("pk")
        .first()
    )
    assert row is not None, "the demo ledger has rows tied to no activity"
    activity = Activity.objects.filter(cost_object=row.cost_object).order_by("pk").first()
    url = (
        reverse("dashboard:transactions")
        + f"?year={row.year}&month={row.month}&cost_object={row.cost_object.number}&unlinked=true"
    )
    client = client_for("manager")
    before, _ = _queries(client, url)
    assert row.voucher in before and "Ej kopplat" in before

    link = ActivityLink(
        cost_object=row.cost_object, responsibility=row.responsibility, activity=activity
    )
    do_save_activity_link(link, acting_user=users["finance"])
    after, _ = _queries(client, url)
    # The row is linked now, so the list of unlinked rows no longer has it.
    assert row.voucher not in after


def test_the_agreement_list_shows_a_change_and_a_removal_at_once(client_for, ledger2023):
    from grants.models import Agreement

    url = reverse("grants:agreement_list")
    client = client_for("manager")
    before, _ = _queries(client, url)
    assert ledger2023.short_name in before
    ledger2023.short_name = "Ett nytt kortnamn"
    ledger2023.save()
    renamed, _ = _queries(client, url)
    assert "Ett nytt kortnamn" in renamed

    extra = Agreement.objects.create(year=2031, short_name="Tas bort snart", name="Tas bort")
    assert "Tas bort snart" in _queries(client, url)[0]
    extra.delete()  # a deletion leaves a history row too
    assert "Tas bort snart" not in _queries(client, url)[0]


def test_a_kept_list_is_the_same_for_everyone_and_the_page_around_it_is_not(client_for):
    """The kept part holds nothing of who asks: the button to add an agreement is drawn
    around it, for those who may add one."""
    url = reverse("grants:agreement_list")
    new = reverse("grants:agreement_create")
    assert new not in client_for("manager").get(url).content.decode()  # kept by this view
    assert new in client_for("officer").get(url).content.decode()
    assert new not in client_for("manager").get(url).content.decode()


@pytest.mark.parametrize(
    "name", ["dashboard:activities", "dashboard:transactions", "grants:agreement_list"]
)
def test_the_lists_are_drawn_without_the_cache_when_redis_is_down(
    client_for, ledger2023, settings, name
):
    from tests.dashboard.test_cache_down import closed_port

    client = client_for("manager")
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": f"redis://127.0.0.1:{closed_port()}/0",
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
        }
    }
    response = client.get(reverse(name), {"year": 2023})
    assert response.status_code == 200
    assert "<table" in response.content.decode()
    follow_up = client.get(reverse("followup:overview", args=[ledger2023.pk]))
    assert follow_up.status_code == 200


def test_a_deploy_keys_the_cache_anew(tmp_path, settings):
    """The shared cache's keys begin with a digest of the app's code and templates: a follow-up
    is kept as the code's own objects and a list as its template drew it, so what the code
    before a deploy made is never served after it. Tests and scripts do not count."""
    from config.settings import BASE_DIR, code_digest

    assert settings.CACHES["default"]["KEY_PREFIX"] == f"statsbidrag-{code_digest(BASE_DIR)}"
    (tmp_path / "followup").mkdir()
    (tmp_path / "followup" / "reads.py").write_text("A = 1\n")
    (tmp_path / "templates").mkdir()
    page = tmp_path / "templates" / "list.html"
    page.write_text("<table></table>")
    (tmp_path / "tests").mkdir()
    first = code_digest(tmp_path)
    (tmp_path / "tests" / "test_new.py").write_text("def test(): pass\n")
    assert code_digest(tmp_path) == first
    page.write_text("<table><caption>Ny</caption></table>")
    second = code_digest(tmp_path)
    assert second != first
    (tmp_path / "followup" / "reads.py").write_text("A = 2\n")
    assert code_digest(tmp_path) not in (first, second)

"""The header's search: every kind, grouped, per role; PostgreSQL full-text or SQLite match."""

import pytest
from django.db import connection
from django.urls import reverse

from reporting.models import GeneratedDocument
from search.reads import search

pytestmark = [pytest.mark.django_db, pytest.mark.both_databases]


def results(client, text):
    response = client.get(reverse("search:results"), {"q": text})
    assert response.status_code == 200
    return response.content.decode()


def kinds(groups):
    return {g.key: [h.title for h in g.hits] for g in groups}


@pytest.fixture
def data(ledger2023, users):
    from followup.models import LedgerTransaction

    row = LedgerTransaction.objects.filter(is_budget=False).first()
    LedgerTransaction.objects.filter(pk=row.pk).update(
        voucher="V-777123", text="Konsultarvode hälsocentraler", account="4690"
    )
    GeneratedDocument.objects.create(
        kind="rekvisition",
        agreement=ledger2023,
        year=2023,
        file_format="pdf",
        file_name="rekvisition-god-och-nara-vard-2023.pdf",
        content=b"%PDF",
        checksum="0" * 64,
        created_by=users["officer"],
    )
    return ledger2023


def test_every_kind_is_found_and_grouped(users, data):
    officer = users["officer"]
    assert "aktiviteter" in kinds(search("ambulanssjukvården", officer))
    assert kinds(search("9916", officer))["objekt"][0].startswith("9916")
    transactions = kinds(search("V-777123", officer))["transaktioner"]
    assert transactions == ["V-777123 · Konsultarvode hälsocentraler"]
    assert "transaktioner" in kinds(search("4690", officer))
    assert "transaktioner" in kinds(search("konsultarvode", officer))
    assert kinds(search("rekvisition-god", officer)).get("dokument")
    assert "overenskommelser" in kinds(search("God och nära vård", officer))
    assert "delomraden" in kinds(search("Karriärtjänster", officer))


def test_activity_fields_goal_covers_responsible(users, data):
    from distribution.models import Activity

    activity = Activity.objects.filter(area__agreement=data).first()
    Activity.objects.filter(pk=activity.pk).update(
        goal="Stärkt tillgänglighet", covers="Läkarbemanning i glesbygd", responsible="Kerstin Ek"
    )
    officer = users["officer"]
    for text in ("tillgänglighet", "glesbygd", "Kerstin"):
        assert activity.name in kinds(search(text, officer)).get("aktiviteter", []), text


@pytest.mark.skipif("connection.vendor != 'postgresql'")
def test_postgres_uses_swedish_stemming(users, data):
    from distribution.models import Activity

    activity = Activity.objects.filter(area__agreement=data).first()
    Activity.objects.filter(pk=activity.pk).update(covers="Vidareutbildningar för sjuksköterskor")
    # "vidareutbildning" (singular) finds "Vidareutbildningar" through the Swedish stemmer.
    assert activity.name in kinds(search("vidareutbildning", users["officer"]))["aktiviteter"]


@pytest.mark.parametrize("who", ["officer", "finance", "manager", "admin"])
def test_every_role_searches_from_the_header(client_for, data, who):
    client = client_for(who)
    start = client.get(reverse("dashboard:start")).content.decode()
    assert 'role="search"' in start and 'name="q"' in start
    html = results(client, "V-777123")
    assert "Huvudbokstransaktioner" in html
    assert "Konsultarvode hälsocentraler" in html


def test_search_respects_the_kinds_a_role_may_read(users, data):
    """Each kind asks its own app's read permission; a user without a role reads nothing
    (even when the function is called directly, not only through the page)."""
    from distribution.permissions import can_view_distribution
    from followup.permissions import can_view_followup
    from reporting.permissions import can_view_reports
    from search.reads import KINDS

    assert {k.key: k.allowed for k in KINDS}["transaktioner"] is can_view_followup
    assert {k.key: k.allowed for k in KINDS}["aktiviteter"] is can_view_distribution
    assert {k.key: k.allowed for k in KINDS}["dokument"] is can_view_reports
    assert search("9916", users["norole"]) == []
    assert search("9916", users["manager"])


def test_no_role_no_search_and_odd_input_is_answered(client, client_for, data):
    assert client_for("norole").get(reverse("search:results"), {"q": "9916"}).status_code == 403
    client = client_for("officer")
    assert "Inga träffar" in results(client, "zzqqxx-finns-inte")
    for odd in ("", "   ", "'; DROP TABLE x; --", "a" * 5000, "&|!:*()", "\u2212 5"):
        assert client.get(reverse("search:results"), {"q": odd}).status_code == 200


def test_search_page_makes_a_fixed_number_of_queries(
    client_for, data, django_assert_max_num_queries
):
    client = client_for("officer")
    with django_assert_max_num_queries(14):
        results(client, "a")


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's indexes")
@pytest.mark.parametrize(
    ("key", "index"),
    [("transaktioner", "search_ledger_text_fts"), ("aktiviteter", "search_activity_fts")],
)
def test_the_full_text_search_can_use_its_index(db, key, index):
    """The index's expression is the one the search asks for (were they to differ, as a
    changed column type or search could make them, every search would read the whole
    ledger)."""
    from search.reads import KINDS, _postgres_filter

    kind = next(k for k in KINDS if k.key == key)
    rows = _postgres_filter(kind.queryset(), kind, "konsult").order_by().values("pk")
    sql, params = rows.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("EXPLAIN " + sql, params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert index in plan, plan


@pytest.mark.parametrize("text", ["\x00", "vård\x00", "\x00\x00 9916", "\x1b[31m"])
def test_control_characters_in_the_query_are_answered(client_for, gnv2023, text):
    """A NUL byte cannot reach PostgreSQL (it refuses it in a string): control characters
    are dropped and the rest is searched."""
    response = client_for("manager").get(reverse("search:results"), {"q": text})
    assert response.status_code == 200

"""The chart of accounts page: finance refines the Kommun-Bas default; the figures follow."""

from decimal import Decimal

from django.urls import reverse

from followup.accounts import Kind
from followup.models import AccountRange
from followup.periods import PERIODS
from followup.reads import build_followup
from tests.reporting.test_figures_agree import import_hand_ledger

D = Decimal


def test_finance_refines_the_chart_and_the_figures_follow(client_for, year2023, users):
    import_hand_ledger(year2023)
    before = build_followup(year2023, PERIODS["ar"]).unused
    client = client_for("finance")
    url = reverse("followup:chart")
    html = client.get(url).content.decode()
    assert "Kommun-Bas (standard" in html
    # Class 8 on the grant objects counted as costs by this region (e.g. interest on a loan).
    add = reverse("followup:chart_add")
    response = client.post(
        add,
        {"first": "84", "last": "84", "kind": Kind.COST, "reason": "Räntor"},
    )
    assert response.status_code == 302
    assert AccountRange.objects.count() == 5  # the four Kommun-Bas ranges written out, plus one
    record = AccountRange.history.filter(first="84").first()
    assert record.history_user == users["finance"] and record.history_change_reason == "Räntor"
    after = build_followup(year2023, PERIODS["ar"]).unused
    assert after.costs == before.costs + D(1000)  # the 8410 row of the hand-made ledger

    response = client.post(add, {"first": "8", "last": "9", "kind": Kind.COST, "reason": "x"})
    assert response.status_code == 400
    assert "Kontointervallen 8–8 och 8–9 överlappar." in response.content.decode()
    response = client.post(add, {"first": "30", "last": "3", "kind": Kind.COST, "reason": "x"})
    assert response.status_code == 400
    assert "lika många siffror" in response.content.decode()

    gone = reverse("followup:chart_delete", args=[999_999])
    assert client.post(gone, {"reason": "y"}).status_code == 404
    added = AccountRange.objects.get(first="84")
    delete = reverse("followup:chart_delete", args=[added.pk])
    response = client.post(delete, {"reason": ""})
    assert response.status_code == 400 and AccountRange.objects.filter(pk=added.pk).exists()
    response = client.post(delete, {"reason": "Fel"})
    assert response.status_code == 302
    assert build_followup(year2023, PERIODS["ar"]).unused.costs == before.costs


def test_others_read_the_chart_but_do_not_change_it(client, client_for, year2023):
    url = reverse("followup:chart")
    for who in ["officer", "manager"]:
        assert client_for(who).get(url).status_code == 200
        response = client_for(who).post(
            reverse("followup:chart_add"),
            {"first": "9", "last": "9", "kind": Kind.COST, "reason": "x"},
        )
        assert response.status_code == 403
    assert not AccountRange.objects.exists()
    client.logout()
    assert client.get(url).status_code == 302

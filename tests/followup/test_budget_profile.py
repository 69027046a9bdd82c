"""Budget profiles: entered in the page by officers and finance, refused unless they add up,
recorded with who and why, and used by budget-to-date, deviation and the cumulative chart."""

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse

from dashboard.reads.figures import build_dashboard
from distribution.models import Activity
from followup.actions import BudgetProfileError, do_set_budget_profile
from followup.models import ActivityBudgetProfile
from followup.periods import PERIODS, BudgetProfile, ProfileKind
from followup.reads import build_followup

D = Decimal
AMBULANCE = "Utveckling av ambulanssjukvården"  # 1 438 690 kr on 9943, alone on its object


@pytest.fixture
def ambulance(year2023):
    return Activity.objects.get(area__agreement=year2023, name=AMBULANCE)


def month_post(amounts, **extra):
    data = {"kind": ProfileKind.MONTHS, "reason": "Sommaruppehåll", "version": "0"}
    data.update({f"m{m:02d}": str(a) for m, a in enumerate(amounts, start=1)})
    data.update(extra)
    return data


SUMMER = [150_000] * 5 + [0, 0, 0] + [184_672] * 3 + [134_674]  # 1 438 690 kr


@pytest.mark.parametrize("who", ["officer", "finance"])
def test_month_amounts_entered_in_the_page(client_for, ambulance, users, who):
    client = client_for(who)
    url = reverse("followup:budget_profile", args=[ambulance.pk])
    page = client.get(url)
    assert page.status_code == 200 and "1\u00a0438\u00a0690\u00a0kr" in page.content.decode()
    response = client.post(url, month_post([f"{a:,}".replace(",", " ") for a in SUMMER]))
    assert response.status_code == 302
    profile = ActivityBudgetProfile.objects.get(activity=ambulance)
    assert profile.amounts == SUMMER and profile.version == 1
    record = profile.history.first()
    assert record.history_user == users[who]
    assert record.history_change_reason == "Sommaruppehåll"
    assert "Sommaruppehåll" in client.get(url).content.decode()


def test_month_amounts_that_do_not_add_up_are_refused(client_for, ambulance):
    client = client_for("officer")
    url = reverse("followup:budget_profile", args=[ambulance.pk])
    response = client.post(url, month_post([100_000] * 12))
    assert response.status_code == 400
    html = response.content.decode()
    assert (
        "Månadsbeloppen blir 1\u00a0200\u00a0000\u00a0kr men aktivitetens belopp är "
        "1\u00a0438\u00a0690\u00a0kr (skillnad \u2212238\u00a0690\u00a0kr)."
    ) in html
    assert not ActivityBudgetProfile.objects.exists()
    response = client.post(url, month_post(SUMMER[:11] + ["12,50"]))
    assert response.status_code == 400
    assert "Ange hela kronor" in response.content.decode()
    response = client.post(url, {"kind": ProfileKind.ONE_MONTH, "reason": "x", "version": "0"})
    assert response.status_code == 400
    assert "Välj den månad då hela budgeten används." in response.content.decode()
    response = client.post(url, month_post(SUMMER, reason=""))
    assert response.status_code == 400
    assert not ActivityBudgetProfile.objects.exists()


def test_a_stale_profile_is_refused(client_for, ambulance, users):
    do_set_budget_profile(
        ambulance,
        BudgetProfile(ProfileKind.ONE_MONTH, month=5),
        acting_user=users["finance"],
        reason="Engångsbetalning i maj",
    )
    # The officer opened the form before finance saved (version 0): nothing is saved.
    response = client_for("officer").post(
        reverse("followup:budget_profile", args=[ambulance.pk]), month_post(SUMMER)
    )
    assert response.status_code == 400
    assert "har ändrats av någon annan" in response.content.decode()
    assert ActivityBudgetProfile.objects.get(activity=ambulance).kind == ProfileKind.ONE_MONTH


def test_managers_and_roleless_users_cannot_set_a_profile(client, client_for, ambulance):
    url = reverse("followup:budget_profile", args=[ambulance.pk])
    assert client_for("manager").post(url, month_post(SUMMER)).status_code == 403
    client.logout()
    assert client.get(url).status_code == 302
    assert not ActivityBudgetProfile.objects.exists()


def test_the_action_checks_the_current_amount(ambulance, users):
    with pytest.raises(BudgetProfileError):
        do_set_budget_profile(
            ambulance,
            BudgetProfile(ProfileKind.MONTHS, amounts=(1,) * 12),
            acting_user=users["officer"],
            reason="fel",
        )


def test_follow_up_dashboard_and_chart_use_the_profile(ambulance, users, client_for):
    from followup.demo import load_demo_ledger

    load_demo_ledger(ambulance.area.agreement)
    do_set_budget_profile(
        ambulance,
        BudgetProfile(ProfileKind.ONE_MONTH, month=5),
        acting_user=users["officer"],
        reason="Engångsbetalning i maj",
    )
    agreement = ambulance.area.agreement
    t1 = build_followup(agreement, PERIODS["T1"])
    line = next(
        line
        for area in t1.areas
        for block in area.objects
        for line in block.lines
        if line.activity and line.activity.pk == ambulance.pk
    )
    assert line.budget_by_month == [0, 0, 0, 0, 1_438_690, 0, 0, 0, 0, 0, 0, 0]
    assert line.followup.period_budget == 0
    assert line.followup.deviation == line.followup.outcome
    t2 = build_followup(agreement, PERIODS["T2"])
    block = next(b for a in t2.areas for b in a.objects if b.cost_object.number == "9943")
    assert block.total.followup.period_budget == D(1_438_690)

    dashboard = build_dashboard(2023, datetime.date(2023, 11, 20))
    chart_object = next(o for o in dashboard.objects if o.name.startswith("9943"))
    assert chart_object.cumulative_budget()[:5] == [0, 0, 0, 0, 1_438_690]
    assert chart_object.cumulative_budget()[-1] == 1_438_690
    html = client_for("manager").get(reverse("dashboard:overview") + "?ar=2023").content.decode()
    assert "1\u00a0438\u00a0690\u00a0kr" in html

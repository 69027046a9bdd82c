"""The own region's decided amount alone, with its source; the rest filled in later."""

import pytest
from django.urls import reverse

from allocations.models import DecidedAmount
from grants.models import Region
from tests.formdata import form_data

pytestmark = pytest.mark.django_db

LABEL = "<strong>Karriärtjänster för specialistsjuksköterskor:</strong>"


def test_officer_enters_only_the_own_regions_amount_and_the_area_can_distribute(
    client_for, gnv2023
):
    component = gnv2023.components.get(name="Karriärtjänster för specialistsjuksköterskor")
    url = reverse("allocations:decided_edit", args=[gnv2023.pk, component.pk])
    client = client_for("officer")
    form = client.get(url).content.decode()
    # The own region comes first, named as such.
    assert form.index("(egen region)") < form.index("Region Stockholm")

    response = client.post(url, {"r23": "1 234 567", "source": "Regionens beslutsbrev RS/1/2023"})
    assert response.status_code == 302
    decided = DecidedAmount.objects.get(component=component)
    assert (decided.region.county_code, decided.amount) == ("23", 1234567)
    assert decided.source == "Regionens beslutsbrev RS/1/2023"
    assert decided.history.latest().history_user.username == "hospa"

    table = client.get(reverse("allocations:table", args=[gnv2023.pk, "regioner"])).content
    table = table.decode()
    assert "Beslutat belopp saknas för" in table
    assert LABEL + " saknas för Region Stockholm" in table
    assert (
        "Jämtland"
        not in table.split("<strong>Karriärtjänster för specialistsjuksköterskor:</strong>")[
            1
        ].split("</li>")[0]
    )

    # The rest later, from the published table: the own region's amount and source stay.
    # The form as shown (with its version token); adding amounts changes none already
    # decided, so no reason is asked for.
    data = form_data(client.get(url).content.decode(), "r23")
    assert data["r23"] == "1 234 567" or data["r23"].replace("\u00a0", " ") == "1 234 567"
    data.update({f"r{r.county_code}": "1 000" for r in Region.objects.exclude(county_code="23")})
    data["source"] = "Bilaga 3"
    assert client.post(url, data).status_code == 302
    own = DecidedAmount.objects.get(component=component, region__county_code="23")
    assert own.source == "Regionens beslutsbrev RS/1/2023"
    assert own.history.count() == 1
    assert DecidedAmount.objects.filter(component=component, source="Bilaga 3").count() == 20
    table = client.get(reverse("allocations:table", args=[gnv2023.pk, "regioner"])).content
    assert LABEL + " saknas" not in table.decode()


def test_the_area_has_its_decided_amount_from_the_own_region_alone(client_for, gnv2023):
    area = gnv2023.areas.get(name__startswith="Goda förutsättningar")
    client = client_for("officer")
    for component in area.components.filter(recipient_group="regioner"):
        url = reverse("allocations:decided_edit", args=[gnv2023.pk, component.pk])
        assert client.post(url, {"r23": "1 000 000", "source": "Beslutsbrev"}).status_code == 302
    page = client.get(reverse("distribution:area", args=[area.pk])).content.decode()
    assert "Regionens beslutade belopp saknas" not in page


@pytest.mark.parametrize("who", ["finance", "manager"])
def test_read_only_roles_cannot_enter_decided_amounts(client_for, gnv2023, who):
    component = gnv2023.components.get(name="Karriärtjänster för specialistsjuksköterskor")
    url = reverse("allocations:decided_edit", args=[gnv2023.pk, component.pk])
    assert client_for(who).post(url, {"r23": "1 000", "source": "x"}).status_code == 403
    assert not DecidedAmount.objects.exists()


def test_the_own_regions_vfu_amount_counts_wherever_mottaget_is_shown(client_for, distribution2023):
    """The VFU money goes to regions and municipalities alike; the region's decided share is
    received like any other decided amount."""
    import re
    from decimal import Decimal

    from dashboard.reads.figures import build_dashboard
    from distribution.reads import own_area_money
    from reporting.reads.documents import own_total

    vfu = distribution2023.components.get(name="VFU-satsning för sjuksköterskestudenter")
    from django.conf import settings

    own = Region.objects.get(county_code=settings.OWN_REGION_CODE)
    DecidedAmount.objects.filter(component=vfu, region=own).delete()
    import datetime

    today = datetime.date(2023, 12, 31)
    before = build_dashboard(2023, today).received
    area_before = own_area_money(vfu.area).amount
    document_before = own_total(distribution2023)
    DecidedAmount.objects.create(component=vfu, region=own, amount=Decimal("345678"))
    assert build_dashboard(2023, today).received == before + 345678
    assert own_area_money(vfu.area).amount == area_before + 345678
    assert own_total(distribution2023) == document_before + 345678
    page = client_for("manager").get(reverse("dashboard:overview") + "?ar=2023").content
    shown = re.search(r'id="received">([^<]*)<', page.decode()).group(1)
    assert shown.replace("\u00a0", " ").replace(" kr", "").replace(" ", "") == str(
        int(before + 345678)
    )

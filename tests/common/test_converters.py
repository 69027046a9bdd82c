"""A year in an address is four digits: a longer number is not found (was a year past the
database column's range: a 500 on PostgreSQL when a page stored it)."""

import pytest
from django.urls import NoReverseMatch, reverse


def test_a_year_is_four_digits_in_and_out():
    assert reverse("reporting:register_year", args=[2021]) == "/statsbidrag/2021/"
    assert reverse("followup:periods", args=[2023]) == "/uppfoljning/perioder/2023/"
    with pytest.raises(NoReverseMatch):
        reverse("reporting:register_year", args=[999_999_999])


@pytest.mark.parametrize(
    "url",
    [
        "/statsbidrag/999999999/fyll-i/",
        "/rapporter/statsbidrag/999999999/",
        "/uppfoljning/perioder/999999999/",
        "/statsbidrag/99999/",
    ],
)
def test_a_longer_number_is_no_year(client_for, url):
    from followup.models import ClosedPeriod
    from reporting.models import StateGrantYear

    client = client_for("officer")
    assert client.get(url).status_code == 404
    assert client.post(url, {"format": "pdf", "month": "1"}).status_code == 404
    assert not StateGrantYear.objects.exists() and not ClosedPeriod.objects.exists()

"""Area filters name each area with its year: the same area name comes back every year."""

import re

from django.urls import reverse

from tests.conftest import load_demo_agreement


def test_area_choices_carry_their_year(client_for, gnv2023):
    load_demo_agreement("god-och-nara-vard-2020")
    client = client_for("manager")
    for url in (reverse("dashboard:activities"), reverse("dashboard:transactions")):
        html = client.get(url).content.decode()
        select = html[html.index('name="area"') :]
        select = select[: select.index("</select>")]
        options = re.findall(r"<option value=\"\d+\"[^>]*>([^<]*)</option>", select)
        assert options and len(options) == len(set(options)), options
        assert all(re.search(r"\((2020|2023)\)$", o) for o in options), options

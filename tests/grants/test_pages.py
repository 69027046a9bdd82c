"""What the pages show: figures, the own region, sorting, and a fixed number of queries."""

from django.urls import reverse

from grants.models import Component


def test_agreement_page_shows_total_areas_and_deadlines(client_for, gnv2023):
    html = client_for("manager").get(gnv2023.get_absolute_url()).content.decode()
    assert "6\u00a0394\u00a0500\u00a0000\u00a0kr" in html
    assert "6\u00a0394,5\u00a0mnkr" in html
    assert "SKR2022/00764" in html
    assert "2023-01-27" in html
    assert "Vidareutbildning för sjuksköterskor, regionerna" in html
    assert "Öronmärkt" in html
    assert "Kommunerna via RSS" in html
    assert "Kammarkollegiet" in html and "Socialstyrelsen" in html
    assert "2023-12-01" in html
    assert "Beloppen går inte ihop" not in html


def test_a_gap_between_stated_total_and_components_is_shown(client_for, demo):
    html = client_for("officer").get(demo[2020].get_absolute_url()).content.decode()
    assert "Beloppen går inte ihop" in html
    assert "34\u00a0000\u00a0000\u00a0kr" in html
    assert "1 delområde saknar nationellt belopp" in html


def test_start_page_lists_agreements_by_year(client_for, demo):
    html = client_for("finance").get(reverse("grants:home")).content.decode()
    positions = [html.index(f"<h3>{year}</h3>") for year in (2023, 2021, 2020)]
    assert positions == sorted(positions)
    assert "God och nära vård 2021" in html


def test_agreement_list_sorts_by_column(client_for, demo):
    client = client_for("manager")
    html = client.get(reverse("grants:agreement_list") + "?sort=national_total").content.decode()
    order = [html.index(f"God och nära vård {year}") for year in (2020, 2023, 2021)]
    assert order == sorted(order)
    html = client.get(reverse("grants:agreement_list") + "?sort=-year").content.decode()
    assert 'aria-sort="descending"' in html


def test_own_region_is_marked_in_the_region_list(client_for, db, settings):
    html = client_for("manager").get(reverse("grants:region_list")).content.decode()
    assert html.count('class="own-region') == 1
    assert "Region Jämtland Härjedalen <span" in html
    settings.OWN_REGION_CODE = "25"
    html = client_for("manager").get(reverse("grants:region_list")).content.decode()
    assert "Region Norrbotten <span" in html


def test_pages_make_a_fixed_number_of_queries(client_for, demo, django_assert_max_num_queries):
    client = client_for("officer")
    urls = [
        reverse("grants:home"),
        reverse("grants:agreement_list"),
        demo[2023].get_absolute_url(),
    ]
    counts = {}
    for url in urls:
        with django_assert_max_num_queries(12) as captured:
            client.get(url)
        counts[url] = len(captured)
    # More components and deadlines must not mean more queries.
    agreement = demo[2023]
    area = agreement.areas.first()
    for n in range(30):
        Component.objects.create(
            agreement=agreement, area=area, name=f"Extra {n}", recipient_group="regioner"
        )
        agreement.deadlines.create(
            kind="ovrigt", due_date="2030-01-01", authority="annan", description=f"{n}"
        )
    for url in urls:
        with django_assert_max_num_queries(counts[url]):
            client.get(url)

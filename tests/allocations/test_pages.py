"""The allocation pages, as the roles that use them."""

from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from allocations.models import AllocationRule, DecidedAmount, KeyDataSet, KeyDataValue
from grants.models import Component

VIEWERS = ["officer", "finance", "manager", "admin"]
READ_ONLY = ["finance", "manager"]


@pytest.fixture
def urls(allocations2023):
    agreement = allocations2023
    component = agreement.components.get(name="Vision e-hälsa 2025")
    dataset = KeyDataSet.objects.get(name="Befolkning 2022-11-01")
    view = [
        reverse("allocations:dataset_list"),
        reverse("allocations:dataset_detail", args=[dataset.pk]),
        reverse("allocations:table", args=[agreement.pk, "regioner"]),
        reverse("allocations:table", args=[agreement.pk, "kommuner"]),
        reverse("allocations:table", args=[agreement.pk, "regioner"]) + "?format=xlsx",
        reverse("allocations:table", args=[agreement.pk, "kommuner"]) + "?format=csv",
    ]
    edit = [
        reverse("allocations:dataset_import"),
        reverse("allocations:dataset_edit", args=[dataset.pk]),
        reverse("allocations:rule_edit", args=[agreement.pk, component.pk]),
        reverse("allocations:decided_edit", args=[agreement.pk, component.pk]),
    ]
    return {"view": view, "edit": edit}


def test_anonymous_users_go_to_login(client, urls):
    for url in urls["view"] + urls["edit"]:
        response = client.get(url)
        assert response.status_code == 302 and "/logga-in/" in response["Location"], url


@pytest.mark.parametrize("who", VIEWERS)
def test_every_role_sees_key_data_and_tables(client_for, urls, who):
    for url in urls["view"]:
        assert client_for(who).get(url).status_code == 200, url


@pytest.mark.parametrize("who", READ_ONLY)
def test_read_only_roles_cannot_change_allocation_data(client_for, urls, who):
    client = client_for(who)
    for url in urls["edit"]:
        assert client.get(url).status_code == 403, url
        assert client.post(url, {}).status_code == 403, url


def test_no_role_no_access(client_for, urls):
    for url in urls["view"] + urls["edit"]:
        assert client_for("norole").get(url).status_code == 403, url


def test_table_page_shows_computed_decided_and_marks_differences(client_for, allocations2023):
    url = reverse("allocations:table", args=[allocations2023.pk, "regioner"])
    html = client_for("manager").get(url).content.decode()
    assert 'Region Jämtland Härjedalen <span class="tag">egen region</span>' in html
    assert "75\u00a0422\u00a0690\u00a0kr" in html  # the own region's decided total
    assert "299\u00a0999\u00a0998" in html  # the note on the rural outcome
    assert 'class="num flagged"' in html  # Nära vård differs by more than a few kronor
    assert "500\u00a0000\u00a0kr per mottagare" in html  # the rule in words


def test_unknown_recipient_group_is_404(client_for, allocations2023):
    url = reverse("allocations:table", args=[allocations2023.pk, "skr"])
    assert client_for("officer").get(url).status_code == 404


def test_table_page_queries_do_not_grow_with_data(
    client_for, allocations2023, django_assert_max_num_queries
):
    client = client_for("officer")
    url = reverse("allocations:table", args=[allocations2023.pk, "regioner"])
    with django_assert_max_num_queries(30) as captured:
        client.get(url)
    baseline = len(captured)
    area = allocations2023.areas.first()
    for n in range(5):
        Component.objects.create(
            agreement=allocations2023,
            area=area,
            name=f"Extra {n}",
            recipient_group="regioner",
            national_amount=Decimal(1000 * (n + 1)),
        )
    with django_assert_max_num_queries(baseline):
        client.get(url)


def upload(name, text):
    return SimpleUploadedFile(name, text.encode("utf-8"), content_type="text/csv")


def population_csv(regions, **changes):
    lines = ["lanskod;region;folkmangd"]
    for region in regions:
        lines.append(f"{region.county_code};{region.name};{changes.get(region.county_code, 1000)}")
    return "\n".join(lines) + "\n"


def test_officer_imports_key_data_in_the_app(client_for, db):
    from grants.models import Region

    regions = list(Region.objects.all())
    response = client_for("officer").post(
        reverse("allocations:dataset_import"),
        {
            "name": "Befolkning 2023-11-01",
            "measure": "befolkning",
            "reference_date": "2023-11-01",
            "source": "SCB",
            "file": upload("befolkning.csv", population_csv(regions, **{"23": 132000})),
        },
    )
    dataset = KeyDataSet.objects.get(name="Befolkning 2023-11-01")
    assert response.status_code == 302
    assert KeyDataValue.objects.filter(column__dataset=dataset).count() == 21
    assert (
        KeyDataValue.objects.get(column__dataset=dataset, region__county_code="23").value == 132000
    )


def test_a_bad_file_is_refused_with_row_and_column_and_nothing_is_saved(client_for, db):
    from grants.models import Region

    regions = list(Region.objects.all())
    text = population_csv(regions, **{"05": "-3"}).replace("\n09;", "\n99;")
    response = client_for("officer").post(
        reverse("allocations:dataset_import"),
        {
            "name": "Trasig",
            "measure": "befolkning",
            "reference_date": "2023-11-01",
            "file": upload("trasig.csv", text),
        },
    )
    html = response.content.decode()
    assert response.status_code == 400
    assert "inget har sparats" in html
    assert "Rad 5, kolumn ”folkmangd”: värdet får inte vara negativt." in html
    assert "okänd länskod ”99”" in html
    assert "Länskod 09 (Gotland) saknas i filen." in html
    assert not KeyDataSet.objects.exists()


def test_officer_edits_key_values_and_history_records_it(client_for, allocations2023, users):
    dataset = KeyDataSet.objects.get(name="HSL-individer 2022")
    client = client_for("officer")
    form = client.get(reverse("allocations:dataset_edit", args=[dataset.pk])).context["form"]
    data = {name: form[name].value() or "" for name in form.fields}
    column = dataset.columns.get()
    data[f"v{column.pk}_23"] = "6 000"
    data["reason"] = "Rättad siffra från SCB"
    response = client.post(reverse("allocations:dataset_edit", args=[dataset.pk]), data)
    assert response.status_code == 302
    value = KeyDataValue.objects.get(column=column, region__county_code="23")
    assert value.value == 6000
    latest = value.history.first()
    assert latest.history_user == users["officer"]
    assert latest.prev_record.value == 5837
    assert latest.history_change_reason == "Rättad siffra från SCB"


def test_officer_sets_a_blended_rule_in_the_app(client_for, allocations2023):
    component = allocations2023.components.get(
        name="Vidareutbildning för sjuksköterskor, kommunerna"
    )
    hsl = KeyDataSet.objects.get(name="HSL-individer 2022").columns.get()
    population = KeyDataSet.objects.get(name="Befolkning 2022-11-01").columns.get()
    url = reverse("allocations:rule_edit", args=[allocations2023.pk, component.pk])
    rows = {
        "rad-TOTAL_FORMS": "3",
        "rad-INITIAL_FORMS": "0",
        "rad-0-term": "1",
        "rad-0-term_weight": "0,25",
        "rad-0-column": hsl.pk,
        "rad-0-weight": "1",
        "rad-1-term": "2",
        "rad-1-term_weight": "0,75",
        "rad-1-column": population.pk,
        "rad-1-weight": "1",
    }
    token = client_for("officer").get(url).context["form"]["token"].value()
    rows.update(token=token, reason="Ny blandning enligt överenskommelsen")
    response = client_for("officer").post(url, {"method": "nyckel", "base_amount": "", **rows})
    assert response.status_code == 302
    rule = AllocationRule.objects.get(component=component)
    assert [t.weight for t in rule.terms.all()] == [Decimal("0.25"), Decimal("0.75")]

    bad = {**rows, "rad-1-term_weight": "0,5"}
    response = client_for("officer").post(url, {"method": "nyckel", **bad})
    assert response.status_code == 400
    assert "ska tillsammans vara 1" in response.content.decode()
    rule.refresh_from_db()
    assert [t.weight for t in rule.terms.all()] == [Decimal("0.25"), Decimal("0.75")]


def test_officer_imports_and_types_decided_amounts(client_for, allocations2023):
    from grants.models import Region

    component = allocations2023.components.get(name="VFU-satsning för sjuksköterskestudenter")
    url = reverse("allocations:decided_edit", args=[allocations2023.pk, component.pk])
    regions = list(Region.objects.all())
    text = "lanskod;lan;vfu\n" + "".join(f"{r.county_code};{r.county_name};1000\n" for r in regions)
    client = client_for("officer")
    import_url = reverse("allocations:decided_import", args=[allocations2023.pk, component.pk])
    response = client.post(
        import_url, {"file": upload("vfu.csv", text), "column": "", "source": "Test"}
    )
    assert response.status_code == 302
    assert DecidedAmount.objects.filter(component=component).count() == 21

    data = {f"r{r.county_code}": "2 000" for r in regions}
    data["token"] = client.get(url).context["form"]["token"].value()
    data["reason"] = "Nytt beslut från Socialstyrelsen"
    data["r23"] = "1 234,50"
    response = client.post(url, data)
    assert response.status_code == 400
    assert "hela kronor" in response.content.decode()
    assert DecidedAmount.objects.get(component=component, region__county_code="23").amount == 1000

    data["r23"] = "3 000"
    assert client.post(url, data).status_code == 302
    assert DecidedAmount.objects.get(component=component, region__county_code="23").amount == 3000


def test_a_new_year_needs_no_code_change(client_for, allocations2023):
    """An officer registers next year's agreement, its data and rule, and gets its table."""
    from grants.models import Agreement, Region

    client = client_for("officer")
    client.post(
        reverse("grants:agreement_create"),
        {
            "year": "2024",
            "short_name": "God och nära vård 2024",
            "name": "GNV 2024",
            "national_total": "100 mnkr",
        },
    )
    agreement = Agreement.objects.get(year=2024)
    client.post(
        reverse("grants:area_create", args=[agreement.pk]), {"position": "1", "name": "Ambulans"}
    )
    area = agreement.areas.get()
    client.post(
        reverse("grants:component_create", args=[agreement.pk]),
        {
            "area": area.pk,
            "position": "1",
            "name": "Ambulans 2024",
            "recipient_group": "regioner",
            "national_amount": "100 mnkr",
        },
    )
    component = agreement.components.get()
    regions = list(Region.objects.all())
    client.post(
        reverse("allocations:dataset_import"),
        {
            "name": "Befolkning 2023-11-01",
            "measure": "befolkning",
            "reference_date": "2023-11-01",
            "file": upload("b.csv", population_csv(regions, **{"01": 7000})),
        },
    )
    column = KeyDataSet.objects.get(name="Befolkning 2023-11-01").columns.get()
    client.post(
        reverse("allocations:rule_edit", args=[agreement.pk, component.pk]),
        {
            "method": "nyckel",
            "base_amount": "500 000",
            "rad-TOTAL_FORMS": "1",
            "rad-INITIAL_FORMS": "0",
            "rad-0-term": "1",
            "rad-0-column": column.pk,
            "rad-0-weight": "1",
        },
    )
    table = client.get(reverse("allocations:table", args=[agreement.pk, "regioner"])).context[
        "table"
    ]
    cells = table.columns[0].cells
    assert sum(c.computed for c in cells.values()) == 100_000_000
    # 20 regions of 1 000 and Stockholm 7 000: 89.5 mnkr after base amounts, 27 000 in all.
    assert cells["01"].computed == 500_000 + 89_500_000 * 7 // 27
    assert cells["23"].computed in (500_000 + 89_500_000 // 27, 500_000 + 89_500_000 // 27 + 1)

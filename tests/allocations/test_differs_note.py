"""A component whose published amounts do not follow its stated rule says why, once, and the
allocation table shows it beside each ≠ of that component."""

import re

from django.urls import reverse

from grants.models import Component


def test_the_note_stands_beside_every_differs_mark(client_for, allocations2023):
    component = Component.objects.get(agreement=allocations2023, name="Nära vård, regionerna")
    assert component.differs_note  # entered once, in the demo's allocation setup
    html = (
        client_for("manager")
        .get(reverse("allocations:table", args=[allocations2023.pk, "regioner"]))
        .content.decode()
    )
    note_id = f"differs-note-c{component.pk}"
    assert f'id="{note_id}"' in html
    assert "Statsbidrag räknar regeln exakt som den står" in html
    links = re.findall(rf'<a href="#{note_id}" class="differs-note-ref">', html)
    assert len(links) == 21  # all 21 regions are flagged ≠ for this component
    # Components without a note get no link.
    assert html.count('class="differs-note-ref"') == len(links)


def test_the_officer_enters_the_note_on_the_component(client_for, allocations2023):
    from tests.formdata import form_data

    component = Component.objects.filter(agreement=allocations2023, differs_note="").first()
    url = reverse("grants:component_edit", args=[allocations2023.pk, component.pk])
    client = client_for("officer")
    data = form_data(client.get(url).content.decode(), "name")
    assert "differs_note" in data
    response = client.post(url, {**data, "differs_note": "Avrundat av SKR."})
    assert response.status_code == 302, response.content.decode()[:2000]
    component.refresh_from_db()
    assert component.differs_note == "Avrundat av SKR."

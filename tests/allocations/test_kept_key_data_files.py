"""The key-data file is kept as it came and downloads again from the data set's page."""

import hashlib

from django.urls import reverse

from allocations.models import KeyDataSet
from filestore.models import Purpose
from filestore.store import files_of

from .test_pages import population_csv, upload


def test_the_key_data_file_is_kept_and_downloads_again(client_for, db):
    from grants.models import Region

    text = population_csv(list(Region.objects.all()), **{"23": 132000})
    client_for("officer").post(
        reverse("allocations:dataset_import"),
        {
            "name": "Befolkning 2023-11-01",
            "measure": "befolkning",
            "reference_date": "2023-11-01",
            "source": "SCB",
            "file": upload("befolkning.csv", text),
        },
    )
    dataset = KeyDataSet.objects.get()
    stored = files_of(dataset).get()
    assert stored.purpose == Purpose.KEY_DATA
    assert stored.checksum == hashlib.sha256(text.encode("utf-8")).hexdigest()
    page = client_for("manager").get(dataset.get_absolute_url()).content.decode()
    url = reverse("allocations:dataset_file", args=[dataset.pk])
    assert f'href="{url}"' in page and "befolkning.csv" in page
    assert client_for("manager").get(url).content == text.encode("utf-8")
    assert client_for("norole").get(url).status_code == 403


def test_a_refused_key_data_file_is_not_kept(client_for, db):
    response = client_for("officer").post(
        reverse("allocations:dataset_import"),
        {
            "name": "Trasig",
            "measure": "befolkning",
            "reference_date": "2023-11-01",
            "source": "SCB",
            "file": upload("trasig.csv", "lanskod;region;folkmangd\n99;Ingen;tolv\n"),
        },
    )
    assert response.status_code == 400
    from filestore.models import StoredFile

    assert not StoredFile.objects.exists()

"""The 290 municipalities, loaded by a migration as reference data, read-only in the admin."""

import pytest
from django.contrib import admin
from django.test import RequestFactory

from allocations.models import Municipality
from grants.models import Region

pytestmark = pytest.mark.django_db


def test_the_290_municipalities_are_loaded_each_in_its_county():
    assert Municipality.objects.count() == 290
    for municipality in Municipality.objects.select_related("county"):
        assert len(municipality.code) == 4
        assert municipality.code[:2] == municipality.county.county_code
    counts = {r.county_code: r.municipalities.count() for r in Region.objects.all()}
    assert len(counts) == 21 and all(counts.values())
    assert counts["09"] == 1 and counts["23"] == 8 and counts["14"] == 49 and counts["12"] == 33
    assert Municipality.objects.get(code="2313").name == "Strömsund"
    assert Municipality.objects.get(code="0980").county.county_code == "09"


def test_municipalities_are_read_only_in_the_admin(admin_user):
    model_admin = admin.site._registry[Municipality]
    request = RequestFactory().get("/admin/")
    request.user = admin_user
    assert not model_admin.has_add_permission(request)
    assert not model_admin.has_change_permission(request)
    assert not model_admin.has_delete_permission(request)


def test_loading_again_after_a_flush_adds_only_what_is_missing():
    """The browser tests load them again after each test's flush (tests/e2e/conftest.py)."""
    from importlib import import_module

    from django.apps import apps

    load = import_module("allocations.migrations.0003_issue24b_municipalities").load_municipalities
    load(apps, None)
    assert Municipality.objects.count() == 290
    Municipality.objects.exclude(county__county_code="23").delete()
    load(apps, None)
    assert Municipality.objects.count() == 290

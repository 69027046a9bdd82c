"""The test database comes from the migrations, migrated once per set of them
(tests/migrated_once.py): the migrations must describe the models, and the kept database must
be named by everything that would change it."""

import io

import pytest
from django.core.management import call_command

from tests import migrated_once


@pytest.mark.django_db
def test_the_migrations_describe_the_models():
    out = io.StringIO()
    try:
        call_command("makemigrations", "--check", "--dry-run", stdout=out)
    except SystemExit:
        pytest.fail(f"En modell saknar sin migrering:\n{out.getvalue()}")


def test_a_changed_added_or_removed_migration_gives_another_kept_database(tmp_path):
    files = migrated_once.migration_files()
    assert ("grants", "0001_initial") in files and ("auth", "0001_initial") in files
    before = migrated_once.digest("sqlite", files)
    assert before == migrated_once.digest("sqlite")
    assert before != migrated_once.digest("postgresql", files)

    changed = tmp_path / "0001_initial.py"
    changed.write_bytes(files[("grants", "0001_initial")].read_bytes() + b"\n# en rad till\n")
    assert migrated_once.digest("sqlite", {**files, ("grants", "0001_initial"): changed}) != before
    added = {**files, ("grants", "9999_ny"): changed}
    assert migrated_once.digest("sqlite", added) != before
    removed = {k: v for k, v in files.items() if k != ("grants", "0002_regions_and_roles")}
    assert migrated_once.digest("sqlite", removed) != before


@pytest.mark.django_db
def test_the_test_database_has_what_the_data_migrations_put_there():
    from django.contrib.auth.models import Group

    from common.roles import Role
    from grants.models import Region

    assert {role.value for role in Role} <= set(Group.objects.values_list("name", flat=True))
    assert Region.objects.count() == 21

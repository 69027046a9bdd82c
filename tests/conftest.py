"""Shared fixtures: one named user per role, the demo agreements and their distribution."""

import json
import os
from importlib import import_module
from pathlib import Path

import pytest
from django.apps import apps
from django.conf import settings
from django.contrib.auth.models import Group, User
from django.db.models.signals import post_migrate
from hypothesis import HealthCheck
from hypothesis import settings as hypothesis_settings

from allocations.demo import load_allocation_setup
from common.roles import Role
from distribution.demo import load_distribution_setup
from followup.demo import load_demo_ledger
from grants.actions import do_import_agreement
from tests import migrated_once
from tests.built_once import built_once
from tests.built_once import watching as built_once_watching

DEMO_DIR = Path(settings.BASE_DIR) / "fixtures" / "agreements"
ALLOCATION_SETUP = (
    Path(settings.BASE_DIR) / "fixtures" / "allocations" / "god-och-nara-vard-2023.json"
)
DISTRIBUTION_DIR = Path(settings.BASE_DIR) / "fixtures" / "distribution"
SHARED_REFERENCE = Path(settings.BASE_DIR).parent / "shared" / "reference"

# Drawing examples slows down when the machine is busy (two xdist workers, CI beside other
# jobs); a slow draw says nothing about the code under test (timed tests are not wanted).
hypothesis_settings.register_profile("suite", suppress_health_check=[HealthCheck.too_slow])
# CI is a gate: the same examples on every run, so a submission fails for what it changed, not
# for a draw (a new failing example is found by a developer's run, which draws anew).
hypothesis_settings.register_profile(
    "ci", suppress_health_check=[HealthCheck.too_slow], derandomize=True
)
hypothesis_settings.load_profile("ci" if os.environ.get("CI") else "suite")


# The longest tests (pytest --durations) go first, so that the workers (pytest-xdist,
# --dist worksteal) share them from the start instead of one worker ending on them alone.
LONGEST_FIRST = (
    "tests/test_form_fuzz.py",
    "tests/e2e/test_laptop_browser.py::test_every_page_fits_a_laptop",
    "tests/allocations/test_pasting_municipalities.py::test_any_municipality_table",
    "tests/test_hostile_text.py",
    "tests/e2e/test_new_year",
    "tests/e2e/test_allocations_browser.py",
    "tests/e2e/test_keyboard_browser.py",
    "tests/test_admin_history.py",
    "tests/reporting/test_complete_documents.py::test_a_flate_bomb",
    "tests/plan/test_followup_pdf.py",
    "tests/reporting/test_contents.py",
    "tests/reporting/test_layout.py",
    "tests/reporting/test_figures_agree.py",
    "tests/everyday/test_numbers.py",
    "tests/test_upload_limits.py",
)


def pytest_collection_modifyitems(items):
    def rank(item):
        return next(
            (i for i, prefix in enumerate(LONGEST_FIRST) if item.nodeid.startswith(prefix)),
            len(LONGEST_FIRST),
        )

    items.sort(key=rank)  # stable: the rest in the order collected


@pytest.fixture(scope="session")
def django_db_setup(
    request, django_test_environment, django_db_blocker, django_db_modify_db_settings
):
    """pytest-django's own, on a test database copied from one migrated once per set of
    migrations (tests/migrated_once.py)."""
    from django.test.utils import setup_databases, teardown_databases

    with django_db_blocker.unblock():
        kept = migrated_once.prepare()
        # No test uses serialized_rollback, so nothing is serialized (pytest-django does the same).
        databases = setup_databases(
            verbosity=0, interactive=False, aliases={"default"}, serialized_aliases=set(), **kept
        )
    yield
    with django_db_blocker.unblock():
        teardown_databases(databases, verbosity=0)


def _reference_data_after_a_flush(sender, **kwargs):
    """A test with transaction=True ends with Django's flush, which empties every table, the
    regions, roles and municipalities that data migrations add included, and then sends
    post_migrate: they are put back here (idempotent), so every later test on the worker has
    them whatever order the tests run in."""
    if sender.label == "allocations":
        import_module("grants.migrations.0002_regions_and_roles").add_reference_data(apps, None)
        import_module("allocations.migrations.0003_issue24b_municipalities").load_municipalities(
            apps, None
        )


post_migrate.connect(_reference_data_after_a_flush, dispatch_uid="tests-reference-data")


@pytest.fixture(autouse=True)
def _built_once_watching():
    """built_once knows the state after a fixture it wrote until anything else may store."""
    with built_once_watching():
        yield


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _no_dashboard_build_ahead(settings):
    """Tests count a page's queries; building the other years after it is tested on its own."""
    settings.DASHBOARD_BUILD_AHEAD = False


@pytest.fixture(autouse=True)
def _kept_files_in_tmp(settings, tmp_path):
    """Kept files (uploads, documents) go to the test's own folder, never to var/files."""
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": tmp_path / "files"},
        },
    }


@pytest.fixture(autouse=True)
def _empty_cache():
    """Each test starts without cached pages: rolled-back tests reuse row ids, and a page
    cached under one test's data version must not answer the next test."""
    from django.core.cache import cache

    cache.clear()


def make_user(username, role=None, **extra):
    user = User.objects.create_user(username=username, password="lösen-för-test", **extra)
    if role is not None:
        user.groups.add(Group.objects.get(name=role.value))
    return user


@pytest.fixture
def users(db):
    """One user per role, plus `norole`: logged in but with no role."""
    return built_once(
        "users",
        lambda: {
            "officer": make_user("hospa", Role.OFFICER),
            "finance": make_user("ekonom", Role.FINANCE),
            "manager": make_user("chef", Role.MANAGER),
            "admin": make_user("admin", Role.ADMIN, is_staff=True, is_superuser=True),
            "norole": make_user("utan-roll"),
        },
    )


def load_demo_agreement(slug):
    return do_import_agreement(json.loads((DEMO_DIR / f"{slug}.json").read_text("utf-8")))


@pytest.fixture
def gnv2023(db):
    return built_once("gnv2023", lambda: load_demo_agreement("god-och-nara-vard-2023"))


@pytest.fixture
def allocations2023(gnv2023):
    """The 2023 agreement with the demo key data, rules and decided amounts."""

    def build():
        setup = json.loads(ALLOCATION_SETUP.read_text("utf-8"))
        load_allocation_setup(setup, ALLOCATION_SETUP.parent)

    built_once("allocations2023", build)
    return gnv2023  # the same object, as tests refresh one and read the other


@pytest.fixture
def demo(db):
    """All demo agreements, by year."""
    return built_once(
        "demo",
        lambda: {
            agreement.year: agreement
            for agreement in (
                load_demo_agreement(path.stem) for path in sorted(DEMO_DIR.glob("*.json"))
            )
        },
    )


def load_demo_distribution(slug):
    return load_distribution_setup(
        json.loads((DISTRIBUTION_DIR / f"{slug}.json").read_text("utf-8"))
    )


@pytest.fixture
def distribution2023(allocations2023):
    """The 2023 agreement with its allocations and the region's activities."""
    return built_once("distribution2023", lambda: load_demo_distribution("god-och-nara-vard-2023"))


@pytest.fixture
def ledger2023(distribution2023):
    """The 2023 agreement with its distribution and a year of ledger outcome."""

    built_once("ledger2023", lambda: load_demo_ledger(distribution2023) and None)
    return distribution2023


@pytest.fixture
def distribution2020(demo):
    """All demo agreements; the 2020 one with the region's activities."""
    return built_once("distribution2020", lambda: load_demo_distribution("god-och-nara-vard-2020"))


@pytest.fixture
def area_named():
    """`area_named(agreement, prefix)`: the agreement's development area whose name starts so."""

    def find(agreement, prefix):
        return agreement.areas.get(name__startswith=prefix)

    return find


@pytest.fixture
def client_for(client, users):
    """`client_for("officer")`: the test client logged in as that role's user."""

    def login(who):
        client.force_login(users[who])
        return client

    return login


def _without_cached_results(content: bytes) -> bytes:
    """The workbook with every formula's stored result removed, so LibreOffice must compute."""
    import io
    import re
    import zipfile

    source = zipfile.ZipFile(io.BytesIO(content))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            data = source.read(item.filename)
            if item.filename.startswith("xl/worksheets/"):
                data = re.sub(rb"(<f>[^<]*</f>)<v>[^<]*</v>", rb"\1", data)
            target.writestr(item, data)
    return out.getvalue()


@pytest.fixture
def recalculate(tmp_path):
    """`recalculate(xlsx_bytes)`: the workbook as LibreOffice computes it, values only.

    The formulas' stored results are removed first; LibreOffice opens the file, computes
    every formula and saves it again, and openpyxl reads the values it wrote. `make test`
    installs LibreOffice when it is missing.
    """
    import shutil
    import subprocess

    from openpyxl import load_workbook

    soffice = shutil.which("soffice")
    if soffice is None:
        pytest.skip("LibreOffice (soffice) saknas; `make test` installerar det med apt-get.")

    def run(content: bytes):
        source = tmp_path / "in.xlsx"
        source.write_bytes(_without_cached_results(content))
        out = tmp_path / "out"
        subprocess.run(
            [
                soffice,
                f"-env:UserInstallation=file://{tmp_path}/lo-profile",
                "--headless",
                "--convert-to",
                "xlsx:Calc MS Excel 2007 XML",
                "--outdir",
                str(out),
                str(source),
            ],
            check=True,
            capture_output=True,
            timeout=120,
        )
        return load_workbook(out / "in.xlsx", data_only=True)

    return run

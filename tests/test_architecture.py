"""The house: apps import only from the apps below them, read from the source with ast."""

import ast
from pathlib import Path

import pytest
from django.conf import settings

ROOT = Path(settings.BASE_DIR)

# Lower number, lower layer. Apps on the same layer do not import each other.
LAYERS = {
    "common": 0,
    "filestore": 0,
    "comments": 0.5,
    "grants": 1,
    "allocations": 2,
    "distribution": 3,
    "followup": 4,
    "plan": 5,
    "reporting": 6,
    "dashboard": 6,
    "reminders": 6,
    "accounts": 6,
    # Health, backups, logs and the CSP helpers every page uses: below the domain apps.
    "operations": 0.5,
    "search": 7,
}


def imported_apps(path: Path) -> set[tuple[str, int]]:
    """The project apps a module imports, with the line of each import."""
    tree = ast.parse(path.read_text("utf-8"), filename=str(path))
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names = [node.module]
        else:
            continue
        for name in names:
            top = name.split(".")[0]
            if top in LAYERS:
                found.add((top, node.lineno))
    return found


def upward_imports(app: str) -> list[str]:
    problems = []
    for path in sorted((ROOT / app).rglob("*.py")):
        for imported, line in sorted(imported_apps(path)):
            if imported == app:
                continue
            if LAYERS[imported] >= LAYERS[app]:
                problems.append(f"{path.relative_to(ROOT)}:{line} imports {imported}")
    return problems


@pytest.mark.parametrize("app", [app for app in LAYERS if (ROOT / app).is_dir()])
def test_apps_import_only_from_the_apps_below(app):
    assert upward_imports(app) == []


def test_the_check_finds_an_upward_import(tmp_path):
    module = tmp_path / "figures.py"
    module.write_text(
        "import datetime\nfrom grants.models import Deadline\n"
        "from reporting.models import GeneratedDocument\nimport dashboard.views\n"
        "from . import tables\n",
        "utf-8",
    )
    assert imported_apps(module) == {("grants", 2), ("reporting", 3), ("dashboard", 4)}


def test_every_app_has_a_layer():
    apps = {
        name.split(".")[0]
        for name in settings.INSTALLED_APPS
        if not name.startswith("django") and (ROOT / name.split(".")[0]).is_dir()
    }
    assert apps <= set(LAYERS), apps - set(LAYERS)

"""The house: apps import only from the apps below them, read from the source with ast."""

import ast
from pathlib import Path

import pytest
from django.conf import settings

ROOT = Path(settings.BASE_DIR)

# Lower number, lower layer. Apps on the same layer do not import each other.
LAYERS = {
    "common": 0,
    "filestore": 0.25,  # stores files; refuses with common.refusals
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


# One way to refuse, one way to edit, writes in actions only (issue 25, points 1-3).

APP_DIRS = [app for app in LAYERS if (ROOT / app).is_dir()]


def project_modules():
    """Every module of the apps (migrations and tests aside), imported."""
    import importlib

    for app in APP_DIRS:
        for path in sorted((ROOT / app).rglob("*.py")):
            relative = path.relative_to(ROOT).with_suffix("")
            if "migrations" in relative.parts:
                continue
            name = ".".join(relative.parts).removesuffix(".__init__")
            yield importlib.import_module(name)


def all_subclasses(cls):
    for sub in cls.__subclasses__():
        yield sub
        yield from all_subclasses(sub)


@pytest.mark.parametrize("app", APP_DIRS)
def test_every_exception_of_the_project_is_a_refusal(app):
    from django.core.exceptions import MultipleObjectsReturned, ObjectDoesNotExist

    from common.refusals import Refused

    list(project_modules())
    own = {
        f"{cls.__module__}.{cls.__qualname__}"
        for cls in all_subclasses(BaseException)
        if cls.__module__.split(".")[0] == app
        and not issubclass(cls, (Refused, ObjectDoesNotExist, MultipleObjectsReturned))
    }
    assert own == set(), "derive these from common.refusals.Refused"


def view_modules(app):
    yield from sorted((ROOT / app).glob("views.py"))
    yield from sorted((ROOT / app).glob("views/*.py"))


WRITES = {"save", "create", "delete", "update", "bulk_create", "bulk_update", "get_or_create"}
WRITES |= {"update_or_create", "add", "remove", "clear", "set"}


def writes_in(path: Path) -> list[str]:
    """Calls that write to the database: `.save()` (but `form.save(commit=False)`, which
    builds an unsaved row), `.create()`, `.delete()`, `.update()` and the relation writers."""
    tree = ast.parse(path.read_text("utf-8"))
    found = []
    for node in ast.walk(tree):
        if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)):
            continue
        name = node.func.attr
        if name not in WRITES:
            continue
        unsaved = any(
            k.arg == "commit" and isinstance(k.value, ast.Constant) and k.value.value is False
            for k in node.keywords
        )
        if name == "save" and unsaved:
            continue
        found.append(f"{path.name}:{node.lineno} .{name}(")
    return found


@pytest.mark.parametrize("app", APP_DIRS)
def test_views_write_only_through_actions(app):
    found = [line for path in view_modules(app) for line in writes_in(path)]
    assert found == []


def test_the_write_check_finds_writes(tmp_path):
    module = tmp_path / "views.py"
    module.write_text(
        "def v(form, area):\n    row = form.save(commit=False)\n    row.save()\n"
        "    area.activities.create(name='x')\n    context = {}\n    context.update(a=1)\n",
        "utf-8",
    )
    assert [line.split(":", 1)[1] for line in writes_in(module)] == [
        "3 .save(",
        "4 .create(",
        "6 .update(",
    ]


@pytest.mark.parametrize("app", APP_DIRS)
def test_views_refuse_one_way(app):
    """No hand-drawn 403 (permission by decorator), no reading a refusal's insides by hand."""
    found = []
    for path in view_modules(app):
        text = path.read_text("utf-8")
        for needle in ('"403.html"', ".problems", "getattr(exc"):
            if needle in text:
                found.append(f"{path.relative_to(ROOT)}: {needle}")
    assert found == []


@pytest.mark.parametrize("app", APP_DIRS)
def test_every_edit_form_is_the_one_form_page(app):
    """An add/edit page is templates/form.html or a page that extends it; a delete page is
    templates/confirm_delete.html. (Detail pages may hold small forms of their own.)"""
    templates = ROOT / "templates"
    found = []
    for path in sorted((templates / app).rglob("*.html")):
        name = str(path.relative_to(templates))
        page = any(word in path.stem for word in ("form", "edit", "new", "create", "add"))
        if page and '{% extends "form.html" %}' not in path.read_text("utf-8"):
            found.append(name)
        if "delete" in path.stem:
            found.append(name)
    assert found == []


# Reads named one way (issue 25, point 6): an app's reads live in reads.py (or a reads/
# package), and a view reads only the URL's row itself (get_object_or_404).

OTHER_READ_NAMES = {"queries", "selectors", "figures", "documents"}


def queries_in(path: Path) -> list[str]:
    """Managers reached in a view (`Model.objects`, `Model.history`), but inside
    get_object_or_404, which finds the URL's row."""
    tree = ast.parse(path.read_text("utf-8"))
    url_row = {
        id(sub)
        for node in ast.walk(tree)
        if isinstance(node, ast.Call)
        and isinstance(node.func, ast.Name)
        and node.func.id == "get_object_or_404"
        and node.args
        for sub in ast.walk(node.args[0])
    }
    return [
        f"{path.name}:{node.lineno} .{node.attr}"
        for node in ast.walk(tree)
        if isinstance(node, ast.Attribute)
        and node.attr in ("objects", "history")
        and id(node) not in url_row
    ]


@pytest.mark.parametrize("app", APP_DIRS)
def test_views_read_through_reads(app):
    found = [line for path in view_modules(app) for line in queries_in(path)]
    found += [
        str(path.relative_to(ROOT))
        for path in sorted((ROOT / app).glob("*.py"))
        if path.stem in OTHER_READ_NAMES or path.stem.endswith("_table")
    ]
    assert found == [], f"move these into {app}/reads.py"


def test_the_read_check_finds_queries(tmp_path):
    module = tmp_path / "views.py"
    module.write_text(
        "def v(request, pk):\n"
        "    row = get_object_or_404(Area.objects.select_related('a'), pk=pk)\n"
        "    rows = Activity.objects.filter(area=row)\n    return Activity.history.all()\n",
        "utf-8",
    )
    assert queries_in(module) == ["views.py:3 .objects", "views.py:4 .history"]

"""No lost update anywhere: every writing action takes the version its form was read at
(common.versioning), and every view that calls it passes one. A new `do_*` action without it
fails here until it takes a version or is added, with its reason, to the allow-list below."""

import ast
import importlib
import inspect
from pathlib import Path

from django.apps import apps
from django.conf import settings

# Writes where a version makes no sense, each with why.
ALLOWED = {
    # Creations and imports: nothing was read that another save could have changed; imports
    # replace what they replace under their own lock and say so on the page.
    "do_import_agreement": "creates an agreement from a file",
    "do_import_key_data": "creates a key data set from a file",
    "do_import_key_data_file": "reads a key data file and creates its set (a new name)",
    "do_import_ledger_file": "an import: replaces its months under the ledger lock",
    "do_import_state_grants": "an import of the year's state grants",
    "do_import_kolada": "an import of fetched values",
    "do_import_kolada_file": "an import of an uploaded Kolada file (do_import_kolada)",
    "do_fill_state_grants_from_agreements": "fills empty rows only, never overwrites",
    "do_generate_document": "creates a new document (each one its own row)",
    "do_keep_file": "keeps an uploaded file (a new row)",
    "do_add_comment": "adds a comment (a new row)",
    "do_link_activity": "creates a link; a second identical link is refused",
    "do_add_account_range": "creates a range; overlaps are refused",
    "do_save_ledger_source": "creates a source; a name another saved meanwhile is refused",
    "do_add_cost_object": "creates a cost object; a number the year has is refused",
    "do_copy_activities": "creates activities in an empty area, refused when not empty",
    "do_send_deadline_reminders": "records which reminders were sent, once per step",
    "do_copy_agreement": "creates next year's draft; a second copy of the year is refused",
    "do_copy_agreement_structure": "creates next year's draft (do_copy_agreement's first step)",
    "do_fetch_population": "creates a key data set from SCB; an existing name is refused",
    "do_advance_copied_rules": "follows an import of key data: moves copied rules to it",
    # State changes that mean the same whoever makes them first: doing it twice is harmless
    # and the second is refused or changes nothing.
    "do_close_period": "closing a month twice closes it once",
    "do_reopen_period": "reopening needs a reason; a month already open is refused",
    "do_mark_mention_done": "the user's own mention; done twice is done",
    "do_delete_account_range": "removes a range (needs a reason); gone twice is gone",
    # Moves an amount between two activities under their locks, refusing an overdrawn
    # source: a relative change never overwrites another's.
    "do_reallocate": "a relative move under row locks",
    # Saves a link and ties untied rows; the link form is a creation or a re-link by
    # object and ansvar, which has nothing of its own to overwrite.
    "do_save_activity_link": "a creation keyed by object and ansvar",
    # The version travels inside the forms it is given (VersionedModelForm per text).
    "do_save_report_texts": "each form carries its own version",
    "do_paste_decided_amounts": "each component's token of its preview travels with its amounts",
}

# The parameters that carry what the form was read at.
VERSION_PARAMETERS = ("expected_version", "expected_token", "expected_state", "version")


def _action_modules():
    for config in apps.get_app_configs():
        root = Path(config.path)
        if not str(root).startswith(str(settings.BASE_DIR)) or ".venv" in root.parts:
            continue
        for name in ("actions", "store"):
            if (root / f"{name}.py").is_file():
                yield importlib.import_module(f"{config.name}.{name}")


def _actions():
    found = {}
    for module in _action_modules():
        for name, function in inspect.getmembers(module, inspect.isfunction):
            if name.startswith("do_") and function.__module__ == module.__name__:
                found[name] = function
    return found


def test_the_actions_are_found():
    names = set(_actions())
    assert {"do_answer_question", "do_save_activity", "do_set_decided_amounts"} <= names
    assert len(names) > 30


def test_every_writing_action_takes_the_version_it_was_read_at():
    missing = [
        name
        for name, function in _actions().items()
        if name not in ALLOWED
        and not set(inspect.signature(function).parameters) & set(VERSION_PARAMETERS)
    ]
    assert missing == [], f"actions without an expected version: {missing}"
    stale_allowances = set(ALLOWED) - set(_actions())
    assert stale_allowances == set(), "allow-list names an action that is gone"


def test_the_answer_to_a_measure_must_say_what_it_was_read_at():
    parameter = inspect.signature(_actions()["do_answer_question"]).parameters["expected_version"]
    assert parameter.default is inspect.Parameter.empty


def _calls_in_views():
    for path in Path(settings.BASE_DIR).glob("*/views.py"):
        tree = ast.parse(path.read_text("utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Call):
                func = node.func
                name = getattr(func, "id", None) or getattr(func, "attr", None)
                if name and name.startswith("do_"):
                    yield path.parent.name, name, node


def test_every_view_passes_the_version_to_the_action():
    """A view that calls a versioned action without the version would quietly save over
    another's change (the action's check is skipped)."""
    actions = _actions()
    without = []
    for app, name, call in _calls_in_views():
        if name in ALLOWED or name not in actions:
            continue
        passed = {k.arg for k in call.keywords} | {"*" for k in call.keywords if k.arg is None}
        if not passed & {*VERSION_PARAMETERS, "*"}:
            without.append(f"{app}: {name} (line {call.lineno})")
    assert without == [], without

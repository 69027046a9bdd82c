"""Hostile values in every form: no 5xx, and a refused post stores nothing.

Every page of the URL configuration is opened as each role (and the admin's add and change
pages as the administrator); every form on them is read from the HTML and sent back as the
browser would, once as rendered and then with one field at a time replaced by a hostile value
(NUL, 100 000 characters, RTL and zero-width marks, NaN, 1e400, Arabic and full-width digits,
negative and huge numbers, taken names, ids that do not exist or belong to another agreement,
a bad `next`, broken little files), the other fields kept as rendered, hidden version fields
included. The same form is also posted with each id in its address swapped for one that does
not exist or belongs to another agreement, and by every role that was not shown it, and
anonymously. Each request runs in a savepoint rolled back after it, so every request starts
from the same data and the form's version is never stale.

Asserted: no answer is a 5xx; when the answer is a refusal (4xx, or the page shown again with
an error), the database's fingerprint (rows, largest id, summed versions of every table) and the
kept files are as before. The fingerprint is read again only after a request that sent a
statement that could store something (anything but a read or a savepoint, and but a write to
the sessions or the login log); after the others only the kept files are counted.

By default a fixed seed draws a sample of values per field, and a form with many fields gets
several hostile fields per request (LIMITS; ADMIN_LIMITS for the admin, SLOW_LIMITS for forms
that make a PDF), which keeps the test near a minute. `FUZZ_ALL=1 pytest -s
tests/test_form_fuzz.py` sends every value to every field, one field per request. The counts
are printed (`-s` shows them): requests, answers by class, refusals, seconds; `FUZZ_LIST=1`
also lists the forms found, each with its page and the roles shown it."""

import copy
import os
import random
import re
import time
from collections import Counter
from types import SimpleNamespace
from urllib.parse import urlsplit

import pytest
from django.apps import apps
from django.contrib import admin
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection, models, transaction
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, resolve, reverse
from django.urls.exceptions import Resolver404

from tests.built_once import READING
from tests.fuzzforms import forms

SEED = 23
FUZZ_ALL = os.environ.get("FUZZ_ALL") == "1"
# Values per field, and hostile requests per form at most (more fields: several at once).
LIMITS = (3, 24)
ADMIN_LIMITS = (1, 4)
# Forms that make a whole PDF each time they are sent.
SLOW = {"plan:followup_pdf", "reporting:generate", "reporting:generate_summary"}
SLOW_LIMITS = (1, 2)
ROLES = ["officer", "finance", "manager", "admin", "norole"]
VISITORS = [*ROLES, "anonymous"]

MISSING = object()  # the field left out
VALID_FILES = {}  # by the form's target: a file its upload takes (filled by the test)

HOSTILE = [
    "\x00",
    "a\x00b",
    "x" * 100_000,
    "\u202egnv\u200b\u200f\u2066 \u200d",
    "\u200b",
    "NaN",
    "-nan",
    "Infinity",
    "1e400",
    "-1e400",
    "١٢٣٤",
    "۱۲۳",
    "１２３４",
    "-1",
    "-99999999999999999999999999",
    "99999999999999999999999999",
    "9" * 60,
    "0",
    "",
    "   ",
    "1,5",
    "0,0000000001",
    "2023-02-30",
    "10000-01-01",
    "0000-00-00",
    "<script>alert(1)</script>",
    "' OR '1'='1",
    "../../etc/passwd",
    "{{ 7|add:1 }}%s%(x)s",
    b"\xff\xfe\xc3",
    MISSING,
]
# Where an id is expected (selects, radios, checkboxes, hidden fields).
IDS = ["999999999", "-1", "2147483648", "9223372036854775808", "1.5", "abc", ["1", "1"]]
NEXT = [
    "abc",
    "//evil.example/",
    "https://evil.example/",
    "javascript:alert(1)",
    "/\\evil.example",
    "\x00",
    "/" + "a" * 5000,
]
FILES = [
    ("tom.csv", b""),
    ("nul.csv", b"\x00" * 64),
    ("trasig.xlsx", b"PK\x03\x04" + b"\x00" * 40),
    ("\u202egpj.exe", b"MZ\x90\x00"),
    ("djup.json", b"[" * 50_000),
    ("fel.csv", "namn;värde\nÖstersund;١٢\n;NaN;1e400\n".encode()),
    ("a.pdf", b"%PDF-1.7\n%%EOF"),
    ("bom.csv", b"\xef\xbb\xbf\x00;\xff\n"),
    ("bred.csv", b"a;" * 60_000),
    ("å" * 300 + ".csv", b"a;b\n1;2\n"),  # past the 255 bytes a file system allows
]


# ---------------------------------------------------------------- the data


class ValidFile:
    """A file a form's upload takes, sent with it while its other fields are fuzzed."""

    def __init__(self, name, content):
        self.name, self.content = name, content

    def upload(self):
        return SimpleUploadedFile(self.name, self.content, content_type="application/octet-stream")


def _valid_files():
    from pathlib import Path

    from tests.reporting.conftest import plain_pdf

    kolada = Path(__file__).parent / "plan" / "files" / "kolada-n15428.json"
    return {
        "plan:kolada": ValidFile("kolada.json", kolada.read_bytes()),
        "reporting:register_import": ValidFile(
            "statsbidrag.csv",
            "Statsbidrag;Myndighet eller källa;Diarienummer;Belopp;Kommentar;Tillfälligt\n"
            "God och nära vård;Kammarkollegiet;RS/116/2023;75 422 690;;nej\n".encode(),
        ),
        "reporting:sign": ValidFile("undertecknad.pdf", plain_pdf()),
        "followup:upload": ValidFile(
            "huvudbok.csv",
            "Konto;Ansvar;Objekt;Datum;Belopp;Text\n4010;1;9916;2023-03-01;1 000,00;Lön\n".encode(),
        ),
    }


@pytest.fixture
def world(distribution2023, users):
    """The 2023 agreement with everything a page can show (ledger, reports, a generated and
    signed document, the plan, a comment with a mention), and the 2020 agreement with its
    distribution beside it: the other agreement whose ids are posted."""
    import datetime
    import json
    from pathlib import Path

    from django.conf import settings
    from django.utils import timezone

    from allocations.actions import do_copy_agreement
    from comments.actions import do_add_comment
    from distribution.models import CostObject
    from followup.demo import load_demo_ledger
    from followup.models import ActivityLink, LedgerSource
    from grants.models import DocumentKind
    from plan.demo import load_plan_setup
    from reporting.actions import do_generate_document, do_upload_signed_copy
    from reporting.demo import load_state_grants
    from tests.conftest import load_demo_agreement, load_demo_distribution
    from tests.reporting.conftest import fill_report_details, plain_pdf

    base = Path(settings.BASE_DIR) / "fixtures"
    other = load_demo_agreement("god-och-nara-vard-2020")
    load_demo_distribution("god-och-nara-vard-2020")
    load_demo_ledger(distribution2023)
    load_state_grants(json.loads((base / "reporting/statsbidrag-2021.json").read_text("utf-8")))
    fill_report_details()
    load_plan_setup(json.loads((base / "plan/gemensam-plan-primarvard.json").read_text("utf-8")))
    LedgerSource.objects.get_or_create(name="Källa", defaults={"mapping": {}})
    for agreement in (distribution2023, other):
        activity = agreement.areas.first().activities.first()
        cost_object = CostObject.objects.filter(area__agreement=agreement).first()
        if cost_object is None:
            cost_object = CostObject.objects.create(
                area=activity.area, year=agreement.year, number="9999", name="Objekt"
            )
        ActivityLink.objects.get_or_create(
            cost_object=cost_object,
            responsibility="1",
            activity=activity,
        )
        do_add_comment(activity, "Se här @hospa och @ekonom", acting_user=users["manager"])
    distribution2023.refresh_from_db()
    other.refresh_from_db()
    for agreement in (distribution2023, other):
        document = do_generate_document(
            DocumentKind.REQUISITION, "pdf", agreement=agreement, acting_user=users["officer"]
        )
        do_upload_signed_copy(
            document,
            content=plain_pdf(),
            file_name="undertecknad.pdf",
            signatory="Regiondirektören",
            signed_on=timezone.localdate() - datetime.timedelta(days=1),
            acting_user=users["officer"],
        )
    # A second, unsigned one: its trail page asks for the signed copy (a file).
    do_generate_document(
        DocumentKind.REQUISITION, "pdf", agreement=distribution2023, acting_user=users["officer"]
    )
    # Next year's draft, copied: its page confirms it and its moved deadlines, and its areas,
    # still without activities, offer to copy last year's.
    draft = do_copy_agreement(distribution2023, acting_user=users["officer"])
    distribution2023.refresh_from_db()
    other.refresh_from_db()
    return SimpleNamespace(
        main=_side(distribution2023, 0),
        other=_side(other, -1),
        extra=[
            reverse("grants:agreement_detail", args=[draft.pk]),
            reverse("distribution:area", args=[draft.areas.order_by("pk").first().pk]),
        ],
    )


def _side(agreement, index):
    """The objects a page's address names, of this agreement (plan objects, which belong to
    no agreement: the first or the last of each)."""
    from allocations.models import KeyDataSet
    from comments.models import Mention
    from distribution.models import Activity, CostObject
    from followup.models import ActivityLink, LedgerImport
    from plan import models as plan
    from reporting.models import GeneratedDocument, StateGrant

    def pick(queryset):
        rows = list(queryset.order_by("pk"))
        return rows[index] if rows else None

    activity = pick(Activity.objects.filter(area__agreement=agreement))
    documents = GeneratedDocument.objects.filter(agreement=agreement).order_by("pk")
    document, signed = documents.last(), documents.filter(signed_copies__isnull=False).first()
    rule_component = pick(agreement.components.filter(allocation_rule__isnull=False)) or pick(
        agreement.components.all()
    )
    return SimpleNamespace(
        agreement=agreement,
        area=pick(agreement.areas.all()),
        cost_object=pick(CostObject.objects.filter(area__agreement=agreement)),
        component=rule_component,
        deadline=pick(agreement.deadlines.all()),
        activity=activity,
        dataset=pick(KeyDataSet.objects.all()),
        link=pick(ActivityLink.objects.filter(activity__area__agreement=agreement)),
        ledger_import=pick(LedgerImport.objects.all()),
        document=document,
        signed=signed,
        signed_copy=signed.signed_copies.first() if signed else None,
        grant=pick(StateGrant.objects.all()),
        mention=pick(Mention.objects.filter(comment__object_id=activity.pk)),
        plan=pick(plan.Plan.objects.all()),
        party=pick(plan.Party.objects.all()),
        strategy=pick(plan.Strategy.objects.all()),
        indicator=pick(plan.Indicator.objects.filter(strategy__isnull=False)),
        measurement=pick(plan.Measurement.objects.all()),
        plan_activity=pick(plan.PlanActivity.objects.all()),
        plan_link=pick(plan.ActivityLink.objects.all()),
        sub=pick(plan.SubActivity.objects.all()),
        question=pick(plan.MeasureQuestion.objects.all()),
    )


def _pk(obj):
    return obj.pk if obj is not None else 999_999_999


# Each URL name's arguments from one side's objects. Every name of the URL configuration is
# here (test_every_page_of_the_url_configuration_is_walked), so a new page is fuzzed too.
def _a(w):
    return {"pk": _pk(w.agreement)}


PAGES = {
    "grants:home": None,
    "grants:agreement_list": None,
    "grants:agreement_create": None,
    "grants:agreement_detail": _a,
    "grants:agreement_edit": _a,
    "grants:agreement_history": _a,
    "grants:agreement_confirm": _a,
    "grants:region_list": None,
    "grants:deadline_list": None,
    "allocations:agreement_copy": _a,
    "allocations:national_paste": _a,
    "allocations:dataset_list": None,
    "allocations:dataset_import": None,
    "allocations:dataset_fetch_scb": None,
    "allocations:dataset_detail": lambda w: {"pk": _pk(w.dataset)},
    "allocations:dataset_file": lambda w: {"pk": _pk(w.dataset)},
    "allocations:dataset_edit": lambda w: {"pk": _pk(w.dataset)},
    "allocations:table": lambda w: {**_a(w), "group": "regioner"},
    "distribution:agreement": _a,
    "distribution:area": lambda w: {"area_pk": _pk(w.area)},
    "distribution:activity_add": lambda w: {"area_pk": _pk(w.area)},
    "distribution:reallocate": lambda w: {"area_pk": _pk(w.area)},
    "distribution:area_plan": lambda w: {"area_pk": _pk(w.area)},
    "distribution:cost_object_add": _a,
    "distribution:area_history": lambda w: {"area_pk": _pk(w.area)},
    "distribution:copy_previous": lambda w: {"area_pk": _pk(w.area)},
    "distribution:activity_edit": lambda w: {"pk": _pk(w.activity)},
    "distribution:activity_delete": lambda w: {"pk": _pk(w.activity)},
    "followup:overview": _a,
    "followup:workbook": _a,
    "followup:links": _a,
    "followup:add_link": _a,
    "followup:delete_link": lambda w: {**_a(w), "link_pk": _pk(w.link)},
    "followup:imports": None,
    "followup:upload": None,
    "followup:import_detail": lambda w: {"pk": _pk(w.ledger_import)},
    "followup:import_file": lambda w: {"import_pk": _pk(w.ledger_import)},
    "followup:source_new": None,
    "followup:periods": lambda w: {"year": w.agreement.year},
    "followup:close_period": lambda w: {"year": w.agreement.year},
    "followup:reopen_period": lambda w: {"year": w.agreement.year},
    "followup:chart": None,
    "followup:chart_add": None,
    "followup:chart_delete": lambda w: {"pk": _pk(None)},  # the fuzzed chart has no ranges
    "followup:forecast": lambda w: {"activity_pk": _pk(w.activity)},
    "followup:budget_profile": lambda w: {"activity_pk": _pk(w.activity)},
    "plan:list": None,
    "plan:detail": lambda w: {"pk": _pk(w.plan)},
    "plan:edit": lambda w: {"pk": _pk(w.plan)},
    "plan:followup": lambda w: {"pk": _pk(w.plan)},
    "plan:followup_pdf": lambda w: {"pk": _pk(w.plan)},
    "plan:kolada": lambda w: {"pk": _pk(w.indicator)},
    "plan:party_add": lambda w: {"plan_pk": _pk(w.plan)},
    "plan:party_edit": lambda w: {"pk": _pk(w.party)},
    "plan:strategy_edit": lambda w: {"pk": _pk(w.strategy)},
    "plan:indicator_add": lambda w: {"strategy_pk": _pk(w.strategy)},
    "plan:activity_add": lambda w: {"strategy_pk": _pk(w.strategy)},
    "plan:indicator": lambda w: {"pk": _pk(w.indicator)},
    "plan:indicator_edit": lambda w: {"pk": _pk(w.indicator)},
    "plan:indicator_export": lambda w: {"pk": _pk(w.indicator)},
    "plan:measurement_add": lambda w: {"pk": _pk(w.indicator)},
    "plan:measurement_edit": lambda w: {"pk": _pk(w.measurement)},
    "plan:activity": lambda w: {"pk": _pk(w.plan_activity)},
    "plan:activity_edit": lambda w: {"pk": _pk(w.plan_activity)},
    "plan:sub_add": lambda w: {"pk": _pk(w.plan_activity)},
    "plan:link_add": lambda w: {"pk": _pk(w.plan_activity)},
    "plan:link_delete": lambda w: {"pk": _pk(w.plan_link)},
    "plan:sub_edit": lambda w: {"pk": _pk(w.sub)},
    "plan:sub_status": lambda w: {"pk": _pk(w.sub)},
    "plan:question_add": lambda w: {"pk": _pk(w.sub)},
    "plan:question_edit": lambda w: {"pk": _pk(w.question)},
    "plan:question_answer": lambda w: {"pk": _pk(w.question)},
    "plan:agreement_indicators": _a,
    "plan:agreement_indicator_add": _a,
    "reporting:agreement": _a,
    "reporting:texts": _a,
    "reporting:document": lambda w: {**_a(w), "kind": "rekvisition"},
    "reporting:annual_summary": lambda w: {"year": 2021},
    "reporting:generate": lambda w: {**_a(w), "kind": "rekvisition"},
    "reporting:generate_summary": lambda w: {"year": 2021},
    "reporting:register": None,
    "reporting:register_year": lambda w: {"year": 2021},
    "reporting:register_new": lambda w: {"year": 2021},
    "reporting:register_grant": lambda w: {"year": 2021, "grant_pk": _pk(w.grant)},
    "reporting:register_import": lambda w: {"year": 2021},
    "reporting:register_fill": lambda w: {"year": 2021},
    "reporting:stored": lambda w: {"doc_pk": _pk(w.document)},
    "reporting:trail": lambda w: {"doc_pk": _pk(w.document)},
    "reporting:attest": lambda w: {"doc_pk": _pk(w.document)},
    "reporting:sign": lambda w: {"doc_pk": _pk(w.document)},
    "reporting:send": lambda w: {"doc_pk": _pk(w.document)},
    "reporting:signed_copy": lambda w: {
        "doc_pk": _pk(w.signed),
        "copy_pk": _pk(w.signed_copy),
    },
    "reporting:organisation": None,
    "dashboard:start": None,
    "dashboard:overview": None,
    "dashboard:activities": None,
    "dashboard:transactions": None,
    # A chart image, named by the hash of its SVG; an unknown name is not found (a GET only).
    "dashboard:chart": lambda w: {"year": 2023, "name": "0" * 32},
    "login": None,
    "logout": None,
    "accounts:sso_login": None,
    "accounts:sso_callback": None,
    "accounts:password_change": None,
    "accounts:accessibility": None,
    "accounts:password_change_done": None,
    "operations:health": None,
    "operations:live": None,
    "comments:thread": lambda w: {"kind": "distribution.activity", "pk": _pk(w.activity)},
    "comments:mention_done": lambda w: {"pk": _pk(w.mention)},
    "search:results": None,
}
# The area, component and deadline pages of grants take the agreement and the child.
for _kind in ("area", "component", "deadline"):
    for _action in ("history", "edit", "delete", "confirm"):
        PAGES[f"grants:{_kind}_{_action}"] = lambda w, k=_kind: {
            **_a(w),
            "child_pk": _pk(getattr(w, k)),
        }
    PAGES[f"grants:{_kind}_create"] = _a
for _name in ("rule_edit", "decided_edit", "decided_import", "decided_paste"):
    PAGES[f"allocations:{_name}"] = lambda w: {**_a(w), "component_pk": _pk(w.component)}


def _url_names(patterns=None, namespace=""):
    for pattern in get_resolver().url_patterns if patterns is None else patterns:
        if isinstance(pattern, URLResolver):
            inner = namespace
            if pattern.namespace:
                inner = f"{namespace}:{pattern.namespace}" if namespace else pattern.namespace
            yield from _url_names(pattern.url_patterns, inner)
        elif isinstance(pattern, URLPattern) and pattern.name:
            yield f"{namespace}:{pattern.name}" if namespace else pattern.name


# Files, not pages: no form to read (their links are walked by the export tests).
DOWNLOADS = {
    "allocations:dataset_file",
    "followup:workbook",
    "followup:import_file",
    "plan:followup_pdf",
    "plan:indicator_export",
    "reporting:stored",
    "reporting:signed_copy",
}


def _page_urls(world):
    names = set(_url_names())
    for name, args in PAGES.items():
        if name not in names or name in DOWNLOADS:
            continue  # e.g. grants:area_confirm, made by the loop above, is no page
        yield name, reverse(name, kwargs=args(world.main) if args else None)
    for url in world.extra:
        yield resolve(url).view_name, url


# ---------------------------------------------------------------- the database's fingerprint

# Written on any request, refused or not: sessions, the login log, failed logins.
NOT_DATA = {"sessions", "axes"}


def _fingerprint_sql():
    parts, labels = [], []
    for model in apps.get_models(include_auto_created=True):
        meta = model._meta
        if meta.app_label in NOT_DATA or meta.proxy or not meta.managed:
            continue
        table = connection.ops.quote_name(meta.db_table)
        pk = connection.ops.quote_name(meta.pk.column)
        parts.append(f"(SELECT COUNT(*) FROM {table})")
        labels.append(f"{meta.label} rader")
        if isinstance(meta.pk, models.AutoField | models.BigAutoField):
            parts.append(f"(SELECT MAX({pk}) FROM {table})")
            labels.append(f"{meta.label} största id")
        for field in meta.concrete_fields:
            if field.name == "version" or getattr(field, "auto_now", False):
                column = connection.ops.quote_name(field.column)
                aggregate = "SUM" if field.name == "version" else "MAX"
                parts.append(f"(SELECT {aggregate}({column}) FROM {table})")
                labels.append(f"{meta.label} {field.name}")
    return "SELECT " + ", ".join(parts), labels


def _kept_files():
    from django.conf import settings

    root = settings.STORAGES["default"].get("OPTIONS", {}).get("location")
    if root is None or not os.path.isdir(root):
        return 0
    return sum(len(files) for _, _, files in os.walk(root))


class Fingerprint:
    """Rows, largest id and summed versions of every table, and the number of kept files."""

    def __init__(self):
        self.sql, labels = _fingerprint_sql()
        self.labels = [*labels, "sparade filer"]

    def __call__(self):
        with connection.cursor() as cursor:
            cursor.execute(self.sql)
            return (*(str(v) for v in cursor.fetchone()), _kept_files())

    def changed(self, before, after):
        return [label for label, b, a in zip(self.labels, before, after, strict=True) if b != a]


# ---------------------------------------------------------------- sending


class Rolled(Exception):
    pass


def _is_refusal(response) -> bool:
    if response.status_code >= 400:
        return True
    if response.status_code != 200 or not response["Content-Type"].startswith("text/html"):
        return False
    html = response.content.decode("utf-8", "replace")
    return 'role="alert"' in html or "message-error" in html


# What a statement that stores something looks like, and the tables written on any request.
STORING = re.compile(r"\s*(?:INSERT\s+INTO|UPDATE|DELETE\s+FROM)\s+\"?(\w+)", re.I)
NOT_DATA_TABLES = ("django_session", "axes_")


class Statements:
    """Whether a request sent a statement that may store data (anything but a read, a
    savepoint, or a write to the sessions and the login log). A refused request that sent
    none stored nothing, so the fingerprint need not be read again; one that sent some (it
    may have rolled them back itself) is checked by the fingerprint."""

    def __init__(self):
        self.storing = False

    def __call__(self, execute, sql, params, many, context):
        if not self.storing and not READING.match(sql):
            written = STORING.match(sql)
            if written is None or not written.group(1).startswith(NOT_DATA_TABLES):
                self.storing = True
        return execute(sql, params, many, context)


class Fuzzer:
    def __init__(self, clients, fingerprint):
        self.clients = clients
        self.fingerprint = fingerprint
        self.baseline = fingerprint()
        self.counts = Counter()
        self.failures = []

    def send(self, who, method, url, data, note, refused=False):
        """One request in a savepoint rolled back after it; the client's cookies as before.
        `refused`: the request must be refused, whatever the answer looks like."""
        client = self.clients[who]
        cookies = copy.deepcopy(client.cookies)
        data = {k: v.upload() if isinstance(v, ValidFile) else v for k, v in data.items()}
        # A kept file outlives the savepoint of a request that stored it: count from here.
        files = _kept_files()
        self.counts["requests"] += 1
        statements = Statements()
        try:
            with transaction.atomic():
                with connection.execute_wrapper(statements):
                    if method == "get":
                        response = client.get(url, data)
                    else:
                        response = client.post(url, data)
                status = response.status_code
                self.counts[f"{status // 100}xx"] += 1
                if status >= 500:
                    error = getattr(response, "exc_info", None)
                    cause = repr(error[1])[:300] if error else ""
                    self.failures.append(f"{status} {who} {method} {url} {note}: {cause}")
                elif refused or _is_refusal(response):
                    self.counts["refused"] += 1
                    if statements.storing:
                        after = self.fingerprint()
                    else:  # no statement could have stored a row: only files may differ
                        after = (*self.baseline[:-1], _kept_files())
                    baseline = (*self.baseline[:-1], files)
                    if after != baseline:
                        changed = ", ".join(self.fingerprint.changed(baseline, after))
                        self.failures.append(
                            f"refused but stored ({changed}): {status} {who} {method} {url} {note}"
                        )
                raise Rolled
        except Rolled:
            pass
        finally:
            client.cookies = cookies
        return response


def _short(value):
    if value is MISSING:
        return "(utelämnat)"
    text = repr(value)
    return text if len(text) < 40 else text[:30] + f"…({len(value)})"


def _other_ids(world):
    """Ids of the other agreement's rows, by the form field names that take them."""
    w = world.other
    ids = {
        "agreement": w.agreement,
        "area": w.area,
        "development_area": w.area,
        "component": w.component,
        "included_in": w.component,
        "deadline": w.deadline,
        "activity": w.activity,
        "cost_object": w.cost_object,
    }
    return {name: [str(_pk(obj))] for name, obj in ids.items() if obj is not None}


def _taken_names():
    """Values other rows already hold in a column that is unique (alone or with others), by
    the column's name: a form that takes one is offered it."""
    taken: dict[str, set[str]] = {}
    for model in apps.get_models():
        meta = model._meta
        if meta.app_label in NOT_DATA or meta.label.startswith("contenttypes"):
            continue
        names = {f.name for f in meta.concrete_fields if f.unique and not f.primary_key}
        for together in meta.unique_together:
            names.update(together)
        for constraint in meta.constraints:
            names.update(getattr(constraint, "fields", ()) or ())
        for name in names:
            try:
                field = meta.get_field(name)
            except Exception:
                continue
            if isinstance(field, models.CharField | models.TextField):
                values = model._default_manager.values_list(name, flat=True)[:5]
                taken.setdefault(name, set()).update(v for v in values if v)
    return {name: sorted(values) for name, values in taken.items()}


def _candidates(control, other_ids, taken):
    """The values for a field, and those of them always sent: a name another row holds,
    another agreement's id, a bad `next` (one of each)."""
    if control.kind == "file":
        return FILES + [MISSING], [FILES[-1]]
    values, always = list(HOSTILE), []
    if control.kind in ("select", "radio", "checkbox", "hidden") or (control.value or "").isdigit():
        values += IDS
    for special in (other_ids.get(control.name), taken.get(control.name)):
        if special:
            values += special
            always.append(special[0])
    if control.name == "next":
        values += NEXT
        always.append(NEXT[0])
    return values, always


def _file(value):
    if value is MISSING:
        return value
    name, content = value
    return SimpleUploadedFile(name, content, content_type="application/octet-stream")


def _key(form, page_url):
    action = form.action or page_url
    path = urlsplit(action).path
    try:
        match = resolve(path)
        target = match.view_name
    except Resolver404:
        target = path
    fields = tuple(sorted({c.name for c in form.controls}))
    return (form.method, target, fields)


def _swapped_urls(action, world):
    """The action with each id in its address swapped for one that does not exist or one of
    the other agreement's."""
    path = urlsplit(action).path
    try:
        match = resolve(path)
    except Resolver404:
        return
    if not match.kwargs or match.view_name not in PAGES or PAGES[match.view_name] is None:
        return
    other = PAGES[match.view_name](world.other)
    # Swapped in the address's text: a converter may refuse to build it (a year of 9 digits).
    route, segments = match.route.split("/"), path.lstrip("/").split("/")
    for key, value in match.kwargs.items():
        if not isinstance(value, int):
            continue
        at = next(i for i, part in enumerate(route) if part.endswith(f":{key}>"))
        for swapped in (999_999_999, other.get(key)):
            if swapped is None or swapped == value:
                continue
            yield key, "/" + "/".join([*segments[:at], str(swapped), *segments[at + 1 :]])


def _fuzz_form(fuzz, form, page_url, posters, refused_roles, world, other_ids, taken, limits):
    action = form.action or page_url
    method = "get" if form.method == "get" else "post"
    rng = random.Random(f"{SEED}:{_key(form, page_url)}")
    buttons = form.buttons or [None]
    requests = []
    for button in buttons:
        requests.append((form.data(button), f"som visat {button or ''}"))
    base = form.data(buttons[0])
    valid = VALID_FILES.get(_key(form, page_url)[1])
    for control in form.controls:
        if control.kind == "file" and valid is not None:
            base[control.name] = valid
    sample, budget = SLOW_LIMITS if _key(form, page_url)[1] in SLOW else limits
    # Per field its values; with many fields, several fields of one request are hostile at
    # once (a form checks every field before it saves), so a form costs at most `budget`.
    rounds = []
    for name, control in form.fields().items():
        if name == "csrfmiddlewaretoken":
            continue  # the test client does not check it; its refusal is tested elsewhere
        values, always = _candidates(control, other_ids, taken)
        if not FUZZ_ALL and len(values) > sample:
            values = always + rng.sample([v for v in values if v not in always], sample)
        for index, value in enumerate(values):
            if len(rounds) <= index:
                rounds.append([])
            rounds[index].append((name, control, value))
    per_request = 1 if FUZZ_ALL else -(-sum(len(r) for r in rounds) // budget)
    for pairs in rounds:
        for start in range(0, len(pairs), per_request):
            data, notes = dict(base), []
            for name, control, value in pairs[start : start + per_request]:
                if control.kind == "file":
                    value = _file(value)
                if value is MISSING:
                    data.pop(name, None)
                else:
                    data[name] = value
                notes.append(f"{name}={_short(value)}")
            requests.append((data, " ".join(notes)))
    for index, (data, note) in enumerate(requests):
        who = posters[index % len(posters)]
        fuzz.send(who, method, action, data, note)
    if method == "post":
        for key, url in _swapped_urls(action, world):
            fuzz.send(posters[0], method, url, base, f"adressens {key} utbytt")
        for who in refused_roles:
            fuzz.send(who, method, action, base, "av en roll som inte visades formuläret", True)


def _clients(users):
    clients = {"anonymous": Client(raise_request_exception=False)}
    for who in ROLES:
        client = Client(raise_request_exception=False)
        client.force_login(users[who])
        clients[who] = client
    return clients


def _walk_pages(clients, urls):
    """Every form on every page, once per kind (method, target, fields), with the roles that
    were shown it and the page it was read from."""
    found = {}
    for _name, url in urls:
        for who in VISITORS:
            response = clients[who].get(url)
            assert response.status_code < 500, (who, url)
            if response.status_code != 200 or not response["Content-Type"].startswith("text/html"):
                continue
            for form in forms(response.content.decode()):
                key = _key(form, url)
                if key not in found:
                    found[key] = (form, url, [])
                if who not in found[key][2]:
                    found[key][2].append(who)
    return found


@pytest.mark.django_db
def test_a_statement_that_could_store_is_seen_and_reads_and_sessions_are_not(users):
    from django.contrib.auth.models import User
    from django.contrib.sessions.backends.db import SessionStore

    def storing(work):
        statements = Statements()
        with transaction.atomic(), connection.execute_wrapper(statements):
            work()
            transaction.set_rollback(True)
        return statements.storing

    assert not storing(lambda: list(User.objects.select_for_update().all()))
    assert not storing(lambda: SessionStore().save())
    assert storing(lambda: User.objects.create(username="ny"))
    assert storing(lambda: User.objects.filter(pk=users["officer"].pk).update(first_name="X"))
    assert storing(lambda: User.objects.filter(pk=users["officer"].pk).delete())
    assert storing(lambda: connection.cursor().execute("CREATE TABLE fuzz_x (id integer)"))


def test_every_page_of_the_url_configuration_is_walked():
    names = {n for n in _url_names() if not n.startswith("admin:")}
    assert names - set(PAGES) == set()


def test_hostile_values_in_every_form_answer_without_5xx_and_store_nothing_when_refused(
    world, users
):
    started = time.monotonic()
    clients = _clients(users)
    fingerprint = Fingerprint()
    before = fingerprint()
    found = _walk_pages(clients, list(_page_urls(world)))
    written = fingerprint.changed(before, fingerprint())
    assert not written, f"opening the pages stored something: {written}"
    fuzz = Fuzzer(clients, fingerprint)
    VALID_FILES.update(_valid_files())
    other_ids, taken = _other_ids(world), _taken_names()
    for form, page_url, posters in found.values():
        refused = [who for who in VISITORS if who not in posters]
        _fuzz_form(fuzz, form, page_url, posters, refused, world, other_ids, taken, LIMITS)
    if os.environ.get("FUZZ_LIST") == "1":
        for (method, target, fields), (_, page, posters) in found.items():
            print(method, target, page, posters, len(fields))
    _report(fuzz, started, f"{len(found)} formulär")
    assert len(found) > 80
    assert fuzz.counts["requests"] > 1000


def test_hostile_values_in_every_admin_form_answer_without_5xx(world, users):
    """The admin's add and change forms, the same way (a test of its own, so the two halves
    run on two workers)."""
    started = time.monotonic()
    clients = _clients(users)
    fuzz = Fuzzer(clients, Fingerprint())
    VALID_FILES.update(_valid_files())
    other_ids, taken = _other_ids(world), _taken_names()
    admin_forms = _admin_forms(clients["admin"])
    for form, page_url in admin_forms:
        _fuzz_form(
            fuzz,
            form,
            page_url,
            ["admin"],
            ["officer", "anonymous"],
            world,
            other_ids,
            taken,
            ADMIN_LIMITS,
        )
    _report(fuzz, started, f"{len(admin_forms)} i admin")
    assert len(admin_forms) > 30


def _report(fuzz, started, what):
    print(
        f"\nFormulär-fuzz: {what}, {fuzz.counts['requests']} anrop, 5xx: {fuzz.counts['5xx']}, "
        f"avvisade: {fuzz.counts['refused']}, {dict(fuzz.counts)}, "
        f"{time.monotonic() - started:.0f} s{' (FUZZ_ALL)' if FUZZ_ALL else ''}"
    )
    assert not fuzz.failures, "\n".join(fuzz.failures)


def _admin_forms(client):
    """The admin's add page and the first row's change page of every model it registers."""
    found = []
    for model in admin.site._registry:
        meta = model._meta
        pages = [reverse(f"admin:{meta.app_label}_{meta.model_name}_add")]
        first = model._default_manager.order_by("pk").first()
        if first is not None:
            pages.append(
                reverse(f"admin:{meta.app_label}_{meta.model_name}_change", args=[first.pk])
            )
        for url in pages:
            response = client.get(url)
            assert response.status_code < 500, url
            if response.status_code != 200:
                continue
            for form in forms(response.content.decode()):
                if form.method == "post" and any(c.kind != "hidden" for c in form.controls):
                    found.append((form, url))
    return found

"""One search over agreements, components, activities, cost objects, ledger transactions and
generated documents, grouped by kind, each kind only for the roles that may read it.

PostgreSQL: full-text search with the Swedish configuration (stemming: "utbildningar" finds
"utbildning"), plus exact matches on codes (case numbers, vouchers, accounts, cost objects).
Other databases (SQLite in development and the default tests): every word must occur in one of
the fields, case-insensitively.
"""

import unicodedata
from dataclasses import dataclass, field

from django.contrib.postgres.search import SearchQuery, SearchVector
from django.db import connection
from django.db.models import Q
from django.urls import reverse

from common.money import format_amount
from distribution.models import Activity, CostObject
from distribution.permissions import can_view_distribution
from followup.models import LedgerTransaction
from followup.permissions import can_view_followup
from grants.models import Agreement, Component
from grants.permissions import can_view_grants
from reporting.models import GeneratedDocument
from reporting.permissions import can_view_reports

LIMIT = 20  # hits shown per kind
MAX_QUERY = 200


@dataclass(frozen=True)
class Hit:
    title: str
    detail: str
    url: str


@dataclass
class Group:
    key: str
    label: str
    hits: list[Hit] = field(default_factory=list)
    more: bool = False  # there are more than LIMIT


@dataclass(frozen=True)
class Kind:
    key: str
    label: str
    allowed: object  # user -> bool
    queryset: object  # () -> QuerySet
    text_fields: tuple[str, ...]  # searched by words
    code_fields: tuple[str, ...]  # matched whole on PostgreSQL (indexed), by substring else
    hit: object  # instance -> Hit
    # Names and numbers in small tables, matched by substring everywhere (file names and
    # case numbers are not words to the full-text parser).
    substring_fields: tuple[str, ...] = ()


def _agreement_hit(a):
    return Hit(
        str(a), f"{a.year} · {a.region_case_number or a.skr_case_number}", a.get_absolute_url()
    )


def _component_hit(c):
    return Hit(
        c.name,
        f"{c.agreement} · {format_amount(c.national_amount) or 'belopp ej angivet'}",
        reverse("grants:agreement_detail", args=[c.agreement_id]) + "#omraden",
    )


def _activity_hit(a):
    return Hit(
        a.name,
        f"{a.area.agreement.year} · {a.area.name} · {a.responsible}".rstrip(" ·"),
        reverse("distribution:area", args=[a.area_id]),
    )


def _cost_object_hit(o):
    return Hit(
        str(o),
        f"{o.year} · {o.area.name}",
        reverse("dashboard:transactions") + f"?year={o.year}&cost_object={o.number}",
    )


def _transaction_hit(t):
    return Hit(
        f"{t.voucher or 'Utan verifikation'} · {t.text}".rstrip(" ·"),
        f"{t.year}-{t.month:02d} · objekt {t.cost_object.number} · konto {t.account} · "
        f"{format_amount(t.amount)}",
        reverse("dashboard:transactions")
        + f"?year={t.year}&month={t.month}&cost_object={t.cost_object.number}",
    )


def _document_hit(d):
    return Hit(
        d.file_name,
        f"{d.get_kind_display()} · {d.year} · {d.created_at:%Y-%m-%d}",
        reverse("reporting:stored", args=[d.pk]),
    )


KINDS = [
    Kind(
        "overenskommelser",
        "Överenskommelser",
        can_view_grants,
        lambda: Agreement.objects.order_by("-year", "short_name"),
        ("short_name", "name", "notes"),
        (),
        _agreement_hit,
        ("skr_case_number", "region_case_number", "government_case_number"),
    ),
    Kind(
        "delomraden",
        "Delområden",
        can_view_grants,
        lambda: Component.objects.select_related("agreement").order_by("-agreement__year", "pk"),
        ("name", "requirements", "notes"),
        (),
        _component_hit,
    ),
    Kind(
        "aktiviteter",
        "Aktiviteter",
        can_view_distribution,
        lambda: Activity.objects.select_related("area__agreement").order_by(
            "-area__agreement__year", "pk"
        ),
        ("name", "goal", "covers", "responsible"),
        (),
        _activity_hit,
    ),
    Kind(
        "objekt",
        "Objekt",
        can_view_distribution,
        lambda: CostObject.objects.select_related("area").order_by("-year", "number"),
        ("name",),
        (),
        _cost_object_hit,
        ("number",),
    ),
    Kind(
        "transaktioner",
        "Huvudbokstransaktioner",
        can_view_followup,
        lambda: (
            LedgerTransaction.objects.filter(is_budget=False)
            .select_related("cost_object")
            .order_by("-id")
        ),
        ("text",),
        ("voucher", "account"),
        _transaction_hit,
    ),
    Kind(
        "dokument",
        "Dokument",
        can_view_reports,
        lambda: GeneratedDocument.objects.order_by("-created_at"),
        (),
        (),
        _document_hit,
        ("file_name",),
    ),
]


def _postgres_filter(queryset, kind, text):
    text_fields = kind.text_fields
    match = Q(pk__in=[])
    if text_fields:
        queryset = queryset.annotate(search_vector=SearchVector(*text_fields, config="swedish"))
        match |= Q(search_vector=SearchQuery(text, config="swedish", search_type="websearch"))
    for name in kind.code_fields:
        match |= Q(**{name: text})
    for name in kind.substring_fields:
        match |= Q(**{f"{name}__icontains": text})
    return queryset.filter(match)


def _simple_filter(queryset, kind, text):
    names = kind.text_fields + kind.code_fields + kind.substring_fields
    for word in text.split():
        any_field = Q(pk__in=[])
        for name in names:
            any_field |= Q(**{f"{name}__icontains": word})
        queryset = queryset.filter(any_field)
    return queryset


def search(text: str, user) -> list[Group]:
    """The groups the user may read that have hits, in the order of KINDS."""
    # Control characters are no search words, and PostgreSQL refuses a NUL in a string.
    text = "".join(" " if unicodedata.category(c) in ("Cc", "Cs") else c for c in text or "")
    text = " ".join(text.split())[:MAX_QUERY]
    if not text:
        return []
    postgres = connection.vendor == "postgresql"
    groups = []
    for kind in KINDS:
        if not kind.allowed(user):
            continue
        queryset = kind.queryset()
        queryset = (_postgres_filter if postgres else _simple_filter)(queryset, kind, text)
        found = list(queryset[: LIMIT + 1])
        if found:
            groups.append(
                Group(
                    kind.key, kind.label, [kind.hit(o) for o in found[:LIMIT]], len(found) > LIMIT
                )
            )
    return groups

"""Personal data: what is kept, why and for how long (docs/personuppgifter.md and the admin
show the same list), and the three things the data-protection officer asks for: clearing old
sessions and login logs, pseudonymising a person who has left, exporting one person's data.

Pseudonymising keeps every record a person made (documents, history, comments): they point to
the same user row, which no longer carries a name, e-mail, password, role or sign-in identity.
"""

import re
from dataclasses import dataclass
from datetime import timedelta

from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.apps import apps
from django.conf import settings
from django.contrib.auth.models import User
from django.contrib.sessions.models import Session
from django.db import transaction
from django.utils import timezone

from comments.models import Comment

from .models import SsoIdentity


@dataclass(frozen=True)
class Kept:
    where: str  # the table, as the model's label
    fields: str
    why: str
    how_long: str


RETENTION_USER = "så länge personen arbetar med statsbidrag; därefter pseudonymiseras kontot"
RETENTION_RECORDS = (
    "så länge handlingen bevaras enligt regionens dokumenthanteringsplan; efter "
    "pseudonymisering utan namn"
)

KEPT = [
    Kept(
        "auth.User",
        "användarnamn, förnamn, efternamn, e-postadress, lösenordshash (lokala konton), roller, "
        "senaste inloggning, när kontot skapades",
        "inloggning, behörighet, påminnelser och omnämnanden per e-post, vem som gjort vad",
        RETENTION_USER,
    ),
    Kept(
        "accounts.SsoIdentity",
        "identitetsleverantörens id för personen (sub, Entra ID:s oid och tid), senaste inloggning",
        "att känna igen personen vid inloggning via regionens identitetsleverantör",
        RETENTION_USER + " (tas bort vid pseudonymisering)",
    ),
    Kept(
        "sessions.Session",
        "sessionsnyckel och användarens id",
        "att hålla personen inloggad",
        "till sessionen gått ut (SESSION_IDLE_HOURS utan aktivitet) och därefter "
        "PURGE_SESSION_DAYS dagar (purge_personal_data)",
    ),
    Kept(
        "axes.AccessAttempt",
        "användarnamn som skrevs, IP-adress, webbläsare (user agent), tid, antal misslyckanden",
        "spärr mot lösenordsgissning",
        "PURGE_LOGIN_LOG_DAYS dagar (purge_personal_data)",
    ),
    Kept(
        "axes.AccessLog",
        "användarnamn, IP-adress, webbläsare, in- och utloggningstid",
        "spårbarhet vid misstänkt intrång",
        "PURGE_LOGIN_LOG_DAYS dagar (purge_personal_data)",
    ),
    Kept(
        "axes.AccessFailureLog",
        "användarnamn som skrevs, IP-adress, webbläsare, tid",
        "spårbarhet vid misstänkt intrång",
        "PURGE_LOGIN_LOG_DAYS dagar (purge_personal_data)",
    ),
    Kept(
        "admin.LogEntry",
        "vem som ändrade vad i administrationen, och när",
        "spårbarhet för administratörers ändringar",
        RETENTION_RECORDS,
    ),
    Kept(
        "comments.Comment",
        "författare, kommentarens text (kan nämna personer med @användarnamn)",
        "samarbete kring överenskommelser, frister och aktiviteter",
        RETENTION_RECORDS + "; @-omnämnanden skrivs om till pseudonymen",
    ),
    Kept(
        "comments.Mention",
        "vem som nämnts och om det är åtgärdat",
        "att den nämnda ska se och kunna bocka av omnämnandet",
        RETENTION_RECORDS,
    ),
    Kept(
        "history",
        "vem som gjorde varje ändring (history_user på varje historiktabell), när och varför",
        "spårbarhet för belopp och beslut (vem, när, gammalt och nytt värde, varför)",
        RETENTION_RECORDS,
    ),
    Kept(
        "records",
        "vem som skapade, attesterade, skickade, laddade upp, stängde eller ändrade (fälten "
        "created_by, attested_by, sent_by, uploaded_by, closed_by, updated_by, changed_by, "
        "answered_by, acted_by i dokument, importer, perioder, planens värden och svar, "
        "omfördelningar, sparade filer)",
        "spårbarhet för handlingar och belopp",
        RETENTION_RECORDS,
    ),
    Kept(
        "journald",
        "loggrader: användarnamn, IP-adress, sökväg, tid (varje begäran och inloggning)",
        "drift, felsökning och säkerhetsuppföljning",
        "enligt journald:s inställning på servern (regionens loggpolicy, t.ex. 90 dagar)",
    ),
]

# Models whose user fields are covered by the "records" entry above (every other model with a
# user field must be listed by its own label, or be a history table).
RECORD_MODELS = {
    "grants.DeadlineSubmission",
    "distribution.Reallocation",
    "followup.LedgerImport",
    "followup.ClosedPeriod",
    "plan.Measurement",
    "plan.StatusChange",
    "plan.MeasureAnswer",
    "plan.ActivityLink",
    "reporting.GeneratedDocument",
    "reporting.SignedCopy",
    "reporting.DocumentEvent",
    "filestore.StoredFile",
}


def user_fields():
    """(model, field name) for every field in the project that points to a user."""
    found = []
    for model in apps.get_models():
        for field in model._meta.get_fields():
            if field.concrete and getattr(field, "related_model", None) is User:
                found.append((model, field.name))
    return found


def purge(now=None) -> dict[str, int]:
    """Delete sessions expired more than PURGE_SESSION_DAYS ago and login-guessing records
    older than PURGE_LOGIN_LOG_DAYS. Returns how many rows of each kind went."""
    now = now or timezone.now()
    sessions_before = now - timedelta(days=settings.PURGE_SESSION_DAYS)
    logs_before = now - timedelta(days=settings.PURGE_LOGIN_LOG_DAYS)
    with transaction.atomic():
        return {
            "sessioner": Session.objects.filter(expire_date__lt=sessions_before).delete()[0],
            "spärrposter": AccessAttempt.objects.filter(attempt_time__lt=logs_before).delete()[0],
            "inloggningslogg": AccessLog.objects.filter(attempt_time__lt=logs_before).delete()[0],
            "misslyckade inloggningar": AccessFailureLog.objects.filter(
                attempt_time__lt=logs_before
            ).delete()[0],
        }


def pseudonym_for(user) -> str:
    return f"pseudonym-{user.pk}"


def _mention(username: str):
    return re.compile(rf"(?<![\w@.+-])@{re.escape(username)}(?![\w@+-]|\.[\w@+-])", re.I)


@transaction.atomic
def pseudonymise(user) -> str:
    """Deactivate the user and remove what names them, keeping every record they made."""
    user = User.objects.select_for_update().get(pk=user.pk)
    old = user.username
    new = pseudonym_for(user)
    mention = _mention(old)
    for comment in Comment.objects.filter(text__icontains=f"@{old}"):
        text = mention.sub(f"@{new}", comment.text)
        if text != comment.text:
            Comment.objects.filter(pk=comment.pk).update(text=text)
    user.username = new
    user.first_name = user.last_name = user.email = ""
    user.is_active = user.is_staff = user.is_superuser = False
    user.set_unusable_password()
    user.save()
    user.groups.clear()
    user.user_permissions.clear()
    SsoIdentity.objects.filter(user=user).delete()
    for row in Session.objects.filter(expire_date__gte=timezone.now()):
        if row.get_decoded().get("_auth_user_id") == str(user.pk):
            row.delete()
    for model in (AccessAttempt, AccessLog, AccessFailureLog):
        model.objects.filter(username__iexact=old).delete()
    return new


def _plain(value):
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    return str(value)


def export(user) -> dict:
    """Everything kept about one person, as plain JSON-ready data."""
    identity = SsoIdentity.objects.filter(user=user).first()
    records = {}
    for model, field in user_fields():
        if model is SsoIdentity:
            continue
        rows = model._default_manager.filter(**{field: user})
        if not rows.exists():
            continue
        key = f"{model._meta.label} ({field})"
        records[key] = [
            {
                "id": _plain(row.pk),
                "objekt": str(row)[:200],
                **{
                    name: _plain(getattr(row, name))
                    for name in ("history_date", "history_type", "created_at", "attempt_time")
                    if hasattr(row, name)
                },
            }
            for row in rows.order_by("pk")[:10_000]
        ]
    username = user.get_username()
    return {
        "användare": {
            "id": user.pk,
            "användarnamn": username,
            "förnamn": user.first_name,
            "efternamn": user.last_name,
            "e-post": user.email,
            "aktiv": user.is_active,
            "roller": sorted(user.groups.values_list("name", flat=True)),
            "skapad": _plain(user.date_joined),
            "senaste inloggning": _plain(user.last_login),
            "lokalt lösenord": user.has_usable_password(),
        },
        "inloggning via identitetsleverantör": (
            {
                "utfärdare": identity.issuer,
                "sub": identity.subject,
                "tid": identity.tenant,
                "oid": identity.object_id,
                "senaste inloggning": _plain(identity.last_login_at),
            }
            if identity
            else None
        ),
        "inloggningsförsök": [
            {
                "ip": row.ip_address,
                "webbläsare": row.user_agent,
                "tid": _plain(row.attempt_time),
                "misslyckanden": row.failures_since_start,
            }
            for row in AccessAttempt.objects.filter(username__iexact=username)
        ],
        "inloggningslogg": [
            {
                "ip": row.ip_address,
                "webbläsare": row.user_agent,
                "in": _plain(row.attempt_time),
                "ut": _plain(row.logout_time),
            }
            for row in AccessLog.objects.filter(username__iexact=username)
        ],
        "misslyckade inloggningar": [
            {"ip": row.ip_address, "webbläsare": row.user_agent, "tid": _plain(row.attempt_time)}
            for row in AccessFailureLog.objects.filter(username__iexact=username)
        ],
        "omnämnd i kommentarer": list(
            Comment.objects.filter(text__icontains=f"@{username}").values_list("pk", flat=True)
        ),
        "poster som personen gjort": records,
    }

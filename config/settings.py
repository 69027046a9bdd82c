"""Settings for Statsbidrag, read from the environment (see .env.example)."""

import hashlib
import ipaddress
import os
from pathlib import Path

import environ
from csp.constants import NONCE
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
# A local .env (made by `make`) fills in what the real environment leaves unset.
env_file = Path(os.environ.get("STATSBIDRAG_ENV_FILE", BASE_DIR / ".env"))
if env_file.is_file():
    env.read_env(env_file, overwrite=False)

DEBUG = env.bool("DEBUG", default=False)

SECRET_KEY = env.str("SECRET_KEY", default="")
# The same rule as Django's own deployment check (security.W009): at least 50 characters,
# at least 5 distinct, not Django's generated development key.
if not DEBUG and (
    len(SECRET_KEY) < 50 or len(set(SECRET_KEY)) < 5 or SECRET_KEY.startswith("django-insecure")
):
    raise ImproperlyConfigured(
        "SECRET_KEY saknas eller är för svag. Sätt en slumpad nyckel på minst 50 tecken "
        "(minst 5 olika) i miljön (se .env.example) innan appen startas med DEBUG avstängt."
    )
if not SECRET_KEY:
    SECRET_KEY = "django-insecure-development-only"

ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

DATABASES = {
    "default": env.db_url_config(
        env.str("DATABASE_URL", default="") or f"sqlite:///{BASE_DIR / 'var' / 'db.sqlite3'}"
    ),
}
DATABASES["default"]["ATOMIC_REQUESTS"] = True
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # A gunicorn worker serves one request at a time and keeps its connection between them:
    # a new PostgreSQL connection per request costs a server process and its start-up (the load
    # benchmark's p95 halved with 50 users). Checked before reuse; kept for 10 minutes unless
    # DATABASE_URL says otherwise (?conn_max_age=0: a connection per request).
    DATABASES["default"].setdefault("CONN_MAX_AGE", 600)
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = str(
        DATABASES["default"].get("CONN_HEALTH_CHECKS", True)
    ).lower() not in ("0", "false", "no", "off")

# Rendered dashboards and charts, kept follow-ups and lists. Per process by default; with
# several workers a shared cache (e.g. CACHE_URL=filecache:///var/cache/statsbidrag, or
# redis://) builds each once.
CACHES = {"default": env.cache_url_config(env.str("CACHE_URL", default="") or "locmemcache://")}


def code_digest(base: Path) -> str:
    """The app's code and templates as a digest. What is kept in the cache is keyed per
    version of the data, and here per version of the code that made it: a follow-up is kept as
    the code's own objects and a list as its template drew it, so after a deploy nothing the
    code before it made is served."""
    digest = hashlib.sha256()
    skipped = {
        *("tests", "scripts", "docs", "deploy", "fixtures", "locale"),
        *("static", "staticfiles", "node_modules", "var"),
    }
    for folder in sorted(base.iterdir()):
        if not folder.is_dir() or folder.name.startswith(".") or folder.name in skipped:
            continue
        for path in sorted([*folder.rglob("*.py"), *folder.rglob("*.html")]):
            digest.update(str(path.relative_to(base)).encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()[:12]


CACHES["default"].setdefault("KEY_PREFIX", f"statsbidrag-{code_digest(BASE_DIR)}")
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# The region that runs the app, by SCB county code (23 = Region Jämtland Härjedalen).
OWN_REGION_CODE = env.str("OWN_REGION_CODE", default="23")
# Computed and decided amounts that differ by more than this many kronor are marked.
ALLOCATION_TOLERANCE_KR = env.int("ALLOCATION_TOLERANCE_KR", default=2)
# After a write, and after the first view of changed data, every year's dashboard is built
# once the response is sent, so no year is slow to open (off in tests).
DASHBOARD_BUILD_AHEAD = env.bool("DASHBOARD_BUILD_AHEAD", default=True)
# Deadlines closer than this many days are highlighted.
DEADLINE_WARNING_DAYS = env.int("DEADLINE_WARNING_DAYS", default=30)
# Deadline reminders by e-mail (send_deadline_reminders): how many days before a deadline.
DEADLINE_REMINDER_DAYS = env.list("DEADLINE_REMINDER_DAYS", cast=int, default=[30, 7, 1])
if any(days < 0 for days in DEADLINE_REMINDER_DAYS):
    raise ImproperlyConfigured("DEADLINE_REMINDER_DAYS får bara innehålla dagar ≥ 0, t.ex. 30,7,1.")
# Uploads: every kind has its limits, checked while the file is read (common/limits.py); a
# file over one is refused with a Swedish message naming it. README: "Uploads and their limits".
# Ledger files (huvudbok): the largest upload, and how many cells an XLSX sheet may span.
LEDGER_MAX_UPLOAD_MB = env.int("LEDGER_MAX_UPLOAD_MB", default=100)
LEDGER_XLSX_MAX_CELLS = env.int("LEDGER_XLSX_MAX_CELLS", default=10_000_000)
# SIE files are read line by line in Python (about 4 MB a second): their own, lower limit.
LEDGER_SIE_MAX_UPLOAD_MB = env.int("LEDGER_SIE_MAX_UPLOAD_MB", default=20)
# Key-data and decided-amount files (a row per county): bytes, rows and value columns.
KEYDATA_MAX_UPLOAD_MB = env.int("KEYDATA_MAX_UPLOAD_MB", default=5)
KEYDATA_MAX_ROWS = env.int("KEYDATA_MAX_ROWS", default=1_000)
KEYDATA_MAX_COLUMNS = env.int("KEYDATA_MAX_COLUMNS", default=200)
# The state-grant register's import file: bytes, rows and columns.
REGISTER_MAX_UPLOAD_MB = env.int("REGISTER_MAX_UPLOAD_MB", default=5)
REGISTER_MAX_ROWS = env.int("REGISTER_MAX_ROWS", default=5_000)
REGISTER_MAX_COLUMNS = env.int("REGISTER_MAX_COLUMNS", default=50)
# Kolada files (JSON or CSV): bytes, values (posts or rows) and how deep JSON may nest.
KOLADA_MAX_UPLOAD_MB = env.int("KOLADA_MAX_UPLOAD_MB", default=20)
KOLADA_MAX_VALUES = env.int("KOLADA_MAX_VALUES", default=100_000)
KOLADA_MAX_DEPTH = env.int("KOLADA_MAX_DEPTH", default=10)
# Signed copies (PDF): bytes, and what their compressed parts may unpack to (a flate bomb).
SIGNED_COPY_MAX_UPLOAD_MB = env.int("SIGNED_COPY_MAX_UPLOAD_MB", default=20)
SIGNED_COPY_MAX_INFLATED_BYTES = env.int("SIGNED_COPY_MAX_INFLATED_MB", default=200) * 1024 * 1024
# SCB's answer to a population query (JSON-stat).
SCB_MAX_ANSWER_MB = env.int("SCB_MAX_ANSWER_MB", default=5)
# Kept files that no row names (an import whose worker died before its rows committed) are
# removed by `manage.py sweep_files` (run before each backup) once this many hours old.
SWEEP_FILES_AFTER_HOURS = env.int("SWEEP_FILES_AFTER_HOURS", default=6)
# The accessibility statement's contact for reporting barriers or asking for content in
# another format (the region's service desk or the app's administrator).
ACCESSIBILITY_CONTACT_EMAIL = env.str("ACCESSIBILITY_CONTACT_EMAIL", default="")
ACCESSIBILITY_CONTACT_PHONE = env.str("ACCESSIBILITY_CONTACT_PHONE", default="")
# The app's address as users reach it, for links in e-mail.
SITE_URL = env.str("SITE_URL", default="") or "http://127.0.0.1:8000"

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_tables2",
    "simple_history",
    "grants",
    "comments",
    "search",
    "allocations",
    "distribution",
    "followup",
    "plan",
    "reporting",
    "reminders",
    "dashboard",
    "django_filters",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Outside every middleware that writes the body: compresses what they made.
    "operations.middleware.CompressTextMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    # After a write, the dashboards for the new data are built once the response is sent.
    "dashboard.pages.build_ahead_after_writes",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "grants.context_processors.app_context",
            ],
        },
    },
]

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "dashboard:start"
LOGOUT_REDIRECT_URL = "login"

LANGUAGE_CODE = "sv"
LANGUAGES = [("sv", "Svenska")]
TIME_ZONE = "Europe/Stockholm"
USE_I18N = True
# Swedish for third-party apps that ship none (django-axes in the admin).
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_TZ = True
# Never group numbers implicitly: a year is a plain 2023 everywhere; amounts and counts are
# grouped by common.money through the kr, mnkr and number filters.
USE_THOUSAND_SEPARATOR = False
# Our own sv formats: ISO dates in and out, never Django's US-style input formats.
FORMAT_MODULE_PATH = ["config.formats"]

# Behind the region's proxy under a path (e.g. https://intra.region.se/statsbidrag/, the proxy
# passing on what follows the path): every link, redirect, static file, cookie and the SSO
# callback carry the prefix.
FORCE_SCRIPT_NAME = env.str("FORCE_SCRIPT_NAME", default="").rstrip("/") or None
if FORCE_SCRIPT_NAME and not FORCE_SCRIPT_NAME.startswith("/"):
    raise ImproperlyConfigured("FORCE_SCRIPT_NAME ska börja med /, t.ex. /statsbidrag")
STATIC_URL = f"{FORCE_SCRIPT_NAME or ''}/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}

DJANGO_TABLES2_TEMPLATE = "django_tables2/accessible.html"

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_PATH = CSRF_COOKIE_PATH = f"{FORCE_SCRIPT_NAME or ''}/"
SESSION_COOKIE_SECURE = env.bool("SECURE_COOKIES", default=not DEBUG)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
X_FRAME_OPTIONS = "DENY"

# E-mail: printed to the console in development, SMTP otherwise.
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="") or "statsbidrag@localhost"
EMAIL_BACKEND = env.str("EMAIL_BACKEND", default="") or (
    "django.core.mail.backends.console.EmailBackend"
    if DEBUG
    else "django.core.mail.backends.smtp.EmailBackend"
)
EMAIL_HOST = env.str("EMAIL_HOST", default="localhost")
EMAIL_PORT = env.int("EMAIL_PORT", default=25)
EMAIL_HOST_USER = env.str("EMAIL_HOST_USER", default="")
EMAIL_HOST_PASSWORD = env.str("EMAIL_HOST_PASSWORD", default="")
EMAIL_USE_TLS = env.bool("EMAIL_USE_TLS", default=False)

# ---------------------------------------------------------------------------------------------
# Running at a region: sign-in (local and OpenID Connect), password guessing, sessions, security
# headers, kept files, logs. Everything below is read from the environment (.env.example).
# ---------------------------------------------------------------------------------------------

INSTALLED_APPS += ["axes", "accounts", "operations", "filestore"]
TEMPLATES[0]["OPTIONS"]["context_processors"].append("accounts.context_processors.sign_in")

# One log line per request first of all, so it times everything below it.
MIDDLEWARE.insert(0, "operations.middleware.RequestLogMiddleware")
MIDDLEWARE.insert(
    MIDDLEWARE.index("django.middleware.security.SecurityMiddleware") + 1,
    "csp.middleware.CSPMiddleware",
)
MIDDLEWARE.insert(
    MIDDLEWARE.index("csp.middleware.CSPMiddleware") + 1,
    "operations.middleware.AdminScriptsMiddleware",
)
# django-axes must come last: it turns a locked-out login into the lockout page.
MIDDLEWARE.append("axes.middleware.AxesMiddleware")

# Local accounts (username and password). With LOCAL_LOGIN=0 only the break-glass accounts
# listed in BREAK_GLASS_USERS may sign in with a password; everyone else uses SSO.
LOCAL_LOGIN = env.bool("LOCAL_LOGIN", default=True)
BREAK_GLASS_USERS = env.list("BREAK_GLASS_USERS", default=[])
# Where the break-glass accounts may use their password from (addresses or networks, e.g.
# 10.20.0.0/16,192.0.2.7); elsewhere their attempts are refused and never counted, so nobody
# outside can lock them. Empty: from anywhere.
BREAK_GLASS_NETWORKS = env.list("BREAK_GLASS_NETWORKS", default=[])
try:
    [ipaddress.ip_network(network, strict=False) for network in BREAK_GLASS_NETWORKS]
except ValueError as error:
    raise ImproperlyConfigured(f"BREAK_GLASS_NETWORKS: {error}") from None

# Single sign-on with OpenID Connect (mozilla-django-oidc). On when OIDC_ISSUER is set; the
# provider's endpoints are read from its discovery document.
OIDC_ISSUER = env.str("OIDC_ISSUER", default="").rstrip("/")
OIDC_PROVIDER_NAME = env.str("OIDC_PROVIDER_NAME", default="") or "regionens inloggning"
OIDC_RP_CLIENT_ID = env.str("OIDC_CLIENT_ID", default="")
OIDC_RP_CLIENT_SECRET = env.str("OIDC_CLIENT_SECRET", default="")
OIDC_RP_SCOPES = env.str("OIDC_SCOPES", default="openid profile email")
OIDC_RP_SIGN_ALGO = env.str("OIDC_SIGN_ALGO", default="RS256")
# App roles (Entra ID: App roles, assigned to users or groups under Enterprise applications;
# sent in the `roles` claim), the recommended mapping: which role values give each role.
OIDC_ROLES_CLAIM = env.str("OIDC_ROLES_CLAIM", default="roles")
OIDC_ROLE_APP_ROLES = {
    "HOSPA-handläggare": env.list("OIDC_ROLES_OFFICER", default=[]),
    "Ekonom": env.list("OIDC_ROLES_FINANCE", default=[]),
    "Chef": env.list("OIDC_ROLES_MANAGER", default=[]),
    "Administratör": env.list("OIDC_ROLES_ADMIN", default=[]),
}
# Or groups: the claim that lists the user's groups, and which of the provider's groups give
# each role (comma-separated group names or ids, e.g. Entra ID object ids). When a user has
# too many groups for the token (Entra ID's overage), they are read from this Microsoft Graph
# address with the user's access token; empty: such a user is refused, told to use app roles.
OIDC_GROUPS_CLAIM = env.str("OIDC_GROUPS_CLAIM", default="groups")
OIDC_GRAPH_MEMBER_OF_URL = env.str(
    "OIDC_GRAPH_MEMBER_OF_URL",
    default="https://graph.microsoft.com/v1.0/me/memberOf?$select=id",
)
OIDC_ROLE_GROUPS = {
    "HOSPA-handläggare": env.list("OIDC_GROUPS_OFFICER", default=[]),
    "Ekonom": env.list("OIDC_GROUPS_FINANCE", default=[]),
    "Chef": env.list("OIDC_GROUPS_MANAGER", default=[]),
    "Administratör": env.list("OIDC_GROUPS_ADMIN", default=[]),
}
OIDC_USE_PKCE = True
OIDC_STORE_ID_TOKEN = True  # for the provider's logout
OIDC_TIMEOUT = env.int("OIDC_TIMEOUT", default=10)
OIDC_AUTHENTICATION_CALLBACK_URL = "accounts:sso_callback"
# Roles are checked again at the provider (a silent sign-in) this often during a session.
OIDC_RENEW_ID_TOKEN_EXPIRY_SECONDS = env.int("OIDC_ROLE_CHECK_MINUTES", default=15) * 60
if OIDC_ISSUER and not (OIDC_RP_CLIENT_ID and OIDC_RP_CLIENT_SECRET):
    raise ImproperlyConfigured(
        "OIDC_ISSUER är satt men OIDC_CLIENT_ID eller OIDC_CLIENT_SECRET saknas."
    )

AUTHENTICATION_BACKENDS = [
    # django-axes first: it refuses a locked-out user or address before any password check.
    "axes.backends.AxesStandaloneBackend",
    "accounts.backends.LocalBackend",
    "accounts.oidc.RoleMappingOIDCBackend",
]

# Password guessing: after AXES_FAILURE_LIMIT failed passwords a user name is locked at that
# address (the name and the address together, so one person's typing behind a region's NAT or
# Citrix address locks neither the others there nor the name elsewhere) for
# AXES_COOLOFF_MINUTES. Single sign-on refusals are never counted (accounts.lockout). Behind a
# proxy the client address is the last one the proxy added to X-Forwarded-For.
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_MINUTES = env.int("AXES_COOLOFF_MINUTES", default=15)
AXES_COOLOFF_TIME = AXES_COOLOFF_MINUTES / 60  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_WHITELIST_CALLABLE = "accounts.lockout.not_counted"
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_VERBOSE = False
# How many reverse proxies stand in front of the app (each appends to X-Forwarded-For).
PROXY_COUNT = env.int("PROXY_COUNT", default=0 if DEBUG else 1)
AXES_CLIENT_IP_CALLABLE = "common.net.client_ip"

# Sessions end after SESSION_IDLE_HOURS without a request, and when the browser closes if
# SESSION_EXPIRE_AT_BROWSER_CLOSE is set. A request moves the end on, at most every
# SESSION_REFRESH_SECONDS and at most every tenth of the idle time (one session write per user
# per five minutes, not one per request; a short idle time is kept to within a tenth).
SESSION_COOKIE_AGE = int(env.float("SESSION_IDLE_HOURS", default=8) * 3600)
SESSION_REFRESH_SECONDS = 300
MIDDLEWARE.insert(
    MIDDLEWARE.index("django.contrib.auth.middleware.AuthenticationMiddleware") + 1,
    "accounts.middleware.IdleSessionMiddleware",
)
MIDDLEWARE.insert(
    MIDDLEWARE.index("accounts.middleware.IdleSessionMiddleware") + 1,
    "accounts.oidc.RoleRefresh",
)
SESSION_EXPIRE_AT_BROWSER_CLOSE = env.bool("SESSION_EXPIRE_AT_BROWSER_CLOSE", default=False)
# Personal data (manage.py purge_personal_data, daily): sessions are deleted this many days
# after they expired, login-guessing records (django-axes) after this many days.
PURGE_SESSION_DAYS = env.int("PURGE_SESSION_DAYS", default=0)
PURGE_LOGIN_LOG_DAYS = env.int("PURGE_LOGIN_LOG_DAYS", default=90)

# HTTPS: on by default when DEBUG is off. TLS ends at the reverse proxy, which tells the app
# the original scheme in X-Forwarded-Proto.
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=not DEBUG)
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=0 if DEBUG else 31_536_000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=True)
SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=False)
if env.bool("SECURE_PROXY_SSL_HEADER", default=not DEBUG):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
CSRF_COOKIE_HTTPONLY = True
SILENCED_SYSTEM_CHECKS = []
if not SECURE_HSTS_PRELOAD:
    # Submitting the region's domain to the browsers' HSTS preload list is the region's call
    # for its whole domain, not this app's; the header is sent either way.
    SILENCED_SYSTEM_CHECKS.append("security.W021")

# Content-Security-Policy: the app runs no script and has no inline style.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'none'"],
        # Our stylesheet, and the <style> blocks of the server-made SVG charts, which the
        # chart template marks with this response's nonce.
        "style-src": ["'self'", NONCE],
        "img-src": ["'self'", "data:"],
        "object-src": ["'none'"],
        "base-uri": ["'none'"],
        "form-action": ["'self'", *([OIDC_ISSUER] if OIDC_ISSUER else [])],
        "frame-ancestors": ["'none'"],
    },
}

# Kept files (uploaded ledger and key-data files, generated documents): a folder by default,
# S3-compatible object storage when FILES_S3_BUCKET is set (django-storages).
MEDIA_ROOT = env.path("FILES_ROOT", default=BASE_DIR / "var" / "files")
if env.str("FILES_S3_BUCKET", default=""):
    STORAGES["default"] = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": env.str("FILES_S3_BUCKET"),
            "endpoint_url": env.str("FILES_S3_ENDPOINT", default="") or None,
            "region_name": env.str("FILES_S3_REGION", default="") or None,
            "access_key": env.str("FILES_S3_ACCESS_KEY", default="") or None,
            "secret_key": env.str("FILES_S3_SECRET_KEY", default="") or None,
            "default_acl": "private",
            "querystring_auth": True,
            "file_overwrite": False,
        },
    }
else:
    STORAGES["default"] = {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": MEDIA_ROOT},
    }

# /halsa/ tries a write to the file storage and the cache at most this often (per process);
# in between it answers from the last try, so a monitoring call writes nothing.
HEALTH_STORAGE_CHECK_SECONDS = env.int("HEALTH_STORAGE_CHECK_SECONDS", default=60)

# Where `make backup` (manage.py backup) writes its archives.
BACKUP_DIR = env.path("BACKUP_DIR", default=BASE_DIR / "var" / "backups")
# The region's age public keys (age1…) or files of them that every archive is encrypted for;
# a backup without them is refused when DEBUG is off, unless BACKUP_REQUIRE_ENCRYPTION=0.
BACKUP_AGE_RECIPIENTS = env.list("BACKUP_AGE_RECIPIENTS", default=[])
BACKUP_REQUIRE_ENCRYPTION = env.bool("BACKUP_REQUIRE_ENCRYPTION", default=not DEBUG)
# Archives in BACKUP_DIR older than this many days are removed after each backup (0: never).
BACKUP_KEEP_DAYS = env.int("BACKUP_KEEP_DAYS", default=35)

# SCB's open statistics API (PxWebApi v1), where `fetch_scb` asks for the population.
SCB_API_URL = "https://api.scb.se/OV0104/v1/doris/sv/ssd"

# Logs: one JSON line per record on standard error (journald keeps them under systemd):
# every request (user, path, status, time), every login failure and lockout, every refused
# import.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"json": {"()": "operations.logs.JsonFormatter"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "json"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="WARNING")},
    "loggers": {
        "statsbidrag": {"level": env.str("APP_LOG_LEVEL", default="INFO")},
        # The request lines are ours; Django's own duplicate of each 4xx/5xx is not needed.
        "django.request": {"level": "ERROR"},
        "axes": {"level": "WARNING"},
    },
}

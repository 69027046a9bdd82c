"""Settings for Statsbidrag, read from the environment (see .env.example)."""

import os
from pathlib import Path

import environ
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
# A local .env (made by `make`) fills in what the real environment leaves unset.
env_file = Path(os.environ.get("STATSBIDRAG_ENV_FILE", BASE_DIR / ".env"))
if env_file.is_file():
    env.read_env(env_file, overwrite=False)

DEBUG = env.bool("DEBUG", default=False)

SECRET_KEY = env.str("SECRET_KEY", default="")
if not DEBUG and (len(SECRET_KEY) < 40 or SECRET_KEY.startswith("django-insecure")):
    raise ImproperlyConfigured(
        "SECRET_KEY saknas eller är för svag. Sätt en slumpad nyckel på minst 40 tecken "
        "i miljön (se .env.example) innan appen startas med DEBUG avstängt."
    )
if not SECRET_KEY:
    SECRET_KEY = "django-insecure-development-only"

ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

DATABASES = {
    "default": env.db_url("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'var' / 'db.sqlite3'}"),
}
DATABASES["default"]["ATOMIC_REQUESTS"] = True

# Rendered dashboards and charts. Per process by default; with several workers a shared
# cache (e.g. CACHE_URL=filecache:///var/cache/statsbidrag, or redis://) builds each once.
CACHES = {"default": env.cache_url("CACHE_URL", default="locmemcache://")}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# The region that runs the app, by SCB county code (23 = Region Jämtland Härjedalen).
OWN_REGION_CODE = env.str("OWN_REGION_CODE", default="23")
# Computed and decided amounts that differ by more than this many kronor are marked.
ALLOCATION_TOLERANCE_KR = env.int("ALLOCATION_TOLERANCE_KR", default=2)
# Deadlines closer than this many days are highlighted.
DEADLINE_WARNING_DAYS = env.int("DEADLINE_WARNING_DAYS", default=30)
# Deadline reminders by e-mail (send_deadline_reminders): how many days before a deadline.
DEADLINE_REMINDER_DAYS = env.list("DEADLINE_REMINDER_DAYS", cast=int, default=[30, 7, 1])
if any(days < 0 for days in DEADLINE_REMINDER_DAYS):
    raise ImproperlyConfigured("DEADLINE_REMINDER_DAYS får bara innehålla dagar ≥ 0, t.ex. 30,7,1.")
# Ledger files (huvudbok) and key-data files: the largest upload, and how many cells an
# XLSX sheet may span, checked before the file is read (see common/xlsx_guard.py).
LEDGER_MAX_UPLOAD_MB = env.int("LEDGER_MAX_UPLOAD_MB", default=100)
LEDGER_XLSX_MAX_CELLS = env.int("LEDGER_XLSX_MAX_CELLS", default=10_000_000)
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
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
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
USE_TZ = True
USE_THOUSAND_SEPARATOR = True
# Our own sv formats: ISO dates in and out, never Django's US-style input formats.
FORMAT_MODULE_PATH = ["config.formats"]

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}

DJANGO_TABLES2_TEMPLATE = "django_tables2/accessible.html"

SESSION_COOKIE_HTTPONLY = True
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

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="WARNING")},
}

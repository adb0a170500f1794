"""Settings for the mentorship goal tracker.

Every value comes from the environment through the small helpers below and has an embedded
default that runs on one machine with nothing else installed: SQLite, eager Celery tasks, a
local-memory cache and e-mail printed to the console. A bad value stops start-up with
ImproperlyConfigured rather than failing later.
"""

import os
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import dj_database_url
import dj_email_url
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent


def envbool(name: str, default: str) -> bool:
    value = os.environ.get(name, default).strip().lower()
    if value in ("1", "true", "yes", "on"):
        return True
    if value in ("0", "false", "no", "off", ""):
        return False
    raise ImproperlyConfigured(f"{name} must be true or false, not {value!r}")


def envint(name: str, default: int) -> int:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    try:
        return int(value)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a whole number, not {value!r}") from None


def envlist(name: str, default: str) -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


# The README's EMAIL_URL schemes that dj-email-url spells differently: the scheme it knows and
# the query flag that gives the same settings.
EMAIL_SCHEME_ALIASES = {
    "smtp+tls": ("smtp", "tls=1"),
    "smtp+ssl": ("smtp", "ssl=1"),
    "locmem": ("memory", ""),
}


def email_settings(url: str) -> dict:
    """Django's EMAIL_* settings from EMAIL_URL (smtp://user:pass@host:port, smtp+tls://,
    smtp+ssl://, console://, locmem://, dummy://; ?timeout=N), parsed by dj-email-url."""
    parts = urlsplit(url)
    scheme, flag = EMAIL_SCHEME_ALIASES.get(parts.scheme, (parts.scheme, ""))
    if scheme not in dj_email_url.SCHEMES:
        known = sorted({*dj_email_url.SCHEMES, *EMAIL_SCHEME_ALIASES})
        raise ImproperlyConfigured(
            f"EMAIL_URL scheme must be one of {', '.join(known)}, not {parts.scheme!r}"
        )
    query = "&".join(part for part in (parts.query, flag) if part)
    try:
        conf = dj_email_url.parse(urlunsplit(parts._replace(scheme=scheme, query=query)))
        # dj-email-url gives smtp port 25 whatever the flags; implicit TLS listens on 465.
        if conf["EMAIL_USE_SSL"] and parts.port is None:
            conf["EMAIL_PORT"] = 465
    except ValueError:
        raise ImproperlyConfigured("EMAIL_URL has a port or timeout that is not a number") from None
    return {
        **conf,
        "EMAIL_HOST": conf["EMAIL_HOST"] or "localhost",
        "EMAIL_PORT": conf["EMAIL_PORT"] or 25,
        "EMAIL_HOST_USER": conf["EMAIL_HOST_USER"] or "",
        "EMAIL_HOST_PASSWORD": conf["EMAIL_HOST_PASSWORD"] or "",
        "EMAIL_TIMEOUT": 10 if conf["EMAIL_TIMEOUT"] is None else conf["EMAIL_TIMEOUT"],
    }


# --- Core -----------------------------------------------------------------------------------

DEBUG = envbool("DEBUG", "true")

SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "SECRET_KEY is not set. With DEBUG off the site refuses to start without one: "
            "set SECRET_KEY to a long random string (for example the output of "
            "`python -c 'import secrets; print(secrets.token_urlsafe(50))'`)."
        )
    # Development only: a fixed key so sessions survive restarts of runserver.
    SECRET_KEY = "dev-only-insecure-key-never-used-when-debug-is-off"  # noqa: S105

ALLOWED_HOSTS = envlist("ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]" if DEBUG else "")
CSRF_TRUSTED_ORIGINS = envlist("CSRF_TRUSTED_ORIGINS", "")
SITE_URL = os.environ.get("SITE_URL", "http://127.0.0.1:8000").rstrip("/")
SITE_NAME = os.environ.get("SITE_NAME", "Mentorship Goal Tracker")

INSTALLED_APPS = [
    # First: its runserver (on whitenoise's) also runs the schedule on the embedded default.
    "core",
    "whitenoise.runserver_nostatic",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.forms",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "crispy_forms",
    "crispy_bootstrap5",
    "django_htmx",
    "csp",
    "accounts",
    "mentorship",
    "goals",
    "notifications",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "api",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "core.middleware.ViewerMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "accounts.middleware.UserTimezoneMiddleware",
    # Staff reach the Django admin only after two-factor authentication.
    "core.middleware.AdminTwoFactorMiddleware",
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
                "django.template.context_processors.debug",
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "csp.context_processors.nonce",
                "core.context_processors.site",
            ],
            # The page frame's tags and the `when` date filter (core.dates) in every template.
            "builtins": ["core.templatetags.core_ui"],
        },
    },
]

# --- Database -------------------------------------------------------------------------------

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
        conn_max_age=envint("DATABASE_CONN_MAX_AGE", 60),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # SQLite gives up on a locked database after 5 s by default; the embedded default runs
    # eager tasks in-process, so a little more patience avoids spurious "database is locked".
    DATABASES["default"].setdefault("OPTIONS", {}).update({"timeout": 20})
    DATABASES["default"]["CONN_MAX_AGE"] = 0
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Cache and background work ----------------------------------------------------------------

REDIS_URL = os.environ.get("REDIS_URL", "")

if REDIS_URL:
    # Django's RedisCache behind a backend that makes an unreachable Redis an empty cache
    # (misses, skipped writes, a warning logged): pages keep working on the database.
    # allauth's rate limits count in the process meanwhile (README, "Redis down").
    CACHES = {
        "default": {
            "BACKEND": "core.cache_backend.ResilientRedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "mentorship",
            "OPTIONS": {"socket_connect_timeout": 2, "socket_timeout": 2},
            "RETRY_AFTER": 5,
            "LOCAL_FALLBACK_PREFIXES": ["allauth:rl:"],
        }
    }
    # Sessions are read on every signed-in request: from Redis, with the database behind it
    # (the database alone while Redis is down).
    SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

CELERY_BROKER_URL = REDIS_URL or "memory://"
CELERY_TASK_ALWAYS_EAGER = not REDIS_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_IGNORE_RESULT = True
CELERY_RESULT_BACKEND = None
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_TIMEZONE = "UTC"
CELERY_ENABLE_UTC = True
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# Redis redelivers an unacknowledged task after this long; no countdown may exceed it.
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 3600}
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SOFT_TIME_LIMIT = 240
CELERY_TASK_TIME_LIMIT = 300
# Two queues so a long backlog of e-mails never delays the dispatcher that creates them:
# run workers with -Q dispatch,delivery,celery (or one worker per queue).
CELERY_TASK_DEFAULT_QUEUE = "celery"
CELERY_TASK_ROUTES = {
    "notifications.tasks.dispatch_due": {"queue": "dispatch"},
    "notifications.tasks.deliver": {"queue": "delivery"},
    "notifications.tasks.deliver_emails": {"queue": "delivery"},
    "notifications.tasks.sweep": {"queue": "dispatch"},
    "mentorship.tasks.import_runs_sweep": {"queue": "dispatch"},
    "mentorship.tasks.mentor_requests_lapse": {"queue": "dispatch"},
}
# Publishing while Redis is down gives up quickly: the row stays pending in the database and
# the next dispatcher pass enqueues it, so a page never waits long on a dead broker.
CELERY_TASK_PUBLISH_RETRY = True
CELERY_TASK_PUBLISH_RETRY_POLICY = {
    "max_retries": 2,
    "interval_start": 0,
    "interval_step": 0.2,
    "interval_max": 0.5,
}
CELERY_BROKER_CONNECTION_TIMEOUT = 2
# Without a broker (eager tasks) `runserver` runs this schedule itself (core.scheduler).
EMBEDDED_SCHEDULER = envbool("EMBEDDED_SCHEDULER", "true")
CELERY_BEAT_SCHEDULE: dict = {
    "notifications-dispatch": {
        "task": "notifications.tasks.dispatch_due",
        "schedule": 300.0,
        "options": {"queue": "dispatch", "expires": 290},
    },
    # Pending e-mails whose task was lost (Redis came back empty) are handed over again.
    "notifications-sweep": {
        "task": "notifications.tasks.sweep",
        "schedule": 30.0,
        "options": {"queue": "dispatch", "expires": 25},
    },
    # Background CSV imports whose job was lost go on.
    "mentorship-import-runs-sweep": {
        "task": "mentorship.tasks.import_runs_sweep",
        "schedule": 60.0,
        "options": {"queue": "dispatch", "expires": 55},
    },
    # Requests for a mentor not answered in time lapse, and their mentees are told.
    "mentorship-mentor-requests-lapse": {
        "task": "mentorship.tasks.mentor_requests_lapse",
        "schedule": 900.0,
        "options": {"queue": "dispatch", "expires": 890},
    },
}
# Delivery retries (SMTP and connection errors): exponential backoff from the base, never
# beyond the cap, and the cap itself stays below the broker's visibility timeout.
NOTIFICATIONS_RETRY_BACKOFF_BASE = envint("NOTIFICATIONS_RETRY_BACKOFF_BASE", 30)
NOTIFICATIONS_RETRY_BACKOFF_MAX = envint("NOTIFICATIONS_RETRY_BACKOFF_MAX", 1800)
NOTIFICATIONS_MAX_ATTEMPTS = envint("NOTIFICATIONS_MAX_ATTEMPTS", 8)
# A claimed row whose worker died is taken over after this many seconds (longer than the
# task time limit, so a slow but living worker keeps its rows).
NOTIFICATIONS_CLAIM_LEASE = envint("NOTIFICATIONS_CLAIM_LEASE", 600)
# A row handed to the broker and still unclaimed this many seconds after it was due: its task
# is taken as lost and the sweep hands it over again (beat's 30 s on top: within 2 minutes).
NOTIFICATIONS_REQUEUE_AFTER = envint("NOTIFICATIONS_REQUEUE_AFTER", 60)
# Feedback and acknowledgements arriving within this many seconds go out as one e-mail.
NOTIFICATIONS_GATHER_WINDOW = envint("NOTIFICATIONS_GATHER_WINDOW", 300)

# --- E-mail ---------------------------------------------------------------------------------

if os.environ.get("EMAIL_URL"):
    globals().update(email_settings(os.environ["EMAIL_URL"]))
else:
    EMAIL_BACKEND = os.environ.get(
        "EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend"
    )
    EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
    EMAIL_PORT = envint("EMAIL_PORT", 25)
    EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
    EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
    EMAIL_USE_TLS = envbool("EMAIL_USE_TLS", "false")
    EMAIL_USE_SSL = envbool("EMAIL_USE_SSL", "false")
    EMAIL_TIMEOUT = envint("EMAIL_TIMEOUT", 10)
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "Mentorship <noreply@localhost>")
SERVER_EMAIL = os.environ.get("SERVER_EMAIL", DEFAULT_FROM_EMAIL)

# --- Accounts -------------------------------------------------------------------------------

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
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

LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "home"
ACCOUNT_ADAPTER = "accounts.adapter.AccountAdapter"
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_SIGNUP_FORM_CLASS = "accounts.forms.SignupExtraForm"
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_CONFIRM_EMAIL_ON_GET = False
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = False
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
ACCOUNT_LOGIN_ON_PASSWORD_RESET = False
ACCOUNT_EMAIL_SUBJECT_PREFIX = ""
# Links in account e-mails use SITE_URL's scheme when it is set (a local docker compose stack
# serves plain http with DEBUG off), otherwise https in production.
ACCOUNT_DEFAULT_HTTP_PROTOCOL = (
    urlsplit(SITE_URL).scheme if os.environ.get("SITE_URL") else ("http" if DEBUG else "https")
)
ACCOUNT_PASSWORD_RESET_TIMEOUT = 60 * 60 * 24
PASSWORD_RESET_TIMEOUT = ACCOUNT_PASSWORD_RESET_TIMEOUT
# allauth's limits, spelled out so they are visible; they are counted in the cache.
ACCOUNT_RATE_LIMITS = {
    "login_failed": "10/m/ip,5/5m/key",
    "login": "30/m/ip",
    "signup": "20/m/ip",
    "confirm_email": "1/3m/key",
    "reset_password": "20/m/ip,5/m/key",
    "reset_password_from_key": "20/m/ip",
    "change_password": "5/m/user",
    "manage_email": "10/m/user",
}
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = SITE_NAME

# --- Forms, front end, static files -----------------------------------------------------------

FORM_RENDERER = "django.forms.renderers.TemplatesSetting"
CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
# Bootstrap and htmx come from the npm registry at set-up time (package.json) and are served
# from our own static files: no CDN at run time.
STATICFILES_DIRS = [
    BASE_DIR / "static",
    ("vendor/bootstrap", BASE_DIR / "node_modules" / "bootstrap" / "dist"),
    ("vendor/htmx", BASE_DIR / "node_modules" / "htmx.org" / "dist"),
]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}

LANGUAGE_CODE = "en"
# The interface's languages, each named in itself (the switcher shows them so). A signed-in
# person's choice (accounts.User.language) wins over the browser's Accept-Language.
LANGUAGES = [
    ("en", "English"),
    ("de", "Deutsch"),
    ("es", "Español"),
    ("fr", "Français"),
    ("pt-br", "Português (Brasil)"),
]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

# --- Security -------------------------------------------------------------------------------

SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = False  # htmx reads the token from the page, not the cookie.

CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        # Progress bars and charts set widths in style attributes; no <style> elements and no
        # inline scripts are allowed.
        "style-src-attr": ["'unsafe-inline'"],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}

if not DEBUG:
    SECURE_SSL_REDIRECT = envbool("SECURE_SSL_REDIRECT", "true")
    SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_HSTS_SECONDS = envint("SECURE_HSTS_SECONDS", 60 * 60 * 24 * 365)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = envbool("SECURE_HSTS_PRELOAD", "false")
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    if envbool("SECURE_HSTS_PRELOAD", "false") is False:
        # Preloading is a one-way decision an operator makes; not asking for it is deliberate.
        SILENCED_SYSTEM_CHECKS = ["security.W021"]

# --- Logging --------------------------------------------------------------------------------

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "INFO"}},
}
if CELERY_TASK_ALWAYS_EAGER:
    # Tasks run in the web process (and the schedule every few seconds): their "succeeded"
    # lines would bury the console's e-mails and requests. Failures still show.
    LOGGING["loggers"]["celery.app.trace"] = {"level": "WARNING"}

# --- REST API (api app) -----------------------------------------------------------------------

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        # First, so an anonymous call gets 401 with "WWW-Authenticate: Bearer".
        "api.authentication.BearerTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PAGINATION_CLASS": "api.pagination.Pagination",
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "PAGE_SIZE": 50,
    "DEFAULT_THROTTLE_CLASSES": [
        "api.throttling.AnonThrottle",
        "api.throttling.UserThrottle",
        "api.throttling.TokenThrottle",
    ],
    "DEFAULT_THROTTLE_RATES": {
        "anon": os.environ.get("API_THROTTLE_ANON", "60/minute"),
        "user": os.environ.get("API_THROTTLE_USER", "1200/minute"),
        "token": os.environ.get("API_THROTTLE_TOKEN", "600/minute"),
    },
    # JSON only: the browsable API's HTML forms would list every choice of a related field,
    # which is more than a user may see. The documentation lives at /api/docs/.
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    # DRF's parsers, with a JSON body nested too deep a 400 rather than a RecursionError.
    "DEFAULT_PARSER_CLASSES": [
        "api.parsers.JSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "EXCEPTION_HANDLER": "api.exceptions.exception_handler",
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
}
SPECTACULAR_SETTINGS = {
    "TITLE": f"{SITE_NAME} API",
    "DESCRIPTION": (
        "Goals, milestones, progress updates, feedback, pairings, check-ins, programs and "
        "notifications. Authenticate with a personal API token (Authorization: Bearer ...) "
        "from your profile, or with your browser session. Objects are addressed by UUID."
    ),
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_PERMISSIONS": ["rest_framework.permissions.AllowAny"],
    "SCHEMA_PATH_PREFIX": r"/api/v1",
    "COMPONENT_SPLIT_REQUEST": True,
    # Some readers see fewer fields (a program admin sees a goal's summary only), so fields
    # of a response are documented as optional.
    "COMPONENT_NO_READ_ONLY_REQUIRED": True,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "api.schema.add_error_responses",
    ],
    "ENUM_NAME_OVERRIDES": {
        "GoalStatusEnum": "goals.models.GoalStatus",
        "PairingStatusEnum": "mentorship.models.PairingStatus",
        "SurveyKindEnum": "mentorship.models.SurveyKind",
        "MilestoneKindEnum": "goals.kinds.MilestoneKind",
    },
}

"""Ginnel's settings: one module, every choice read from the environment.

See docs/deployment.md for each variable. Nothing exists only in production:
the demo, the tests and a live deployment all run this module.
"""

from __future__ import annotations

import ipaddress
import secrets
from datetime import timedelta
from pathlib import Path

import dj_database_url

from ginnel.env import ConfigurationError, env_bool, env_int, env_list, env_path, env_str

BASE_DIR = Path(__file__).resolve().parent

# Where Ginnel keeps its SQLite database, secret key and collected static files.
DATA_DIR = env_path("GINNEL_DATA_DIR", Path.home() / ".local" / "share" / "ginnel")

DEBUG = env_bool("GINNEL_DEBUG", False)


def _secret_key() -> str:
    """GINNEL_SECRET_KEY, or a key generated once and kept in the data directory."""
    from_env = env_str("GINNEL_SECRET_KEY", "")
    if from_env:
        if len(from_env) < 50:
            raise ConfigurationError("GINNEL_SECRET_KEY must be at least 50 characters long.")
        return from_env
    key_file = DATA_DIR / "secret_key"
    if key_file.exists():
        return key_file.read_text().strip()
    DATA_DIR.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(64)
    key_file.touch(mode=0o600)
    key_file.write_text(key)
    return key


SECRET_KEY = _secret_key()

ALLOWED_HOSTS = env_list("GINNEL_ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]"])
CSRF_TRUSTED_ORIGINS = env_list("GINNEL_CSRF_TRUSTED_ORIGINS", [])

# Behind TLS (every real deployment) set GINNEL_HTTPS=true: secure cookies,
# redirect to https and HSTS. The demo on 127.0.0.1 runs over plain http.
HTTPS = env_bool("GINNEL_HTTPS", False)
SESSION_COOKIE_SECURE = HTTPS
CSRF_COOKIE_SECURE = HTTPS
SECURE_SSL_REDIRECT = HTTPS
SECURE_HSTS_SECONDS = env_int("GINNEL_HSTS_SECONDS", 31_536_000 if HTTPS else 0, minimum=0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("GINNEL_HSTS_INCLUDE_SUBDOMAINS", HTTPS)
SECURE_HSTS_PRELOAD = env_bool("GINNEL_HSTS_PRELOAD", False)
if env_bool("GINNEL_BEHIND_PROXY", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_AGE = env_int("GINNEL_SESSION_SECONDS", 60 * 60 * 12, minimum=300)
X_FRAME_OPTIONS = "DENY"

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_htmx",
    "axes",
    "ginnel.people",
    "ginnel.communities",
    "ginnel.timebank",
    "ginnel.directory",
    "ginnel.network",
    "ginnel.matching",
    "ginnel.referrals",
    "ginnel.notifications",
    "ginnel.audit",
    "ginnel.web",
    "ginnel.ui",
    "ginnel.demo",
    "ginnel.bench",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # No inline script or style, our own origin only (docs/deployment.md, "Security headers").
    "ginnel.web.csp.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    # Last, as django-axes asks: it turns a lockout into our own page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "ginnel.urls"
FORM_RENDERER = "ginnel.ui.forms.GinnelFormRenderer"
WSGI_APPLICATION = "ginnel.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "ginnel.communities.context_processors.communities",
            ],
        },
    },
]

# Databases: DATABASE_URL picks PostgreSQL (postgres://user@host:5432/name);
# without it Ginnel uses SQLite in the data directory, in WAL mode.
DATABASE_URL = env_str("DATABASE_URL", "")
if DATABASE_URL:
    if not DATABASE_URL.startswith(("postgres://", "postgresql://", "sqlite://")):
        raise ConfigurationError(
            "DATABASE_URL must start with postgres://, postgresql:// or sqlite://."
        )
    _database = dict(
        dj_database_url.parse(
            DATABASE_URL,
            conn_max_age=env_int("GINNEL_DB_CONN_MAX_AGE", 60, minimum=0),
            conn_health_checks=True,
        )
    )
else:
    DATA_DIR.mkdir(parents=True, exist_ok=True)
    _database = {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": str(DATA_DIR / "ginnel.sqlite3"),
    }

if _database["ENGINE"] == "django.db.backends.sqlite3":
    _database["OPTIONS"] = {
        # Writers wait for each other instead of failing at once.
        "timeout": env_int("GINNEL_SQLITE_BUSY_TIMEOUT", 20, minimum=1),
        # Take the write lock when a transaction starts, so two writers
        # never deadlock upgrading read locks.
        "transaction_mode": "IMMEDIATE",
        "init_command": (
            "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;"
        ),
    }
    _database["TEST"] = {"NAME": env_str("GINNEL_SQLITE_TEST_NAME", "") or None}

DATABASES = {"default": _database}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "people.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
# Five wrong passwords for one account from one address lock it for 15 minutes.
AXES_ENABLED = env_bool("GINNEL_LOGIN_LOCKOUT", True)
AXES_FAILURE_LIMIT = env_int("GINNEL_LOGIN_FAILURES", 5, minimum=1)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("GINNEL_LOGIN_LOCKOUT_MINUTES", 15, minimum=1))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_USERNAME_FORM_FIELD = "username"
# Counted per address as stored (lower-case), whatever case was typed.
AXES_USERNAME_CALLABLE = "ginnel.people.models.login_key"
AXES_LOCKOUT_TEMPLATE = "web/locked_out.html"
AXES_RESET_ON_SUCCESS = True
AXES_VERBOSE = False
# Behind a reverse proxy: the proxies (addresses or networks) whose X-Forwarded-For is
# believed. Empty, the header is ignored. See docs/deployment.md.
GINNEL_TRUSTED_PROXIES = env_list("GINNEL_TRUSTED_PROXIES", [])
for _proxy in GINNEL_TRUSTED_PROXIES:
    try:
        ipaddress.ip_network(_proxy, strict=False)
    except ValueError:
        raise ConfigurationError(
            f"GINNEL_TRUSTED_PROXIES: {_proxy!r} is not an address or network (e.g. 10.0.0.0/8)."
        ) from None
AXES_CLIENT_IP_CALLABLE = "ginnel.web.client_ip.client_ip"
LOGIN_URL = "web:login"
LOGIN_REDIRECT_URL = "web:home"
LOGOUT_REDIRECT_URL = "web:home"

PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
if env_bool("GINNEL_FAST_PASSWORD_HASHER", False):
    # Tests only: they create hundreds of accounts, and Argon2 is slow on
    # purpose. Never set this on a live site.
    PASSWORD_HASHERS.insert(0, "django.contrib.auth.hashers.MD5PasswordHasher")

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en-gb"
# Every word a person reads goes through Django's translation functions, so a
# Welsh catalogue (ginnel/locale/cy/LC_MESSAGES/django.po) is all Welsh needs.
# The language follows the browser (LocaleMiddleware); English is the fallback.
LANGUAGES = [("en-gb", "English"), ("cy", "Cymraeg")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = env_str("GINNEL_TIME_ZONE", "Europe/London")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = env_path("GINNEL_STATIC_ROOT", DATA_DIR / "static")
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
# Serve app static files straight from the package, so neither the demo nor
# the tests need a collectstatic step; a deployment may still collect them.
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG

# Directory imports: a feed larger than this many bytes is refused before it is read
# (docs/privacy.md, "Hardening: links, text and memory").
GINNEL_IMPORT_MAX_BYTES = env_int("GINNEL_IMPORT_MAX_BYTES", 50 * 1024 * 1024, minimum=1)

# Directory maps: a tile server's address with {z}, {x} and {y}, and the credit its
# licence asks for. Empty (the default): no map and no request to anyone else's server.
GINNEL_MAP_TILES = env_str("GINNEL_MAP_TILES", "")
GINNEL_MAP_ATTRIBUTION = env_str("GINNEL_MAP_ATTRIBUTION", "")

# AGPL section 13: where people using this site can get its source code.
SOURCE_URL = env_str("GINNEL_SOURCE_URL", "")

# The address people reach this site at (https://ginnel.example.org), for links in emails
# sent outside a request, such as letters to referrers. Empty: the emails give the path.
SITE_URL = env_str("GINNEL_SITE_URL", "").rstrip("/")

# Email: reminders and notifications. The console backend prints them; a
# deployment sets SMTP.
EMAIL_BACKEND = env_str("GINNEL_EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = env_str("GINNEL_EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("GINNEL_EMAIL_PORT", 587, minimum=1)
EMAIL_HOST_USER = env_str("GINNEL_EMAIL_USER", "")
EMAIL_HOST_PASSWORD = env_str("GINNEL_EMAIL_PASSWORD", "")
EMAIL_USE_TLS = env_bool("GINNEL_EMAIL_TLS", True)
DEFAULT_FROM_EMAIL = env_str("GINNEL_FROM_EMAIL", "ginnel@localhost")

# GOV.UK Notify (notifications): an API key turns on text messages and letters; each channel
# uses one template in Notify whose personalisation is ((subject)) and ((body)) (letters also
# ((address_line_1)) to ((address_line_7))). Email goes through Django's backend unless
# GINNEL_NOTIFY_EMAIL_CHANNEL=notify. The base URL is changed only for tests (a local fake).
GINNEL_NOTIFY_API_KEY = env_str("GINNEL_NOTIFY_API_KEY", "")
GINNEL_NOTIFY_BASE_URL = env_str("GINNEL_NOTIFY_BASE_URL", "")  # empty: the client's own
GINNEL_NOTIFY_EMAIL_TEMPLATE = env_str("GINNEL_NOTIFY_EMAIL_TEMPLATE", "")
GINNEL_NOTIFY_SMS_TEMPLATE = env_str("GINNEL_NOTIFY_SMS_TEMPLATE", "")
GINNEL_NOTIFY_LETTER_TEMPLATE = env_str("GINNEL_NOTIFY_LETTER_TEMPLATE", "")
GINNEL_NOTIFY_EMAIL_CHANNEL = env_str("GINNEL_NOTIFY_EMAIL_CHANNEL", "django")
if GINNEL_NOTIFY_EMAIL_CHANNEL not in {"django", "notify"}:
    raise ConfigurationError(
        "GINNEL_NOTIFY_EMAIL_CHANNEL must be django or notify, "
        f"not {GINNEL_NOTIFY_EMAIL_CHANNEL!r}."
    )

# The job queue (docs/deployment.md, "Processes"): Celery with a Redis broker runs sending,
# digests and reminders in `ginnel worker`, on `ginnel beat`'s schedule (ginnel/jobs.py).
# Without GINNEL_BROKER_URL every task runs inline where it is asked for (the demo, SQLite,
# the tests): no worker, no beat, no Redis. Tasks are acknowledged after they finish and
# one at a time, so a worker killed mid-task leaves its task for another; the outbox rows
# in the database, swept every GINNEL_SWEEP_SECONDS, make sure nothing waits for the broker.
CELERY_BROKER_URL = env_str("GINNEL_BROKER_URL", "")
CELERY_TASK_ALWAYS_EAGER = not CELERY_BROKER_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_IGNORE_RESULT = True
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BROKER_TRANSPORT_OPTIONS = {
    # A task taken by a worker that then vanished is handed out again after this long.
    "visibility_timeout": env_int("GINNEL_BROKER_VISIBILITY_TIMEOUT", 3600, minimum=60),
    "socket_connect_timeout": 3,
}
# A web request handing work to a broker that is down gives up quickly (the sweep sends it).
CELERY_TASK_PUBLISH_RETRY_POLICY = {"max_retries": 1, "interval_start": 0, "interval_step": 0.5}
CELERY_TIMEZONE = TIME_ZONE
CELERY_WORKER_HIJACK_ROOT_LOGGER = False
CELERY_BEAT_SCHEDULE_FILENAME = str(DATA_DIR / "celerybeat-schedule")
# How often the outbox is swept for deliveries due (retries, and any the broker lost).
GINNEL_SWEEP_SECONDS = env_int("GINNEL_SWEEP_SECONDS", 60, minimum=1)
# A failed send waits this long before its second try, doubling each time (at most an hour).
GINNEL_SEND_BACKOFF_SECONDS = env_int("GINNEL_SEND_BACKOFF_SECONDS", 60, minimum=1)
# A send claimed this long ago and never finished (a worker killed) is taken for cut off:
# the provider is asked whether it has it, and it is sent again only if not.
GINNEL_SEND_LEASE_SECONDS = env_int("GINNEL_SEND_LEASE_SECONDS", 300, minimum=1)

MESSAGE_STORAGE = "django.contrib.messages.storage.session.SessionStorage"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("GINNEL_LOG_LEVEL", "WARNING")},
}

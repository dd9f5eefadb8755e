"""Settings for the city petition portal: one module, everything in it.

Optional services are switched on by environment variables and every one has a
working embedded default, so `python3 dev.py run` works on a machine that has
nothing but Python:

- DATABASE_URL  unset -> SQLite in var/portal.sqlite3; set -> PostgreSQL (or any dj-database-url URL)
- REDIS_URL     unset -> local-memory cache and a filesystem Celery broker in var/;
                set   -> Redis for the cache and the Celery broker
"""
import sys
from pathlib import Path

import dj_database_url
from celery.schedules import crontab
from django.utils.translation import gettext_lazy as _
from django.core.exceptions import ImproperlyConfigured

from config.env import env_bool, env_choice, env_int, env_list, env_rate, env_str, env_time_range, env_url

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(env_str("PORTAL_VAR_DIR", str(BASE_DIR / "var")))
VAR_DIR.mkdir(parents=True, exist_ok=True)

DEBUG = env_bool("DJANGO_DEBUG", False)
SECRET_KEY = env_str("DJANGO_SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG and env_bool("DJANGO_REQUIRE_SECRET_KEY", False):
        from django.core.exceptions import ImproperlyConfigured

        raise ImproperlyConfigured("DJANGO_SECRET_KEY must be set in production")
    SECRET_KEY = "insecure-development-key-change-me-0123456789abcdefghijklmnopqrstuvwxyz"
# The 三民 voting codes' own key (docs/sanmin.md): only a keyed hash of each code is stored, so rotating
# DJANGO_SECRET_KEY must not invalidate the codes printed for ~10,000 representatives.
PORTAL_SANMIN_CODE_KEY = env_str("PORTAL_SANMIN_CODE_KEY", "")
if not PORTAL_SANMIN_CODE_KEY:
    if not DEBUG and env_bool("DJANGO_REQUIRE_SECRET_KEY", False):
        from django.core.exceptions import ImproperlyConfigured

        raise ImproperlyConfigured("PORTAL_SANMIN_CODE_KEY must be set in production")
    PORTAL_SANMIN_CODE_KEY = "insecure-development-sanmin-code-key-change-me"
ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]", "testserver"])
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "rest_framework.authtoken",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "import_export",
    "config.axes_app.AxesConfig",  # django-axes, with a translated name
    # Domain apps, in dependency order: each imports only those above it.
    "org",
    "notifications",
    "supervision",
    "petitions",
    "dispatch",
    "evaluation",
    "disclosure",
    # The knowledge base: articles operators answer from and citizens read as the FAQ.
    "knowledge",
    # Interfaces for integrators, on top of the domain apps.
    "open311",
    # The citizen's own pages ("my petitions"): reads petitions, requests, sign-ups and suggestions.
    "citizens",
    # The hotline workbench: the operators' and dispatchers' consoles.
    "hotline",
    # Every intake channel with its own integration: WeChat, 110, grid workers, enterprises, the mailbox.
    "channels",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_ratelimit.middleware.RatelimitMiddleware",  # a refused request -> RATELIMIT_VIEW (429)
    "axes.middleware.AxesMiddleware",  # last, as django-axes requires
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"
ASGI_APPLICATION = "config.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "org.context_processors.portal",
                "notifications.context_processors.inbox",
            ],
        },
    },
]

# --- Database -----------------------------------------------------------------
DATABASE_URL = env_url("DATABASE_URL", schemes=("postgres", "postgresql", "sqlite", "pgsql"))
# runserver serves every request in a new thread and nothing closes that thread's connection when
# it ends: with persistent connections each request left one open, until PostgreSQL refused every
# client on the machine (issue 13). So runserver and DEBUG close them after each request; gunicorn
# and Celery keep theirs for DATABASE_CONN_MAX_AGE seconds, checked before reuse (a restarted
# PostgreSQL costs no failed request).
_runserver = sys.argv[1:2] == ["runserver"]
_conn_max_age = 0 if _runserver else env_int("DATABASE_CONN_MAX_AGE", 0 if DEBUG else 60, minimum=0)
if DATABASE_URL:
    DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=_conn_max_age, conn_health_checks=True)}
else:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": VAR_DIR / "portal.sqlite3",
            # SQLite serialises writers; a generous timeout lets the dev worker,
            # beat and the web process share the file without "database is locked".
            "OPTIONS": {"timeout": 20, "transaction_mode": "IMMEDIATE"},
        }
    }
IS_POSTGRES = DATABASES["default"]["ENGINE"].endswith(("postgresql", "postgis"))
# A read replica for reports (docs/scaling.md): writes stay on default.
DATABASE_REPLICA_URL = env_url("DATABASE_REPLICA_URL", schemes=("postgres", "postgresql", "sqlite", "pgsql"))
if DATABASE_REPLICA_URL:
    DATABASES["replica"] = {**dj_database_url.parse(DATABASE_REPLICA_URL), "TEST": {"MIRROR": "default"}}
DATABASE_ROUTERS = ["config.db_router.ReportsRouter"]
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
# DailyStat's uniqueness constraint needs NULLS NOT DISTINCT, which SQLite lacks; there the
# refresh (delete then insert, in one transaction) is what keeps one row per day and scope.
SILENCED_SYSTEM_CHECKS = ["models.W047"]

# --- Cache and Celery ----------------------------------------------------------
REDIS_URL = env_url("REDIS_URL", schemes=("redis", "rediss"))
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "lib.rediscache.ReusingRedisCache",  # one redis-py client per pool (lib/rediscache.py)
            "LOCATION": REDIS_URL,
            # Parallel test workers (and test runs) share one Redis: keep their keys apart.
            "KEY_PREFIX": env_str("PORTAL_CACHE_PREFIX", "") + env_str("PYTEST_XDIST_WORKER", ""),
        }
    }
    CELERY_BROKER_URL = REDIS_URL
    # A task not acknowledged within this time is redelivered; our tasks are
    # short sweeps, so one hour is ample (and we never use long ETA tasks).
    CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 3600}
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    _broker_dir = VAR_DIR / "celery-broker"
    for _folder in ("queue", "processed", "control"):
        (_broker_dir / _folder).mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_URL = "filesystem://"
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_broker_dir / "queue"),
        "data_folder_out": str(_broker_dir / "queue"),
        "processed_folder": str(_broker_dir / "processed"),
        # The exchange tables; kombu's default is control/ in the working directory (the checkout).
        "control_folder": str(_broker_dir / "control"),
        "store_processed": False,
    }
CELERY_TASK_ALWAYS_EAGER = env_bool("CELERY_TASK_ALWAYS_EAGER", False)
CELERY_TASK_ACKS_LATE = True  # a worker killed mid-task leaves the task to be redelivered
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_IGNORE_RESULT = True
CELERY_TIMEZONE = "Asia/Shanghai"
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")
# Sweeps, not one ETA task per petition (docs/development.md: timers are columns). Every
# sweep is idempotent, so a second beat started by mistake does no harm.
CELERY_BEAT_SCHEDULE: dict = {
    "deadlines": {"task": "dispatch.tasks.sweep_deadlines", "schedule": 60.0},
    "waiting-clocks": {"task": "dispatch.tasks.sweep_waiting_clocks", "schedule": 60.0},
    "open-work-recount": {"task": "dispatch.tasks.recount_open_work", "schedule": crontab(minute=50, hour=3)},
    "escalations": {"task": "supervision.tasks.sweep_escalations", "schedule": 300.0},
    "dispatch-stragglers": {"task": "dispatch.tasks.dispatch_stragglers", "schedule": 300.0},
    "outbox": {"task": "notifications.tasks.sweep_outbox", "schedule": 60.0},
    "channel-nonces": {"task": "channels.tasks.sweep_replay_guard", "schedule": 600.0},
    "callback-reminders": {"task": "dispatch.tasks.remind_callbacks", "schedule": 900.0},
    "sanmin-voting-reminders": {"task": "evaluation.tasks.sanmin_voting_reminders", "schedule": 3600.0},
    "units-daily-digest": {"task": "dispatch.tasks.daily_digest", "schedule": crontab(minute=30, hour=8)},
    "stats": {"task": "evaluation.tasks.refresh_stats", "schedule": 300.0},
    "daily-report": {"task": "evaluation.tasks.generate_report", "args": ["daily"], "schedule": crontab(minute=10, hour=0)},
    "weekly-report": {"task": "evaluation.tasks.generate_report", "args": ["weekly"],
                      "schedule": crontab(minute=20, hour=0, day_of_week=1)},
    "monthly-report": {"task": "evaluation.tasks.generate_report", "args": ["monthly"],
                       "schedule": crontab(minute=30, hour=0, day_of_month=1)},
    "annual-report": {"task": "evaluation.tasks.generate_report", "args": ["annual"],
                      "schedule": crontab(minute=40, hour=0, day_of_month=1, month_of_year=1)},
    "disclosure": {"task": "disclosure.tasks.sweep", "schedule": crontab(minute=5)},
    "lookback": {"task": "dispatch.tasks.lookback_monthly", "schedule": crontab(minute=30, hour=2, day_of_month=1)},
    # Idempotency-Keys are remembered 24 hours; their stored answers hold masked personal data (petitions/idempotency.py).
    "idempotency-keys": {"task": "petitions.tasks.sweep_idempotency_records", "schedule": 3600.0},
    # The classification suggestions learn from the petitions classified so far (petitions/suggest.py).
    "suggester": {"task": "petitions.tasks.train_suggester", "schedule": crontab(minute=15, hour=3)},
}

# --- Auth ------------------------------------------------------------------------
AUTH_USER_MODEL = "org.User"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "home"

# --- Internationalisation: Chinese first -------------------------------------------
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

# --- Static and media -----------------------------------------------------------------
STATIC_URL = "/static/"
WHITENOISE_USE_FINDERS = DEBUG
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = Path(env_str("DJANGO_STATIC_ROOT", str(VAR_DIR / "static")))
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(env_str("DJANGO_MEDIA_ROOT", str(VAR_DIR / "media")))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if env_bool("DJANGO_MANIFEST_STATIC", False)
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}
# Uploads: what a citizen may attach (DOMAIN.md section 3; issue 2).
PORTAL_UPLOAD_MAX_BYTES = env_int("PORTAL_UPLOAD_MAX_BYTES", 10 * 1024 * 1024, minimum=1024)
PORTAL_UPLOAD_MAX_FILES = env_int("PORTAL_UPLOAD_MAX_FILES", 5, minimum=1)
# A file past PORTAL_UPLOAD_MAX_BYTES is refused as it streams (lib/upload_handlers.py), so
# it is never read whole; a request above 2 MB puts its files in temporary files; the form
# fields besides files stay under 2.5 MB (Django's default; the longest text is 5,000 characters).
FILE_UPLOAD_HANDLERS = [
    "lib.upload_handlers.UploadSizeLimitHandler",
    "django.core.files.uploadhandler.MemoryFileUploadHandler",
    "django.core.files.uploadhandler.TemporaryFileUploadHandler",
]
DATA_UPLOAD_MAX_MEMORY_SIZE = int(2.5 * 1024 * 1024)
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024

# --- Security -----------------------------------------------------------------------------
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = env_bool("DJANGO_SECURE_COOKIES", env_bool("DJANGO_HTTPS", False))
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SECURE_SSL_REDIRECT = env_bool("DJANGO_HTTPS", False)
SECURE_HSTS_SECONDS = env_int("DJANGO_HSTS_SECONDS", 0, minimum=0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("DJANGO_HSTS_INCLUDE_SUBDOMAINS", SECURE_HSTS_SECONDS > 0)
SECURE_HSTS_PRELOAD = env_bool("DJANGO_HSTS_PRELOAD", SECURE_HSTS_SECONDS > 0)
# Login lockout (django-axes): 5 failures for a username from an address lock it for 15 minutes.
# Before it, org.login_guard refuses every login from an address with too many failures across
# accounts (PORTAL_RATE_LOGIN_FAILURES), which a per-username lock cannot see (docs/security.md).
AUTHENTICATION_BACKENDS = ["org.login_guard.AddressFailureBackend", "axes.backends.AxesStandaloneBackend",
                           "django.contrib.auth.backends.ModelBackend"]
AXES_CLIENT_IP_CALLABLE = "lib.client_ip.client_ip"
AXES_FAILURE_LIMIT = env_int("PORTAL_LOGIN_FAILURE_LIMIT", 5, minimum=1)
AXES_COOLOFF_TIME = env_int("PORTAL_LOGIN_COOLOFF_MINUTES", 15, minimum=1) / 60  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked.html"
AXES_VERBOSE = False
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if env_bool("DJANGO_BEHIND_PROXY", False) else None
# How many proxies of ours stand in front of the application; the client's address is the Nth
# from the right of X-Forwarded-For. 0: the header is ignored, REMOTE_ADDR only (lib/client_ip.py).
PORTAL_TRUSTED_PROXIES = env_int("PORTAL_TRUSTED_PROXIES", 0, minimum=0)

# --- Rate limits (lib/ratelimits.py) -------------------------------------------------------
# Per client address, read at request time; a refused request is a 429 and stores nothing.
PORTAL_RATE_FILE = env_rate("PORTAL_RATE_FILE", "20/h")  # petition form and anonymous API filing
PORTAL_RATE_TRACK = env_rate("PORTAL_RATE_TRACK", "60/h")  # tracking and rating lookups, web and API, everyone
PORTAL_RATE_SUPPLEMENT = env_rate("PORTAL_RATE_SUPPLEMENT", "20/h")  # a citizen's further materials
# Lookups with one phone and a wrong number, per hour, from any address: past it that phone finds nothing for the
# hour (someone who knows a reporter's phone trying the day's tracking numbers; petitions.services.tracking_lookup).
PORTAL_TRACK_PHONE_FAILURES = env_int("PORTAL_TRACK_PHONE_FAILURES", 10, minimum=1)
PORTAL_RATE_OPEN311_READ = env_rate("PORTAL_RATE_OPEN311_READ", "600/h")
PORTAL_RATE_OPEN311_WRITE = env_rate("PORTAL_RATE_OPEN311_WRITE", "600/h")
PORTAL_RATE_INFO_REQUEST = env_rate("PORTAL_RATE_INFO_REQUEST", "10/h")
PORTAL_RATE_EVENT = env_rate("PORTAL_RATE_EVENT", "20/h")  # event sign-up and inspection rating
PORTAL_RATE_QA_VOTE = env_rate("PORTAL_RATE_QA_VOTE", "60/h")
# Views and helpful votes that count towards "most asked" (FAQ, policy Q&A), per address (lib/counting.py).
PORTAL_RATE_FAQ_COUNT = env_rate("PORTAL_RATE_FAQ_COUNT", "120/h")
PORTAL_RATE_SUGGESTION = env_rate("PORTAL_RATE_SUGGESTION", "10/h")  # 三民 suggestions
# 三民 voting: wrong codes per address (guessing), and every post of the voting page per address: a community
# voting station's one address serves a room of voters, two or three posts each (docs/sanmin.md).
PORTAL_RATE_VOTING_CODE = env_rate("PORTAL_RATE_VOTING_CODE", "20/h")
PORTAL_RATE_VOTING = env_rate("PORTAL_RATE_VOTING", "600/h")
PORTAL_RATE_MY_CODE = env_rate("PORTAL_RATE_MY_CODE", "20/h")  # "my petitions": code requests and checks
# "My petitions": the one-time SMS code's life and the signed-in session's (docs/notifications.md).
PORTAL_MY_CODE_MINUTES = env_int("PORTAL_MY_CODE_MINUTES", 10, minimum=1)
# Codes sent to one phone in 24 hours, whichever addresses ask: a script on many addresses cannot flood a
# stranger's phone (SMS bombing) beyond this, on top of one a minute and five an hour (citizens/services.py).
PORTAL_MY_CODE_PER_DAY = env_int("PORTAL_MY_CODE_PER_DAY", 10, minimum=1)
PORTAL_MY_SESSION_MINUTES = env_int("PORTAL_MY_SESSION_MINUTES", 30, minimum=1)
PORTAL_RATE_LOGIN_FAILURES = env_rate("PORTAL_RATE_LOGIN_FAILURES", "20/h")  # failed logins, all accounts
# Off only for load tests (benchmarks/): never in production.
RATELIMIT_ENABLE = env_bool("PORTAL_RATE_LIMITS", True)
RATELIMIT_VIEW = "config.errors.too_many_requests"
RATELIMIT_IP_META_KEY = "lib.client_ip.client_ip"
# django_ratelimit is not in INSTALLED_APPS on purpose: its system check rejects the local-memory
# cache, which is what `dev.py run` uses (one process, so its counters are exact there). Production
# sets REDIS_URL, and every worker then shares the counters.

# The site's own error pages (config/errors.py, templates/400.html ...).
CSRF_FAILURE_VIEW = "config.errors.csrf_failure"

# --- Spreadsheet import/export in the admin (django-import-export) ----------------------
# Without these, every staff member may import and export every model that has the screens.
# With them, each needs `<app>.import_<model>` / `<app>.export_<model>`, which only platform
# administrators hold (org/roles.py); a model without the permission is closed to all but superusers.
IMPORT_EXPORT_IMPORT_PERMISSION_CODE = "import"
IMPORT_EXPORT_EXPORT_PERMISSION_CODE = "export"

# --- REST framework ---------------------------------------------------------------------
REST_FRAMEWORK = {
    # Token first, so an unauthenticated call gets 401 with a WWW-Authenticate header.
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.TokenAuthentication",
        "petitions.api_support.ApiKeyAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "lib.drf.exception_handler",
    # Throttles are lib.ratelimits.AddressThrottle subclasses reading PORTAL_RATE_* (above).
}
SPECTACULAR_SETTINGS = {
    "TITLE": "City petition portal API",
    "DESCRIPTION": "REST v1 for citizens, units, dispatchers, supervisors and the public (docs/api.md).",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    # Swagger UI and Redoc from the vendored drf-spectacular-sidecar package: no CDN.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # No validator badge fetched from validator.swagger.io: the docs load nothing from outside.
    "SWAGGER_UI_SETTINGS": {"deepLinking": True, "validatorUrl": None},
    "COMPONENT_SPLIT_REQUEST": True,
    "ENUM_NAME_OVERRIDES": {
        "PetitionStatusEnum": "petitions.models.Status",
        "PetitionKindEnum": "petitions.models.Kind",
        "PetitionChannelEnum": "petitions.models.Channel",
        "AssignmentStatusEnum": "dispatch.models.AssignmentStatus",
        "CaseStatusEnum": "supervision.models.CaseStatus",
        "CaseKindEnum": "supervision.models.CaseKind",
    },
}

# --- E-mail -----------------------------------------------------------------------------------
EMAIL_BACKEND = env_str("DJANGO_EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = env_str("DJANGO_EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("DJANGO_EMAIL_PORT", 25, minimum=1)
DEFAULT_FROM_EMAIL = env_str("DJANGO_DEFAULT_FROM_EMAIL", "12345@portal.example.gov.cn")
EMAIL_HOST_USER = env_str("DJANGO_EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = env_str("DJANGO_EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("DJANGO_EMAIL_USE_TLS", False)
# Every outbox delivery ends within seconds (SMS gateways, WeChat and webhooks have their own timeouts): a
# hung SMTP server must not hold a batch past the outbox's reclaim window (docs/notifications.md).
EMAIL_TIMEOUT = 10
# SMS: a dotted path to a notifications.backends.SmsBackend (console, file, or an HTTP gateway).
PORTAL_SMS_BACKEND = env_str("PORTAL_SMS_BACKEND", "notifications.backends.FileSmsBackend" if not DATABASE_URL
                             else "notifications.backends.ConsoleSmsBackend")
PORTAL_SMS_URL = env_str("PORTAL_SMS_URL", "")
PORTAL_SMS_FILE = env_str("PORTAL_SMS_FILE", str(VAR_DIR / "sms.log"))
PORTAL_SMS_TOKEN = env_str("PORTAL_SMS_TOKEN", "")
# Alibaba Cloud SMS (PORTAL_SMS_BACKEND=notifications.sms_providers.AliyunSmsBackend, docs/notifications.md):
# the portal's text goes as the one parameter of an approved template such as "${content}".
PORTAL_SMS_ALIYUN_ACCESS_KEY_ID = env_str("PORTAL_SMS_ALIYUN_ACCESS_KEY_ID", "")
PORTAL_SMS_ALIYUN_ACCESS_KEY_SECRET = env_str("PORTAL_SMS_ALIYUN_ACCESS_KEY_SECRET", "")
PORTAL_SMS_ALIYUN_SIGN_NAME = env_str("PORTAL_SMS_ALIYUN_SIGN_NAME", "")
PORTAL_SMS_ALIYUN_TEMPLATE_CODE = env_str("PORTAL_SMS_ALIYUN_TEMPLATE_CODE", "")
PORTAL_SMS_ALIYUN_ENDPOINT = (env_url("PORTAL_SMS_ALIYUN_ENDPOINT", schemes=("https", "http"))
                              or "https://dysmsapi.aliyuncs.com")
if PORTAL_SMS_BACKEND == "notifications.sms_providers.AliyunSmsBackend":
    import re as _re

    from django.core.exceptions import ImproperlyConfigured

    _missing = [name for name in ("PORTAL_SMS_ALIYUN_ACCESS_KEY_ID", "PORTAL_SMS_ALIYUN_ACCESS_KEY_SECRET",
                                  "PORTAL_SMS_ALIYUN_SIGN_NAME", "PORTAL_SMS_ALIYUN_TEMPLATE_CODE")
                if not globals()[name].strip()]
    if _missing:
        raise ImproperlyConfigured(f"The Alibaba Cloud SMS backend needs {', '.join(_missing)}")
    if not _re.fullmatch(r"SMS_\d+", PORTAL_SMS_ALIYUN_TEMPLATE_CODE):
        raise ImproperlyConfigured("PORTAL_SMS_ALIYUN_TEMPLATE_CODE must look like SMS_123456789, "
                                   f"got {PORTAL_SMS_ALIYUN_TEMPLATE_CODE!r}")
# Non-urgent SMS wait for the morning inside these hours, Beijing time (docs/notifications.md).
PORTAL_QUIET_HOURS = env_time_range("PORTAL_QUIET_HOURS", "21:00-08:00")
# Office hours of a working day (Beijing time): the yellow warning comes at 75% of the working time and
# never outside them (dispatch.deadlines.warn_at).
PORTAL_OFFICE_HOURS = env_time_range("PORTAL_OFFICE_HOURS", "09:00-17:00")
if PORTAL_OFFICE_HOURS[0] >= PORTAL_OFFICE_HOURS[1]:
    raise ImproperlyConfigured("PORTAL_OFFICE_HOURS must open before it closes, e.g. 09:00-17:00")
# Personal links in citizens' messages stay valid this many days (revocable at any time).
PORTAL_LINK_MAX_AGE_DAYS = env_int("PORTAL_LINK_MAX_AGE_DAYS", 180, minimum=1)
# Where the links in messages point: the site's public address.
PORTAL_PUBLIC_URL = env_str("PORTAL_PUBLIC_URL", "http://127.0.0.1:8000").rstrip("/")

# --- The portal's own rules -----------------------------------------------------------
PORTAL_CITY_NAME = env_str("PORTAL_CITY_NAME", "青岛市")
# The city's district and street boundaries (GeoJSON; org/data/build_geo.py draws the demo city's), and an
# optional tile server for the map behind them (none by default: the map is drawn from the boundaries alone).
PORTAL_GEOJSON = env_str("PORTAL_GEOJSON", str(BASE_DIR / "static" / "geo" / "qingdao.geojson"))
PORTAL_MAP_TILES_URL = env_str("PORTAL_MAP_TILES_URL", "")

# Intake channels (docs/channels.md). Credentials live in Admin → Channel sources; these are the endpoints
# of WeChat's API (tests point them at a local fake) and the inbound limits every channel shares.
PORTAL_WECHAT_API_URL = (env_url("PORTAL_WECHAT_API_URL", schemes=("https", "http"))
                         or "https://api.weixin.qq.com/").rstrip("/") + "/"
PORTAL_WECHAT_OAUTH_URL = (env_url("PORTAL_WECHAT_OAUTH_URL", schemes=("https", "http"))
                           or "https://open.weixin.qq.com/connect/").rstrip("/") + "/"
# A signed inbound message older or newer than this many seconds is a replay (and its nonce is kept this long).
PORTAL_CHANNEL_REPLAY_SECONDS = env_int("PORTAL_CHANNEL_REPLAY_SECONDS", 300, minimum=30)
# The largest body the WeChat endpoint and the 110 endpoint read; anything larger is refused with 413.
PORTAL_CHANNEL_MAX_BYTES = env_int("PORTAL_CHANNEL_MAX_BYTES", 64 * 1024, minimum=1024)
# The footer lines a Chinese government site carries (网站标识码, ICP备案号, 公安备案号, 主办单位, contact).
PORTAL_FOOTER = {
    "sponsor": env_str("PORTAL_FOOTER_SPONSOR", "青岛市人民政府办公厅（示例）"),
    "contact": env_str("PORTAL_FOOTER_CONTACT", "12345@portal.example.gov.cn"),
    "site_code": env_str("PORTAL_SITE_CODE", "3702000000"),
    "icp": env_str("PORTAL_ICP", "鲁ICP备00000000号（示例）"),
    "psb": env_str("PORTAL_PSB", "鲁公网安备 37020000000000号（示例）"),
}
# Dispatch at intake: "auto" sends at once; "confirm" proposes and a dispatcher confirms.
PORTAL_DISPATCH_MODE = env_choice("PORTAL_DISPATCH_MODE", "auto", ("auto", "confirm"))
# Repeated complaints: window in days within which the same phone, or the same place
# and classification, counts as a repeat (DOMAIN.md section 6).
PORTAL_REPEAT_WINDOW_DAYS = env_int("PORTAL_REPEAT_WINDOW_DAYS", 30, minimum=1)
# Supervision (DOMAIN.md section 6, docs/supervision.md).
PORTAL_URGENT_SIGN_MINUTES = env_int("PORTAL_URGENT_SIGN_MINUTES", 60, minimum=1)
PORTAL_ESCALATION_WORKDAYS = env_int("PORTAL_ESCALATION_WORKDAYS", 3, minimum=1)
PORTAL_NOTICE_REPLY_WORKDAYS = env_int("PORTAL_NOTICE_REPLY_WORKDAYS", 2, minimum=1)
PORTAL_REPEAT_NOTICE_THRESHOLD = env_int("PORTAL_REPEAT_NOTICE_THRESHOLD", 3, minimum=2)
# Nothing waits without a clock (docs/supervision.md): joint consultation, the callback, a unit's pauses.
PORTAL_CONSULTATION_WORKING_DAYS = env_int("PORTAL_CONSULTATION_WORKING_DAYS", 2, minimum=1)
PORTAL_CALLBACK_WORKING_DAYS = env_int("PORTAL_CALLBACK_WORKING_DAYS", 3, minimum=1)
PORTAL_CALLBACK_MAX_ATTEMPTS = env_int("PORTAL_CALLBACK_MAX_ATTEMPTS", 3, minimum=1)
PORTAL_PAUSE_CAP_WORKING_DAYS = env_int("PORTAL_PAUSE_CAP_WORKING_DAYS", 10, minimum=1)
# Connections the overdue sweep flags with at once on PostgreSQL (dispatch.sweeps._flag_overdue_all): one keeps
# one database core busy.
PORTAL_SWEEP_WORKERS = env_int("PORTAL_SWEEP_WORKERS", 2, minimum=1)
PORTAL_LOOKBACK_RATE_PERCENT = env_int("PORTAL_LOOKBACK_RATE_PERCENT", 5, minimum=1)
# A unit or district is ranked on a rate only when it rests on at least this many petitions (DOMAIN.md section 7).
PORTAL_RANK_MIN_SAMPLE = env_int("PORTAL_RANK_MIN_SAMPLE", 10, minimum=1)
PORTAL_LOOKBACK_MAX = env_int("PORTAL_LOOKBACK_MAX", 500, minimum=1)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    # The 三民 voting pages are never logged with their time (docs/sanmin.md): every record goes through the
    # filtered console handler, Django's own and runserver's included (gunicorn: config/gunicorn_logger.py).
    "filters": {"no_voting_requests": {"()": "evaluation.sanmin_logging.VotingRequestFilter"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain", "filters": ["no_voting_requests"]}},
    "root": {"handlers": ["console"], "level": env_choice("DJANGO_LOG_LEVEL", "INFO", ("DEBUG", "INFO", "WARNING", "ERROR"))},
    "loggers": {"django.db.backends": {"level": "INFO"}, "axes": {"level": "WARNING"},
                "django": {"handlers": [], "level": "INFO", "propagate": True},
                "django.server": {"handlers": ["console"], "level": "INFO", "propagate": False}},
}

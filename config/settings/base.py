"""Settings shared by every environment. Configuration comes from the environment only.

Every variable read here is documented in `.env.example`.
"""

import os
from datetime import timedelta
from pathlib import Path

import environ
from corsheaders.defaults import default_headers as cors_default_headers
from csp.constants import NONE as CSP_NONE
from csp.constants import SELF as CSP_SELF
from csp.constants import UNSAFE_INLINE as CSP_UNSAFE_INLINE

from config import languages

BASE_DIR = Path(__file__).resolve().parent.parent.parent

env = environ.Env()

# --- Core ---------------------------------------------------------------------------------

DEBUG = env.bool("DJANGO_DEBUG", default=False)
ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=["127.0.0.1", "localhost"])
TIME_ZONE = "UTC"
USE_TZ = True
LANGUAGE_CODE = languages.LANGUAGE_CODE
USE_I18N = True
LANGUAGES = languages.LANGUAGES
# The interface's translations (gettext catalogues, `make messages`).
LOCALE_PATHS = [BASE_DIR / "locale"]
# Translated content (django-modeltranslation): a column per language of LANGUAGES, English
# the original every other language falls back to (common/translations.py).
MODELTRANSLATION_DEFAULT_LANGUAGE = LANGUAGE_CODE
MODELTRANSLATION_FALLBACK_LANGUAGES = (LANGUAGE_CODE,)

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

DJANGO_APPS = [
    # Before the admin, as django-modeltranslation requires: its admin patches the admin's.
    "modeltranslation",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.postgres",
]
THIRD_PARTY_APPS = [
    "corsheaders",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "simple_history",
    "axes",
    # Request, database and cache metrics for /metrics (metrics/, docs/operations.md).
    "django_prometheus",
]
LOCAL_APPS = [
    # The admin's shared templates and assets (staff CSS, the quote picker, the history list).
    "common",
    "accounts",
    "sources",
    "commitments",
    "tracker",
    "webhooks",
    "archive",
    "pages",
    "intake",
    # Above every app it counts: /metrics and the tracker's own figures.
    "metrics",
]
INSTALLED_APPS = DJANGO_APPS + THIRD_PARTY_APPS + LOCAL_APPS

# The request figures for /metrics (metrics/middleware.py): first and last in MIDDLEWARE, so
# the whole request is timed between the two.
REQUEST_METRICS_MIDDLEWARE = (
    "django_prometheus.middleware.PrometheusBeforeMiddleware",
    "metrics.middleware.RequestMetricsAfterMiddleware",
)
MIDDLEWARE = [
    REQUEST_METRICS_MIDDLEWARE[0],
    "django.middleware.security.SecurityMiddleware",
    # Before anything reads a body: one over DATA_UPLOAD_MAX_MEMORY_SIZE is a 413 at once.
    "config.middleware.RequestBodyLimitMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Outside the session, CSRF and auth middleware: it sees the cookies they set and the
    # user DRF authenticated.
    "config.middleware.ApiCacheControlMiddleware",
    # The API's language (?lang=, Accept-Language) around the view and its rendering.
    "config.api.languages.ApiLanguageMiddleware",
    # A preflight for a write (POST included) fails: cross-origin access is read-only.
    "config.api.cors.ReadOnlyPreflightMiddleware",
    "corsheaders.middleware.CorsMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    # The pages' language from their path (/en/, /ru/, /tk/; `/` redirects by
    # Accept-Language) and the admin's from the staff member's browser; not /api/, /health/.
    "config.middleware.PageLocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Content-Security-Policy (CONTENT_SECURITY_POLICY below) on HTML answers.
    "config.csp.DocumentCSPMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    # The admin shows times where "today" is (TRACKER_TIME_ZONE); the API stays in UTC.
    "common.middleware.AdminTimeZoneMiddleware",
    # RateLimit / RateLimit-Policy on the API's throttled answers, from the throttle's count.
    "config.api.throttling.ratelimit_headers_middleware",
    # As django-axes requires, after every other middleware: answers a locked-out login.
    "axes.middleware.AxesMiddleware",
    REQUEST_METRICS_MIDDLEWARE[1],
]

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
            ],
        },
    },
]

# One date format on every admin page (2024-11-30, 2024-11-30 14:05 +05), whatever the
# locale's default: config/formats/en/formats.py.
FORMAT_MODULE_PATH = ["config.formats"]

STATIC_URL = "/static/"
# Where collectstatic writes (the Dockerfile's build step); a test's own copy elsewhere.
STATIC_ROOT = env.path("DJANGO_STATIC_ROOT", default=BASE_DIR / "staticfiles")
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}

# --- Database -----------------------------------------------------------------------------

DATABASES = {"default": env.db("DATABASE_URL")}
# Django's PostgreSQL backend with a cheaper health check (config/db/base.py says how).
DATABASES["default"]["ENGINE"] = "config.db"
DATABASES["default"]["ATOMIC_REQUESTS"] = False
# A connection that died (PostgreSQL restarted) is noticed and replaced at the next request
# instead of failing it.
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DATABASES["default"]["CONN_MAX_AGE"] = env.int("DATABASE_CONN_MAX_AGE", default=60)
# A runaway query is cut off by the server rather than holding a worker forever.
DATABASES["default"].setdefault("OPTIONS", {})["options"] = (
    f"-c statement_timeout={env.int('DATABASE_STATEMENT_TIMEOUT_MS', default=30000)}"
)

# Streaming replicas for reads (config/replicas.py, docs/operations.md): comma-separated
# URLs, empty for none. Each is an alias `replica1`, `replica2`, ... with the primary's options;
# the test database of each is the primary's (a replica cannot be written to create one).
DATABASE_REPLICA_URLS = env.list("DATABASE_REPLICA_URLS", default=[])
_REPLICA_SHARES_WITH_PRIMARY = ("ENGINE", "ATOMIC_REQUESTS", "CONN_HEALTH_CHECKS", "CONN_MAX_AGE")
for _number, _url in enumerate(DATABASE_REPLICA_URLS, start=1):
    _replica = env.db_url_config(_url)
    DATABASES[f"replica{_number}"] = {
        **_replica,
        **{key: DATABASES["default"][key] for key in _REPLICA_SHARES_WITH_PRIMARY},
        # Its own host and port (also given as ?host= for a socket); the primary's timeout.
        "OPTIONS": {
            "options": DATABASES["default"]["OPTIONS"]["options"],
            **_replica.get("OPTIONS", {}),
            "connect_timeout": 2,
        },
        "TEST": {"MIRROR": "default"},
    }
DATABASE_ROUTERS = ["config.replicas.ReplicaRouter"]
# A client that wrote reads the primary for this long; a replica further behind than
# DATABASE_REPLICA_MAX_LAG_SECONDS, or not answering, is skipped, checked at most every
# DATABASE_REPLICA_CHECK_SECONDS per process.
DATABASE_READ_YOUR_WRITES_SECONDS = env.int("DATABASE_READ_YOUR_WRITES_SECONDS", default=10)
DATABASE_REPLICA_MAX_LAG_SECONDS = env.float("DATABASE_REPLICA_MAX_LAG_SECONDS", default=5)
DATABASE_REPLICA_CHECK_SECONDS = env.float("DATABASE_REPLICA_CHECK_SECONDS", default=1)
if DATABASE_REPLICA_URLS:
    MIDDLEWARE.insert(2, "config.replicas.ReplicaReadsMiddleware")

# --- Redis: broker and cache --------------------------------------------------------------

CELERY_BROKER_URL = env("CELERY_BROKER_URL")
# The cache (throttle counters, the alerts feed's change marker) lives in Redis as well;
# by default the same server as the broker.
CACHE_URL = env("CACHE_URL", default=CELERY_BROKER_URL)
CACHES = {
    "default": {
        "BACKEND": "config.cache.SharedClientRedisCache",
        "LOCATION": CACHE_URL,
        "KEY_PREFIX": env("CACHE_KEY_PREFIX", default="tracker"),
        "OPTIONS": {"socket_connect_timeout": 2, "socket_timeout": 2},
    }
}

# --- Metrics (metrics/, docs/operations.md) --------------------------------------------------

# /metrics answers loopback, these networks (CIDR blocks: Prometheus's), and a bearer token
# whose SHA-256 (hex) is METRICS_TOKEN_SHA256; no one else. The front door never serves it.
METRICS_INTERNAL_NETWORKS = env.list("METRICS_INTERNAL_NETWORKS", default=[])
METRICS_TOKEN_SHA256 = env("METRICS_TOKEN_SHA256", default="")
# The responsible actors named in the `actor` label; the rest are summed as "other".
METRICS_ACTOR_LABELS = env.int("METRICS_ACTOR_LABELS", default=25)
# The database's figures are counted at most this often, for every web process together:
# they group every commitment, about a second per 100,000.
METRICS_FIGURES_CACHE_SECONDS = env.int("METRICS_FIGURES_CACHE_SECONDS", default=60)
# Per-request figures (REQUEST_METRICS_MIDDLEWARE); false leaves them out, which `make bench`
# compares on the floor endpoint.
METRICS_HTTP_REQUESTS = env.bool("METRICS_HTTP_REQUESTS", default=True)
if not METRICS_HTTP_REQUESTS:
    MIDDLEWARE = [name for name in MIDDLEWARE if name not in REQUEST_METRICS_MIDDLEWARE]
# The Celery worker's own metrics (metrics/worker.py): off unless a port is given.
METRICS_WORKER_PORT = env.int("METRICS_WORKER_PORT", default=0)
METRICS_WORKER_ADDRESS = env("METRICS_WORKER_ADDRESS", default="127.0.0.1")
# prometheus-client's multiprocess mode (gunicorn's workers, Celery's pool) writes here; it
# must exist before the first metric is counted.
if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
    Path(os.environ["PROMETHEUS_MULTIPROC_DIR"]).mkdir(parents=True, exist_ok=True)

# --- Celery ---------------------------------------------------------------------------------

CELERY_TIMEZONE = "UTC"
CELERY_ENABLE_UTC = True
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_RESULT_BACKEND = None
CELERY_TASK_IGNORE_RESULT = True
# A task is acknowledged only once it finished, and re-queued if its worker died: the
# deadline scan is idempotent, so running it again is always safe.
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_TIME_LIMIT = env.int("CELERY_TASK_TIME_LIMIT", default=15 * 60)
CELERY_TASK_SOFT_TIME_LIMIT = env.int("CELERY_TASK_SOFT_TIME_LIMIT", default=14 * 60)
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# Publishing must not hang a web request when Redis is down (the next beat catches up).
CELERY_BROKER_TRANSPORT_OPTIONS = {"socket_connect_timeout": 2, "socket_timeout": 5}
CELERY_TASK_PUBLISH_RETRY = False

# --- The tracker ----------------------------------------------------------------------------

# "Today" for deadlines is the date in this zone: Turkmenistan's by default.
TRACKER_TIME_ZONE = env("TRACKER_TIME_ZONE", default="Asia/Ashgabat")
TRACKER_DUE_SOON_DAYS = env.int("TRACKER_DUE_SOON_DAYS", default=30)
# Evidence older than this many days leaves an open commitment "evidence stale" (12 months).
TRACKER_EVIDENCE_STALE_DAYS = env.int("TRACKER_EVIDENCE_STALE_DAYS", default=365)
# ...and so does a deadline that passed this many days ago with no evidence since.
TRACKER_EVIDENCE_GRACE_DAYS = env.int("TRACKER_EVIDENCE_GRACE_DAYS", default=30)
TRACKER_SCAN_INTERVAL_SECONDS = env.int("TRACKER_SCAN_INTERVAL_SECONDS", default=15 * 60)
# How long browsers and shared caches may keep a public page (pages/caching.py).
PAGES_CACHE_SECONDS = env.int("PAGES_CACHE_SECONDS", default=60)
# How long shared caches (the nginx front door) may keep an anonymous API answer
# (config/middleware.py): a dashboard sees a new alert within this much.
API_CACHE_SECONDS = env.int("API_CACHE_SECONDS", default=30)
# The shortest quote that can be evidence (whitespace folded): "e" proves nothing.
EVIDENCE_QUOTE_MIN_LENGTH = env.int("EVIDENCE_QUOTE_MIN_LENGTH", default=20)
# Tags per commitment (each a slug of at most 50 characters, the column's length).
COMMITMENT_TAGS_MAX = env.int("COMMITMENT_TAGS_MAX", default=20)
# History's change reason ("deadline: old → new") quotes two deadlines of up to 200
# characters each: a text column, not simple-history's varchar(100).
SIMPLE_HISTORY_HISTORY_CHANGE_REASON_USE_TEXT_FIELD = True
# The domain part of the deadline calendar's UIDs (commitment-<id>@<this>): fixed, not the
# request's host, so a feed reached under two names does not duplicate entries. Never change it
# once people subscribe: every entry would appear twice.
TRACKER_CALENDAR_UID_DOMAIN = env(
    "TRACKER_CALENDAR_UID_DOMAIN", default="commitment-tracker.invalid"
)

# --- The extraction assistant (intake/) ---------------------------------------------------
# What it reads of a source, so that its work is bounded whatever is pasted
# (docs/staff-workflow.md): the first characters of the text, sentences up to a length, a
# number of candidates; and how long the worker may take over one source.
INTAKE_MAX_TEXT_CHARS = env.int("INTAKE_MAX_TEXT_CHARS", default=200_000)
INTAKE_MAX_SENTENCE_CHARS = env.int("INTAKE_MAX_SENTENCE_CHARS", default=2_000)
INTAKE_MAX_CANDIDATES = env.int("INTAKE_MAX_CANDIDATES", default=100)
INTAKE_SUGGEST_SOFT_TIME_LIMIT = env.int("INTAKE_SUGGEST_SOFT_TIME_LIMIT", default=60)
INTAKE_SUGGEST_TIME_LIMIT = env.int("INTAKE_SUGGEST_TIME_LIMIT", default=90)
# POST /api/v1/intake/suggestions/ (and manage.py suggest_commitments) read the text in the
# request: a longer text is a 400 (add it as a source and let the worker read it) ...
INTAKE_API_MAX_TEXT_CHARS = env.int("INTAKE_API_MAX_TEXT_CHARS", default=50_000)
# ... and stops reading after this many seconds, saying so (`timed_out`).
INTAKE_API_TIME_LIMIT = env.float("INTAKE_API_TIME_LIMIT", default=10.0)

# --- Webhooks ----------------------------------------------------------------------------------

# The service's public address: the absolute links in API bodies (`api_url`), Location and
# webhook bodies, the same whatever host a request came in by (and where no request exists).
TRACKER_PUBLIC_URL = env("TRACKER_PUBLIC_URL", default="http://127.0.0.1:8000")
# Targets inside private networks (loopback, RFC 1918, link-local, metadata) are refused,
# unless this is true (the tests' receivers listen on 127.0.0.1).
WEBHOOK_ALLOW_PRIVATE_TARGETS = env.bool("WEBHOOK_ALLOW_PRIVATE_TARGETS", default=False)
# Plain http targets are allowed outside production (a receiver on a laptop).
WEBHOOK_REQUIRE_HTTPS = False
WEBHOOK_CONNECT_TIMEOUT_SECONDS = env.float("WEBHOOK_CONNECT_TIMEOUT_SECONDS", default=3)
WEBHOOK_READ_TIMEOUT_SECONDS = env.float("WEBHOOK_READ_TIMEOUT_SECONDS", default=5)
# The first retry after this, then each 3 times later (±20 % jitter).
WEBHOOK_RETRY_BASE_SECONDS = env.float("WEBHOOK_RETRY_BASE_SECONDS", default=30)
# This many failed attempts in a row disable a subscription (9: about 27 hours of retries).
WEBHOOK_DISABLE_AFTER_FAILURES = env.int("WEBHOOK_DISABLE_AFTER_FAILURES", default=9)
# How often beat looks for subscriptions with something due (retries, lost messages).
WEBHOOK_SWEEP_SECONDS = env.int("WEBHOOK_SWEEP_SECONDS", default=60)
# Subscriptions one owner may have (a 400 naming this limit beyond it): each is a queue the
# workers drain.
WEBHOOK_MAX_SUBSCRIPTIONS_PER_OWNER = env.int("WEBHOOK_MAX_SUBSCRIPTIONS_PER_OWNER", default=20)

# --- The archive of cited web pages (archive/) -------------------------------------------------

# Where the WARC files go: Django's storage API, a directory by default; any S3-compatible
# store with ARCHIVE_STORAGE_BACKEND=storages.backends.s3.S3Storage and its options as JSON
# (pip install ".[s3]"; docs/archive.md).
ARCHIVE_STORAGE_BACKEND = env(
    "ARCHIVE_STORAGE_BACKEND", default="django.core.files.storage.FileSystemStorage"
)
ARCHIVE_STORAGE_OPTIONS = env.json(
    "ARCHIVE_STORAGE_OPTIONS", default={"location": str(BASE_DIR / ".data" / "archive")}
)
STORAGES["archive"] = {"BACKEND": ARCHIVE_STORAGE_BACKEND, "OPTIONS": ARCHIVE_STORAGE_OPTIONS}
# A source saved with a new URL is captured by a worker once the save commits.
ARCHIVE_CAPTURE_ON_SAVE = env.bool("ARCHIVE_CAPTURE_ON_SAVE", default=True)
# Internal networks the archive may fetch from anyway (CIDR list; none by default: the same
# refusals as the webhooks'). The tests' pages are served on 127.0.0.1.
ARCHIVE_ALLOWED_INTERNAL_NETWORKS = env.list("ARCHIVE_ALLOWED_INTERNAL_NETWORKS", default=[])
# One fetch: the largest body kept, the socket timeouts, the whole answer's deadline, the
# redirects followed, and the name the archive gives itself (with the service's address).
ARCHIVE_MAX_BYTES = env.int("ARCHIVE_MAX_BYTES", default=10 * 1024 * 1024)
ARCHIVE_CONNECT_TIMEOUT_SECONDS = env.float("ARCHIVE_CONNECT_TIMEOUT_SECONDS", default=5)
ARCHIVE_READ_TIMEOUT_SECONDS = env.float("ARCHIVE_READ_TIMEOUT_SECONDS", default=15)
ARCHIVE_FETCH_DEADLINE_SECONDS = env.float("ARCHIVE_FETCH_DEADLINE_SECONDS", default=60)
ARCHIVE_MAX_REDIRECTS = env.int("ARCHIVE_MAX_REDIRECTS", default=5)
ARCHIVE_USER_AGENT = env(
    "ARCHIVE_USER_AGENT",
    default=f"commitment-tracker-archive/1 (+{TRACKER_PUBLIC_URL}/)",
)
# A fetch that failed for a reason that may pass (no answer, 429, 5xx) is tried again this
# many times, the first after ARCHIVE_RETRY_BASE_SECONDS and each 3 times later.
ARCHIVE_FETCH_RETRIES = env.int("ARCHIVE_FETCH_RETRIES", default=3)
ARCHIVE_RETRY_BASE_SECONDS = env.float("ARCHIVE_RETRY_BASE_SECONDS", default=60)
# Each archived page is checked again this often (a conditional request) ...
ARCHIVE_RECHECK_HOURS = env.float("ARCHIVE_RECHECK_HOURS", default=24 * 7)
# ... and flagged gone (no answer, 4xx/5xx, a name that no longer resolves) or changed (a
# quoted passage no longer in the page) after this many checks in a row say so.
ARCHIVE_FLAG_AFTER_CHECKS = env.int("ARCHIVE_FLAG_AFTER_CHECKS", default=3)
# How often beat looks for pages due a check, and how many it hands out per look.
ARCHIVE_SWEEP_SECONDS = env.int("ARCHIVE_SWEEP_SECONDS", default=15 * 60)
ARCHIVE_SWEEP_BATCH = env.int("ARCHIVE_SWEEP_BATCH", default=200)
# A PDF's text is read from at most this many pages.
ARCHIVE_PDF_MAX_PAGES = env.int("ARCHIVE_PDF_MAX_PAGES", default=300)

CELERY_BEAT_SCHEDULE = {
    "deadlines-scan": {
        "task": "tracker.tasks.deadlines_scan_task",
        "schedule": TRACKER_SCAN_INTERVAL_SECONDS,
        # A scan that waited longer than an interval is superseded by the next one.
        "options": {"expires": TRACKER_SCAN_INTERVAL_SECONDS},
    },
    "webhooks-sweep": {
        "task": "webhooks.tasks.webhooks_dispatch_task",
        "schedule": WEBHOOK_SWEEP_SECONDS,
        "options": {"expires": WEBHOOK_SWEEP_SECONDS},
    },
    "archive-sweep": {
        "task": "archive.tasks.archive_sweep_task",
        "schedule": ARCHIVE_SWEEP_SECONDS,
        "options": {"expires": ARCHIVE_SWEEP_SECONDS},
    },
}

# --- Security defaults shared by all environments -------------------------------------------

SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = False
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
# Bodies over this size are refused (413) before a view parses them.
DATA_UPLOAD_MAX_MEMORY_SIZE = env.int("DATA_UPLOAD_MAX_MEMORY_SIZE", default=2 * 1024 * 1024)

# Read-only cross-origin access for dashboards and notebooks; nothing else crosses origins.
# A preflight is answered by the CORS middleware itself, before sessions, DRF and its
# throttles: no query, no Redis call.
CORS_ALLOW_ALL_ORIGINS = True
CORS_URLS_REGEX = r"^/api/.*$"
CORS_ALLOW_METHODS = ["GET", "HEAD", "OPTIONS"]
CORS_ALLOW_CREDENTIALS = False
# Conditional polls (the ETag or date a dashboard was given) on top of the library's defaults.
CORS_ALLOW_HEADERS = [*cors_default_headers, "if-none-match", "if-modified-since"]
# What a page's script may read; RateLimit and RateLimit-Policy are the IETF draft's names.
CORS_EXPOSE_HEADERS = [
    "ETag",
    "Last-Modified",
    "Retry-After",
    "Content-Disposition",
    "Link",
    "Location",
    "RateLimit",
    "RateLimit-Policy",
]
# A poll with If-None-Match needs a preflight; the browser keeps its answer this long (browsers
# cap it lower: Chromium at 2 hours), so a dashboard polling every few seconds rarely sends one.
CORS_PREFLIGHT_MAX_AGE = 24 * 60 * 60

# Content-Security-Policy on every HTML answer (django-csp, config/csp.py): the admin, the API
# docs, the public pages and the browsable API load scripts, styles and images from this site.
# No inline script anywhere. Inline style *attributes* are allowed (the pages draw bars and
# bands with computed widths; the admin's select2 and widgets write them); <style> elements
# are not. docs/architecture.md ("Browser policies") says why.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [CSP_SELF],
        "script-src": [CSP_SELF],
        "style-src": [CSP_SELF],
        "style-src-attr": [CSP_UNSAFE_INLINE],
        "img-src": [CSP_SELF, "data:"],
        "object-src": [CSP_NONE],
        "base-uri": [CSP_SELF],
        "form-action": [CSP_SELF],
        "frame-ancestors": [CSP_NONE],
    }
}

# Proxies in front that append to X-Forwarded-For (1 behind one load balancer): the API's limits,
# the admin login lockout and /health/ count the client's address, not the proxy's
# (config.addresses.client_ip). Empty or 0: no proxy, X-Forwarded-For is ignored.
API_NUM_PROXIES = int(env("API_NUM_PROXIES", default="") or 0)
# Failed token checks (a wrong, revoked or malformed token) per client address; over this, every
# token sent from that address is a 429 until the window ends (config.api.authentication).
API_THROTTLE_AUTH_FAILURES = env("API_THROTTLE_AUTH_FAILURES", default="20/min")
# Addresses (CIDR blocks) besides loopback that /health/ tells why a check failed; everyone
# else reads only which check is down.
HEALTH_INTERNAL_NETWORKS = env.list("HEALTH_INTERNAL_NETWORKS", default=[])

# Admin logins are rate-limited by django-axes: after AXES_FAILURE_LIMIT wrong passwords for
# one username from one address, that pair is locked out for AXES_COOLOFF_MINUTES, even with
# the right password (the answer is a 429 saying so). Attempts are kept in PostgreSQL (axes'
# database handler): shared by every web process, kept across restarts and shown in the admin,
# and a login still works while Redis is down.
AUTHENTICATION_BACKENDS = [
    "config.auth_backends.LoginRateLimitBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_ENABLED = True
AXES_HANDLER = "axes.handlers.database.AxesDatabaseHandler"
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("AXES_COOLOFF_MINUTES", default=15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_HTTP_RESPONSE_CODE = 429
# The client's address as the API's throttles read it (X-Forwarded-For per API_NUM_PROXIES).
AXES_CLIENT_IP_CALLABLE = "config.addresses.client_ip"
# A plain 429 with Retry-After (axes' own adds CORS headers for XMLHttpRequest).
AXES_LOCKOUT_CALLABLE = "config.auth_backends.lockout_response"
AXES_COOLOFF_MESSAGE = (
    f"Too many failed logins: after {AXES_FAILURE_LIMIT} wrong passwords this username is "
    f"locked out from this address for {AXES_COOLOFF_TIME.total_seconds() / 60:g} minutes, "
    "even with the right password. Try again after that."
)

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", default="INFO")},
    # django-axes announces itself at every start of every command; its lockouts still log.
    "loggers": {"axes.apps": {"level": "WARNING"}},
}

# --- The JSON API (v1): DRF and its OpenAPI schema --------------------------------------------
# The shared defaults live in config/api/ (see its __init__ for what each class does).

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "config.api.authentication.ApiTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",  # the browsable API
    ],
    "DEFAULT_PERMISSION_CLASSES": ["config.api.permissions.ModelPermissionsOrReadOnly"],
    "DEFAULT_THROTTLE_CLASSES": [
        "config.api.throttling.AnonRateThrottle",
        "config.api.throttling.UserRateThrottle",
    ],
    # "<requests>/<s|min|hour|day>", counted in Redis per client address (anonymous) or per
    # user (with a token).
    "DEFAULT_THROTTLE_RATES": {
        "anon": env("API_THROTTLE_ANON", default="60/min"),
        "user": env("API_THROTTLE_USER", default="600/min"),
        # deadlines.ics, counted apart: calendar services fetch many subscriptions from few
        # shared addresses.
        "calendar": env("API_THROTTLE_CALENDAR", default="600/min"),
    },
    "NUM_PROXIES": API_NUM_PROXIES,
    "DEFAULT_PAGINATION_CLASS": "config.api.pagination.KeysetCursorPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_FILTER_BACKENDS": [
        "django_filters.rest_framework.DjangoFilterBackend",
        "config.api.ordering.WhitelistOrderingFilter",
    ],
    "DEFAULT_RENDERER_CLASSES": [
        "config.api.renderers.JSONRenderer",
        "config.api.renderers.BrowsableAPIRenderer",
    ],
    "DEFAULT_PARSER_CLASSES": ["config.api.parsers.JSONParser"],
    "DEFAULT_CONTENT_NEGOTIATION_CLASS": "config.api.negotiation.ApiContentNegotiation",
    "EXCEPTION_HANDLER": "config.api.exceptions.problem_exception_handler",
    "DEFAULT_SCHEMA_CLASS": "config.api.schema.ApiAutoSchema",
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
}

SPECTACULAR_SETTINGS = {
    "TITLE": "Commitment tracker API",
    "VERSION": "1.0.0",
    # 3.1: null is a type, so a nullable reference (`deadline`) reads the same to every tool;
    # 3.0's `nullable` beside `allOf` is ignored by the letter and read variously by generators.
    "OAS_VERSION": "3.1.0",
    "DESCRIPTION": (
        "What governments and international bodies proposed or promised, when it is due, who "
        "is on the hook, and the evidence for every claim.\n\n"
        "**Access.** Anyone reads published records without an account, throttled per "
        "address. A token (`Authorization: Bearer <token>`, issued by the tracker's "
        "operators) raises the limit; a write needs the token of a staff user holding "
        "Django's permission for it (each write says which; the admin's Editors group has "
        "them). Drafts are visible to staff only.\n\n"
        "**Lists** use cursor pagination: follow `next`; `page_size` is 1 to 200 (another "
        "value is a 400); "
        "`count=true` adds the total. "
        "`?format=csv` streams every matching row as CSV (`&bom=true` for Excel).\n\n"
        "**Links.** `api_url` is a record's absolute URL; a 201 has `Location`. A commitment "
        "reads by reference too (`/commitments/TM-2024-04/`), with a canonical `Link` to its "
        "URL by id. Each throttled answer has `RateLimit` and `RateLimit-Policy` "
        "(draft-ietf-httpapi-ratelimit-headers).\n\n"
        "**Conditional requests.** Details carry an ETag; send it in If-None-Match for a "
        "304, or in If-Match on a write for a 412 instead of overwriting someone's change.\n\n"
        "**Errors** are RFC 9457 problem details (`application/problem+json`); a 400 lists "
        "each wrong field in `errors` with the reason."
    ),
    "CONTACT": {"name": "The commitment tracker's maintainers"},
    # The SPDX identifier (OpenAPI 3.1; a license has it or a `url`, not both).
    "LICENSE": {
        "name": "GNU Affero General Public License v3.0 or later",
        "identifier": "AGPL-3.0-or-later",
    },
    # Relative: the paths are on the host that serves this document, wherever it is deployed.
    "SERVERS": [{"url": "/", "description": "The server this document was fetched from."}],
    "TAGS": [
        {"name": "index", "description": "Where everything is: a link to each endpoint."},
        {
            "name": "commitments",
            "description": "What was proposed or promised, by whom, by when, with the "
            "evidence; staff record status and deadline changes, each cited.",
        },
        {
            "name": "actors",
            "description": "People, government bodies, countries, international "
            "organisations and companies, with their commitments.",
        },
        {
            "name": "sources",
            "description": "The documents evidence is quoted from, with their full text and "
            "its SHA-256.",
        },
        {
            "name": "statuses",
            "description": "The status vocabulary, and how each status reads in PolitiFact's, "
            "OGP's and iCalendar's.",
        },
        {
            "name": "reasons",
            "description": "Why a commitment stalled or was abandoned: the reasons a status "
            "change carries, and how the OGP IRM names them.",
        },
        {
            "name": "alerts",
            "description": "Overdue, due-soon and status-changed alerts, as a feed to poll "
            "(JSON or Atom).",
        },
        {"name": "deadlines", "description": "The deadlines as an iCalendar feed to subscribe to."},
        {"name": "stats", "description": "Counts for dashboards."},
        {
            "name": "webhooks",
            "description": "Alerts POSTed to your URL as they are raised: subscriptions, their "
            "delivery logs, test events (a token is needed).",
        },
        {
            "name": "intake",
            "description": "The extraction assistant (staff): the commitments an article in "
            "English or Russian proposes or reports on, as suggestions; nothing is written.",
        },
    ],
    # Docstrings of the API's base classes are for developers, never a public description.
    "GET_LIB_DOC_EXCLUDES": "config.api.schema.doc_excludes",
    "SERVE_INCLUDE_SCHEMA": False,
    "SCHEMA_PATH_PREFIX": r"/api/v1",
    "COMPONENT_SPLIT_REQUEST": True,
    # Docs served from the drf-spectacular-sidecar package: no CDN.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        # OpenAPI links: from a created or fetched record to what can be done with it next.
        "config.api.schema.add_response_links",
        "config.api.schema.add_header_components",  # RateLimit, RateLimit-Policy
        # Anonymous reads as the document's default security, typed nullables, ETag headers.
        "config.api.schema.public_document",
    ],
    "ENUM_NAME_OVERRIDES": {
        "CommitmentStatus": "commitments.choices.Status",
        "CommitmentKind": "commitments.choices.CommitmentKind",
        "ActorKind": "commitments.choices.ActorKind",
        "PartyRole": "commitments.choices.PartyRole",
        "SourceKind": "sources.choices.SourceKind",
        "AlertKind": "tracker.choices.AlertKind",
        "ClaimFact": "commitments.choices.ClaimFact",
        "StatusReason": "commitments.choices.StatusReason",
        # The name it had before status reasons came: generated clients keep their type.
        "ReasonEnum": "archive.choices.FailureReason",
        "StatusSource": "commitments.choices.StatusSource",
        "ArticleLanguage": "intake.api.serializers.LANGUAGE_CHOICES",
        "LanguageEnum": "config.languages.LANGUAGES",
    },
}

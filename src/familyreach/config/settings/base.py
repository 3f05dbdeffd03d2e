"""Settings shared by every environment.

Values a deployment must choose come from the environment (see `sample.env`). This module
holds only safe, documented defaults; `production.py` removes the ones that are unsafe.
"""

from pathlib import Path

import environ
from django.utils.csp import CSP

# src/familyreach/config/settings/base.py -> the repository root is four levels up.
PACKAGE_DIR = Path(__file__).resolve().parents[2]
REPOSITORY_DIR = PACKAGE_DIR.parents[1]
# Real open data shipped with the project (see data/*/SOURCES.md).
DATA_DIR = Path(environ.Env().str("FAMILYREACH_DATA_DIR", default=str(REPOSITORY_DIR / "data")))
VAR_DIR = Path(environ.Env().str("FAMILYREACH_VAR_DIR", default=str(REPOSITORY_DIR / "var")))

env = environ.Env()

DEBUG = env.bool("DEBUG", default=False)
SECRET_KEY = env.str("SECRET_KEY", default="insecure-development-key-never-used-in-production")
ALLOWED_HOSTS: list[str] = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost"])
CSRF_TRUSTED_ORIGINS: list[str] = env.list("CSRF_TRUSTED_ORIGINS", default=[])

# Demo mode turns on the demo accounts (password `familyreach-demo`) and the "simulated data"
# labels. Outside demo mode the demo accounts cannot sign in, whatever is in the database.
DEMO_MODE = env.bool("FAMILYREACH_DEMO_MODE", default=False)

# Staff who can see family records must use two-factor authentication when this is on.
REQUIRE_TWO_FACTOR = env.bool("FAMILYREACH_REQUIRE_TWO_FACTOR", default=False)

SERVICE_NAME = env.str("FAMILYREACH_SERVICE_NAME", default="Find family support")
COUNCIL_NAME = env.str("FAMILYREACH_COUNCIL_NAME", default="Norfolk County Council")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "drf_spectacular",
    "auditlog",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "rules.apps.AutodiscoverRulesConfig",
    "django_tasks_db",
    # The schedule (django-crontask) and its recorded runs (docs/runbooks/operations.md).
    "crontask",
    "familyreach.operations",
    "familyreach.core",
    # Durable outbound messages: the outbox the worker sends (docs/runbooks/messages.md).
    "familyreach.outbox",
    "familyreach.accounts",
    "familyreach.web",
    "familyreach.geo",
    "familyreach.directory",
    # Families and the services delivered to them (docs/families-and-delivery.md).
    "familyreach.families",
    "familyreach.delivery",
    "familyreach.planning",
    "familyreach.consult",
    # Peer-led community support: groups, peer supporters, matching, rooms (docs/community.md).
    "familyreach.community",
    # Reach and insight: who the service reaches against need (docs/measures.md).
    "familyreach.insight",
    # Referrals between organisations in the directory (docs/referrals.md).
    "familyreach.referrals",
    # Family plans and outcomes; contracts and quarterly returns (docs/commissioning.md).
    "familyreach.outcomes",
    "familyreach.commissioning",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Answers anonymous visitors from kept public pages before anything below runs.
    "familyreach.core.public_cache.PublicPageCacheMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # A NUL in any parameter is a 400 before a view (or PostgreSQL) sees it; after
    # authentication so that the 400 page can show who is signed in.
    "familyreach.core.input.RejectNulMiddleware",
    "familyreach.core.input.OutOfRangeIdMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "familyreach.accounts.middleware.TwoFactorRequiredMiddleware",
    "familyreach.accounts.middleware.SessionIdleMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "auditlog.middleware.AuditlogMiddleware",
    # Axes must be last: it turns a locked-out attempt into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "familyreach.config.urls"
WSGI_APPLICATION = "familyreach.config.wsgi.application"
ASGI_APPLICATION = "familyreach.config.asgi.application"

TEMPLATES = [
    {
        # Our pages: GOV.UK Frontend macros need Jinja2.
        "BACKEND": "django.template.backends.jinja2.Jinja2",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "environment": "familyreach.config.jinja2.environment",
            "autoescape": True,
            "context_processors": [
                "familyreach.web.context_processors.service",
            ],
        },
    },
    {
        # Django's admin and third-party apps ship Django templates.
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.csp",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

# Local memory per process by default. With several server processes use a shared cache, e.g.
# CACHE_URL=dbcache://familyreach_cache (after `familyreach createcachetable`) or redis://...,
# so rate limits and cached lookups hold across them (README, "Running in production").
# The local-memory default holds 5,000 entries (Django's 300 would keep culling the cached
# postcode lookups). PUBLIC_CACHE_URL holds whole public pages and result cards
# (core/public_cache.py): local memory per process by default, at most 3,000 entries (pages are
# about 40 KB: about 120 MB per process at worst); what clears them lives in the default cache,
# so with a shared CACHE_URL a change clears every process's pages at once.
CACHES = {
    "default": env.cache_url("CACHE_URL", default="locmemcache://?max_entries=5000"),
    "public": env.cache_url(
        "PUBLIC_CACHE_URL", default="locmemcache://familyreach-public?max_entries=3000"
    ),
}

DATABASES = {
    "default": env.db_url("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'familyreach.sqlite3'}"),
}
if not env.str("DATABASE_URL", default=""):
    # The SQLite file lives in var/, which a fresh clone does not have: SQLite cannot create
    # the folder and fails with "unable to open database file".
    VAR_DIR.mkdir(parents=True, exist_ok=True)
DATABASES["default"].setdefault("ATOMIC_REQUESTS", False)
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # A busy timeout and immediate transactions stop "database is locked" between the web
    # process and a task worker sharing one SQLite file.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {"timeout": 20, "transaction_mode": "IMMEDIATE", "init_command": "PRAGMA journal_mode=WAL;"}
    )
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    # Axes first, so a locked-out user is refused before the password is checked.
    "axes.backends.AxesStandaloneBackend",
    "familyreach.accounts.backends.StaffBackend",
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
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "web:staff-home"
LOGOUT_REDIRECT_URL = "accounts:signed-out"

# 5 failed sign-ins lock for 30 minutes, counted per username (from any address: a new address
# brings no new guesses) and per address (one address trying many usernames); IPv6 addresses
# count per /64 (see core.ratelimit). The owner and managers are told (outbox.lockout).
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = env.float("AXES_COOLOFF_HOURS", default=0.5)
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_LOCKOUT_TEMPLATE = "accounts/locked_out.html"
AXES_RESET_ON_SUCCESS = True
# One rule for "which address sent this" (lockouts and public-form rate limits alike), aware of
# FAMILYREACH_TRUSTED_PROXY_HOPS below.
AXES_CLIENT_IP_CALLABLE = "familyreach.core.ratelimit.client_address_or_none"

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "Europe/London"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT: Path | None = VAR_DIR / "static"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
MEDIA_ROOT = VAR_DIR / "media"
MEDIA_URL = "/media/"

# Background work (optimisation runs, imports): the database backend, run by `db_worker`.
TASKS = {
    "default": {
        "BACKEND": "django_tasks_db.DatabaseBackend",
        "QUEUES": ["default"],
    }
}

REST_FRAMEWORK = {
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
}
SPECTACULAR_SETTINGS = {
    "TITLE": "familyreach API",
    "VERSION": "0.1.0",
}

# Content security policy: only our own scripts and styles; map tiles come from the tile host
# (added in the maps block at the end of this file).
SECURE_CSP: dict[str, list[str]] = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF, CSP.NONCE],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:"],
    "font-src": [CSP.SELF],
    "connect-src": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
    "form-action": [CSP.SELF],
    "base-uri": [CSP.SELF],
}

SESSION_COOKIE_HTTPONLY = True
# A session ends after 30 minutes without a request, and when the browser closes: staff read
# special-category data on shared and mobile devices. accounts.middleware.SessionIdleMiddleware
# moves the expiry on while the session is used (a save every 5 minutes at most).
SESSION_COOKIE_AGE = env.int("FAMILYREACH_SESSION_IDLE_SECONDS", default=30 * 60)
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
CSRF_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"

# Every change to a registered model records its actor; reads of family records are logged
# explicitly through `familyreach.core.audit.record_access`.
AUDITLOG_INCLUDE_ALL_MODELS = False

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="WARNING")},
}

# --- Public consultation (familyreach.consult) ------------------------------------------------
# More online responses than this from one source (a keyed hash of its address) within the
# window are flagged for a second look; nothing is refused or deleted.
CONSULT_RATE_LIMIT_COUNT = env.int("FAMILYREACH_CONSULT_RATE_LIMIT_COUNT", default=5)
CONSULT_RATE_LIMIT_MINUTES = env.int("FAMILYREACH_CONSULT_RATE_LIMIT_MINUTES", default=60)

# --- geo: need and travel (familyreach.geo; documented in docs/geo.md) ---------------------
# Under-fives are estimated from children aged 0–15 where no single-year-of-age counts were
# loaded: 0–15 × this ratio (England, ONS mid-2015: about 3.43 m aged 0–4 of 10.24 m aged 0–15).
FAMILYREACH_UNDER_FIVES_RATIO = env.float("FAMILYREACH_UNDER_FIVES_RATIO", default=0.335)
# Need weight of an area = under-fives × the weight for its IDACI decile (1 = most deprived 10 %
# in England). Deciles not listed weigh 1.
FAMILYREACH_NEED_WEIGHTS: dict[int, float] = {1: 2.0, 2: 1.75, 3: 1.5, 4: 1.25}
# Areas of "greatest need": by default IDACI national deciles 1–2. Alternative:
# {"method": "local_share", "index": "idaci", "share": 0.2} = the most deprived 20 % of the
# council's own areas by IDACI score ("index" may also be "imd").
FAMILYREACH_GREATEST_NEED: dict[str, object] = {
    "method": "national_deciles",
    "index": "idaci",
    "deciles": [1, 2],
}
# Overrides for the travel-time model's calibrated parameters (see familyreach/geo/travel.py),
# e.g. {"car": {"detour_factor": 1.3}}. Empty: use the calibrated values.
FAMILYREACH_TRAVEL_MODEL: dict[str, dict[str, float]] = {}

# --- directory (docs/directory.md) -----------------------------------------------------------
# Messages go through the outbox (familyreach/outbox) and GOV.UK Notify when a key is set;
# otherwise (demo, tests) the console backend logs them and sends nothing. More settings in the
# "durable messages" block at the end of this file.
NOTIFY_API_KEY = env.str("NOTIFY_API_KEY", default="")
NOTIFY_EMAIL_TEMPLATE_ID = env.str("NOTIFY_EMAIL_TEMPLATE_ID", default="")
NOTIFY_SMS_TEMPLATE_ID = env.str("NOTIFY_SMS_TEMPLATE_ID", default="")
# A listing not checked for this many days is flagged, and its owner reminded.
DIRECTORY_ASSURANCE_DAYS = env.int("FAMILYREACH_DIRECTORY_ASSURANCE_DAYS", default=183)
# Public base URL used in the ORUK API's openapi_url and in reminders.
PUBLIC_BASE_URL = env.str("FAMILYREACH_PUBLIC_BASE_URL", default="http://127.0.0.1:8000")

# --- Families and delivery (docs/families-and-delivery.md) -----------------------------------
# Family records are kept until the youngest child reaches this age, then anonymised by
# `familyreach families apply-retention` (contacts stay countable by area).
FAMILY_RETENTION_YEARS_AFTER_YOUNGEST_BIRTH = env.int(
    "FAMILYREACH_FAMILY_RETENTION_YEARS", default=25
)
# Records of families with no child's date of birth or due date are kept this many years after
# their last change before anonymisation.
FAMILY_RETENTION_YEARS_WITHOUT_CHILDREN = env.int(
    "FAMILYREACH_FAMILY_RETENTION_YEARS_WITHOUT_CHILDREN", default=6
)
# How many weeks ahead occurrences of recurring sessions are generated.
DELIVERY_OCCURRENCE_WEEKS_AHEAD = env.int("FAMILYREACH_OCCURRENCE_WEEKS_AHEAD", default=12)
# Messages to families go through `familyreach.outbox.notify` (see NOTIFY_* above).

# --- Community (docs/community.md) -----------------------------------------------------------
# Where safeguarding concerns go at once, and who hears about expiring checks and training.
COMMUNITY_DUTY_SAFEGUARDING_EMAIL = env.str(
    "FAMILYREACH_DUTY_SAFEGUARDING_EMAIL", default="duty-safeguarding@example.org"
)
COMMUNITY_COORDINATOR_EMAIL = env.str(
    "FAMILYREACH_VOLUNTEER_COORDINATOR_EMAIL", default="volunteer-coordinators@example.org"
)
# Days before an expiry when the coordinators are warned (0: on the day it expires).
COMMUNITY_EXPIRY_WARNING_DAYS = (30, 7, 0)

# --- Planning (familyreach.planning) ------------------------------------------------------
# Costs used where a scenario or a venue gives no figure. These are ASSUMPTIONS for appraisal,
# not published figures: no per-building running cost for Norfolk's centres is in our data.
# Every page and report that uses them says so; a council should replace them with its own
# (docs/planning.md explains each).
PLANNING_BUILDING_COST_BY_KIND: dict[str, int] = {
    # A children's centre or family base the council runs: premises, utilities, reception.
    "childrens_centre": 60_000,
    "family_base": 60_000,
    # Rooms hired in a building run by someone else: a share of its costs.
    "library": 12_000,
    "school": 10_000,
    "village_hall": 4_000,
    "community_centre": 6_000,
    "other": 8_000,
}
# Frontline worker cost per full-time equivalent a year, with on-costs (assumption).
PLANNING_STAFF_COST_PER_FTE = 35_000
# Group sessions a week one full-time frontline worker runs, with preparation and travel (assumption).
PLANNING_SESSIONS_PER_FTE = 6
# Working hours a year of one full-time worker: 37 hours x 44 weeks after leave (assumption).
PLANNING_HOURS_PER_FTE = 1_628
# Runs whose worker stopped: see "Background work that stops" at the end of this file.


# --- insight: reach against need (docs/measures.md defines every figure) -------------------
# A family is "seen" with at least one counted contact in this many months up to the date.
INSIGHT_WINDOW_MONTHS = env.int("FAMILYREACH_INSIGHT_WINDOW_MONTHS", default=12)
# "Sustained engagement": at least this many counted contacts in the window.
INSIGHT_SUSTAINED_MINIMUM_CONTACTS = env.int("FAMILYREACH_INSIGHT_SUSTAINED_CONTACTS", default=3)
# Under five: born less than this many months before the reference date.
INSIGHT_UNDER_FIVE_MONTHS = 60
# Contact kinds that count as being seen (phone calls do not, by default).
INSIGHT_SEEN_CONTACT_KINDS: list[str] = env.list(
    "FAMILYREACH_INSIGHT_SEEN_CONTACT_KINDS",
    default=["session_attendance", "home_visit", "one_to_one"],
)
# Months shown in the trend charts.
INSIGHT_TREND_MONTHS = env.int("FAMILYREACH_INSIGHT_TREND_MONTHS", default=24)
# Small-number suppression: published counts from 1 to this minus 1 (and rates built on them)
# show "[c]", with secondary suppression so no total gives them away. 1 or 0 turns it off.
INSIGHT_SUPPRESSION_THRESHOLD = env.int("FAMILYREACH_INSIGHT_SUPPRESSION_THRESHOLD", default=5)
# PostgreSQL work_mem for the reach refresh's transaction (its sorts and hash aggregates).
INSIGHT_REFRESH_WORK_MEM = env.str("FAMILYREACH_INSIGHT_REFRESH_WORK_MEM", default="128MB")
# Greatest-need areas and need weights come from familyreach.geo.need
# (FAMILYREACH_GREATEST_NEED, FAMILYREACH_NEED_WEIGHTS above).


# --- public forms: how often one address may send each (core/ratelimit.py) -------------------
# (attempts, window in seconds). Generous for a family, a wall for a script.
FAMILYREACH_RATE_LIMITS: dict[str, tuple[int, int]] = {
    "book": (env.int("FAMILYREACH_RATE_LIMIT_BOOK", default=10), 600),
    "request-support": (env.int("FAMILYREACH_RATE_LIMIT_REQUEST_SUPPORT", default=10), 3600),
    "group-register": (env.int("FAMILYREACH_RATE_LIMIT_GROUP_REGISTER", default=5), 3600),
}
# A ceiling per form over every address together (same windows): many addresses (a botnet, or
# one attacker with a block of IPv6 /64s) cannot fill sessions or the triage queue either. Set
# well above a county's busiest real hour; reaching it is logged as an error.
FAMILYREACH_RATE_LIMITS_ALL_ADDRESSES: dict[str, int] = {
    "book": env.int("FAMILYREACH_RATE_CEILING_BOOK", default=300),
    "request-support": env.int("FAMILYREACH_RATE_CEILING_REQUEST_SUPPORT", default=200),
    "group-register": env.int("FAMILYREACH_RATE_CEILING_GROUP_REGISTER", default=30),
}
# Which cache holds the counts: use a shared one (database or Redis) with several processes.
FAMILYREACH_RATE_LIMIT_CACHE = env.str("FAMILYREACH_RATE_LIMIT_CACHE", default="default")
# Proxies in front of the service that append to X-Forwarded-For (0: use REMOTE_ADDR).
FAMILYREACH_TRUSTED_PROXY_HOPS = env.int("FAMILYREACH_TRUSTED_PROXY_HOPS", default=0)

# --- whole public pages kept in the cache (core/public_cache.py) ----------------------------
# /find and the Open Referral API, for anonymous visitors; 0 turns it off. Writes to the
# directory clear it at once in this process (in every process with a shared CACHE_URL).
FAMILYREACH_PUBLIC_CACHE_SECONDS = env.int("FAMILYREACH_PUBLIC_CACHE_SECONDS", default=60)

# --- Background work that stops: heartbeats and recovery (core/background.py) ----------------
# Planning runs and reach refreshes (docs/planning.md "Runs that stop"). `scenario_runs_recover`
# and `reach_refreshes_recover` apply these; the scheduler calls them every few minutes.
# A running job writes a heartbeat this often (seconds), from a thread of its own.
BACKGROUND_HEARTBEAT_SECONDS = env.int("FAMILYREACH_HEARTBEAT_SECONDS", default=15)
# A running job whose heartbeat is older than this has lost its worker (killed, restarted,
# out of memory, its machine gone): it is queued again, or failed after its last attempt.
# Also how long a queued job's lost task is given before it is queued again.
BACKGROUND_WORKER_GONE_SECONDS = env.int("FAMILYREACH_WORKER_GONE_SECONDS", default=180)
# A queued job that no worker has started after this long is failed with a message saying so
# (is a worker running?), so the scenario can be changed and run again.
BACKGROUND_QUEUE_WAIT_SECONDS = env.int("FAMILYREACH_QUEUE_WAIT_SECONDS", default=3600)
# Attempts a job gets before a lost worker fails it instead of queueing it again.
BACKGROUND_MAX_ATTEMPTS = env.int("FAMILYREACH_MAX_ATTEMPTS", default=2)
# --- operations: scheduler and workers (familyreach.operations; docs/runbooks/operations.md) ---
# `familyreach worker` runs the task worker and django-crontask's scheduler in one process.
# With several worker processes, a Redis URL here lets only one of them schedule (crontask's
# lock; the others stand by). Without it each scheduler enqueues, and each job still runs once
# per slot (operations.JobRun is unique per job and slot).
_SCHEDULER_REDIS_URL = env.str("FAMILYREACH_SCHEDULER_REDIS_URL", default="")
CRONTASK: dict[str, object] = {"REDIS_URL": _SCHEDULER_REDIS_URL or None}
# /healthz calls the scheduler (or the worker) stale when its last heartbeat is older than this.
FAMILYREACH_SCHEDULER_STALE_SECONDS = env.int("FAMILYREACH_SCHEDULER_STALE_SECONDS", default=300)
# When true, a stale (or never seen) scheduler or worker makes /healthz answer 503. True in
# production settings; false in the demo and tests, where no scheduler may be running.
FAMILYREACH_SCHEDULER_REQUIRED = env.bool("FAMILYREACH_SCHEDULER_REQUIRED", default=False)
# Job runs and finished task results older than this are deleted nightly (each job's latest
# run is kept).
FAMILYREACH_JOB_HISTORY_DAYS = env.int("FAMILYREACH_JOB_HISTORY_DAYS", default=90)
# --- HTTP caching of public pages and read replicas (docs/scaling.md) ------------------------
# Public pages (@public_page: /find and the ORUK API) carry no CSP nonce, so any HTTP cache or
# CDN may keep them: the only inline script they have, GOV.UK Frontend's "js-enabled" line in
# govuk_frontend_jinja's template.html, is allowed by its SHA-256 (the hash GOV.UK Frontend
# publishes; tests/core/test_http_caching.py checks it against the template). Staff pages keep
# their nonce.
GOVUK_INLINE_SCRIPT_HASH = "'sha256-GUQ5ad8JK5KmEWmROf3LZd9ge94daqNvd8xy9YS1iDw='"
SECURE_CSP["script-src"] = [*SECURE_CSP["script-src"], GOVUK_INLINE_SCRIPT_HASH]
# If-None-Match / If-Modified-Since answered with 304 (Django's ConditionalGetMiddleware, its
# 304s saying a kept page's Age), kept pages included: it must sit above the page cache, which
# answers kept pages before anything below it runs.
MIDDLEWARE.insert(
    MIDDLEWARE.index("familyreach.core.public_cache.PublicPageCacheMiddleware"),
    "familyreach.core.public_cache.ConditionalGetKeepingAgeMiddleware",
)
# A PostgreSQL streaming replica for reads that may be a moment old (core/db_routers.py): the
# public directory search, the ORUK API and the insight dashboards, in the apps listed. Unset:
# one database, no router. In tests the alias mirrors `default` (tests/core/
# test_replica_router.py points it at a real standby).
FAMILYREACH_REPLICA_APPS: list[str] = env.list(
    "FAMILYREACH_REPLICA_APPS", default=["directory", "geo", "insight"]
)
# Reads go to the primary while the replica is further behind than this (seconds)...
FAMILYREACH_REPLICA_MAX_LAG_SECONDS = env.float("FAMILYREACH_REPLICA_MAX_LAG_SECONDS", default=5)
# ...asked at most this often per process (seconds)...
FAMILYREACH_REPLICA_CHECK_SECONDS = env.float("FAMILYREACH_REPLICA_CHECK_SECONDS", default=2)
# ...and for this long after someone's POST, their own pages read from the primary.
FAMILYREACH_REPLICA_PIN_SECONDS = env.int("FAMILYREACH_REPLICA_PIN_SECONDS", default=15)
REPLICA_DATABASES: dict[str, dict[str, object]] = {}
if env.str("DATABASE_REPLICA_URL", default=""):
    REPLICA_DATABASES["replica"] = {
        **env.db_url("DATABASE_REPLICA_URL"),
        "TEST": {"MIRROR": "default"},
    }
    DATABASES.update(REPLICA_DATABASES)
    DATABASE_ROUTERS = ["familyreach.core.db_routers.ReplicaRouter"]
    MIDDLEWARE.insert(
        MIDDLEWARE.index("django.contrib.sessions.middleware.SessionMiddleware"),
        "familyreach.core.db_routers.ReplicaPinMiddleware",
    )

# --- durable messages: the outbox and GOV.UK Notify (docs/runbooks/messages.md) --------------
# Every email and text is stored in the outbox table in the same transaction as what caused it
# and sent after commit by the task worker (`outbox.tasks.send_due_messages`, also run every
# minute by the scheduler). NOTIFY_API_KEY above picks GOV.UK Notify; production requires it.
# Notify's API address: only tests (a local server) and Notify's own test setups change it.
NOTIFY_BASE_URL = env.str("NOTIFY_BASE_URL", default="https://api.notifications.service.gov.uk")
# Seconds one request to Notify may take. Must stay well under the sending lease below.
NOTIFY_TIMEOUT_SECONDS = env.float("NOTIFY_TIMEOUT_SECONDS", default=30.0)
# After a failure that may pass (429, 5xx, network): wait base × 2^(attempt-1), at most the cap:
# 1, 2, 4, 8, 16, 32, 60, 60 minutes by default.
OUTBOX_RETRY_BASE_SECONDS = env.int("FAMILYREACH_OUTBOX_RETRY_BASE_SECONDS", default=60)
OUTBOX_RETRY_MAX_SECONDS = env.int("FAMILYREACH_OUTBOX_RETRY_MAX_SECONDS", default=3600)
# Tries before a message is marked failed (about 3 hours with the defaults). 400 and 403 from
# Notify fail at once: the same request would fail again.
OUTBOX_MAX_ATTEMPTS = env.int("FAMILYREACH_OUTBOX_MAX_ATTEMPTS", default=8)
# A message "sending" for longer than this lost its sender (a crash, a kill): the next run asks
# Notify whether it arrived, and sends it again only if it did not.
OUTBOX_SENDING_LEASE_SECONDS = env.int("FAMILYREACH_OUTBOX_SENDING_LEASE_SECONDS", default=300)
# Messages one run of the sender takes at most (the rest wait for the next run).
OUTBOX_BATCH_SIZE = env.int("FAMILYREACH_OUTBOX_BATCH_SIZE", default=200)
# Sent messages (their bodies are family data) are deleted this many days after sending by the
# daily task `outbox.tasks.delete_old_messages`; failed and waiting ones are kept.
OUTBOX_KEEP_SENT_DAYS = env.int("FAMILYREACH_OUTBOX_KEEP_SENT_DAYS", default=90)

# --- taxonomy URIs (docs/decisions/0006-taxonomy-mapping-to-dfe.md) -------------------------
# Our own taxonomies and terms are published with URIs under this base: <base>/taxonomies/<id>
# and <base>/taxonomy_terms/<id>, which with the default are their own records in our ORUK API.
# A URI is given once, when the term is first written, and never rewritten (consumers store
# them), so set this before the first `migrate`/demo load of a production database.
TAXONOMY_URI_BASE = env.str(
    "FAMILYREACH_TAXONOMY_URI_BASE", default=f"{PUBLIC_BASE_URL.rstrip('/')}/openreferral"
)

# --- the ORUK feed as consumers take it (docs/directory.md "What consumers need") -------------
# A council service with no web address or email of its own (nor its organisation's) is
# published with the council's public contact details, so DfE's "Find support for your family"
# and other ORUK consumers can list it. Defaults: Norfolk County Council's published public
# contact details (its children and families pages, its general enquiries address and its
# customer service centre number), for the demo; a council sets its own.
COUNCIL_CONTACT_URL = env.str(
    "FAMILYREACH_COUNCIL_CONTACT_URL", default="https://www.norfolk.gov.uk/children-and-families"
)
COUNCIL_CONTACT_EMAIL = env.str(
    "FAMILYREACH_COUNCIL_CONTACT_EMAIL", default="information@norfolk.gov.uk"
)
COUNCIL_CONTACT_PHONE = env.str("FAMILYREACH_COUNCIL_CONTACT_PHONE", default="0344 800 8020")

# --- referrals between organisations (docs/referrals.md) ------------------------------------
# A referral still New or Opened after this many working days (Monday to Friday, England and
# Wales bank holidays excluded) is reminded to the receiving organisation, once a day, by the
# daily job `referrals-remind-waiting`.
REFERRALS_REMIND_AFTER_WORKING_DAYS = env.int(
    "FAMILYREACH_REFERRALS_REMIND_AFTER_WORKING_DAYS", default=5
)

# --- the manager's today page (docs/staff-pages.md) -------------------------------------------
# The service's target for reach: the share of under-fives' families seen in the reach window
# (the dashboard's "Seen in N months" figure), in percent. The manager's landing page shows the
# latest figure against it. Blank: no target, the figure is shown alone.
FAMILYREACH_REACH_TARGET_PERCENT: float | None = (
    env.float("FAMILYREACH_REACH_TARGET_PERCENT", default=65.0)
    if env.str("FAMILYREACH_REACH_TARGET_PERCENT", default="65").strip()
    else None
)
# Peer supporters' DBS rechecks and training that expire within this many days are listed.
FAMILYREACH_TODAY_EXPIRY_DAYS = env.int("FAMILYREACH_TODAY_EXPIRY_DAYS", default=30)

# --- planning: the travel mode a new scenario starts with (docs/planning.md) -----------------
# A new scenario starts with the travel mode most of the council's existing scenarios use, so
# options stay comparable; this setting decides only when there are none yet (or a tie). The
# default is public transport or walking ("public_transport"): the families these services
# most need to reach are the least likely to have a car, and Norfolk's options use it. "car"
# is the other choice.
PLANNING_DEFAULT_TRAVEL_MODE = env.str(
    "FAMILYREACH_PLANNING_DEFAULT_TRAVEL_MODE",
    default="public_transport",
    choices=("public_transport", "car"),
)

# --- consultation question pages and save-and-return (docs/decisions/0008-consultation-question-pages.md)
# A "Save and come back later" link works for this many days (never past the consultation's
# close), until the respondent saves again (a new link) or sends the response. Drafts nobody
# can come back to are deleted daily by the job `consult-delete-abandoned-drafts`.
CONSULT_RETURN_LINK_DAYS = env.int("FAMILYREACH_CONSULT_RETURN_LINK_DAYS", default=28)
# Return links one address may ask for (each may send an email): a wall for a script using
# the form to send mail to strangers, generous for a person saving a few times.
FAMILYREACH_RATE_LIMITS["consult-return-link"] = (
    env.int("FAMILYREACH_RATE_LIMIT_CONSULT_RETURN_LINK", default=10),
    3600,
)
FAMILYREACH_RATE_LIMITS_ALL_ADDRESSES["consult-return-link"] = env.int(
    "FAMILYREACH_RATE_CEILING_CONSULT_RETURN_LINK", default=300
)
# --- maps (docs/runbooks/maps.md) -------------------------------------------------------------
# Production: an XYZ tile template, for example the OS Maps API
#   https://api.os.uk/maps/raster/v1/zxy/Light_3857/{z}/{x}/{y}.png?key=YOUR_KEY
# with the provider's required credit in FAMILYREACH_MAP_TILE_ATTRIBUTION (required with a URL;
# a bad URL stops the start, see familyreach.web.maps). The tile host is added to the CSP's
# img-src from the URL itself. Blank (the default, the demo, the tests, offline): maps draw the
# approximate basemap shipped as a static file (FAMILYREACH_MAP_BASEMAP; blank: none), built from
# postcode positions by `familyreach geo build-basemap`.
from familyreach.web.maps import checked_tile_settings, tile_origin  # noqa: E402

MAP_TILE_URL, MAP_TILE_ATTRIBUTION = checked_tile_settings(
    url=env.str("FAMILYREACH_MAP_TILE_URL", default=""),
    attribution=env.str("FAMILYREACH_MAP_TILE_ATTRIBUTION", default=""),
)
MAP_TILE_MAX_ZOOM = env.int("FAMILYREACH_MAP_TILE_MAX_ZOOM", default=18)
# Extra image hosts for tiles, comma-separated (a provider that redirects tiles to a CDN).
MAP_TILE_HOST = env.str("FAMILYREACH_MAP_TILE_HOST", default="")
MAP_BASEMAP = env.str("FAMILYREACH_MAP_BASEMAP", default="geo/basemap-norfolk.geojson")
MAP_BASEMAP_ATTRIBUTION = env.str(
    "FAMILYREACH_MAP_BASEMAP_ATTRIBUTION",
    default="Approximate district outlines from postcodes. Contains OS data © Crown copyright 2014",
)
SECURE_CSP["img-src"] = [
    *SECURE_CSP["img-src"],
    *([tile_origin(MAP_TILE_URL)] if MAP_TILE_URL else []),
    *[host.strip() for host in MAP_TILE_HOST.split(",") if host.strip()],
]

# --- online bookings confirmed by the parent (docs/families-and-delivery.md) -----------------
# A booking posted on the public form creates no family record until the parent follows the
# link we email or text them. Until then the place is held for this many minutes (it counts
# against the session's places, so the last place is never given twice); after that the hold
# lapses, the place is free again and the job `delivery-purge-booking-holds` deletes it.
FAMILYREACH_BOOKING_HOLD_MINUTES = env.int("FAMILYREACH_BOOKING_HOLD_MINUTES", default=30)

# --- offline outreach (docs/offline.md, decision 0018) --------------------------------------
# Registers, walk-ins and home visits that work without signal: the app under /staff/offline/,
# its JSON API under /staff/api/offline/. Devices keep this many days of sessions and visits,
# and wipe their copy when it has not been synced for as long.
INSTALLED_APPS += ["familyreach.offline"]
FAMILYREACH_OFFLINE_DAYS = env.int("FAMILYREACH_OFFLINE_DAYS", default=7)
# Signing out tells the browser to delete the site's storage (the offline copy with it).
MIDDLEWARE.append("familyreach.offline.middleware.ClearOfflineDataOnSignOutMiddleware")

# --- contract measures and quarterly returns (issue 22; docs/commissioning.md) --------------
# Time from a request for support to first contact: the share of requests contacted within this
# many days is shown beside the median (the request form promises contact within 5 working
# days, 7 calendar days).
INSIGHT_FIRST_CONTACT_TARGET_DAYS = env.int("FAMILYREACH_FIRST_CONTACT_TARGET_DAYS", default=7)

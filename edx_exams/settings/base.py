"""
Settings shared by every environment, with safe defaults.

Environment files (local, test, production) import everything from here and
override only what differs. Nothing outside the settings package reads
configuration at import time.
"""

from pathlib import Path
from typing import Any

from corsheaders.defaults import default_headers

from edx_exams.settings.utils import get_logger_config

BASE_DIR = Path(__file__).resolve().parent.parent
REPO_ROOT = BASE_DIR.parent

SERVICE_NAME = 'edx_exams'
# No APM agent by default; operators add e.g. 'edx_django_utils.monitoring.NewRelicBackend'.
OPENEDX_TELEMETRY: list[str] = []
# The edx-django-utils middleware that reports to that backend, added only when one is configured.
APM_MIDDLEWARE = [
    'edx_django_utils.monitoring.MonitoringSupportMiddleware',
    'edx_django_utils.monitoring.DeploymentMonitoringMiddleware',
    'edx_django_utils.monitoring.CookieMonitoringMiddleware',
]
SECRET_KEY = 'insecure-secret-key'  # noqa: S105 - overridden in production
DEBUG = False
ALLOWED_HOSTS: list[str] = []

INSTALLED_APPS = [
    # django.contrib.admin whose site records admin changes as staff's (edx_exams/admin_site.py).
    'edx_exams.admin_config.ExamsAdminConfig',
    'django.contrib.auth',
    'django.contrib.contenttypes',
    'django.contrib.sessions',
    'django.contrib.messages',
    'django.contrib.staticfiles',
    'corsheaders',
    'csrf.apps.CsrfAppConfig',
    'drf_spectacular',
    'drf_spectacular_sidecar',
    'rest_framework',
    'simple_history',
    'openedx_events',
    'edx_exams.apps.core',
    'edx_exams.apps.api',
    'edx_exams.apps.lti',
    'edx_exams.apps.events',
]

MIDDLEWARE = [
    # First, so every log line of the request (and each task it sends) carries its id.
    'edx_exams.request_id.RequestIdMiddleware',
    # edx-django-utils' request cache, cleared per request (edx-drf-extensions uses it). Its APM
    # middleware is added only where an APM backend is configured (settings/production.py).
    'edx_django_utils.cache.middleware.RequestCacheMiddleware',
    'corsheaders.middleware.CorsMiddleware',
    'django.middleware.security.SecurityMiddleware',
    'django.contrib.sessions.middleware.SessionMiddleware',
    'django.middleware.common.CommonMiddleware',
    'django.middleware.csrf.CsrfViewMiddleware',
    'edx_rest_framework_extensions.auth.jwt.middleware.JwtAuthCookieMiddleware',
    'django.contrib.auth.middleware.AuthenticationMiddleware',
    'crum.CurrentRequestUserMiddleware',
    'django.contrib.messages.middleware.MessageMiddleware',
    'django.middleware.clickjacking.XFrameOptionsMiddleware',
    'edx_exams.http.middleware.DatabaseUnavailableMiddleware',
]

ROOT_URLCONF = 'edx_exams.urls'
WSGI_APPLICATION = 'edx_exams.wsgi.application'
AUTH_USER_MODEL = 'core.User'
DEFAULT_AUTO_FIELD = 'django.db.models.BigAutoField'

# Staff give reasons (an exam-wide extension, a bulk reset) that can be longer than simple-history's
# default 100 characters; core/audit.py writes them onto the history rows.
SIMPLE_HISTORY_HISTORY_CHANGE_REASON_USE_TEXT_FIELD = True

# An API client must never receive a redirect: the routes accept both forms themselves.
APPEND_SLASH = False

# The embedded database of `make run`. Two requests often write the same attempt at once (the learner
# library's `click_download_software` update and the LTI launch): every transaction starts with BEGIN
# IMMEDIATE and waits up to `timeout` seconds for the other writer instead of failing with "database is
# locked"; WAL lets readers go on while one request writes.
DATABASES: dict[str, dict[str, Any]] = {
    'default': {
        'ENGINE': 'django.db.backends.sqlite3',
        'NAME': str(REPO_ROOT / 'edx_exams.sqlite3'),
        'OPTIONS': {
            'transaction_mode': 'IMMEDIATE',
            'timeout': 20,
            'init_command': 'PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;',
        },
    },
}

TEMPLATES = [
    {
        'BACKEND': 'django.template.backends.django.DjangoTemplates',
        'DIRS': [],
        'APP_DIRS': True,
        'OPTIONS': {
            'context_processors': [
                'django.template.context_processors.request',
                'django.contrib.auth.context_processors.auth',
                'django.contrib.messages.context_processors.messages',
            ],
        },
    },
]

LANGUAGE_CODE = 'en-us'
TIME_ZONE = 'UTC'
USE_I18N = True
USE_TZ = True

STATIC_URL = '/static/'
STATIC_ROOT = str(REPO_ROOT / 'assets')
# Production serves the collected files itself through WhiteNoise (settings/production.py): gzip and
# Brotli copies and content-hashed names from `collectstatic`, cached for a year by browsers. Local
# and test settings keep Django's plain storage, so they need no `collectstatic`.
PRODUCTION_STORAGES = {
    'default': {'BACKEND': 'django.core.files.storage.FileSystemStorage'},
    'staticfiles': {'BACKEND': 'whitenoise.storage.CompressedManifestStaticFilesStorage'},
}

# ---------------------------------------------------------------------------
# REST framework, API docs
# ---------------------------------------------------------------------------
REST_FRAMEWORK = {
    'DEFAULT_AUTHENTICATION_CLASSES': [
        'edx_exams.http.authentication.ExamsJwtAuthentication',
        'rest_framework.authentication.SessionAuthentication',
    ],
    'DEFAULT_PERMISSION_CLASSES': ['rest_framework.permissions.IsAuthenticated'],
    'DEFAULT_RENDERER_CLASSES': ['rest_framework.renderers.JSONRenderer'],
    'DEFAULT_PARSER_CLASSES': ['edx_exams.http.parsers.ExamsJSONParser'],
    'DEFAULT_SCHEMA_CLASS': 'drf_spectacular.openapi.AutoSchema',
    'EXCEPTION_HANDLER': 'edx_exams.http.exceptions.exams_exception_handler',
    'UNAUTHENTICATED_USER': 'django.contrib.auth.models.AnonymousUser',
}

SPECTACULAR_SETTINGS = {
    'TITLE': 'edx-exams API',
    'DESCRIPTION': 'Timed and proctored exams for Open edX: exams, attempts, allowances and LTI proctoring.',
    'VERSION': '1',
    'SERVE_INCLUDE_SCHEMA': False,
    'SWAGGER_UI_DIST': 'SIDECAR',
    'SWAGGER_UI_FAVICON_HREF': 'SIDECAR',
    'REDOC_DIST': 'SIDECAR',
    'COMPONENT_SPLIT_REQUEST': True,
    # Two request fields are named `action`: an attempt's action and a bulk call's (resume, reset).
    'ENUM_NAME_OVERRIDES': {'BulkActionEnum': ['resume', 'reset']},
    'SCHEMA_PATH_PREFIX': r'/api/v1',  # only shortens tags and operation ids; /lti/ paths are in the schema too
    'POSTPROCESSING_HOOKS': [
        'drf_spectacular.hooks.postprocess_schema_enums',
        'edx_exams.http.schema.document_unmatched_paths',
    ],
}

# ---------------------------------------------------------------------------
# JWT authentication (edx-drf-extensions). Production replaces the issuer list
# and the public key set from its configuration file.
# ---------------------------------------------------------------------------
JWT_AUTH = {
    'JWT_AUTH_HEADER_PREFIX': 'JWT',
    'JWT_ISSUER': 'http://localhost:18000/oauth2',
    'JWT_ALGORITHM': 'HS256',
    'JWT_VERIFY_EXPIRATION': True,
    'JWT_VERIFY_AUDIENCE': True,
    'JWT_AUDIENCE': 'lms-key',
    'JWT_SECRET_KEY': 'lms-secret',
    'JWT_ISSUERS': [
        {
            'AUDIENCE': 'lms-key',
            'ISSUER': 'http://localhost:18000/oauth2',
            'SECRET_KEY': 'lms-secret',
        },
    ],
    'JWT_PUBLIC_SIGNING_JWK_SET': None,
    'JWT_AUTH_COOKIE': 'edx-jwt-cookie',
    'JWT_AUTH_COOKIE_HEADER_PAYLOAD': 'edx-jwt-cookie-header-payload',
    'JWT_AUTH_COOKIE_SIGNATURE': 'edx-jwt-cookie-signature',
    'JWT_DECODE_HANDLER': 'edx_exams.http.authentication.jwt_decode_handler',
}

EDX_DRF_EXTENSIONS = {
    'JWT_PAYLOAD_USER_ATTRIBUTE_MAPPING': {
        'administrator': 'is_staff',
        'email': 'email',
        'name': 'full_name',
        'user_id': 'lms_user_id',
    },
}

# The username of the global-staff service user Studio authenticates as.
EXAMS_SERVICE_USERNAME = 'edx_exams_worker'

# ---------------------------------------------------------------------------
# CORS and CSRF for the micro-frontends (docs/references/client-contracts.rst section 0)
# ---------------------------------------------------------------------------
CORS_ALLOW_CREDENTIALS = True
CORS_ALLOWED_ORIGINS: list[str] = []
CORS_ALLOW_HEADERS = (*default_headers, 'use-jwt-cookie')
CSRF_TRUSTED_ORIGINS: list[str] = []
CSRF_COOKIE_SECURE = False
SESSION_COOKIE_SECURE = False

# ---------------------------------------------------------------------------
# Celery
# ---------------------------------------------------------------------------
CELERY_BROKER_URL = 'redis://127.0.0.1:6379/0'
CELERY_TASK_DEFAULT_QUEUE = 'edx_exams.default'
CELERY_TASK_SERIALIZER = 'json'
CELERY_RESULT_SERIALIZER = 'json'
CELERY_ACCEPT_CONTENT = ['json']
CELERY_TASK_ALWAYS_EAGER = False
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_IGNORE_RESULT = True
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TIMEZONE = 'UTC'
# The worker logs through LOGGING below (request id on every line) instead of its own root handler.
CELERY_WORKER_HIJACK_ROOT_LOGGER = False

# ---------------------------------------------------------------------------
# Email
# ---------------------------------------------------------------------------
EMAIL_BACKEND = 'django.core.mail.backends.smtp.EmailBackend'
DEFAULT_FROM_EMAIL = 'no-reply@example.com'

# ---------------------------------------------------------------------------
# Logging: ids as key=value pairs, request id, user id and remote ip on every line.
# LOG_FORMAT `json` writes one JSON object a line instead (production reads it from its file).
# ---------------------------------------------------------------------------
LOG_FORMAT = 'text'
LOGGING = get_logger_config(log_format=LOG_FORMAT)
# Error reporting: set to a Sentry DSN to send errors there (production only; sentry-sdk is imported only then).
SENTRY_DSN = ''
SENTRY_ENVIRONMENT = 'production'
SENTRY_TRACES_SAMPLE_RATE = 0.0
# How long /health/ready waits for each dependency (database excepted), in seconds.
HEALTH_CHECK_TIMEOUT_SECONDS = 1

# ---------------------------------------------------------------------------
# Exams
# ---------------------------------------------------------------------------
# The learning MFE, to build `exam_url_path` for the timer banner.
LEARNING_MICROFRONTEND_URL = 'http://localhost:2000'
LMS_ROOT_URL = 'http://localhost:18000'
EXAMS_BASE_URL = 'http://localhost:18740'
# The expiry sweep submits running attempts this many seconds after their deadline,
# leaving the learner's own timer (which submits 5 s after 00:00) the first word.
EXAM_ATTEMPT_EXPIRY_GRACE_SECONDS = 30
# How often the beat sweep runs, in seconds.
EXAM_ATTEMPT_EXPIRY_SWEEP_SECONDS = 60
CELERY_BEAT_SCHEDULE = {
    'expire-overdue-attempts': {
        'task': 'edx_exams.apps.core.tasks.expire_overdue_attempts',
        'schedule': EXAM_ATTEMPT_EXPIRY_SWEEP_SECONDS,
    },
}

# ---------------------------------------------------------------------------
# Events for the LMS (openedx-events through the outbox of the events app)
# and emails to learners. EVENT_BUS_PRODUCER is set by production (Redis) and
# left unset here: without it events are only logged (docs/how-tos/event-bus.rst).
# ---------------------------------------------------------------------------
EVENTS_SERVICE_NAME = 'edx_exams'
EXAM_ATTEMPT_EVENTS_TOPIC = 'learning-exam-attempt-lifecycle'
EVENT_BUS_TOPIC_PREFIX = ''
EVENT_BUS_PRODUCER_CONFIG = {
    f'org.openedx.learning.exam.attempt.{name}.v1': {
        EXAM_ATTEMPT_EVENTS_TOPIC: {'event_key_field': 'exam_attempt.course_key', 'enabled': True},
    }
    for name in ('submitted', 'verified', 'rejected', 'errored', 'reset')
}
# The Redis consumer blocks this long per read. It must stay below redis-py's socket timeout
# (5 s by default), or every idle read fails with "Timeout reading from socket".
EVENT_BUS_REDIS_CONSUMER_POLL_TIMEOUT = 1
# How long to wait for Kafka to acknowledge an event before trying again later.
EVENT_BUS_SEND_TIMEOUT_SECONDS = 10
# Retries of unsent events: first after the base delay, doubling up to the maximum.
EVENT_OUTBOX_RETRY_BASE_SECONDS = 60
EVENT_OUTBOX_RETRY_MAX_SECONDS = 3600
# A publisher's hold on an event; after it, a crashed publisher's event is retried.
EVENT_OUTBOX_CLAIM_SECONDS = 120
# Sent events are deleted after this many days.
EVENT_OUTBOX_RETENTION_DAYS = 30
EVENT_OUTBOX_RETRY_SWEEP_SECONDS = 60
# Learner emails: retried with backoff from the base delay when the mail server fails.
EMAIL_TIMEOUT = 10
EXAM_EMAIL_MAX_RETRIES = 5
EXAM_EMAIL_RETRY_BASE_SECONDS = 60
CELERY_BEAT_SCHEDULE.update(
    {
        'retry-unsent-events': {
            'task': 'edx_exams.apps.events.tasks.retry_unsent_events',
            'schedule': EVENT_OUTBOX_RETRY_SWEEP_SECONDS,
        },
        'prune-sent-events': {'task': 'edx_exams.apps.events.tasks.prune_sent_events', 'schedule': 24 * 3600},
    }
)

# ---------------------------------------------------------------------------
# Exam access tokens (edx-token-utils format; the LMS holds the public key set).
# Production sets JWT_PRIVATE_SIGNING_JWK and JWT_PUBLIC_SIGNING_JWK_SET from its YAML file.
# ---------------------------------------------------------------------------
TOKEN_SIGNING = {
    'JWT_ISSUER': 'http://localhost:18740',
    'JWT_SIGNING_ALGORITHM': 'RS512',
    'JWT_SUPPORTED_VERSION': '1.2.0',
    'JWT_PRIVATE_SIGNING_JWK': None,
    'JWT_PUBLIC_SIGNING_JWK_SET': None,
}
# Longest lifetime of an exam access token, in seconds (shortened to the attempt's time left).
EXAM_ACCESS_TOKEN_MAX_SECONDS = 60
# Salt of retired usernames (retired_user_<sha256(salt + username)>); empty means SECRET_KEY.
# Keep it stable: retiring again by the original username finds the row through it.
RETIRED_USER_SALT = ''

# ---------------------------------------------------------------------------
# LTI 1.3 proctoring platform (docs/decisions/0003-lti-1p3-proctoring-integration.rst)
# ---------------------------------------------------------------------------
# The name tools see in the tool_platform claim.
PLATFORM_NAME = 'Open edX'
# The issuer (`iss`) tools are configured with; empty means EXAMS_BASE_URL. Never change it once tools use it.
LTI_PLATFORM_ISSUER = ''
# Encrypts the platform's private keys at rest; empty means SECRET_KEY. Changing it needs `rotate_lti_keys`.
LTI_KEY_ENCRYPTION_SECRET = ''
# Lifetimes, in seconds: id_tokens we sign, the single-use message hint of a launch,
# ACS access tokens, and the session_data a tool must echo (its set-up and ID checks take time).
LTI_ID_TOKEN_LIFETIME_SECONDS = 300
LTI_MESSAGE_HINT_LIFETIME_SECONDS = 300
LTI_ACCESS_TOKEN_LIFETIME_SECONDS = 3600
LTI_SESSION_DATA_LIFETIME_SECONDS = 4 * 3600
# Clock skew allowed on tokens, and the longest age and lifetime of a tool's JWT.
LTI_JWT_LEEWAY_SECONDS = 30
LTI_TOOL_JWT_MAX_AGE_SECONDS = 600
LTI_MAX_JWT_LENGTH = 16 * 1024
# Tool JWKS: cached this long; an unknown kid refetches at most once per interval.
LTI_TOOL_JWKS_CACHE_SECONDS = 3600
LTI_TOOL_JWKS_REFETCH_INTERVAL_SECONDS = 60
LTI_TOOL_JWKS_TIMEOUT_SECONDS = 5
# Fetch a tool JWKS from a loopback, private or link-local address (a tool inside our own network).
LTI_TOOL_JWKS_ALLOW_PRIVATE_ADDRESSES = False
# ACS terminate: reason codes carrying the tool's review result (Proctorio: 1, "submitted by user"),
# and the severity above which the result needs a second, human review.
LTI_ACS_REVIEW_REASON_CODES = ['1']
LTI_ACS_SECOND_REVIEW_SEVERITY = 0.25
CELERY_BEAT_SCHEDULE['prune-expired-lti-records'] = {
    'task': 'edx_exams.apps.lti.tasks.prune_expired_lti_records',
    'schedule': 3600,
}

"""
Production settings.

Reads the YAML file named by `EDX_EXAMS_CFG` (every top-level key becomes a
setting; the dictionaries listed in DICT_UPDATE_KEYS are merged rather than
replaced), then environment variables for secrets and URLs. The development
secrets and the SQLite database of the base settings are cleared first, and
`require_production_settings` refuses to start while any required setting is
missing or still a development default (docs/decisions/0009-production-fails-closed.rst).
"""

import os
from typing import Any

import yaml
from django.core.exceptions import ImproperlyConfigured
from openedx_events.event_bus import merge_producer_configs

from edx_exams.settings.base import *  # noqa: F403
from edx_exams.settings.utils import env_bool, get_logger_config
from edx_exams.settings.validation import require_production_settings

DEBUG = False

# Static files: WhiteNoise answers /static/ right after the security middleware, from STATIC_ROOT as
# filled by `manage.py collectstatic` (docs/operations/running.rst).
STORAGES = PRODUCTION_STORAGES
MIDDLEWARE = [
    *MIDDLEWARE[: MIDDLEWARE.index('django.middleware.security.SecurityMiddleware') + 1],
    'whitenoise.middleware.WhiteNoiseMiddleware',
    *MIDDLEWARE[MIDDLEWARE.index('django.middleware.security.SecurityMiddleware') + 1 :],
]

# No development default survives into production: each of these must come from the file or the environment.
SECRET_KEY = ''
ALLOWED_HOSTS = []
DATABASES = {}
LTI_KEY_ENCRYPTION_SECRET = ''
JWT_AUTH = {**JWT_AUTH, 'JWT_ISSUERS': [], 'JWT_SECRET_KEY': None, 'JWT_PUBLIC_SIGNING_JWK_SET': None}
TOKEN_SIGNING = {
    **TOKEN_SIGNING,
    'JWT_ISSUER': None,
    'JWT_PRIVATE_SIGNING_JWK': None,
    'JWT_PUBLIC_SIGNING_JWK_SET': None,
}

# Dictionaries whose keys from the YAML file are merged into the defaults.
DICT_UPDATE_KEYS = ('JWT_AUTH', 'REST_FRAMEWORK', 'EDX_DRF_EXTENSIONS', 'CELERY_BEAT_SCHEDULE', 'TOKEN_SIGNING')

CONFIG_FILE = os.environ.get('EDX_EXAMS_CFG')
_config: dict[str, Any] = {}
if CONFIG_FILE:
    with open(CONFIG_FILE, encoding='utf-8') as config_file:
        _config = yaml.safe_load(config_file) or {}
    for _key in DICT_UPDATE_KEYS:
        if _key in _config:
            # A new dict: the defaults belong to the base module and must not change under it.
            vars()[_key] = {**vars()[_key], **_config.pop(_key)}
    # Merged per event type and topic, so a file can flip one topic without repeating the others.
    EVENT_BUS_PRODUCER_CONFIG = merge_producer_configs(
        EVENT_BUS_PRODUCER_CONFIG, _config.pop('EVENT_BUS_PRODUCER_CONFIG', None) or {}
    )
    vars().update(_config)

# Secrets and URLs from the environment win over the file.
_ENV_OVERRIDES = {
    'SECRET_KEY': 'EDX_EXAMS_SECRET_KEY',
    'LTI_KEY_ENCRYPTION_SECRET': 'EDX_EXAMS_LTI_KEY_ENCRYPTION_SECRET',
    'CELERY_BROKER_URL': 'EDX_EXAMS_CELERY_BROKER_URL',
    'EVENT_BUS_REDIS_CONNECTION_URL': 'EDX_EXAMS_EVENT_BUS_REDIS_URL',
    'EVENT_BUS_TOPIC_PREFIX': 'EDX_EXAMS_EVENT_BUS_TOPIC_PREFIX',
    'LMS_ROOT_URL': 'EDX_EXAMS_LMS_ROOT_URL',
    'EXAMS_BASE_URL': 'EDX_EXAMS_BASE_URL',
    'LOG_FORMAT': 'EDX_EXAMS_LOG_FORMAT',
    'SENTRY_DSN': 'EDX_EXAMS_SENTRY_DSN',
}
for _setting, _variable in _ENV_OVERRIDES.items():
    if _variable in os.environ:
        vars()[_setting] = os.environ[_variable]

if 'EDX_EXAMS_DATABASE_HOST' in os.environ:
    DATABASES = {
        'default': {
            'ENGINE': 'django.db.backends.mysql',
            'NAME': os.environ.get('EDX_EXAMS_DATABASE_NAME', 'edx_exams'),
            'USER': os.environ.get('EDX_EXAMS_DATABASE_USER', 'edx_exams001'),
            'PASSWORD': os.environ.get('EDX_EXAMS_DATABASE_PASSWORD', ''),
            'HOST': os.environ['EDX_EXAMS_DATABASE_HOST'],
            'PORT': os.environ.get('EDX_EXAMS_DATABASE_PORT', '3306'),
            'ATOMIC_REQUESTS': False,
            'OPTIONS': {'charset': 'utf8mb4', 'isolation_level': 'read committed'},
        },
    }

if 'EDX_EXAMS_CORS_ORIGINS' in os.environ:
    CORS_ALLOWED_ORIGINS = [o for o in os.environ['EDX_EXAMS_CORS_ORIGINS'].split(',') if o]
    CSRF_TRUSTED_ORIGINS = CORS_ALLOWED_ORIGINS

SESSION_COOKIE_SECURE = env_bool('EDX_EXAMS_SECURE_COOKIES', True)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE

# Redis is the default event bus; switching to Kafka is a settings change (docs/how-tos/event-bus.rst).
EVENT_BUS_PRODUCER = vars().get('EVENT_BUS_PRODUCER', 'edx_event_bus_redis.create_producer')
EVENT_BUS_CONSUMER = vars().get('EVENT_BUS_CONSUMER', 'edx_event_bus_redis.RedisEventConsumer')
EVENT_BUS_REDIS_CONNECTION_URL = vars().get('EVENT_BUS_REDIS_CONNECTION_URL', 'redis://127.0.0.1:6379/0')

# edx-django-utils' APM middleware only reports to an APM backend: without one (OPENEDX_TELEMETRY empty,
# the default) it would be work on every request for nothing (docs/decisions/0020-learner-hot-path.rst).
if OPENEDX_TELEMETRY:
    _after_cache = MIDDLEWARE.index('edx_django_utils.cache.middleware.RequestCacheMiddleware') + 1
    MIDDLEWARE = [*MIDDLEWARE[:_after_cache], *APM_MIDDLEWARE, *MIDDLEWARE[_after_cache:]]

# Persistent connections: a worker keeps its database connection between requests (opening one cost
# more than the learner's poll itself) and checks it before reuse, so a connection the server closed
# is replaced instead of failing a request (docs/decisions/0020-learner-hot-path.rst). A file may set others.
for _database in DATABASES.values():
    _database.setdefault('CONN_MAX_AGE', 300)
    _database.setdefault('CONN_HEALTH_CHECKS', True)

require_production_settings(vars())

# Logging as LOG_FORMAT says (`text` or `json`), unless the file gives a whole LOGGING dict.
if 'LOGGING' not in _config:
    try:
        LOGGING = get_logger_config(log_format=LOG_FORMAT)
    except ValueError as error:
        raise ImproperlyConfigured(str(error)) from error

if SENTRY_DSN:
    from edx_exams.settings.sentry import init_sentry

    init_sentry(SENTRY_DSN, environment=SENTRY_ENVIRONMENT, traces_sample_rate=SENTRY_TRACES_SAMPLE_RATE)

"""
Settings for `make run.full`: the `make run` demo with the services production uses.

MariaDB / MySQL (database `edx_exams` on 127.0.0.1:3306), Redis as the Celery
broker and as the event bus (topic prefix `dev`), a separate Celery worker and
beat. Email still goes to the console. Every address can be changed through the
environment variables below.
"""

import os

from edx_exams.settings.local import *  # noqa: F403

DATABASES = {
    'default': {
        'ENGINE': 'django.db.backends.mysql',
        'NAME': os.environ.get('EDX_EXAMS_DATABASE_NAME', 'edx_exams'),
        'USER': os.environ.get('EDX_EXAMS_DATABASE_USER', 'root'),
        'PASSWORD': os.environ.get('EDX_EXAMS_DATABASE_PASSWORD', ''),
        'HOST': os.environ.get('EDX_EXAMS_DATABASE_HOST', '127.0.0.1'),
        'PORT': os.environ.get('EDX_EXAMS_DATABASE_PORT', '3306'),
        'OPTIONS': {'charset': 'utf8mb4', 'isolation_level': 'read committed'},
    },
}

REDIS_URL = os.environ.get('EDX_EXAMS_REDIS_URL', 'redis://127.0.0.1:6379/0')

# Tasks go through Redis to the worker, as in production.
CELERY_TASK_ALWAYS_EAGER = False
CELERY_BROKER_URL = REDIS_URL

# Events go to Redis streams named `dev-<topic>`, e.g. dev-learning-exam-attempt-lifecycle.
EVENT_BUS_PRODUCER = 'edx_event_bus_redis.create_producer'
EVENT_BUS_CONSUMER = 'edx_event_bus_redis.RedisEventConsumer'
EVENT_BUS_REDIS_CONNECTION_URL = REDIS_URL
EVENT_BUS_TOPIC_PREFIX = os.environ.get('EDX_EXAMS_EVENT_BUS_TOPIC_PREFIX', 'dev')

# The demo's sweeps run more often than production's, so an expiry shows within seconds.
EXAM_ATTEMPT_EXPIRY_SWEEP_SECONDS = 10
EVENT_OUTBOX_RETRY_SWEEP_SECONDS = 10
EVENT_OUTBOX_RETRY_BASE_SECONDS = 10
CELERY_BEAT_SCHEDULE = {
    **CELERY_BEAT_SCHEDULE,
    'expire-overdue-attempts': {
        'task': 'edx_exams.apps.core.tasks.expire_overdue_attempts',
        'schedule': EXAM_ATTEMPT_EXPIRY_SWEEP_SECONDS,
    },
    'retry-unsent-events': {
        'task': 'edx_exams.apps.events.tasks.retry_unsent_events',
        'schedule': EVENT_OUTBOX_RETRY_SWEEP_SECONDS,
    },
}

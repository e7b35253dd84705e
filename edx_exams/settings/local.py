"""
Settings for `make run`: one process, no external service.

SQLite file, eager Celery, console email and events only logged. The Open edX
devstack MFE origins are trusted so a locally running MFE works unchanged.
"""

from edx_exams.settings.base import *  # noqa: F403

DEBUG = True
ALLOWED_HOSTS = ['127.0.0.1', 'localhost', '[::1]', 'testserver']

DEVSTACK_MFE_ORIGINS = [
    'http://localhost:2000',  # frontend-app-learning
    'http://localhost:2001',  # frontend-app-authoring
    'http://localhost:2020',  # frontend-app-exams-dashboard
]
CORS_ALLOWED_ORIGINS = DEVSTACK_MFE_ORIGINS
CSRF_TRUSTED_ORIGINS = DEVSTACK_MFE_ORIGINS

CELERY_TASK_ALWAYS_EAGER = True
CELERY_BROKER_URL = 'memory://'

EMAIL_BACKEND = 'django.core.mail.backends.console.EmailBackend'

# Events are sent as in-process Django signals and logged; nothing goes to a bus.
EVENT_BUS_PRODUCER = None

LMS_ROOT_URL = 'http://localhost:18000'
EXAMS_BASE_URL = 'http://127.0.0.1:18740'

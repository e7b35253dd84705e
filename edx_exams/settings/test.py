"""
Settings for the test suite.

SQLite in memory by default; `EDX_EXAMS_TEST_DB=mysql` runs the same suite on
MariaDB / MySQL at 127.0.0.1:3306 (see `make test.mysql`).
"""

import os

from edx_exams.settings.base import *  # noqa: F403
from edx_exams.settings.local import DEVSTACK_MFE_ORIGINS, TOKEN_SIGNING  # noqa: F401

ALLOWED_HOSTS = ['*']
CORS_ALLOWED_ORIGINS = DEVSTACK_MFE_ORIGINS
CSRF_TRUSTED_ORIGINS = DEVSTACK_MFE_ORIGINS

if os.environ.get('EDX_EXAMS_TEST_DB') == 'mysql':
    DATABASES = {
        'default': {
            'ENGINE': 'django.db.backends.mysql',
            'NAME': 'edx_exams',
            'USER': os.environ.get('EDX_EXAMS_TEST_DB_USER', 'root'),
            'PASSWORD': os.environ.get('EDX_EXAMS_TEST_DB_PASSWORD', ''),
            'HOST': os.environ.get('EDX_EXAMS_TEST_DB_HOST', '127.0.0.1'),
            'PORT': os.environ.get('EDX_EXAMS_TEST_DB_PORT', '3306'),
            'OPTIONS': {'charset': 'utf8mb4', 'isolation_level': 'read committed'},
            'TEST': {
                'NAME': os.environ.get('EDX_EXAMS_TEST_DB_NAME', 'test_edx_exams'),
                'CHARSET': 'utf8mb4',
                'COLLATION': 'utf8mb4_unicode_ci',
            },
        },
    }
else:
    DATABASES = {'default': {'ENGINE': 'django.db.backends.sqlite3', 'NAME': ':memory:'}}

PASSWORD_HASHERS = ['django.contrib.auth.hashers.MD5PasswordHasher']

CELERY_TASK_ALWAYS_EAGER = True
CELERY_BROKER_URL = 'memory://'
EMAIL_BACKEND = 'django.core.mail.backends.locmem.EmailBackend'
EVENT_BUS_PRODUCER = None

LMS_ROOT_URL = 'http://lms.test'
EXAMS_BASE_URL = 'http://exams.test'

LOGGING = get_logger_config(level='WARNING')

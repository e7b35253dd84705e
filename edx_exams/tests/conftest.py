"""Fixtures of the service-wide tests: a complete production configuration."""

import os

import pytest

from test_utils.production import required_production_config


@pytest.fixture
def complete_config():
    """A configuration production accepts: every required key, none a development default, and the URLs."""
    return {
        **required_production_config(),
        'CELERY_BROKER_URL': 'redis://redis.internal:6379/0',
        'EVENT_BUS_REDIS_CONNECTION_URL': 'redis://redis.internal:6379/1',
        'EVENT_BUS_TOPIC_PREFIX': 'prod',
        'EXAMS_BASE_URL': 'https://exams.example.com',
        'LMS_ROOT_URL': 'https://lms.example.com',
        'CORS_ALLOWED_ORIGINS': ['https://learning.example.com'],
    }


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch):
    """No EDX_EXAMS_* variable of the machine running the tests leaks into the settings under test."""
    for name in list(os.environ):
        if name.startswith('EDX_EXAMS_'):
            monkeypatch.delenv(name)

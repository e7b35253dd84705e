"""Health check, OpenAPI schema, Swagger UI and admin login page."""

import time
from unittest import mock

import pytest
from django.core.management import call_command
from django.db import DatabaseError

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize('path', ['/health', '/health/'])
def test_health_ok(api_client, path):
    response = api_client.get(path)
    assert response.status_code == 200
    assert response.json() == {'status': 'OK', 'database': 'OK'}


def test_health_reports_database_down(api_client):
    with mock.patch('edx_exams.health.connection.cursor', side_effect=DatabaseError('gone')):
        response = api_client.get('/health/')
    assert response.status_code == 503
    assert response.json()['database'] == 'UNAVAILABLE'


def test_schema_builds_without_warnings(tmp_path):
    out = tmp_path / 'schema.yaml'
    call_command('spectacular', '--validate', '--fail-on-warn', '--file', str(out))
    assert 'openapi: 3' in out.read_text()


def test_schema_endpoint(api_client):
    response = api_client.get('/api/schema/', HTTP_ACCEPT='application/vnd.oai.openapi+json')
    assert response.status_code == 200
    assert {'/api/v1/me', '/api/v1/me/'} & set(response.json()['paths'])


def test_swagger_ui_page(api_client):
    response = api_client.get('/api-docs/')
    assert response.status_code == 200
    assert b'swagger' in response.content.lower()


def test_admin_login_page(client):
    assert client.get('/admin/login/').status_code == 200


LIVE_REDIS = 'redis://127.0.0.1:6379/0'
DEAD_REDIS = 'redis://127.0.0.1:1/0'  # nothing listens on port 1
REDIS_PRODUCER = 'edx_event_bus_redis.create_producer'


@pytest.mark.parametrize('path', ['/health/live', '/health/live/'])
def test_liveness_checks_no_dependency(api_client, settings, path):
    settings.CELERY_BROKER_URL = DEAD_REDIS
    with mock.patch('edx_exams.health.connection.cursor', side_effect=DatabaseError('gone')):
        response = api_client.get(path)
    assert response.status_code == 200
    assert response.json() == {'status': 'OK'}


def test_readiness_ok_when_database_broker_and_event_bus_answer(api_client, settings):
    settings.CELERY_BROKER_URL = LIVE_REDIS
    settings.EVENT_BUS_PRODUCER = REDIS_PRODUCER
    settings.EVENT_BUS_REDIS_CONNECTION_URL = LIVE_REDIS
    response = api_client.get('/health/ready')
    assert response.status_code == 200
    assert response.json() == {
        'status': 'OK',
        'checks': {'database': 'OK', 'celery_broker': 'OK', 'event_bus': 'OK'},
        'down': [],
    }


def test_readiness_names_a_broker_that_is_down(api_client, settings):
    settings.CELERY_BROKER_URL = DEAD_REDIS
    settings.EVENT_BUS_PRODUCER = REDIS_PRODUCER
    settings.EVENT_BUS_REDIS_CONNECTION_URL = LIVE_REDIS
    response = api_client.get('/health/ready/')
    assert response.status_code == 503
    assert response.json()['down'] == ['celery_broker']
    assert response.json()['checks']['event_bus'] == 'OK'


def test_readiness_names_an_event_bus_that_is_down_within_the_timeout(api_client, settings):
    settings.CELERY_BROKER_URL = LIVE_REDIS
    settings.EVENT_BUS_PRODUCER = REDIS_PRODUCER
    settings.EVENT_BUS_REDIS_CONNECTION_URL = 'redis://10.255.255.1:6379/0'  # unroutable: only the timeout ends it
    settings.HEALTH_CHECK_TIMEOUT_SECONDS = 0.5
    started = time.monotonic()
    response = api_client.get('/health/ready')
    assert time.monotonic() - started < 3
    assert response.status_code == 503
    assert response.json()['down'] == ['event_bus']


def test_readiness_names_a_database_that_is_down(api_client, settings):
    settings.CELERY_BROKER_URL = 'memory://'
    with mock.patch('edx_exams.health.connection.cursor', side_effect=DatabaseError('gone')):
        response = api_client.get('/health/ready')
    assert response.status_code == 503
    body = response.json()
    assert body['down'] == ['database']
    assert body['checks']['celery_broker'] == 'not used'


def test_old_health_probe_keeps_its_answer_with_redis_down(api_client, settings):
    settings.CELERY_BROKER_URL = DEAD_REDIS
    assert api_client.get('/health/').json() == {'status': 'OK', 'database': 'OK'}

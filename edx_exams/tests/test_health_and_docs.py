"""Health check, OpenAPI schema, Swagger UI and admin login page."""

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


@pytest.mark.parametrize('path', ['/api-docs/', '/api-docs', '/api/schema/'])
def test_options_on_the_docs_pages_is_json(api_client, path):
    response = api_client.options(path)
    assert response.status_code == 200
    assert response['Content-Type'].startswith('application/json')
    assert response.json()['name']


@pytest.mark.parametrize('method', ['post', 'put', 'patch', 'delete'])
def test_other_methods_on_the_docs_page_are_a_json_405(api_client, method):
    response = getattr(api_client, method)('/api-docs/')
    assert response.status_code == 405
    assert 'detail' in response.json()


def test_docs_page_is_still_html(api_client):
    response = api_client.get('/api-docs/')
    assert response.status_code == 200
    assert response['Content-Type'].startswith('text/html')

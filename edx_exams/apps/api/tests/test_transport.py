"""CSRF token endpoint, CORS for the MFE origins, JSON errors and no redirects."""

import pytest

pytestmark = pytest.mark.django_db

LEARNING_MFE = 'http://localhost:2000'


@pytest.mark.parametrize('path', ['/csrf/api/v1/token', '/csrf/api/v1/token/'])
def test_csrf_token_endpoint(api_client, path):
    response = api_client.get(path)
    assert response.status_code == 200
    assert len(response.json()['csrfToken']) >= 32


@pytest.mark.parametrize('origin', ['http://localhost:2000', 'http://localhost:2001', 'http://localhost:2020'])
def test_cors_preflight_allows_mfe_origins_with_credentials(api_client, origin):
    response = api_client.options(
        '/api/v1/me',
        HTTP_ORIGIN=origin,
        HTTP_ACCESS_CONTROL_REQUEST_METHOD='PUT',
        HTTP_ACCESS_CONTROL_REQUEST_HEADERS='use-jwt-cookie, x-csrftoken, content-type',
    )
    assert response.status_code == 200
    assert response['Access-Control-Allow-Origin'] == origin
    assert response['Access-Control-Allow-Credentials'] == 'true'
    allowed = response['Access-Control-Allow-Headers'].lower()
    assert 'use-jwt-cookie' in allowed
    assert 'x-csrftoken' in allowed


def test_cors_refuses_unknown_origin(api_client):
    response = api_client.get('/api/v1/me', HTTP_ORIGIN='http://evil.example')
    assert 'Access-Control-Allow-Origin' not in response


def test_cors_on_simple_request(api_client):
    response = api_client.get('/csrf/api/v1/token', HTTP_ORIGIN=LEARNING_MFE)
    assert response['Access-Control-Allow-Origin'] == LEARNING_MFE


def test_unknown_url_is_json_404(api_client):
    response = api_client.get('/api/v1/no/such/thing')
    assert response.status_code == 404
    assert response.json() == {'detail': 'Not found.'}

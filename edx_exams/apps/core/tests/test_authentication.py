"""JWT authentication by header and by the split JWT cookies, good and bad tokens."""

import time

import jwt
import pytest
from django.urls import reverse

from edx_exams.apps.core.dev_tokens import build_lms_jwt, build_lms_jwt_payload, encode_lms_jwt
from edx_exams.apps.core.models import User
from edx_exams.apps.core.tests.factories import UserFactory

pytestmark = pytest.mark.django_db
ME_URL = '/api/v1/me'


def _header(token):
    return {'HTTP_AUTHORIZATION': f'JWT {token}'}


def _payload(**overrides):
    user = User(username='jwtuser', lms_user_id=77, email='jwt@example.com', full_name='Jay Doubleyou')
    return build_lms_jwt_payload(user, **overrides)


def test_header_token_authenticates_and_creates_user(api_client):
    response = api_client.get(ME_URL, **_header(encode_lms_jwt(_payload())))
    assert response.status_code == 200
    assert response.json() == {
        'username': 'jwtuser',
        'lms_user_id': 77,
        'email': 'jwt@example.com',
        'full_name': 'Jay Doubleyou',
        'is_staff': False,
    }
    user = User.objects.get(username='jwtuser')
    assert user.lms_user_id == 77


def test_administrator_claim_makes_global_staff(api_client):
    response = api_client.get(ME_URL, **_header(encode_lms_jwt(_payload(administrator=True))))
    assert response.json()['is_staff'] is True
    response = api_client.get(ME_URL, **_header(encode_lms_jwt(_payload(administrator=False))))
    assert response.json()['is_staff'] is False


def test_claims_update_existing_user(api_client):
    UserFactory(username='jwtuser', lms_user_id=77, email='old@example.com')
    api_client.get(ME_URL, **_header(encode_lms_jwt(_payload())))
    assert User.objects.get(username='jwtuser').email == 'jwt@example.com'


def test_renamed_lms_user_keeps_its_row(api_client):
    old = UserFactory(username='oldname', lms_user_id=77)
    response = api_client.get(ME_URL, **_header(encode_lms_jwt(_payload())))
    assert response.status_code == 200
    old.refresh_from_db()
    assert old.username == 'jwtuser'
    assert User.objects.filter(lms_user_id=77).count() == 1


def test_trailing_slash_route_works_too(api_client):
    response = api_client.get(ME_URL + '/', **_header(encode_lms_jwt(_payload())))
    assert response.status_code == 200


def test_no_credentials_is_401(api_client):
    assert api_client.get(ME_URL).status_code == 401


@pytest.mark.parametrize(
    'token_factory',
    [
        pytest.param(lambda: encode_lms_jwt(_payload(exp=int(time.time()) - 10)), id='expired'),
        pytest.param(lambda: encode_lms_jwt(_payload(), secret='not-the-secret'), id='wrong-signature'),
        pytest.param(lambda: encode_lms_jwt(_payload(iss='http://evil.example/oauth2')), id='wrong-issuer'),
        pytest.param(lambda: encode_lms_jwt(_payload(aud='another-audience')), id='wrong-audience'),
        pytest.param(
            lambda: jwt.encode(_payload(), key=None, algorithm='none'),  # type: ignore[arg-type]  # unsigned on purpose
            id='alg-none',
        ),
        pytest.param(lambda: encode_lms_jwt(_payload(), secret='lms-secret', algorithm='HS512'), id='other-alg'),
        pytest.param(lambda: 'not.a.jwt', id='garbage'),
        pytest.param(lambda: encode_lms_jwt(_payload(preferred_username=None)), id='no-username'),
    ],
)
def test_bad_header_token_is_401(api_client, token_factory):
    response = api_client.get(ME_URL, **_header(token_factory()))
    assert response.status_code == 401
    assert 'detail' in response.json()
    assert not User.objects.filter(username='jwtuser').exists()


def _set_split_cookies(client, token):
    header_payload, signature = token.rsplit('.', 1)
    client.cookies['edx-jwt-cookie-header-payload'] = header_payload
    client.cookies['edx-jwt-cookie-signature'] = signature


def test_split_jwt_cookies_authenticate(api_client):
    _set_split_cookies(api_client, encode_lms_jwt(_payload()))
    response = api_client.get(ME_URL, HTTP_USE_JWT_COOKIE='true')
    assert response.status_code == 200
    assert response.json()['username'] == 'jwtuser'


@pytest.mark.parametrize(
    'token',
    [
        pytest.param(lambda: encode_lms_jwt(_payload(exp=int(time.time()) - 10)), id='expired'),
        pytest.param(lambda: encode_lms_jwt(_payload(), secret='not-the-secret'), id='wrong-signature'),
        pytest.param(
            lambda: jwt.encode(_payload(), key=None, algorithm='none'),  # type: ignore[arg-type]  # unsigned on purpose
            id='alg-none',
        ),
    ],
)
def test_bad_split_cookies_are_401(api_client, token):
    _set_split_cookies(api_client, token())
    response = api_client.get(ME_URL, HTTP_USE_JWT_COOKIE='true')
    assert response.status_code == 401


def test_only_one_cookie_half_is_401(api_client):
    api_client.cookies['edx-jwt-cookie-header-payload'] = encode_lms_jwt(_payload()).rsplit('.', 1)[0]
    assert api_client.get(ME_URL, HTTP_USE_JWT_COOKIE='true').status_code == 401


def test_cookie_auth_requires_csrf_on_unsafe_methods():
    """A JWT cookie is ambient authority: an unsafe request must carry the CSRF token too."""
    from rest_framework.test import APIClient

    client = APIClient(enforce_csrf_checks=True)
    _set_split_cookies(client, encode_lms_jwt(_payload()))
    response = client.post(ME_URL, {}, format='json', HTTP_USE_JWT_COOKIE='true')
    assert response.status_code in (401, 403)
    token = client.get(reverse('csrf-token')).json()['csrfToken']
    response = client.post(ME_URL, {}, format='json', HTTP_USE_JWT_COOKIE='true', HTTP_X_CSRFTOKEN=token)
    assert response.status_code == 405  # authenticated and past CSRF; /me only answers GET


def test_dev_token_helper_round_trips(api_client):
    user = UserFactory(is_staff=True)
    response = api_client.get(ME_URL, **_header(build_lms_jwt(user)))
    assert response.json()['is_staff'] is True


def test_retired_user_cannot_log_back_in(api_client):
    from edx_exams.apps.core import api

    user = UserFactory(username='jwtuser', lms_user_id=77, email='jwt@example.com')
    api.retire_user(username='jwtuser')
    response = api_client.get(ME_URL, **_header(encode_lms_jwt(_payload())))
    assert response.status_code == 401
    user.refresh_from_db()
    assert user.username.startswith('retired_user_')
    assert user.email == ''
    assert User.objects.filter(lms_user_id=77).count() == 1


def test_inactive_user_is_refused(api_client):
    UserFactory(username='jwtuser', lms_user_id=77, is_active=False)
    assert api_client.get(ME_URL, **_header(encode_lms_jwt(_payload()))).status_code == 401

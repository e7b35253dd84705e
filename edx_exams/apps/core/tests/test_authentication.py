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


@pytest.mark.parametrize(
    'claims',
    [
        pytest.param({'user_id': 'abc'}, id='user_id-text'),
        pytest.param({'user_id': ''}, id='user_id-empty'),
        pytest.param({'user_id': [77]}, id='user_id-list'),
        pytest.param({'user_id': {'id': 77}}, id='user_id-object'),
        pytest.param({'user_id': 77.5}, id='user_id-float'),
        pytest.param({'user_id': True}, id='user_id-bool'),
        pytest.param({'user_id': '77'}, id='user_id-numeric-text'),
        pytest.param({'user_id': 2**63}, id='user_id-beyond-64-bits'),
        pytest.param({'user_id': 2**31}, id='user_id-beyond-32-bits'),
        pytest.param({'user_id': -5}, id='user_id-negative'),
        pytest.param({'user_id': 0}, id='user_id-zero'),
        pytest.param({'preferred_username': 123}, id='username-number'),
        pytest.param({'preferred_username': ['jwtuser']}, id='username-list'),
        pytest.param({'preferred_username': {'a': 1}}, id='username-object'),
        pytest.param({'preferred_username': 'x' * 151}, id='username-too-long'),
        pytest.param({'preferred_username': 'jwt\x00user'}, id='username-nul'),
        pytest.param({'preferred_username': '   '}, id='username-blank'),
        pytest.param({'administrator': 'yes'}, id='administrator-text'),
        pytest.param({'administrator': 1}, id='administrator-number'),
        pytest.param({'administrator': ['true']}, id='administrator-list'),
        pytest.param({'email': ['jwt@example.com']}, id='email-list'),
        pytest.param({'email': 42}, id='email-number'),
        pytest.param({'email': 'x' * 300 + '@example.com'}, id='email-too-long'),
        pytest.param({'name': {'first': 'Jay'}}, id='name-object'),
        pytest.param({'name': 'J' * 300}, id='name-too-long'),
        pytest.param({'version': 7}, id='version-number'),
        pytest.param({'version': 'not.a.version'}, id='version-text'),
        pytest.param({'version': ['1.2.0']}, id='version-list'),
    ],
)
def test_token_with_a_claim_of_the_wrong_type_is_401(api_client, claims):
    response = api_client.get(ME_URL, **_header(encode_lms_jwt(_payload(**claims))))
    assert response.status_code == 401
    assert 'detail' in response.json()
    assert not User.objects.filter(lms_user_id=77).exists()


@pytest.mark.parametrize(
    'claims',
    [
        pytest.param({'email': None, 'name': None}, id='null-email-and-name'),
        pytest.param({'email': '', 'name': ''}, id='empty-email-and-name'),
        pytest.param({'administrator': None}, id='null-administrator'),
        pytest.param({'preferred_username': 'Jöns.Åberg+1@x-y'}, id='unicode-username'),
    ],
)
def test_token_with_optional_claims_left_empty_is_accepted(api_client, claims):
    response = api_client.get(ME_URL, **_header(encode_lms_jwt(_payload(**claims))))
    assert response.status_code == 200


def test_username_of_another_lms_user_is_refused_and_never_gets_their_data(api_client, caplog):
    """A token whose username is held by a different LMS user id is refused; the row is left alone."""
    from edx_exams.apps.core.models import CourseStaffRole

    owner = UserFactory(username='jwtuser', lms_user_id=50, email='owner@example.com')
    CourseStaffRole.objects.create(user=owner, course_id='course-v1:edX+Hostile+2026', role='staff')
    with caplog.at_level('WARNING'):
        response = api_client.get(ME_URL, **_header(encode_lms_jwt(_payload())))  # lms user_id 77
    assert response.status_code == 401
    assert 'detail' in response.json()
    owner.refresh_from_db()
    assert owner.lms_user_id == 50
    assert owner.email == 'owner@example.com'
    assert not User.objects.filter(lms_user_id=77).exists()
    logged = [r.getMessage() for r in caplog.records]
    assert any('jwtuser' in line and '50' in line and '77' in line for line in logged)
    # The rightful owner keeps working.
    response = api_client.get(ME_URL, **_header(encode_lms_jwt(_payload(user_id=50, email='owner@example.com'))))
    assert response.status_code == 200
    assert response.json()['lms_user_id'] == 50


def test_rename_onto_a_username_held_by_another_lms_user_is_refused(api_client):
    """LMS user 77 renamed to a username another LMS user holds here: refused, neither row changes."""
    other = UserFactory(username='jwtuser', lms_user_id=50)
    mine = UserFactory(username='oldname', lms_user_id=77)
    response = api_client.get(ME_URL, **_header(encode_lms_jwt(_payload())))
    assert response.status_code == 401
    other.refresh_from_db()
    mine.refresh_from_db()
    assert (other.username, other.lms_user_id) == ('jwtuser', 50)
    assert (mine.username, mine.lms_user_id) == ('oldname', 77)


def test_row_without_lms_user_id_is_adopted_by_the_first_token(api_client):
    """A user created by a staff CSV import (no LMS id yet) gets the id of its first token."""
    UserFactory(username='jwtuser', lms_user_id=None)
    response = api_client.get(ME_URL, **_header(encode_lms_jwt(_payload())))
    assert response.status_code == 200
    assert User.objects.get(username='jwtuser').lms_user_id == 77

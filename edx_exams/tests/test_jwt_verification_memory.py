"""A JWT verified once is not verified again, but its expiry and the configuration still decide."""

from datetime import UTC, datetime, timedelta

import pytest
from django.test import override_settings
from freezegun import freeze_time

from edx_exams.apps.core.dev_tokens import build_lms_jwt
from edx_exams.apps.core.tests.factories import UserFactory
from edx_exams.http import authentication
from test_utils.auth import JwtClient

pytestmark = pytest.mark.django_db

ME = '/api/v1/me'


def _client(token):
    client = JwtClient()
    client.credentials(HTTP_AUTHORIZATION=f'JWT {token}')
    return client


def test_a_remembered_token_is_refused_once_it_expires():
    token = build_lms_jwt(UserFactory(lms_user_id=4242), expires_in=60)
    assert _client(token).get(ME).status_code == 200
    assert authentication._verified_claims.cache_info().currsize >= 1
    with freeze_time(datetime.now(UTC) + timedelta(seconds=61)):
        assert _client(token).get(ME).status_code == 401
    assert _client(token).get(ME).status_code == 200


def test_a_remembered_token_is_refused_when_its_key_is_no_longer_configured(settings):
    token = build_lms_jwt(UserFactory(lms_user_id=4243))
    assert _client(token).get(ME).status_code == 200
    rotated = {**settings.JWT_AUTH, 'JWT_ISSUERS': [{**settings.JWT_AUTH['JWT_ISSUERS'][0], 'SECRET_KEY': 'rotated'}]}
    with override_settings(JWT_AUTH=rotated):
        assert _client(token).get(ME).status_code == 401


def test_a_refused_token_is_not_remembered():
    token = build_lms_jwt(UserFactory(lms_user_id=4244)) + 'x'
    before = authentication._verified_claims.cache_info().currsize
    assert _client(token).get(ME).status_code == 401
    assert authentication._verified_claims.cache_info().currsize == before


def test_callers_get_their_own_copy_of_the_claims():
    token = build_lms_jwt(UserFactory(lms_user_id=4245))
    first = authentication.jwt_decode_handler(token)
    first['preferred_username'] = 'changed'
    assert authentication.jwt_decode_handler(token)['preferred_username'] != 'changed'

"""The tool's LtiStartAssessment: accepted once when every check passes, refused (4xx, nothing changed) otherwise."""

import base64
import hashlib
import hmac
import json
import time
import uuid
from datetime import timedelta

import pytest
from django.test import Client

from edx_exams.apps.core.dev_tokens import build_lms_jwt
from edx_exams.apps.core.statuses import ExamAttemptStatus as S
from edx_exams.apps.core.tests.factories import UserFactory
from edx_exams.apps.lti import constants as c
from edx_exams.apps.lti.models import LtiProctoringSession, LtiUsedNonce
from edx_exams.apps.lti.platform import digest
from edx_exams.apps.lti.tests.helpers import post_start_assessment, start_proctoring
from edx_exams.apps.lti.tests.reference_tool import public_pem, rsa_key

pytestmark = pytest.mark.django_db


@pytest.fixture
def launched(lti, jwt_client):
    """The learner launched LtiStartProctoring and the tool validated it."""
    lti.claims = start_proctoring(lti, jwt_client.as_user(lti.learner))
    lti.attempt.refresh_from_db()
    assert lti.attempt.status == S.DOWNLOAD_SOFTWARE_CLICKED
    return lti


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b'=').decode()


def hs256_with_public_key(tool, launch):
    """The classic key-confusion forgery: HMAC-SHA256 keyed with the tool's public PEM."""
    good = tool.start_assessment_jwt(launch)
    payload = good.split('.')[1]
    header = _b64(json.dumps({'alg': 'HS256', 'typ': 'JWT', 'kid': tool.kid}).encode())
    signature = hmac.new(public_pem(tool.key).encode(), f'{header}.{payload}'.encode(), hashlib.sha256).digest()
    return f'{header}.{payload}.{_b64(signature)}'


def unsigned(tool, launch):
    header = _b64(json.dumps({'alg': 'none', 'typ': 'JWT', 'kid': tool.kid}).encode())
    return f'{header}.{tool.start_assessment_jwt(launch).split(".")[1]}.'


def _session_data(launch):
    return launch[c.CLAIM_SESSION_DATA]


def now() -> int:
    """The current time in seconds, read when a case builds its token (not when the module loads)."""
    return int(time.time())


BAD_TOKENS = {
    'no JWT at all': lambda t, launch: None,
    'not a JWT': lambda t, launch: 'not-a-jwt',
    'unknown kid': lambda t, launch: t.start_assessment_jwt(launch, header={'kid': 'no-such-kid'}),
    'no kid': lambda t, launch: t.start_assessment_jwt(launch, header={}),
    'alg none': unsigned,
    'HS256 keyed with the public key': hs256_with_public_key,
    'RS512 instead of RS256': lambda t, launch: t.start_assessment_jwt(launch, algorithm='RS512'),
    'forged signature under the tool kid': lambda t, launch: t.start_assessment_jwt(launch, key=rsa_key('forger')),
    'expired': lambda t, launch: t.start_assessment_jwt(launch, iat=now() - 400, exp=now() - 100),
    'iat in the future': lambda t, launch: t.start_assessment_jwt(launch, iat=now() + 300, exp=now() + 600),
    'issued too long ago': lambda t, launch: t.start_assessment_jwt(launch, iat=now() - 3600, exp=now() + 60),
    'lives too long': lambda t, launch: t.start_assessment_jwt(launch, exp=now() + 86400),
    'iat as a string': lambda t, launch: t.start_assessment_jwt(launch, iat=str(now())),
    'exp as a string': lambda t, launch: t.start_assessment_jwt(launch, exp=str(now() + 300)),
    'no exp': lambda t, launch: t.start_assessment_jwt(launch, drop=['exp']),
    'no iat': lambda t, launch: t.start_assessment_jwt(launch, drop=['iat']),
    'no nonce': lambda t, launch: t.start_assessment_jwt(launch, drop=['nonce']),
    'unknown iss': lambda t, launch: t.start_assessment_jwt(launch, iss='unknown-client'),
    'wrong aud': lambda t, launch: t.start_assessment_jwt(launch, aud='https://evil.example'),
    'wrong deployment_id': lambda t, launch: t.start_assessment_jwt(launch, deployment_id='other-deployment'),
    'wrong message_type': lambda t, launch: t.start_assessment_jwt(launch, message_type=c.START_PROCTORING),
    'wrong version': lambda t, launch: t.start_assessment_jwt(launch, version='1.1.0'),
    'changed session_data': lambda t, launch: t.start_assessment_jwt(launch, session_data=_session_data(launch) + 'x'),
    'session_data with another secret': lambda t, launch: t.start_assessment_jwt(
        launch, session_data=_session_data(launch).split('.')[0] + '.' + 'A' * 43
    ),
    'malformed session_data': lambda t, launch: t.start_assessment_jwt(launch, session_data='garbage'),
    'no session_data': lambda t, launch: t.start_assessment_jwt(launch, drop=['session_data']),
    'wrong attempt_number': lambda t, launch: t.start_assessment_jwt(launch, attempt_number=2),
    'attempt_number as a string': lambda t, launch: t.start_assessment_jwt(launch, attempt_number='1'),
    'wrong resource_link': lambda t, launch: t.start_assessment_jwt(launch, resource_link={'id': str(uuid.uuid4())}),
    'no resource_link': lambda t, launch: t.start_assessment_jwt(launch, drop=['resource_link']),
}


def assert_nothing_changed(lti):
    lti.attempt.refresh_from_db()
    assert lti.attempt.status == S.DOWNLOAD_SOFTWARE_CLICKED
    assert LtiProctoringSession.objects.get(attempt=lti.attempt).consumed_at is None
    assert not LtiUsedNonce.objects.exists()


def test_valid_start_assessment_moves_the_attempt_to_ready_to_start(launched):
    response = post_start_assessment(launched.tool.start_assessment_jwt(launched.claims))
    assert response.status_code == 302
    assert response['Location'].endswith(f'/course/{launched.exam.course_id}/{launched.exam.content_id}')
    launched.attempt.refresh_from_db()
    assert launched.attempt.status == S.READY_TO_START
    session = LtiProctoringSession.objects.get(attempt=launched.attempt)
    assert session.consumed_at is not None
    assert session.end_assessment_return is True
    assert session.verified_user == {'given_name': 'Ada', 'family_name': 'Lovelace'}


@pytest.mark.parametrize('case', list(BAD_TOKENS))
def test_bad_start_assessment_is_refused_and_changes_nothing(launched, case):
    response = post_start_assessment(BAD_TOKENS[case](launched.tool, launched.claims))
    assert 400 <= response.status_code < 500, response.content
    assert response.json()['detail']
    assert_nothing_changed(launched)


def test_a_replayed_nonce_is_refused(launched):
    token = launched.tool.start_assessment_jwt(launched.claims, nonce='seen-before')
    LtiUsedNonce.objects.create(
        registration=launched.registration,
        kind=c.NONCE_START_ASSESSMENT,
        value_hash=digest('seen-before'),
        expires_at=launched.attempt.created + timedelta(days=1),
    )
    assert post_start_assessment(token).status_code == 400
    launched.attempt.refresh_from_db()
    assert launched.attempt.status == S.DOWNLOAD_SOFTWARE_CLICKED
    assert LtiProctoringSession.objects.get(attempt=launched.attempt).consumed_at is None


def test_a_replayed_message_is_refused(launched):
    token = launched.tool.start_assessment_jwt(launched.claims)
    assert post_start_assessment(token).status_code == 302
    assert post_start_assessment(token).status_code == 400
    fresh_nonce = launched.tool.start_assessment_jwt(launched.claims)
    assert post_start_assessment(fresh_nonce).status_code == 400  # session_data is single-use too
    launched.attempt.refresh_from_db()
    assert launched.attempt.status == S.READY_TO_START


def test_expired_session_data_is_refused(launched):
    LtiProctoringSession.objects.filter(attempt=launched.attempt).update(
        issued_at=launched.attempt.created - timedelta(hours=5)
    )
    assert post_start_assessment(launched.tool.start_assessment_jwt(launched.claims)).status_code == 400
    launched.attempt.refresh_from_db()
    assert launched.attempt.status == S.DOWNLOAD_SOFTWARE_CLICKED


def test_a_different_signed_in_user_is_refused(launched):
    intruder = UserFactory()
    client = Client(HTTP_AUTHORIZATION=f'JWT {build_lms_jwt(intruder)}')
    response = client.post('/lti/start_assessment', {'JWT': launched.tool.start_assessment_jwt(launched.claims)})
    assert response.status_code == 403
    assert_nothing_changed(launched)


def test_the_same_signed_in_user_is_accepted(launched):
    header_payload, signature = build_lms_jwt(launched.learner).rsplit('.', 1)
    client = Client()
    client.cookies['edx-jwt-cookie-header-payload'] = header_payload
    client.cookies['edx-jwt-cookie-signature'] = signature
    response = client.post('/lti/start_assessment/', {'JWT': launched.tool.start_assessment_jwt(launched.claims)})
    assert response.status_code == 302


def test_an_attempt_that_may_no_longer_start_is_a_conflict(launched):
    launched.attempt.status = S.DECLINED
    launched.attempt.save()
    assert post_start_assessment(launched.tool.start_assessment_jwt(launched.claims)).status_code == 409
    assert LtiProctoringSession.objects.get(attempt=launched.attempt).consumed_at is None
    assert not LtiUsedNonce.objects.exists()


def test_get_is_not_allowed(launched):
    assert Client().get('/lti/start_assessment').status_code == 405

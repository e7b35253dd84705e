"""The Assessment Control Service: the token endpoint, every action, and every refusal (nothing changed)."""

import base64
import json
import time
import uuid
from datetime import timedelta
from urllib.parse import urlencode

import jwt
import pytest
from django.test import Client
from django.utils import timezone
from pylti1p3.exception import LtiServiceException

from edx_exams.apps.core.exam_types import ExamType
from edx_exams.apps.core.statuses import ExamAttemptStatus as S
from edx_exams.apps.core.tests.factories import ExamAttemptFactory, ExamFactory, UserFactory
from edx_exams.apps.lti import api
from edx_exams.apps.lti import constants as c
from edx_exams.apps.lti.keys import sign_platform_jwt
from edx_exams.apps.lti.models import AssessmentControlRecord, LtiUsedNonce, ProctoringReview
from edx_exams.apps.lti.tests.helpers import in_process_session, post_start_assessment, register_reference_tool
from edx_exams.apps.lti.tests.helpers import start_proctoring as launch_start_proctoring
from edx_exams.apps.lti.tests.reference_tool import ReferenceTool, rsa_key

pytestmark = pytest.mark.django_db

TOKEN_URL = 'http://exams.test/lti/token'


@pytest.fixture
def running(lti, jwt_client):
    """The learner passed the tool's checks and started the exam; the tool holds its launch claims."""
    lti.claims = launch_start_proctoring(lti, jwt_client.as_user(lti.learner))
    assert post_start_assessment(lti.tool.start_assessment_jwt(lti.claims)).status_code == 302
    lti.attempt.refresh_from_db()
    lti.attempt.status = S.STARTED
    lti.attempt.start_time = timezone.now()
    lti.attempt.expires_at = timezone.now() + timedelta(minutes=60)
    lti.attempt.allowed_time_limit_mins = 60
    lti.attempt.save()
    lti.connector = lti.tool.service_connector(in_process_session())
    return lti


def acs(lti, action, **fields):
    return lti.tool.acs(lti.connector, lti.claims, action, **fields)


def _snapshot(attempt):
    attempt.refresh_from_db()
    return attempt.status, attempt.expires_at, attempt.paused_at, attempt.allowed_time_limit_mins


# ---------------------------------------------------------------------------
# Actions
# ---------------------------------------------------------------------------
def test_pause_update_resume(running):
    expires_at = running.attempt.expires_at
    assert acs(running, 'pause') == {'status': 'paused'}
    assert acs(running, 'pause') == {'status': 'paused'}  # repeats are harmless
    running.attempt.refresh_from_db()
    assert running.attempt.expires_at is None
    assert acs(running, 'update', extra_time=15) == {'status': 'paused', 'extra_time': 15}
    assert acs(running, 'resume') == {'status': 'running'}
    assert acs(running, 'resume') == {'status': 'running'}
    running.attempt.refresh_from_db()
    assert running.attempt.expires_at >= expires_at + timedelta(minutes=15)
    assert running.attempt.allowed_time_limit_mins == 75
    assert running.attempt.status == S.STARTED


def test_update_adds_extra_time_to_a_running_attempt(running):
    expires_at = running.attempt.expires_at
    assert acs(running, 'update', extra_time=10) == {'status': 'running', 'extra_time': 10}
    running.attempt.refresh_from_db()
    assert running.attempt.expires_at == expires_at + timedelta(minutes=10)


def test_flag_records_the_most_severe_incident_and_keeps_the_status(running):
    assert acs(running, 'flag', incident_severity=0.6, reason_code='12', reason_msg='Second person') == {
        'status': 'running'
    }
    assert acs(running, 'flag', incident_severity=0.2, reason_code='2', reason_msg='Looked away')['status'] == 'running'
    review = ProctoringReview.objects.get(attempt=running.attempt)
    assert (review.action, review.severity, review.reason_code) == ('flag', 0.6, '12')
    assert running.attempt.status == S.STARTED
    assert api.get_reviews_for_attempts([running.attempt.id]) == {
        running.attempt.id: {'severity': 0.6, 'submission_reason': 'Second person'}
    }


@pytest.mark.parametrize(
    ('reason_code', 'severity', 'expected'),
    [
        ('1', 0.8, S.SECOND_REVIEW_REQUIRED),
        ('1', 0.1, S.VERIFIED),
        ('1', None, S.SECOND_REVIEW_REQUIRED),  # a review result without a severity is not a pass
        ('9', 0.1, S.ERROR),
        ('', None, S.ERROR),
    ],
)
def test_terminate_ends_the_attempt_by_review_result(running, reason_code, severity, expected):
    assert acs(running, 'terminate', reason_code=reason_code, incident_severity=severity) == {'status': 'terminated'}
    running.attempt.refresh_from_db()
    assert running.attempt.status == expected
    assert running.attempt.end_time is not None
    assert ProctoringReview.objects.get(attempt=running.attempt).action == 'terminate'
    assert acs(running, 'terminate', reason_code=reason_code, incident_severity=severity) == {'status': 'terminated'}
    assert acs(running, 'flag') == {'status': 'terminated'}
    running.attempt.refresh_from_db()
    assert running.attempt.status == expected


def test_terminate_replaces_a_flag_and_a_later_flag_does_not_replace_it(running):
    acs(running, 'flag', incident_severity=0.9, reason_code='12')
    acs(running, 'terminate', incident_severity=0.3, reason_code='1', reason_msg='Reviewed')
    acs(running, 'flag', incident_severity=1.0, reason_code='13')
    review = ProctoringReview.objects.get(attempt=running.attempt)
    assert (review.action, review.severity, review.reason_msg) == ('terminate', 0.3, 'Reviewed')


def test_terminate_after_submission_records_the_review(running, jwt_client):
    jwt_client.as_user(running.learner).get(f'/lti/end_assessment/{running.attempt.id}')
    running.attempt.refresh_from_db()
    assert running.attempt.status == S.SUBMITTED
    assert acs(running, 'flag') == {'status': 'complete'}
    assert acs(running, 'terminate', reason_code='1', incident_severity=0.5) == {'status': 'terminated'}
    running.attempt.refresh_from_db()
    assert running.attempt.status == S.SECOND_REVIEW_REQUIRED


def test_terminate_does_not_override_a_staff_decision(running):
    running.attempt.status = S.REJECTED
    running.attempt.save()
    assert acs(running, 'terminate', reason_code='1', incident_severity=0.0) == {'status': 'terminated'}
    running.attempt.refresh_from_db()
    assert running.attempt.status == S.REJECTED


def test_terminate_before_the_exam_started_is_an_error(running):
    running.attempt.status = S.READY_TO_START
    running.attempt.save()
    assert acs(running, 'flag') == {'status': 'none'}
    assert acs(running, 'terminate', reason_code='4') == {'status': 'terminated'}
    running.attempt.refresh_from_db()
    assert running.attempt.status == S.ERROR


def test_extra_time_is_recorded_for_update_only(running):
    """A stray extra_time on another action is ignored, whatever its size (it used to overflow the column: 500)."""
    assert acs(running, 'pause', extra_time=10**30) == {'status': 'paused'}
    assert acs(running, 'update', extra_time=15) == {'status': 'paused', 'extra_time': 15}
    records = list(AssessmentControlRecord.objects.order_by('id').values_list('action', 'extra_time'))
    assert records == [('pause', None), ('update', 15)]


def test_every_call_is_recorded(running):
    acs(running, 'pause')
    acs(running, 'resume')
    records = list(AssessmentControlRecord.objects.order_by('id').values_list('action', 'acs_status', 'status_after'))
    assert records == [('pause', 'paused', S.STARTED), ('resume', 'running', S.STARTED)]


def test_reviews_for_many_attempts_take_one_query(running, django_assert_num_queries):
    others = [ExamAttemptFactory(exam=running.exam) for _ in range(3)]
    for attempt in others[:2]:
        ProctoringReview.objects.create(attempt=attempt, action='flag', severity=0.4, reason_code='7')
    with django_assert_num_queries(1):
        reviews = api.get_reviews_for_attempts([a.id for a in others] + [running.attempt.id])
    assert reviews == {
        others[0].id: {'severity': 0.4, 'submission_reason': '7'},
        others[1].id: {'severity': 0.4, 'submission_reason': '7'},
    }
    with django_assert_num_queries(0):
        assert api.get_reviews_for_attempts([]) == {}


# ---------------------------------------------------------------------------
# Token endpoint
# ---------------------------------------------------------------------------
def assertion(tool, *, key=None, algorithm='RS256', header=None, drop=(), **claims):
    now = int(time.time())
    payload = {
        'iss': tool.client_id,
        'sub': tool.client_id,
        'aud': TOKEN_URL,
        'iat': now,
        'exp': now + 60,
        'jti': uuid.uuid4().hex,
        **claims,
    }
    for name in drop:
        payload.pop(name)
    headers = {'kid': tool.kid} if header is None else header
    return jwt.encode(payload, tool.key if key is None else key, algorithm=algorithm, headers=headers)


def token_request(lti, **overrides):
    form = {
        'grant_type': 'client_credentials',
        'client_assertion_type': c.JWT_BEARER_ASSERTION_TYPE,
        'client_assertion': assertion(lti.tool),
        'scope': c.ACS_SCOPE,
        **overrides,
    }
    form = {k: v for k, v in form.items() if v is not None}
    return Client().post('/lti/token', urlencode(form), content_type='application/x-www-form-urlencoded')


def test_token_endpoint_grants_the_acs_scope(lti):
    response = token_request(lti, scope=f'{c.ACS_SCOPE} https://purl.imsglobal.org/spec/lti-ags/scope/score')
    assert response.status_code == 200
    body = response.json()
    assert body['token_type'] == 'bearer'
    assert body['expires_in'] == 3600
    assert body['scope'] == c.ACS_SCOPE
    assert response['Cache-Control'] == 'no-store'
    claims = jwt.decode(body['access_token'], options={'verify_signature': False})
    assert claims['client_id'] == lti.tool.client_id


def test_token_endpoint_accepts_the_issuer_as_audience(lti):
    assert token_request(lti, client_assertion=assertion(lti.tool, aud=['http://exams.test'])).status_code == 200


TOKEN_CASES = {
    'wrong grant_type': (lambda lti: {'grant_type': 'password'}, 400, 'unsupported_grant_type'),
    'no client_assertion_type': (lambda lti: {'client_assertion_type': None}, 401, 'invalid_client'),
    'wrong client_assertion_type': (lambda lti: {'client_assertion_type': 'x'}, 401, 'invalid_client'),
    'no assertion': (lambda lti: {'client_assertion': None}, 401, 'invalid_client'),
    'no jti': (lambda lti: {'client_assertion': assertion(lti.tool, drop=['jti'])}, 401, 'invalid_client'),
    'no exp': (lambda lti: {'client_assertion': assertion(lti.tool, drop=['exp'])}, 401, 'invalid_client'),
    'expired': (
        lambda lti: {'client_assertion': assertion(lti.tool, iat=int(time.time()) - 300, exp=int(time.time()) - 60)},
        401,
        'invalid_client',
    ),
    'lives too long': (
        lambda lti: {'client_assertion': assertion(lti.tool, exp=int(time.time()) + 86400)},
        401,
        'invalid_client',
    ),
    'exp as a string': (
        lambda lti: {'client_assertion': assertion(lti.tool, exp=str(int(time.time()) + 60))},
        401,
        'invalid_client',
    ),
    'wrong aud': (lambda lti: {'client_assertion': assertion(lti.tool, aud='https://evil')}, 401, 'invalid_client'),
    'sub is not the client': (lambda lti: {'client_assertion': assertion(lti.tool, sub='x')}, 401, 'invalid_client'),
    'unknown client': (
        lambda lti: {'client_assertion': assertion(lti.tool, iss='nobody', sub='nobody')},
        401,
        'invalid_client',
    ),
    'forged signature': (
        lambda lti: {'client_assertion': assertion(lti.tool, key=rsa_key('forger'))},
        401,
        'invalid_client',
    ),
    'HS256': (
        lambda lti: {
            'client_assertion': assertion(lti.tool, key='secret-secret-secret-secret-32by', algorithm='HS256')
        },
        401,
        'invalid_client',
    ),
    'unknown kid': (
        lambda lti: {'client_assertion': assertion(lti.tool, header={'kid': 'nope'})},
        401,
        'invalid_client',
    ),
    'no scope': (lambda lti: {'scope': None}, 400, 'invalid_scope'),
    'wrong scope': (
        lambda lti: {'scope': 'https://purl.imsglobal.org/spec/lti-ags/scope/score'},
        400,
        'invalid_scope',
    ),
}


@pytest.mark.parametrize('case', list(TOKEN_CASES))
def test_bad_token_request_is_refused(lti, case):
    overrides, expected_status, error = TOKEN_CASES[case]
    response = token_request(lti, **overrides(lti))
    assert response.status_code == expected_status
    assert response.json()['error'] == error


def test_a_client_assertion_jti_is_single_use(lti):
    reused = assertion(lti.tool)
    assert token_request(lti, client_assertion=reused).status_code == 200
    response = token_request(lti, client_assertion=reused)
    assert response.status_code == 401
    assert response.json()['error'] == 'invalid_client'
    assert LtiUsedNonce.objects.filter(kind=c.NONCE_CLIENT_ASSERTION).count() == 1


def test_no_acs_scope_for_a_tool_without_acs_actions(lti, tool_server):
    register_reference_tool(lti.tool, tool_server, name=lti.registration.provider.name, acs_actions=())
    assert token_request(lti).json()['error'] == 'invalid_scope'


# ---------------------------------------------------------------------------
# ACS refusals: 4xx and nothing changed
# ---------------------------------------------------------------------------
def _body(lti, **changes):
    body = {
        'user': {'sub': lti.claims['sub']},
        'resource_link': {'id': lti.claims[c.CLAIM_RESOURCE_LINK]['id']},
        'attempt_number': 1,
        'action': 'pause',
        'incident_time': '2026-11-25T10:00:00Z',
        'incident_severity': 0.5,
    }
    body.update(changes)
    return body


def _post_acs(lti, *, token, body=None, content_type=c.ACS_MEDIA_TYPE, registration_id=None, raw=None):
    url = f'/lti/{registration_id or lti.registration.id}/acs'
    data = raw if raw is not None else json.dumps(body if body is not None else _body(lti))
    headers = {'Authorization': f'Bearer {token}'} if token else {}
    return Client().post(url, data, content_type=content_type, headers=headers)


def _token(lti):
    return token_request(lti).json()['access_token']


def _with_header(token, header):
    encoded = base64.urlsafe_b64encode(json.dumps(header).encode()).rstrip(b'=').decode()
    return '.'.join([encoded, *token.split('.')[1:]])


def _platform_token(lti, **claims):
    now = int(time.time())
    payload = {
        'iss': 'http://exams.test',
        'aud': 'http://exams.test',
        'sub': lti.tool.client_id,
        'client_id': lti.tool.client_id,
        'scope': c.ACS_SCOPE,
        'iat': now,
        'exp': now + 600,
        **claims,
    }
    return sign_platform_jwt(payload)


def _raw_with(lti, changes, *, marker=None, x=None):
    """The JSON text of a valid body with `changes`; the string "x" replaced by `marker`, or raw JSON `x` added."""
    text = json.dumps(_body(lti, **changes), ensure_ascii=False)
    if marker is not None:
        text = text.replace('"x"', marker)
    if x is not None:
        text = text[:-1] + ', "x": ' + x + '}'
    return text


ACS_CASES = {
    'no token': (lambda lti: {'token': None}, 401),
    'garbage token': (lambda lti: {'token': 'garbage'}, 401),
    'token with a non-string kid': (lambda lti: {'token': _with_header(_token(lti), {'alg': 'RS256', 'kid': 1})}, 401),
    'token signed by the tool, not the platform': (lambda lti: {'token': assertion(lti.tool)}, 401),
    'expired token': (
        lambda lti: {'token': _platform_token(lti, iat=int(time.time()) - 7200, exp=int(time.time()) - 3600)},
        401,
    ),
    'token of another issuer': (lambda lti: {'token': _platform_token(lti, iss='https://evil')}, 401),
    'token without the control scope': (lambda lti: {'token': _platform_token(lti, scope='openid')}, 401),
    'token of another tool': (lambda lti: {'token': _platform_token(lti, client_id='other-client')}, 403),
    'wrong content type': (lambda lti: {'token': _token(lti), 'content_type': 'text/plain'}, 406),
    'not JSON': (lambda lti: {'token': _token(lti), 'raw': '{nope'}, 400),
    'not an object': (lambda lti: {'token': _token(lti), 'raw': '[]'}, 400),
    'unknown action': (lambda lti: {'token': _token(lti), 'body': _body(lti, action='terminateRequest')}, 400),
    'no user': (lambda lti: {'token': _token(lti), 'body': _body(lti, user=None)}, 400),
    'no incident_time': (lambda lti: {'token': _token(lti), 'body': _body(lti, incident_time=None)}, 400),
    'incident_time not a date': (
        lambda lti: {'token': _token(lti), 'body': _body(lti, incident_time='yesterday')},
        400,
    ),
    'incident_time with month 13': (
        lambda lti: {'token': _token(lti), 'body': _body(lti, incident_time='2026-13-01T10:00:00Z')},
        400,
    ),
    'incident_time with an offset of 25 hours': (
        lambda lti: {'token': _token(lti), 'body': _body(lti, incident_time='2026-11-25T10:00:00+25:00')},
        400,
    ),
    'severity out of range': (lambda lti: {'token': _token(lti), 'body': _body(lti, incident_severity=7)}, 400),
    'severity too large for a float': (
        lambda lti: {'token': _token(lti), 'raw': json.dumps(_body(lti, incident_severity=10**400))},
        400,
    ),
    'attempt_number as a string': (lambda lti: {'token': _token(lti), 'body': _body(lti, attempt_number='1')}, 400),
    'unknown user': (lambda lti: {'token': _token(lti), 'body': _body(lti, user={'sub': 'nobody'})}, 404),
    'unknown resource link': (
        lambda lti: {'token': _token(lti), 'body': _body(lti, resource_link={'id': str(uuid.uuid4())})},
        404,
    ),
    'unknown attempt number': (lambda lti: {'token': _token(lti), 'body': _body(lti, attempt_number=2)}, 404),
    'update without extra_time': (lambda lti: {'token': _token(lti), 'body': _body(lti, action='update')}, 400),
    'update with negative extra_time': (
        lambda lti: {'token': _token(lti), 'body': _body(lti, action='update', extra_time=-5)},
        400,
    ),
    'unknown ACS URL': (lambda lti: {'token': _token(lti), 'registration_id': 999999}, 404),
    'JSON nested 8,000 levels deep': (lambda lti: {'token': _token(lti), 'raw': '[' * 8000 + ']' * 8000}, 400),
    'an object nested 5,000 levels deep beside the fields': (
        lambda lti: {'token': _token(lti), 'raw': _raw_with(lti, {}, x='{"a":' * 5000 + '1' + '}' * 5000)},
        400,
    ),
    'a lone surrogate in user.sub': (
        lambda lti: {'token': _token(lti), 'raw': _raw_with(lti, {'user': {'sub': 'x'}}, marker='"\\ud800"')},
        400,
    ),
    'a lone surrogate in reason_msg': (
        lambda lti: {'token': _token(lti), 'raw': _raw_with(lti, {'reason_msg': 'x'}, marker='"\\udfff"')},
        400,
    ),
    'NaN severity': (
        lambda lti: {'token': _token(lti), 'raw': _raw_with(lti, {'incident_severity': float('nan')})},
        400,
    ),
    'latin-1 body': (
        lambda lti: {'token': _token(lti), 'raw': _raw_with(lti, {'reason_msg': 'é'}).encode('latin-1')},
        400,
    ),
}


@pytest.mark.parametrize('case', list(ACS_CASES))
def test_bad_acs_request_is_refused_and_changes_nothing(running, case):
    before = _snapshot(running.attempt)
    request, expected = ACS_CASES[case]
    response = _post_acs(running, **request(running))
    assert response.status_code == expected, response.content
    assert response.json()['detail']
    assert _snapshot(running.attempt) == before
    assert not AssessmentControlRecord.objects.exists()
    assert not ProctoringReview.objects.exists()


def test_acs_answers_in_the_control_media_type(running):
    response = _post_acs(running, token=_token(running), content_type='application/json')
    assert response.status_code == 200
    assert response['Content-Type'] == c.ACS_MEDIA_TYPE


def test_acs_needs_post(running):
    response = Client().get(
        f'/lti/{running.registration.id}/acs', headers={'Authorization': f'Bearer {_token(running)}'}
    )
    assert response.status_code == 405


def test_action_not_advertised_is_refused(running, tool_server):
    register_reference_tool(running.tool, tool_server, name=running.registration.provider.name, acs_actions=['flag'])
    before = _snapshot(running.attempt)
    assert _post_acs(running, token=_token(running)).status_code == 400
    assert _snapshot(running.attempt) == before


def test_action_the_status_does_not_allow_is_a_conflict(running):
    running.attempt.status = S.READY_TO_START
    running.attempt.save()
    before = _snapshot(running.attempt)
    for action in ('pause', 'resume'):
        assert _post_acs(running, token=_token(running), body=_body(running, action=action)).status_code == 409
    assert (
        _post_acs(running, token=_token(running), body=_body(running, action='update', extra_time=5)).status_code == 409
    )
    assert _snapshot(running.attempt) == before
    assert not AssessmentControlRecord.objects.exists()


def test_a_tool_cannot_control_another_tools_attempt(running, tool_server):
    """Tool B, with its own valid token and ACS URL, names an attempt of tool A's exam: 403."""
    other = ReferenceTool(
        platform_base_url='http://exams.test',
        issuer='http://exams.test',
        client_id='other-client',
        deployment_id='deployment-1',
        key_name='other-tool',
    )
    other_registration = register_reference_tool(other, tool_server, name='othertool', use_pem=True)
    response = token_request(running, client_assertion=assertion(other))
    assert response.status_code == 200
    before = _snapshot(running.attempt)
    reply = _post_acs(running, token=response.json()['access_token'], registration_id=other_registration.id)
    assert reply.status_code == 403
    assert _snapshot(running.attempt) == before
    assert not AssessmentControlRecord.objects.exists()
    # ... and its token does not open tool A's ACS URL either.
    assert _post_acs(running, token=response.json()['access_token']).status_code == 403


def test_service_connector_reports_refusals(running):
    running.attempt.status = S.CREATED
    running.attempt.save()
    with pytest.raises(LtiServiceException, match='409'):
        acs(running, 'pause')


def test_attempt_of_a_timed_exam_without_tool_is_not_found(running):
    exam = ExamFactory(exam_type=ExamType.TIMED)
    learner = UserFactory()
    ExamAttemptFactory(user=learner, exam=exam)
    body = _body(running, resource_link={'id': str(exam.resource_id)})
    assert _post_acs(running, token=_token(running), body=body).status_code == 404


@pytest.mark.parametrize('action', ['terminate', 'pause', 'flag'])
def test_control_calls_on_a_reset_attempt_are_refused(running, action):
    from edx_exams.apps.core import api as core_api
    from edx_exams.apps.core.tests.factories import UserFactory

    core_api.reset_exam_attempt(running.attempt.id, actor=UserFactory(is_staff=True))
    before = _snapshot(running.attempt)
    fields = {'incident_severity': 0.9, 'reason_code': '1'} if action != 'pause' else {}
    from pylti1p3.exception import LtiServiceException

    with pytest.raises(LtiServiceException, match='409'):
        acs(running, action, **fields)
    assert _snapshot(running.attempt) == before

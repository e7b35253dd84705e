"""Platform launches: start proctoring (B1), the OIDC auth endpoint, end assessment (B2) and the review tool."""

from datetime import timedelta

import pytest
from django.utils import timezone
from pylti1p3.session import SessionService

from edx_exams.apps.core.exam_types import ExamType
from edx_exams.apps.core.statuses import ExamAttemptStatus as S
from edx_exams.apps.core.tests.factories import CourseStaffRoleFactory, ExamAttemptFactory, ExamFactory, UserFactory
from edx_exams.apps.lti import constants as c
from edx_exams.apps.lti.models import LtiMessageHint, LtiProctoringSession
from edx_exams.apps.lti.tests.helpers import (
    authorize,
    launch,
    login_to_auth_request,
    post_start_assessment,
    query_params,
    register_reference_tool,
    start_proctoring,
)
from edx_exams.apps.lti.tests.reference_tool import ProctoringMessageLaunch, ReferenceTool, ToolRequest, parse_form

pytestmark = pytest.mark.django_db


def _status(attempt):
    attempt.refresh_from_db()
    return attempt.status


# ---------------------------------------------------------------------------
# B1: start proctoring
# ---------------------------------------------------------------------------
@pytest.mark.parametrize('path', ['/lti/start_proctoring/{id}', '/lti/start_proctoring/{id}/'])
def test_start_proctoring_redirects_to_the_tool_login(lti, jwt_client, path):
    response = jwt_client.as_user(lti.learner).get(path.format(id=lti.attempt.id))
    assert response.status_code == 302
    params = query_params(response['Location'])
    assert response['Location'].startswith(lti.server.login_url + '?')
    assert params['iss'] == 'http://exams.test'
    assert params['target_link_uri'] == lti.server.launch_url
    assert params['client_id'] == lti.tool.client_id
    assert params['lti_deployment_id'] == 'deployment-1'
    assert len(params['lti_message_hint']) >= 43
    assert len(params['login_hint']) >= 16
    assert _status(lti.attempt) == S.DOWNLOAD_SOFTWARE_CLICKED
    assert LtiMessageHint.objects.get().hint_hash != params['lti_message_hint']  # stored as a digest only


def test_start_proctoring_is_repeatable_while_waiting_for_the_tool(lti, jwt_client):
    client = jwt_client.as_user(lti.learner)
    assert client.get(f'/lti/start_proctoring/{lti.attempt.id}').status_code == 302
    assert client.get(f'/lti/start_proctoring/{lti.attempt.id}').status_code == 302
    assert _status(lti.attempt) == S.DOWNLOAD_SOFTWARE_CLICKED


def test_start_proctoring_claims(lti, jwt_client):
    claims = start_proctoring(lti, jwt_client.as_user(lti.learner))
    assert claims['iss'] == 'http://exams.test'
    assert claims['aud'] == claims['azp'] == lti.tool.client_id
    assert claims['exp'] - claims['iat'] == 300
    assert claims['nonce']
    assert claims[c.CLAIM_MESSAGE_TYPE] == c.START_PROCTORING
    assert claims[c.CLAIM_VERSION] == '1.3.0'
    assert claims[c.CLAIM_DEPLOYMENT_ID] == 'deployment-1'
    assert claims[c.CLAIM_TARGET_LINK_URI] == lti.server.launch_url
    assert claims[c.CLAIM_RESOURCE_LINK] == {'id': str(lti.exam.resource_id), 'title': lti.exam.exam_name}
    assert claims[c.CLAIM_ROLES] == [c.ROLE_LEARNER]
    assert claims[c.CLAIM_ATTEMPT_NUMBER] == 1
    assert claims[c.CLAIM_START_ASSESSMENT_URL] == 'http://exams.test/lti/start_assessment'
    assert len(claims[c.CLAIM_SESSION_DATA]) > 40
    assert claims[c.CLAIM_ACS] == {
        'assessment_control_url': f'http://exams.test/lti/{lti.registration.id}/acs',
        'actions': ['pause', 'resume', 'terminate', 'update', 'flag'],
    }
    assert claims[c.CLAIM_CONTEXT]['id'] == lti.exam.course_id
    assert claims[c.CLAIM_LAUNCH_PRESENTATION]['return_url'] == (
        f'http://localhost:2000/course/{lti.exam.course_id}/{lti.exam.content_id}'
    )
    assert claims[c.CLAIM_TOOL_PLATFORM]['guid'] == 'http://exams.test'
    assert claims['name'] == 'Ada Lovelace'
    assert 'email' not in claims
    session = LtiProctoringSession.objects.get(attempt=lti.attempt)
    assert claims[c.CLAIM_SESSION_DATA].split('.')[1] not in session.secret_hash


def test_start_proctoring_of_another_learners_attempt_is_forbidden(lti, jwt_client):
    response = jwt_client.as_user(UserFactory()).get(f'/lti/start_proctoring/{lti.attempt.id}')
    assert response.status_code == 403
    assert _status(lti.attempt) == S.CREATED
    assert not LtiMessageHint.objects.exists()


def test_start_proctoring_needs_authentication(lti, api_client):
    assert api_client.get(f'/lti/start_proctoring/{lti.attempt.id}').status_code == 401
    assert _status(lti.attempt) == S.CREATED


def test_start_proctoring_works_with_the_jwt_cookies(lti, api_client):
    from edx_exams.apps.core.dev_tokens import build_lms_jwt

    header_payload, signature = build_lms_jwt(lti.learner).rsplit('.', 1)
    api_client.cookies['edx-jwt-cookie-header-payload'] = header_payload
    api_client.cookies['edx-jwt-cookie-signature'] = signature
    assert api_client.get(f'/lti/start_proctoring/{lti.attempt.id}').status_code == 302


@pytest.mark.parametrize('status', [S.READY_TO_START, S.STARTED, S.SUBMITTED, S.DECLINED])
def test_start_proctoring_in_a_later_status_is_a_conflict(lti, jwt_client, status):
    lti.attempt.status = status
    lti.attempt.save()
    assert jwt_client.as_user(lti.learner).get(f'/lti/start_proctoring/{lti.attempt.id}').status_code == 409
    assert _status(lti.attempt) == status


def test_start_proctoring_without_an_lti_tool_is_refused(lti, jwt_client):
    exam = ExamFactory(exam_type=ExamType.PROCTORED, provider=None)
    attempt = ExamAttemptFactory(user=lti.learner, exam=exam)
    assert jwt_client.as_user(lti.learner).get(f'/lti/start_proctoring/{attempt.id}').status_code == 400
    assert _status(attempt) == S.CREATED


def test_start_proctoring_of_an_unknown_attempt_is_404(lti, jwt_client):
    assert jwt_client.as_user(lti.learner).get('/lti/start_proctoring/999999').status_code == 404


# ---------------------------------------------------------------------------
# The OIDC auth endpoint
# ---------------------------------------------------------------------------
@pytest.fixture
def auth_request(lti, jwt_client):
    """The learner started proctoring and the tool sent them to the auth endpoint with these parameters."""
    lti.client = jwt_client.as_user(lti.learner)
    lti.params = login_to_auth_request(lti, lti.client, f'/lti/start_proctoring/{lti.attempt.id}')
    return lti


@pytest.mark.parametrize('method', ['get', 'post'])
def test_auth_endpoint_answers_an_auto_submitted_form(auth_request, method):
    response = authorize(auth_request.client, auth_request.params, method=method)
    assert response.status_code == 200
    assert response['Content-Type'].startswith('text/html')
    assert response['Cache-Control'] == 'no-store'
    action, fields = parse_form(response.content.decode())
    assert action == auth_request.server.launch_url
    assert set(fields) == {'id_token', 'state'}
    assert fields['state'] == auth_request.params['state']
    claims = auth_request.tool.launch(fields['id_token'], fields['state'])
    assert claims['nonce'] == auth_request.params['nonce']


AUTH_CHANGES = {
    'redirect_uri not registered': ({'redirect_uri': 'http://127.0.0.1:9/evil'}, 400),
    'redirect_uri with a different query': ({'redirect_uri': '{launch}?x=1'}, 400),
    'login_hint of another user': ({'login_hint': 'someone-else'}, 403),
    'unknown lti_message_hint': ({'lti_message_hint': 'guessed'}, 400),
    'no lti_message_hint': ({'lti_message_hint': None}, 400),
    'no nonce': ({'nonce': None}, 400),
    'no state': ({'state': None}, 400),
    'no login_hint': ({'login_hint': None}, 400),
    'unknown client_id': ({'client_id': 'unknown'}, 400),
    'scope': ({'scope': 'openid profile'}, 400),
    'response_type': ({'response_type': 'code'}, 400),
    'response_mode': ({'response_mode': 'query'}, 400),
    'prompt': ({'prompt': 'login'}, 400),
}


def _assert_not_launched(lti, *, hint_used=False):
    assert _status(lti.attempt) == S.DOWNLOAD_SOFTWARE_CLICKED
    assert not LtiProctoringSession.objects.exists()
    assert LtiMessageHint.objects.filter(used_at__isnull=False).exists() is hint_used


@pytest.mark.parametrize('case', list(AUTH_CHANGES))
def test_bad_auth_request_is_refused(auth_request, case):
    changes, expected = AUTH_CHANGES[case]
    params = dict(auth_request.params)
    for name, value in changes.items():
        if value is None:
            params.pop(name)
        else:
            params[name] = value.format(launch=auth_request.server.launch_url)
    response = authorize(auth_request.client, params)
    assert response.status_code == expected, response.content
    assert response['Content-Type'] == 'application/json'
    _assert_not_launched(auth_request)


def test_auth_request_of_another_signed_in_user_is_refused(auth_request, jwt_client):
    intruder = jwt_client.__class__().as_user(UserFactory())
    assert authorize(intruder, auth_request.params).status_code == 403
    _assert_not_launched(auth_request)


def test_auth_request_without_a_signed_in_user_is_refused(auth_request, api_client):
    assert authorize(api_client, auth_request.params).status_code == 403
    _assert_not_launched(auth_request)


def test_message_hint_is_single_use(auth_request):
    assert authorize(auth_request.client, auth_request.params).status_code == 200
    assert authorize(auth_request.client, auth_request.params).status_code == 400
    assert LtiMessageHint.objects.get().used_at is not None


def test_message_hint_expires(auth_request):
    LtiMessageHint.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    assert authorize(auth_request.client, auth_request.params).status_code == 400
    _assert_not_launched(auth_request)


def test_message_hint_of_another_tool_is_refused(auth_request, tool_server):
    other = ReferenceTool(
        platform_base_url='http://exams.test',
        issuer='http://exams.test',
        client_id='other-client',
        deployment_id='deployment-1',
        key_name='other-tool',
    )
    register_reference_tool(other, tool_server, name='othertool', use_pem=True)
    params = dict(auth_request.params, client_id='other-client')
    assert authorize(auth_request.client, params).status_code == 400
    _assert_not_launched(auth_request)


def test_launch_is_refused_once_the_attempt_moved_on(auth_request):
    auth_request.attempt.status = S.DECLINED
    auth_request.attempt.save()
    assert authorize(auth_request.client, auth_request.params).status_code == 400
    assert not LtiProctoringSession.objects.exists()


def test_tool_refuses_an_id_token_with_a_state_it_did_not_issue(auth_request):
    """The reference tool is a real validator: a form with another state is rejected by PyLTI1p3."""
    response = authorize(auth_request.client, auth_request.params)
    _, fields = parse_form(response.content.decode())
    request = ToolRequest({'id_token': fields['id_token'], 'state': 'state-forged'}, {})
    tool_launch = ProctoringMessageLaunch(
        request,
        auth_request.tool.tool_conf(),
        session_service=SessionService(request),
        cookie_service=_NoCookies(),
    )
    with pytest.raises(Exception, match='State not found'):
        tool_launch.validate()


class _NoCookies:
    def get_cookie(self, name):
        return None

    def set_cookie(self, name, value, exp=3600):
        pass


# ---------------------------------------------------------------------------
# B2: end assessment
# ---------------------------------------------------------------------------
def _started(lti, jwt_client, *, end_assessment_return=True):
    client = jwt_client.as_user(lti.learner)
    claims = start_proctoring(lti, client)
    token = lti.tool.start_assessment_jwt(claims, end_assessment_return=end_assessment_return)
    assert post_start_assessment(token).status_code == 302
    lti.attempt.status = S.STARTED
    lti.attempt.save()
    return client, claims


def test_end_assessment_sends_lti_end_assessment_when_the_tool_asked(lti, jwt_client):
    client, _ = _started(lti, jwt_client)
    end_claims = launch(lti, client, f'/lti/end_assessment/{lti.attempt.id}')
    assert _status(lti.attempt) == S.SUBMITTED
    assert end_claims[c.CLAIM_MESSAGE_TYPE] == c.END_ASSESSMENT
    assert end_claims[c.CLAIM_ATTEMPT_NUMBER] == 1
    assert end_claims[c.CLAIM_RESOURCE_LINK]['id'] == str(lti.exam.resource_id)
    assert end_claims[c.CLAIM_LAUNCH_PRESENTATION]['return_url'].endswith(lti.exam.content_id)
    assert c.CLAIM_SESSION_DATA not in end_claims


def test_end_assessment_returns_to_the_exam_when_the_tool_did_not_ask(lti, jwt_client):
    client, _ = _started(lti, jwt_client, end_assessment_return=False)
    response = client.get(f'/lti/end_assessment/{lti.attempt.id}/')
    assert response.status_code == 302
    assert response['Location'] == f'http://localhost:2000/course/{lti.exam.course_id}/{lti.exam.content_id}'
    assert _status(lti.attempt) == S.SUBMITTED


def test_end_assessment_of_a_completed_attempt_changes_nothing(lti, jwt_client):
    lti.attempt.status = S.VERIFIED
    lti.attempt.save()
    response = jwt_client.as_user(lti.learner).get(f'/lti/end_assessment/{lti.attempt.id}')
    assert response.status_code == 302
    assert _status(lti.attempt) == S.VERIFIED


def test_end_assessment_of_another_learners_attempt_is_forbidden(lti, jwt_client):
    lti.attempt.status = S.STARTED
    lti.attempt.save()
    assert jwt_client.as_user(UserFactory()).get(f'/lti/end_assessment/{lti.attempt.id}').status_code == 403
    assert _status(lti.attempt) == S.STARTED


def test_end_assessment_of_an_attempt_not_started_is_a_conflict(lti, jwt_client):
    assert jwt_client.as_user(lti.learner).get(f'/lti/end_assessment/{lti.attempt.id}').status_code == 409
    assert _status(lti.attempt) == S.CREATED


# ---------------------------------------------------------------------------
# B1 and B2 change the attempt on a GET: only a browser navigation may do it
# ---------------------------------------------------------------------------
def _cookie_client(user):
    """A browser signed in with the LMS JWT cookies, which it sends with any request to the service."""
    from django.test import Client

    from edx_exams.apps.core.dev_tokens import build_lms_jwt

    header_payload, signature = build_lms_jwt(user).rsplit('.', 1)
    client = Client()
    client.cookies['edx-jwt-cookie-header-payload'] = header_payload
    client.cookies['edx-jwt-cookie-signature'] = signature
    return client


# What browsers send (Fetch Metadata) for an <img>, a <script> and a fetch() of the URL from another page.
SUBRESOURCE_REQUESTS = {
    'image': {'Sec-Fetch-Mode': 'no-cors', 'Sec-Fetch-Dest': 'image', 'Sec-Fetch-Site': 'same-site'},
    'script': {'Sec-Fetch-Mode': 'no-cors', 'Sec-Fetch-Dest': 'script', 'Sec-Fetch-Site': 'cross-site'},
    'fetch': {'Sec-Fetch-Mode': 'cors', 'Sec-Fetch-Dest': 'empty', 'Sec-Fetch-Site': 'cross-site'},
}
NAVIGATION = {'Sec-Fetch-Mode': 'navigate', 'Sec-Fetch-Dest': 'document', 'Sec-Fetch-Site': 'same-site'}


@pytest.mark.parametrize('kind', list(SUBRESOURCE_REQUESTS))
def test_an_embedded_end_assessment_url_does_not_submit_the_exam(lti, kind):
    """`<img src=".../lti/end_assessment/N">` in a forum post must not submit the reader's running exam."""
    lti.attempt.status = S.STARTED
    lti.attempt.save()
    client = _cookie_client(lti.learner)
    response = client.get(f'/lti/end_assessment/{lti.attempt.id}', headers=SUBRESOURCE_REQUESTS[kind])
    assert response.status_code == 403
    assert _status(lti.attempt) == S.STARTED
    assert client.get(f'/lti/end_assessment/{lti.attempt.id}', headers=NAVIGATION).status_code == 302
    assert _status(lti.attempt) == S.SUBMITTED


@pytest.mark.parametrize('kind', list(SUBRESOURCE_REQUESTS))
def test_an_embedded_start_proctoring_url_does_not_move_the_attempt(lti, kind):
    client = _cookie_client(lti.learner)
    response = client.get(f'/lti/start_proctoring/{lti.attempt.id}', headers=SUBRESOURCE_REQUESTS[kind])
    assert response.status_code == 403
    assert _status(lti.attempt) == S.CREATED
    assert not LtiMessageHint.objects.exists()
    assert client.get(f'/lti/start_proctoring/{lti.attempt.id}', headers=NAVIGATION).status_code == 302
    assert _status(lti.attempt) == S.DOWNLOAD_SOFTWARE_CLICKED


# ---------------------------------------------------------------------------
# The instructor's review tool
# ---------------------------------------------------------------------------
def test_course_staff_open_the_review_tool_with_a_resource_link_launch(lti, jwt_client):
    staff = CourseStaffRoleFactory(course_id=lti.exam.course_id).user
    claims = launch(lti, jwt_client.as_user(staff), f'/lti/exam/{lti.exam.id}/instructor_tool')
    assert claims[c.CLAIM_MESSAGE_TYPE] == c.RESOURCE_LINK_REQUEST
    assert claims[c.CLAIM_ROLES] == [c.ROLE_INSTRUCTOR]
    assert claims[c.CLAIM_RESOURCE_LINK]['id'] == str(lti.exam.resource_id)
    assert c.CLAIM_ATTEMPT_NUMBER not in claims


def test_review_tool_is_for_course_staff_only(lti, jwt_client):
    response = jwt_client.as_user(lti.learner).get(f'/lti/exam/{lti.exam.id}/instructor_tool')
    assert response.status_code == 403
    assert not LtiMessageHint.objects.exists()


def test_review_tool_of_staff_of_another_course_is_forbidden(lti, jwt_client):
    staff = CourseStaffRoleFactory(course_id='course-v1:Other+X+Y').user
    assert jwt_client.as_user(staff).get(f'/lti/exam/{lti.exam.id}/instructor_tool/').status_code == 403


@pytest.mark.parametrize('path', ['/lti/start_proctoring/{id}', '/lti/end_assessment/{id}'])
def test_a_reset_attempt_is_left_alone_and_the_learner_goes_back_to_the_exam(lti, jwt_client, path):
    lti.attempt.status = S.STARTED
    lti.attempt.is_active = False  # staff reset it while an old tab was open
    lti.attempt.save()
    response = jwt_client.as_user(lti.learner).get(path.format(id=lti.attempt.id))
    assert response.status_code == 302
    assert response['Location'] == f'http://localhost:2000/course/{lti.exam.course_id}/{lti.exam.content_id}'
    assert _status(lti.attempt) == S.STARTED
    assert not LtiMessageHint.objects.exists()

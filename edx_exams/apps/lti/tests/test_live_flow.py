"""
The whole proctoring flow over real HTTP: a live platform, the PyLTI1p3 reference tool, a browser.

The "browser" is a requests session that follows what the pages tell it, sends
the learner's JWT cookies only to the platform, and POSTs the tool's
LtiStartAssessment form without any cookie (a cross-site POST drops them).
"""

import time

import pytest
from django.utils import timezone

from edx_exams.apps.core import api as core_api
from edx_exams.apps.core.dev_tokens import build_lms_jwt
from edx_exams.apps.core.statuses import ExamAttemptStatus as S
from edx_exams.apps.lti import api
from edx_exams.apps.lti import constants as c
from edx_exams.apps.lti.models import AssessmentControlRecord
from edx_exams.apps.lti.tests.conftest import make_lti_setup
from edx_exams.apps.lti.tests.reference_tool import parse_form, requests_session

pytestmark = pytest.mark.django_db(transaction=True)


class Browser:
    """A learner's browser: JWT cookies for the platform's origin only, redirects followed by hand."""

    def __init__(self, platform_url, user):
        self.platform_url = platform_url
        self.http = requests_session()
        header_payload, signature = build_lms_jwt(user).rsplit('.', 1)
        self.cookies = {'edx-jwt-cookie-header-payload': header_payload, 'edx-jwt-cookie-signature': signature}

    def get(self, url):
        return self.http.get(url, cookies=self._cookies_for(url), allow_redirects=False, timeout=10)

    def post(self, url, data, *, cross_site=False):
        cookies = {} if cross_site else self._cookies_for(url)
        return self.http.post(url, data=data, cookies=cookies, allow_redirects=False, timeout=10)

    def follow(self, url, max_hops=5):
        """GET `url` and follow redirects until a page that is not a redirect."""
        for _ in range(max_hops):
            response = self.get(url)
            if response.status_code != 302:
                return response
            url = response.headers['Location']
        raise AssertionError('too many redirects')

    def submit_form(self, page, *, cross_site=False):
        action, fields = parse_form(page)
        return self.post(action, fields, cross_site=cross_site)

    def _cookies_for(self, url):
        return self.cookies if url.startswith(self.platform_url) else {}


@pytest.fixture
def live(live_server, settings, tool_server, platform_key):
    settings.EXAMS_BASE_URL = live_server.url
    setup = make_lti_setup(tool_server, base_url=live_server.url)
    setup.browser = Browser(live_server.url, setup.learner)
    yield setup
    # Close the keep-alive connections now, so no server thread outlives the live server.
    setup.browser.http.close()
    setup.tool.http.close()


def test_complete_proctoring_flow_against_the_reference_tool(live, live_server):
    started = time.monotonic()
    browser = live.browser

    # B1: the learner's system-check button -> tool login -> platform auth -> auto-submitted id_token.
    first = browser.get(f'{live_server.url}/lti/start_proctoring/{live.attempt.id}')
    assert first.status_code == 302
    assert first.headers['Location'].startswith(live.server.login_url)
    auth_page = browser.follow(first.headers['Location'])
    assert auth_page.status_code == 200
    assert auth_page.headers['Cache-Control'] == 'no-store'
    live.attempt.refresh_from_db()
    assert live.attempt.status == S.DOWNLOAD_SOFTWARE_CLICKED

    # The tool validates LtiStartProctoring (signature via the platform JWKS over HTTP) and answers its form.
    tool_page = browser.submit_form(auth_page.text)
    assert tool_page.status_code == 200, live.server.last_launch_error
    claims = live.tool.launches[-1]
    assert claims[c.CLAIM_MESSAGE_TYPE] == c.START_PROCTORING
    assert claims[c.CLAIM_START_ASSESSMENT_URL] == f'{live_server.url}/lti/start_assessment'

    # The tool's LtiStartAssessment, POSTed cross-site without cookies: the learner goes back to the exam.
    back = browser.submit_form(tool_page.text, cross_site=True)
    assert back.status_code == 302, back.text
    assert back.headers['Location'] == (f'http://localhost:2000/course/{live.exam.course_id}/{live.exam.content_id}')
    live.attempt.refresh_from_db()
    assert live.attempt.status == S.READY_TO_START

    # The learner starts the exam; the tool controls it through the ACS with PyLTI1p3's ServiceConnector.
    core_api.update_attempt_with_action(attempt_id=live.attempt.id, action='start', actor=live.learner)
    connector = live.tool.service_connector()
    assert live.tool.acs(connector, claims, 'flag', reason_code='12', reason_msg='Looked away') == {'status': 'running'}
    assert live.tool.acs(connector, claims, 'pause') == {'status': 'paused'}
    assert live.tool.acs(connector, claims, 'update', extra_time=10) == {'status': 'paused', 'extra_time': 10}
    assert live.tool.acs(connector, claims, 'resume') == {'status': 'running'}
    live.attempt.refresh_from_db()
    assert live.attempt.status == S.STARTED
    assert live.attempt.expires_at > timezone.now() + timezone.timedelta(minutes=65)

    # B2: the learner submits; the tool asked for end_assessment_return, so LtiEndAssessment follows.
    end = browser.get(f'{live_server.url}/lti/end_assessment/{live.attempt.id}')
    assert end.status_code == 302
    end_page = browser.follow(end.headers['Location'])
    assert end_page.status_code == 200
    assert browser.submit_form(end_page.text).text == 'LtiEndAssessment received'
    end_claims = live.tool.launches[-1]
    assert end_claims[c.CLAIM_MESSAGE_TYPE] == c.END_ASSESSMENT
    assert end_claims[c.CLAIM_ATTEMPT_NUMBER] == 1
    live.attempt.refresh_from_db()
    assert live.attempt.status == S.SUBMITTED

    # The tool's review arrives as a terminate; staff see it in the attempts list.
    reply = live.tool.acs(connector, claims, 'terminate', reason_code='1', incident_severity=0.8, reason_msg='Review')
    assert reply == {'status': 'terminated'}
    live.attempt.refresh_from_db()
    assert live.attempt.status == S.SECOND_REVIEW_REQUIRED
    assert api.get_reviews_for_attempts([live.attempt.id]) == {
        live.attempt.id: {'severity': 0.8, 'submission_reason': 'Review'}
    }
    assert AssessmentControlRecord.objects.filter(attempt=live.attempt).count() == 5
    assert time.monotonic() - started < 20

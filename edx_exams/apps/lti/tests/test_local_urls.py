"""
`make run` hands out URLs on http://localhost:<port>, where a local MFE's JWT cookies live.

The learning MFE on http://localhost:2000 calls the service on localhost; the
LMS sets the learner's JWT cookies for the host `localhost` (cookies ignore the
port), so a browser sends them to localhost:<port> but never to 127.0.0.1.
"""

import runpy
from urllib.parse import urlsplit

import pytest
from django.urls import reverse

from edx_exams.apps.core.statuses import ExamAttemptStatus as S
from edx_exams.apps.lti import api
from edx_exams.apps.lti.tests.conftest import make_lti_setup
from edx_exams.apps.lti.tests.test_live_flow import Browser


def local_settings(monkeypatch, port) -> dict:
    """Execute settings/local.py as `make run PORT=<port>` does (the Makefile exports EDX_EXAMS_PORT)."""
    monkeypatch.setenv('EDX_EXAMS_PORT', str(port))
    return runpy.run_module('edx_exams.settings.local')


def test_every_handed_out_url_is_on_localhost_and_the_make_run_port(monkeypatch, settings, db, platform_key):
    local = local_settings(monkeypatch, 18770)
    settings.EXAMS_BASE_URL = local['EXAMS_BASE_URL']
    settings.LTI_PLATFORM_ISSUER = local['LTI_PLATFORM_ISSUER']
    registration = api.register_tool(
        api.ToolRegistrationData(
            name='urltool',
            verbose_name='URL tool',
            client_id='c1',
            deployment_id='d1',
            login_url='https://tool.example.com/login',
            launch_url='https://tool.example.com/launch',
            jwks_url='https://tool.example.com/jwks',
            public_key='',
        )
    )
    handed_out = {
        **api.get_platform_registration_data(registration),
        'access_token_issuer': local['TOKEN_SIGNING']['JWT_ISSUER'],
        'exams_base_url': local['EXAMS_BASE_URL'],
    }
    for name in ('issuer', 'jwks_url', 'auth_url', 'token_url', 'access_token_issuer', 'exams_base_url'):
        assert urlsplit(handed_out[name])[:2] == ('http', 'localhost:18770'), name


class LocalhostBrowser(Browser):
    """A browser whose LMS JWT cookies are set for the host `localhost`: sent to any of its ports, nowhere else."""

    def _cookies_for(self, url):
        return self.cookies if urlsplit(url).hostname == 'localhost' else {}


@pytest.mark.django_db(transaction=True)
def test_proctored_launch_from_the_learning_mfe_on_localhost(
    monkeypatch, settings, live_server, tool_server, platform_key
):
    port = urlsplit(live_server.url).port
    local = local_settings(monkeypatch, port)
    settings.EXAMS_BASE_URL = local['EXAMS_BASE_URL']
    settings.TOKEN_SIGNING = local['TOKEN_SIGNING']
    setup = make_lti_setup(tool_server, base_url=local['EXAMS_BASE_URL'])
    browser = LocalhostBrowser(local['EXAMS_BASE_URL'], setup.learner)
    try:
        # The learning MFE's "Start system check" opens the entrance on the service's localhost URL.
        entrance = browser.get(local['EXAMS_BASE_URL'] + reverse('lti:start-proctoring', args=[setup.attempt.id]))
        assert entrance.status_code == 302, entrance.text
        # The tool's login redirects to the platform's auth URL: it must carry the learner's cookies.
        auth_page = browser.follow(entrance.headers['Location'])
        assert auth_page.status_code == 200, auth_page.text
        tool_page = browser.submit_form(auth_page.text)
        assert tool_page.status_code == 200, setup.server.last_launch_error
        # The tool's LtiStartAssessment comes back cross-site; the learner lands on the learning MFE.
        back = browser.submit_form(tool_page.text, cross_site=True)
        assert back.status_code == 302, back.text
        assert back.headers['Location'].startswith('http://localhost:2000/course/')
        setup.attempt.refresh_from_db()
        assert setup.attempt.status == S.READY_TO_START
    finally:
        browser.http.close()
        setup.tool.http.close()

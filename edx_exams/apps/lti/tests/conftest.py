"""Fixtures of the LTI tests: the reference tool over HTTP, a registered tool, a learner's proctored attempt."""

from types import SimpleNamespace

import pytest
from django.core.cache import cache

from edx_exams.apps.core.exam_types import ExamType
from edx_exams.apps.core.tests.factories import ExamAttemptFactory, ExamFactory, UserFactory
from edx_exams.apps.lti import api
from edx_exams.apps.lti.keys import create_platform_key
from edx_exams.apps.lti.tests.helpers import PLATFORM_URL, register_reference_tool
from edx_exams.apps.lti.tests.reference_tool import ReferenceTool, ToolServer, rsa_key


@pytest.fixture(scope='session')
def tool_server():
    """The reference tool's HTTP server (JWKS, login, launch) on 127.0.0.1, for the whole run."""
    server = ToolServer()
    yield server
    server.close()


@pytest.fixture(autouse=True)
def _tool_on_localhost(settings):
    """The reference tool serves its JWKS on 127.0.0.1, which production refuses to fetch."""
    settings.LTI_TOOL_JWKS_ALLOW_PRIVATE_ADDRESSES = True


@pytest.fixture(autouse=True)
def _fresh_lti_caches():
    """Tool JWKS are cached in the Django cache; every test starts without them."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def platform_key(db):
    """The platform's signing key, from a key made once per run (RSA generation is slow)."""
    return create_platform_key(private_key=rsa_key('platform'))


@pytest.fixture
def lti(db, settings, tool_server, platform_key):
    """
    A registered reference tool, a proctored exam and a learner's created attempt, driven in-process.

    The platform is reached with the Django test client; the tool's JWKS over real HTTP.
    """
    settings.EXAMS_BASE_URL = PLATFORM_URL
    return make_lti_setup(tool_server, base_url=PLATFORM_URL)


def make_lti_setup(tool_server, *, base_url, name='proctortool', client_id='tool-client-1', key_name='tool'):
    tool = ReferenceTool(
        platform_base_url=base_url,
        issuer=base_url,
        client_id=client_id,
        deployment_id='deployment-1',
        key_name=key_name,
    )
    tool_server.tool = tool
    tool_server.jwks_hits = 0
    tool_server.jwks_status = 200
    registration = register_reference_tool(tool, tool_server, name=name)
    tool.platform_key_set = api.get_public_jwks() if base_url == PLATFORM_URL else None
    exam = ExamFactory(exam_type=ExamType.PROCTORED, provider=registration.provider, time_limit_mins=60)
    learner = UserFactory(full_name='Ada Lovelace')
    attempt = ExamAttemptFactory(user=learner, exam=exam)
    return SimpleNamespace(
        tool=tool, server=tool_server, registration=registration, exam=exam, learner=learner, attempt=attempt
    )

"""
API fuzzing: schemathesis generates requests from /api/schema/ and checks every answer against it.

Every operation of the schema (the REST API and the LTI endpoints) is called in
process through the WSGI application, as four callers: a learner, course staff,
global staff and an anonymous caller (also the way a proctoring tool and a
browser without a session reach the LTI endpoints). A course with exams, attempts,
allowances, due-date extensions and a registered LTI tool is seeded for every
operation, and about half of the generated ids and keys are replaced by seeded
ones, so the fuzzer reaches real rows and not only 404s.

Checks: no 5xx; every status code is documented for the operation; every body
conforms to the documented schema and media type.

The number of examples per operation and caller is `EDX_EXAMS_FUZZ_EXAMPLES`
(default: 8 on SQLite, 3 on MariaDB). Generation is deterministic, so CI failures reproduce.
"""

import os
import zlib
from collections import Counter
from datetime import timedelta
from types import SimpleNamespace

import pytest
import schemathesis
from django.core import signals
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections, connection
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis.checks import not_a_server_error
from schemathesis.generation import GenerationMode
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from edx_exams.apps.core import api
from edx_exams.apps.core.dev_tokens import build_lms_jwt
from edx_exams.apps.core.exam_types import ExamType
from edx_exams.apps.core.models import DueDateExtension
from edx_exams.apps.core.tests.factories import (
    AllowanceFactory,
    CourseExamConfigurationFactory,
    CourseStaffRoleFactory,
    ExamAttemptFactory,
    ExamFactory,
    UserFactory,
)
from edx_exams.apps.lti.keys import create_platform_key
from edx_exams.apps.lti.tests.helpers import register_reference_tool
from edx_exams.apps.lti.tests.reference_tool import ReferenceTool, rsa_key
from test_utils.fuzz import FUZZ_SUMMARY

COURSE = 'course-v1:edX+Fuzz+2026'
CHECKS = [not_a_server_error, status_code_conformance, response_schema_conformance, content_type_conformance]
DEFAULT_EXAMPLES = {'sqlite': 8, 'mysql': 3}
STATS: Counter[str] = Counter()
SEEN: set[tuple[str, str | None]] = set()

pytestmark = pytest.mark.django_db


def examples_per_operation() -> int:
    """Examples per operation and caller: `EDX_EXAMS_FUZZ_EXAMPLES`, or the database's default."""
    return int(os.environ.get('EDX_EXAMS_FUZZ_EXAMPLES') or DEFAULT_EXAMPLES.get(connection.vendor, 4))


def load_schema():
    """The schema the service serves at /api/schema/, loaded through the WSGI application."""
    return schemathesis.openapi.from_wsgi('/api/schema/', get_wsgi_application())


SCHEMA = load_schema()
OPERATIONS = sorted(result.ok().label for result in SCHEMA.get_all_operations())
CALLERS = ('learner', 'course_staff', 'global_staff', 'anonymous')
# The LTI endpoints a browser navigates to know the learner by JWT; the others are called by tools (no JWT).
LTI_BROWSER_PATHS = ('/lti/start_proctoring/', '/lti/end_assessment/', '/lti/exam/', '/lti/auth/')


def callers_of(label: str) -> tuple[str, ...]:
    """Who calls an operation: every caller for the REST API; a learner's browser or a tool for LTI."""
    path = label.split(' ', 1)[1]
    if not path.startswith('/lti/'):
        return CALLERS
    return ('learner', 'anonymous') if path.startswith(LTI_BROWSER_PATHS) else ('anonymous',)


FUZZ_CASES = [
    pytest.param(label, caller, id=f'{label}-{caller}') for label in OPERATIONS for caller in callers_of(label)
]


@pytest.fixture(scope='module', autouse=True)
def _report(request):
    """Leave a line for the end of the run: operations and examples run, 5xx answers seen."""
    yield
    if STATS['examples']:
        request.config.stash[FUZZ_SUMMARY] = (
            f'fuzz: {len(SEEN)} operation/caller pairs, {len({label for label, _ in SEEN})} operations, '
            f'{STATS["examples"]} examples, {STATS["server_errors"]} 5xx answers'
        )


@pytest.fixture(autouse=True)
def _keep_test_connection():
    """
    Keep the test's database connection open across requests, as Django's test client does.

    The WSGI handler closes the connection at the end of each request, which on
    MariaDB would end the test's transaction (SQLite in memory ignores it).
    """
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


@pytest.fixture
def world():
    """A course with a timed, a proctored (LTI) and an onboarding exam, attempts and accommodations."""
    config = CourseExamConfigurationFactory(course_id=COURSE)
    learner = UserFactory(username='fuzz_learner')
    timed = ExamFactory(course_id=COURSE, exam_type=ExamType.TIMED, time_limit_mins=60)
    onboarding = ExamFactory(course_id=COURSE, exam_type=ExamType.ONBOARDING, provider=config.provider)
    registration = _register_tool()
    proctored = ExamFactory(course_id=COURSE, exam_type=ExamType.PROCTORED, provider=registration.provider)
    attempts = [
        api.create_exam_attempt(user=learner, exam_id=timed.id, start_clock=True),
        ExamAttemptFactory(user=learner, exam=proctored),
        ExamAttemptFactory(user=learner, exam=onboarding, status='submitted'),
    ]
    allowance = AllowanceFactory(user=learner, exam=timed, extra_time_mins=5)
    extension = DueDateExtension.objects.create(user=learner, exam=timed, due_date=timezone.now() + timedelta(days=3))
    users = {
        'learner': learner,
        'course_staff': CourseStaffRoleFactory(course_id=COURSE, role='instructor').user,
        'global_staff': UserFactory(username='fuzz_admin', is_staff=True),
    }
    exams = [timed, proctored, onboarding]
    return SimpleNamespace(
        users=users,
        ids={
            'exam_id': [exam.id for exam in exams],
            'attempt_id': [attempt.id for attempt in attempts],
            'allowance_id': [allowance.id],
            'extension_id': [extension.id],
            'registration_id': [registration.id],
        },
        content_ids=[exam.content_id for exam in exams],
        usernames=[user.username for user in users.values()],
    )


def _register_tool():
    create_platform_key(private_key=rsa_key('platform'))
    tool = ReferenceTool(
        platform_base_url='http://exams.test',
        issuer='http://exams.test',
        client_id='fuzz-tool',
        deployment_id='deployment-1',
        key_name='tool',
    )
    urls = SimpleNamespace(login_url='https://tool.test/login', launch_url='https://tool.test/launch', jwks_url='')
    return register_reference_tool(tool, urls, name='fuzztool', use_pem=True)


def _aim(case, world):
    """Replace about half of the generated keys and ids with seeded ones, chosen from the generated value."""
    for name, value in list((case.path_parameters or {}).items()):
        seeded = _seeded_values(name, world)
        if seeded and _pick(value) % 2 == 0:
            case.path_parameters[name] = seeded[_pick(value) // 2 % len(seeded)]
    if isinstance(case.body, dict):
        for name in ('exam_id', 'username'):
            seeded = _seeded_values(name, world)
            if name in case.body and _pick(case.body[name]) % 2 == 0:
                case.body[name] = seeded[_pick(case.body[name]) // 2 % len(seeded)]


def _seeded_values(name, world):
    if name == 'course_id':
        return [COURSE]
    if name == 'content_id':
        return world.content_ids
    if name == 'username':
        return world.usernames
    return world.ids.get(name)


def _pick(value) -> int:
    return zlib.crc32(repr(value).encode())


def _fuzz(case, world, caller):
    """Send the case as `caller` (None: anonymous) and run the checks; count examples and 5xx answers."""
    _aim(case, world)
    headers = {} if caller is None else {'Authorization': f'JWT {build_lms_jwt(world.users[caller])}'}
    SEEN.add((case.operation.label, caller))
    STATS['examples'] += 1
    response = case.call(headers=headers)
    if response.status_code >= 500:
        STATS['server_errors'] += 1
    case.validate_response(response, checks=CHECKS)


@pytest.mark.parametrize(('label', 'caller'), FUZZ_CASES)
def test_fuzz(label, caller, world):
    operation = SCHEMA.find_operation_by_label(label)
    cases = st.one_of(operation.as_strategy(GenerationMode.POSITIVE), operation.as_strategy(GenerationMode.NEGATIVE))

    @settings(
        max_examples=examples_per_operation(),
        deadline=timedelta(seconds=5),
        derandomize=True,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    @given(case=cases)
    def fuzz(case):
        _fuzz(case, world, None if caller == 'anonymous' else caller)

    fuzz()

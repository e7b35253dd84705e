"""
Who may call what: every REST endpoint of the learner lifecycle and the instructor tools, for six callers.

Columns: anonymous, the learner who owns the attempt, another learner, staff of
another course, staff of this course, global staff. Each cell is the expected
HTTP status; every case runs on fresh data.
"""

from datetime import timedelta
from types import SimpleNamespace

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from edx_exams.apps.core import api
from edx_exams.apps.core.models import DueDateExtension
from edx_exams.apps.core.tests.factories import (
    AllowanceFactory,
    CourseExamConfigurationFactory,
    CourseStaffRoleFactory,
    ExamFactory,
    UserFactory,
)
from test_utils.auth import JwtClient
from test_utils.courses import COURSE

pytestmark = pytest.mark.django_db
ACTORS = ('anonymous', 'owner', 'other_learner', 'other_course_staff', 'course_staff', 'global_staff')


@pytest.fixture
def world():
    config = CourseExamConfigurationFactory(course_id=COURSE)
    exam = ExamFactory(course_id=COURSE, exam_type='timed', time_limit_mins=60)
    onboarding = ExamFactory(course_id=COURSE, exam_type='onboarding', provider=config.provider)
    owner = UserFactory(username='owner')
    attempt = api.create_exam_attempt(user=owner, exam_id=exam.id, start_clock=True)
    allowance = AllowanceFactory(user=owner, exam=exam, extra_time_mins=5)
    extension = DueDateExtension.objects.create(user=owner, exam=exam, due_date=timezone.now() + timedelta(days=3))
    users = {
        'anonymous': None,
        'owner': owner,
        'other_learner': UserFactory(username='other'),
        'other_course_staff': CourseStaffRoleFactory(course_id='course-v1:Other+X+Y').user,
        'course_staff': CourseStaffRoleFactory(course_id=COURSE, role='instructor').user,
        'global_staff': UserFactory(is_staff=True),
    }
    return SimpleNamespace(
        exam=exam, onboarding=onboarding, attempt=attempt, allowance=allowance, extension=extension, users=users
    )


def _csv(world):
    text = f'username,exam_id,extra_time_mins\nowner,{world.exam.id},9\n'
    return {'file': SimpleUploadedFile('a.csv', text.encode(), content_type='text/csv')}


def _submitted(world):
    api.update_attempt_with_action(attempt_id=world.attempt.id, action='submit', actor=world.users['owner'])


C = f'/api/v1/exams/course_id/{COURSE}'
# name: (method, url, body, format, prepare, expected per actor)
CASES = {
    'me': ('get', lambda w: '/api/v1/me', None, None, None, (401, 200, 200, 200, 200, 200)),
    'exams list': ('get', lambda w: f'{C}/', None, None, None, (401, 403, 403, 403, 200, 200)),
    'exams publish': ('patch', lambda w: f'{C}/', lambda w: [], 'json', None, (401, 403, 403, 403, 200, 200)),
    'config read': (
        'get',
        lambda w: f'/api/v1/configs/course_id/{COURSE}',
        None,
        None,
        None,
        (401, 403, 403, 403, 200, 200),
    ),
    'config write': (
        'patch',
        lambda w: f'/api/v1/configs/course_id/{COURSE}',
        lambda w: {'provider': None, 'escalation_email': None},
        'json',
        None,
        (401, 403, 403, 403, 200, 200),
    ),
    'providers': ('get', lambda w: '/api/v1/providers', None, None, None, (401, 200, 200, 200, 200, 200)),
    'provider settings': (
        'get',
        lambda w: f'/api/v1/exam/provider_settings/course_id/{COURSE}/exam_id/{w.onboarding.id}',
        None,
        None,
        None,
        (401, 200, 200, 200, 200, 200),
    ),
    'onboarding own': (
        'get',
        lambda w: f'/api/v1/student/course_id/{COURSE}/onboarding',
        None,
        None,
        None,
        (401, 200, 200, 200, 200, 200),
    ),
    'onboarding of a learner': (
        'get',
        lambda w: f'/api/v1/student/course_id/{COURSE}/onboarding?username=owner',
        None,
        None,
        None,
        (401, 200, 403, 403, 200, 200),
    ),
    'exam with attempt (L1)': (
        'get',
        lambda w: f'/api/v1/student/exam/attempt/course_id/{COURSE}/content_id/{w.exam.content_id}',
        None,
        None,
        None,
        (401, 200, 200, 200, 200, 200),
    ),
    'latest attempt (L2)': (
        'get',
        lambda w: '/api/v1/exams/attempt/latest',
        None,
        None,
        None,
        (401, 200, 200, 200, 200, 200),
    ),
    'create attempt (L4)': (
        'post',
        lambda w: '/api/v1/exams/attempt',
        lambda w: {'exam_id': w.onboarding.id, 'start_clock': 'false', 'attempt_proctored': 'true'},
        'json',
        None,
        (401, 200, 200, 200, 200, 200),
    ),
    'learner action (L5)': (
        'put',
        lambda w: f'/api/v1/exams/attempt/{w.attempt.id}',
        lambda w: {'action': 'stop'},
        'json',
        None,
        (401, 200, 403, 403, 403, 403),
    ),
    'review action': (
        'put',
        lambda w: f'/api/v1/exams/attempt/{w.attempt.id}',
        lambda w: {'action': 'verify', 'comment': 'ok'},
        'json',
        _submitted,
        (401, 403, 403, 403, 200, 200),
    ),
    'reset attempt': (
        'delete',
        lambda w: f'/api/v1/exams/attempt/{w.attempt.id}',
        None,
        None,
        None,
        (401, 403, 403, 403, 204, 204),
    ),
    'access token (L7)': (
        'get',
        lambda w: f'/api/v1/access_tokens/exam_id/{w.exam.id}/',
        None,
        None,
        None,
        (401, 200, 403, 403, 403, 403),
    ),
    'allowances list': ('get', lambda w: f'{C}/allowances', None, None, None, (401, 403, 403, 403, 200, 200)),
    'allowances upsert': (
        'post',
        lambda w: f'{C}/allowances',
        lambda w: [{'username': 'owner', 'exam_id': w.exam.id, 'extra_time_mins': 7}],
        'json',
        None,
        (401, 403, 403, 403, 200, 200),
    ),
    'allowance delete': (
        'delete',
        lambda w: f'{C}/allowances/{w.allowance.id}',
        None,
        None,
        None,
        (401, 403, 403, 403, 204, 204),
    ),
    'allowances upload': (
        'post',
        lambda w: f'{C}/allowances/upload',
        _csv,
        'multipart',
        None,
        (401, 403, 403, 403, 200, 200),
    ),
    'due dates list': ('get', lambda w: f'{C}/due_date_extensions', None, None, None, (401, 403, 403, 403, 200, 200)),
    'due date set': (
        'post',
        lambda w: f'{C}/due_date_extensions',
        lambda w: {'username': 'owner', 'exam_id': w.exam.id, 'due_date': '2031-01-01T00:00:00Z'},
        'json',
        None,
        (401, 403, 403, 403, 200, 200),
    ),
    'due date delete': (
        'delete',
        lambda w: f'{C}/due_date_extensions/{w.extension.id}',
        None,
        None,
        None,
        (401, 403, 403, 403, 204, 204),
    ),
    'attempts list': (
        'get',
        lambda w: f'/api/v1/instructor_view/course_id/{COURSE}/attempts?exam_id={w.exam.id}&limit=1000000',
        None,
        None,
        None,
        (401, 403, 403, 403, 200, 200),
    ),
    'attempts export': (
        'get',
        lambda w: f'/api/v1/instructor_view/course_id/{COURSE}/attempts/export',
        None,
        None,
        None,
        (401, 403, 403, 403, 200, 200),
    ),
    'attempt timeline': (
        'get',
        lambda w: f'/api/v1/instructor_view/attempt/{w.attempt.id}/timeline',
        None,
        None,
        None,
        (401, 403, 403, 403, 200, 200),
    ),
    'exam-wide extension': (
        'post',
        lambda w: f'{C}/exam/{w.exam.id}/extend_running',
        lambda w: {'minutes': 5, 'reason': 'outage', 'idempotency_key': 'k'},
        'json',
        None,
        (401, 403, 403, 403, 201, 201),
    ),
    'bulk attempts': (
        'post',
        lambda w: f'{C}/exam/{w.exam.id}/attempts/bulk',
        lambda w: {'action': 'reset', 'statuses': ['started'], 'dry_run': True, 'reason': 'outage'},
        'json',
        None,
        (401, 403, 403, 403, 200, 200),
    ),
    'user retirement': (
        'post',
        lambda w: '/api/v1/user/retire',
        lambda w: {'username': 'other'},
        'json',
        None,
        (401, 403, 403, 403, 403, 200),
    ),
}
MATRIX = [(name, actor, case[-1][i]) for name, case in CASES.items() for i, actor in enumerate(ACTORS)]


@pytest.mark.parametrize(('name', 'actor', 'expected'), MATRIX)
def test_permission_matrix(world, name, actor, expected):
    method, url, body, fmt, prepare, _ = CASES[name]
    if prepare:
        prepare(world)
    client = JwtClient()
    if world.users[actor] is not None:
        client.as_user(world.users[actor])
    kwargs = {'format': fmt} if fmt else {}
    data = body(world) if body else None
    response = (
        getattr(client, method)(url(world), data, **kwargs) if data is not None else getattr(client, method)(url(world))
    )
    assert response.status_code == expected, (name, actor, response.content[:300])


def test_matrix_covers_every_v1_route():
    from edx_exams.apps.api.v1 import urls

    routes = {pattern.name for pattern in urls.urlpatterns}
    covered = {
        'current-user', 'course-exams', 'course-config', 'providers', 'provider-settings', 'onboarding',
        'student-exam-attempt', 'exam-attempt-latest', 'exam-attempt', 'exam-attempt-detail', 'access-token',
        'allowances', 'allowance-detail', 'allowances-upload', 'due-date-extensions', 'due-date-extension-detail',
        'instructor-attempts', 'instructor-attempts-export', 'attempt-timeline', 'user-retire',
        'exam-extend-running', 'exam-attempts-bulk',
    }  # fmt: skip
    assert routes == covered

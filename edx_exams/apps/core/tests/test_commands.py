"""The demo data and dev JWT management commands."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from edx_exams.apps.core.models import CourseExamConfiguration, CourseStaffRole, Exam, ProctoringProvider, User

pytestmark = pytest.mark.django_db


def _demo_state():
    """Every demo row, with its history count, so a second load can be compared to the first."""
    tables = [User, ProctoringProvider, CourseExamConfiguration, Exam, CourseStaffRole]
    rows = {model.__name__: list(model.objects.order_by('pk').values()) for model in tables}
    histories = {model.__name__: model.history.count() for model in tables if hasattr(model, 'history')}
    return rows, histories


def test_load_demo_data_is_idempotent():
    call_command('load_demo_data', stdout=StringIO())
    first = list(User.objects.order_by('username').values_list('username', 'lms_user_id', 'is_staff'))
    state = _demo_state()
    call_command('load_demo_data', stdout=StringIO())
    assert list(User.objects.order_by('username').values_list('username', 'lms_user_id', 'is_staff')) == first
    assert _demo_state() == state
    assert ('edx_exams_worker', 1003, True) in first
    assert {'demo_learner', 'demo_course_staff'} <= {row[0] for row in first}


def test_demo_course():
    call_command('load_demo_data', stdout=StringIO())
    course = 'course-v1:edX+DemoX+Demo_Course'
    provider = ProctoringProvider.objects.get(name='demo')
    assert provider.verbose_name == 'Demo LTI proctoring tool'
    config = CourseExamConfiguration.objects.get(course_id=course)
    assert (config.provider, config.escalation_email) == (provider, 'proctoring-escalation@example.com')
    exams = {
        e.content_id.rsplit('@', 1)[1]: (e.exam_type, e.time_limit_mins, e.provider_id)
        for e in Exam.objects.filter(course_id=course, is_active=True)
    }
    assert exams == {
        'timed_exam': ('timed', 30, None),
        'proctored_exam': ('proctored', 60, provider.id),
        'practice_exam': ('practice', 30, provider.id),
        'onboarding_exam': ('onboarding', 30, provider.id),
    }
    assert (
        Exam.objects.filter(course_id=course, content_id__startswith='block-v1:edX+DemoX+Demo_Course+type@').count()
        == 4
    )
    assert CourseStaffRole.objects.filter(user__username='demo_course_staff', course_id=course, role='staff').exists()


def test_demo_course_is_restored_after_changes():
    call_command('load_demo_data', stdout=StringIO())
    exam = Exam.objects.get(content_id__endswith='@timed_exam', is_active=True)
    exam.time_limit_mins = 5
    exam.save()
    ProctoringProvider.objects.filter(name='demo').update(verbose_name='Renamed')
    call_command('load_demo_data', stdout=StringIO())
    exam.refresh_from_db()
    assert exam.time_limit_mins == 30
    assert ProctoringProvider.objects.get(name='demo').verbose_name == 'Demo LTI proctoring tool'


def test_dev_jwt_token_authenticates(api_client):
    call_command('load_demo_data', stdout=StringIO())
    out = StringIO()
    call_command('dev_jwt', 'edx_exams_worker', stdout=out)
    response = api_client.get('/api/v1/me', HTTP_AUTHORIZATION=f'JWT {out.getvalue().strip()}')
    assert response.status_code == 200
    assert response.json()['is_staff'] is True


def test_dev_jwt_unknown_user():
    with pytest.raises(CommandError, match='No user named'):
        call_command('dev_jwt', 'nobody', stdout=StringIO())

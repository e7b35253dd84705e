"""The Django admin of the core models."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from edx_exams.apps.core.models import (
    AttemptReview,
    CourseExamConfiguration,
    CourseStaffRole,
    DueDateExtension,
    Exam,
    ExamAttempt,
    ProctoringProvider,
    StudentAllowance,
    User,
)
from edx_exams.apps.core.tests.factories import (
    AllowanceFactory,
    CourseExamConfigurationFactory,
    CourseStaffRoleFactory,
    ExamAttemptFactory,
    ExamFactory,
    ProviderFactory,
    move_attempt,
)
from test_utils.courses import COURSE

pytestmark = pytest.mark.django_db


@pytest.fixture
def data():
    config = CourseExamConfigurationFactory(course_id=COURSE)
    exam = ExamFactory(course_id=COURSE, exam_type='proctored', provider=config.provider)
    attempt = ExamAttemptFactory(exam=exam, status='submitted')
    AllowanceFactory(exam=exam, user=attempt.user)
    CourseStaffRoleFactory(course_id=COURSE)
    DueDateExtension.objects.create(user=attempt.user, exam=exam, due_date='2030-01-01T00:00:00Z')
    AttemptReview.objects.create(attempt=attempt, reviewer=attempt.user, decision='verified', comment='ok')
    return {'config': config, 'exam': exam, 'attempt': attempt}


MODELS = [
    ProctoringProvider,
    CourseExamConfiguration,
    Exam,
    ExamAttempt,
    StudentAllowance,
    CourseStaffRole,
    User,
    DueDateExtension,
    AttemptReview,
]
FILTERS = {
    Exam: '?exam_type__exact=proctored&is_active__exact=1',
    ExamAttempt: '?status__exact=submitted&exam__exam_type=proctored',
    ProctoringProvider: '?is_active__exact=1',
    CourseStaffRole: '?role__exact=staff',
}


def admin_url(model, view='changelist', *args):
    return reverse(f'admin:{model._meta.app_label}_{model._meta.model_name}_{view}', args=args)


@pytest.mark.parametrize('model', MODELS, ids=lambda m: m.__name__)
def test_changelist_search_filter_and_detail_pages(admin_client, data, model):
    obj = model.objects.first()
    assert admin_client.get(admin_url(model)).status_code == 200
    assert admin_client.get(admin_url(model) + '?q=edX').status_code == 200
    assert admin_client.get(admin_url(model) + FILTERS.get(model, '')).status_code == 200
    assert admin_client.get(admin_url(model, 'change', obj.pk)).status_code == 200
    if hasattr(model, 'history'):
        assert admin_client.get(admin_url(model, 'history', obj.pk)).status_code == 200


def test_search_finds_attempts_by_course(admin_client, data):
    response = admin_client.get(admin_url(ExamAttempt) + f'?q={COURSE}')
    assert response.context['cl'].result_count == 1
    response = admin_client.get(admin_url(ExamAttempt) + '?q=course-v1:nothing')
    assert response.context['cl'].result_count == 0


@pytest.mark.parametrize('model', [Exam, ExamAttempt], ids=lambda m: m.__name__)
def test_exams_and_attempts_are_read_only(admin_client, data, model):
    obj = model.objects.first()
    assert admin_client.get(admin_url(model, 'add')).status_code == 403
    assert admin_client.post(admin_url(model, 'delete', obj.pk), {'post': 'yes'}).status_code == 403
    assert model.objects.filter(pk=obj.pk).exists()


def test_attempt_changelist_queries_do_not_grow(admin_client, data):
    def count():
        with CaptureQueriesContext(connection) as captured:
            assert admin_client.get(admin_url(ExamAttempt)).status_code == 200
        return len(captured)

    few = count()
    for _ in range(10):
        ExamAttemptFactory(exam=ExamFactory(course_id=COURSE, provider=ProviderFactory()))
    assert count() == few


def _act(admin_client, action, attempts):
    return admin_client.post(
        admin_url(ExamAttempt),
        {'action': action, '_selected_action': [a.pk for a in attempts]},
        follow=True,
    )


@pytest.mark.parametrize(('action', 'status'), [('verify_attempts', 'verified'), ('reject_attempts', 'rejected')])
def test_review_actions_go_through_the_state_machine(admin_client, data, action, status):
    running = ExamAttemptFactory(exam=data['exam'], status='created')
    response = _act(admin_client, action, [data['attempt'], running])
    assert response.status_code == 200
    assert ExamAttempt.objects.get(pk=data['attempt'].pk).status == status
    assert ExamAttempt.objects.get(pk=running.pk).status == 'created'
    texts = [str(m) for m in response.context['messages']]
    assert any('1 attempt(s) updated' in text for text in texts)
    assert any(f'refused for {running.pk}' in text for text in texts)
    assert ExamAttempt.history.filter(id=data['attempt'].pk, status=status).exists()


def test_attempt_page_shows_the_timeline_and_reviews(admin_client, data):
    page = admin_client.get(admin_url(ExamAttempt, 'change', data['attempt'].pk)).content.decode()
    assert 'Timeline' in page
    assert 'submitted' in page
    assert 'ok' in page


def test_reset_and_resume_actions_go_through_core_api(admin_client, data):

    attempt = data['attempt']
    response = admin_client.post(
        admin_url(ExamAttempt), {'action': 'reset_attempts', '_selected_action': [attempt.pk]}, follow=True
    )
    assert response.status_code == 200
    attempt.refresh_from_db()
    assert attempt.is_active is False
    assert attempt.reset_by is not None
    errored = ExamAttemptFactory(exam=data['exam'], status='created')
    move_attempt(errored.id, 'ready_to_start', actor=None)
    move_attempt(errored.id, 'started', actor=None)
    move_attempt(errored.id, 'error', actor=None)
    admin_client.post(admin_url(ExamAttempt), {'action': 'resume_attempts', '_selected_action': [errored.pk]})
    errored.refresh_from_db()
    assert errored.ready_to_resume is True


def test_allowance_saved_in_admin_extends_a_running_attempt(admin_client, data):
    from edx_exams.apps.core import api
    from edx_exams.apps.core.tests.factories import UserFactory

    learner = UserFactory()
    exam = ExamFactory(course_id=COURSE, time_limit_mins=30)
    attempt = api.create_exam_attempt(user=learner, exam_id=exam.id, start_clock=True)
    response = admin_client.post(
        admin_url(StudentAllowance, 'add'), {'user': learner.pk, 'exam': exam.pk, 'extra_time_mins': 10}
    )
    assert response.status_code == 302
    attempt.refresh_from_db()
    assert attempt.allowed_time_limit_mins == 40
    assert StudentAllowance.objects.get(user=learner, exam=exam).extra_time_mins == 10

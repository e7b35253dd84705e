"""
Every admin model page over HTTP, as a superuser: add, change, delete and bulk delete do exactly what is allowed.

Writes that are allowed go through the owning app's api (their effects are
checked in test_admin_writes.py); the others answer 403 and leave the row alone.
"""

import pytest
from django.contrib import admin
from django.contrib.auth.models import Group
from django.urls import reverse
from django.utils import timezone

from edx_exams.apps.core import api
from edx_exams.apps.core.models import (
    AttemptReview,
    CourseExamConfiguration,
    CourseStaffRole,
    DueDateExtension,
    Exam,
    ExamAttempt,
    ExamTimeExtension,
    ProctoringProvider,
    StudentAllowance,
    User,
)
from edx_exams.apps.core.tests.factories import (
    CourseExamConfigurationFactory,
    CourseStaffRoleFactory,
    ExamAttemptFactory,
    ExamFactory,
    UserFactory,
)
from edx_exams.apps.events.models import OutboxEvent
from edx_exams.apps.lti.models import (
    AssessmentControlRecord,
    LtiPlatformKey,
    LtiProctoringSession,
    LtiToolRegistration,
    ProctoringReview,
)

pytestmark = pytest.mark.django_db

COURSE = 'course-v1:edX+AdmP+2026'

# model: (add, change, delete) allowed in the admin
ALLOWED = {
    Group: (True, True, True),  # Django's own permission groups: no invariant of the service
    User: (True, True, False),  # local accounts may be added; users are retired, never deleted
    ProctoringProvider: (False, True, False),
    CourseExamConfiguration: (False, True, False),
    Exam: (False, False, False),
    ExamAttempt: (False, False, False),
    StudentAllowance: (True, True, True),
    CourseStaffRole: (True, True, True),
    DueDateExtension: (True, True, True),
    AttemptReview: (False, False, False),
    ExamTimeExtension: (False, False, False),
    LtiToolRegistration: (False, True, False),
    LtiPlatformKey: (False, False, False),
    LtiProctoringSession: (False, False, False),
    ProctoringReview: (False, False, False),
    AssessmentControlRecord: (False, False, False),
    OutboxEvent: (False, False, False),
}


def admin_url(model, view='changelist', *args):
    return reverse(f'admin:{model._meta.app_label}_{model._meta.model_name}_{view}', args=args)


@pytest.fixture
def rows(admin_user):
    """One row of every model with an admin page, made as the service's flows make them."""
    from edx_exams.apps.lti.keys import create_platform_key
    from edx_exams.apps.lti.tests.reference_tool import rsa_key

    config = CourseExamConfigurationFactory(course_id=COURSE)
    exam = ExamFactory(course_id=COURSE, exam_type='proctored', provider=config.provider, time_limit_mins=30)
    attempt = ExamAttemptFactory(exam=exam, status='submitted')
    learner = UserFactory()
    registration = LtiToolRegistration.objects.create(
        provider=config.provider,
        client_id='client-p',
        deployment_id='d',
        login_url='https://tool.example.com/login',
        launch_url='https://tool.example.com/launch',
        tool_jwks_url='https://tool.example.com/jwks',
    )
    spec = api.AllowanceSpec(exam_id=exam.id, username=learner.username, extra_time_mins=5)
    allowance = api.upsert_allowances(COURSE, specs=[spec], actor=admin_user)[0]
    extension = api.set_due_date_extension(
        COURSE, exam_id=exam.id, username=learner.username, email=None, due_date=timezone.now(), actor=admin_user
    )
    return {
        Group: Group.objects.create(name='operators'),
        User: learner,
        ProctoringProvider: config.provider,
        CourseExamConfiguration: config,
        Exam: exam,
        ExamAttempt: attempt,
        StudentAllowance: allowance,
        CourseStaffRole: CourseStaffRoleFactory(course_id=COURSE),
        DueDateExtension: extension,
        AttemptReview: AttemptReview.objects.create(attempt=attempt, reviewer=admin_user, decision='verified'),
        ExamTimeExtension: api.extend_running_attempts(
            course_id=COURSE, exam_id=exam.id, minutes=5, reason='outage', idempotency_key='k1', staff=admin_user
        ).extension,
        LtiToolRegistration: registration,
        LtiPlatformKey: create_platform_key(private_key=rsa_key('platform')),
        LtiProctoringSession: LtiProctoringSession.objects.create(
            attempt=attempt, registration=registration, public_id='p1', secret_hash='x', issued_at=timezone.now()
        ),
        ProctoringReview: ProctoringReview.objects.create(attempt=attempt, action='terminate', severity=0.5),
        AssessmentControlRecord: AssessmentControlRecord.objects.create(
            attempt=attempt,
            registration=registration,
            action='flag',
            status_before='started',
            status_after='started',
            acs_status='running',
        ),
        OutboxEvent: OutboxEvent.objects.create(
            event_type='org.openedx.learning.exam.attempt.submitted.v1',
            event_id='6b1e4c56-8f2e-4d57-9df5-0c8f3d9a1b2d',
            attempt_id=attempt.id,
            order_key='k',
            event_data={},
            next_try_at=timezone.now(),
        ),
    }


def test_every_admin_page_is_covered():
    assert set(admin.site._registry) == set(ALLOWED)


@pytest.mark.parametrize('model', list(ALLOWED), ids=lambda m: m.__name__)
def test_add_is_offered_only_where_allowed(admin_client, rows, model):
    may_add = ALLOWED[model][0]
    changelist = admin_client.get(admin_url(model))
    assert changelist.status_code == 200
    assert (admin_url(model, 'add') in changelist.content.decode()) is may_add
    assert admin_client.get(admin_url(model, 'add')).status_code == (200 if may_add else 403)
    if not may_add:
        count = model.objects.count()
        assert admin_client.post(admin_url(model, 'add'), {}).status_code == 403
        assert model.objects.count() == count


@pytest.mark.parametrize('model', list(ALLOWED), ids=lambda m: m.__name__)
def test_change_is_offered_only_where_allowed(admin_client, rows, model):
    row = rows[model]
    page = admin_client.get(admin_url(model, 'change', row.pk))
    assert page.status_code == 200  # every row stays viewable
    assert page.context['has_change_permission'] is ALLOWED[model][1]
    if not ALLOWED[model][1]:
        assert admin_client.post(admin_url(model, 'change', row.pk), {}).status_code == 403


@pytest.mark.parametrize('model', list(ALLOWED), ids=lambda m: m.__name__)
def test_delete_is_offered_only_where_allowed(admin_client, rows, model):
    row = rows[model]
    may_delete = ALLOWED[model][2]
    response = admin_client.post(admin_url(model, 'delete', row.pk), {'post': 'yes'})
    assert response.status_code == (302 if may_delete else 403)
    assert model.objects.filter(pk=row.pk).exists() is not may_delete


@pytest.mark.parametrize('model', list(ALLOWED), ids=lambda m: m.__name__)
def test_bulk_delete_is_offered_only_where_allowed(admin_client, rows, model):
    row = rows[model]
    may_delete = ALLOWED[model][2]
    changelist = admin_client.get(admin_url(model))
    assert ('delete_selected' in changelist.content.decode()) is may_delete
    response = admin_client.post(
        admin_url(model), {'action': 'delete_selected', '_selected_action': [row.pk], 'post': 'yes'}, follow=True
    )
    assert response.status_code == 200
    assert model.objects.filter(pk=row.pk).exists() is not may_delete
    if may_delete:
        assert len(list(response.context['messages'])) == 1


HISTORY_MODELS = [model for model in ALLOWED if hasattr(model, 'history')]


def history_form_url(model, row):
    version = row.history.order_by('history_id').first()
    name = f'admin:{model._meta.app_label}_{model._meta.model_name}_simple_history'
    return reverse(name, args=[row.pk, version.history_id])


@pytest.mark.parametrize('model', [m for m in HISTORY_MODELS if not ALLOWED[m][1]], ids=lambda m: m.__name__)
def test_read_only_rows_cannot_be_reverted_from_their_history(admin_client, rows, model):
    row = rows[model]
    row.save()  # a second version to revert from
    modified = model.objects.get(pk=row.pk).modified
    page = admin_client.get(history_form_url(model, row))
    assert page.status_code == 200  # still viewable
    response = admin_client.post(history_form_url(model, row), posted_values(page.context['adminform'].form))
    assert response.status_code == 403
    assert model.objects.get(pk=row.pk).modified == modified


def posted_values(form) -> dict:
    """Return what a browser would send for `form` as the page shows it."""
    data = {}
    for name, field in form.fields.items():
        value = field.prepare_value(form[name].value())
        if value is True:
            data[name] = 'on'
        elif value not in (None, False):
            data[name] = value
    return data


def test_reverting_an_allowance_goes_through_core_api(admin_client, admin_user):
    learner = UserFactory()
    exam = ExamFactory(course_id=COURSE, time_limit_mins=30)

    def grant(minutes):
        spec = api.AllowanceSpec(exam_id=exam.id, username=learner.username, extra_time_mins=minutes)
        return api.upsert_allowances(COURSE, specs=[spec], actor=admin_user)[0]

    allowance = grant(10)
    grant(20)
    attempt = api.create_exam_attempt(user=learner, exam_id=exam.id, start_clock=True)
    assert attempt.allowed_time_limit_mins == 50
    response = admin_client.post(
        history_form_url(StudentAllowance, allowance),
        {'user': learner.pk, 'exam': exam.pk, 'extra_time_mins': 10},
        follow=True,
    )
    assert len(list(response.context['messages'])) == 1
    attempt.refresh_from_db()
    assert attempt.allowed_time_limit_mins == 40

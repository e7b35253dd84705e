"""Every admin write goes through core.api or is refused; one message per outcome."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from edx_exams.apps.core import api
from edx_exams.apps.core.models import (
    CourseExamConfiguration,
    DueDateExtension,
    Exam,
    ProctoringProvider,
    StudentAllowance,
    User,
)
from edx_exams.apps.core.tests.factories import (
    CourseExamConfigurationFactory,
    ExamAttemptFactory,
    ExamFactory,
    ProviderFactory,
    UserFactory,
)
from edx_exams.apps.lti.models import (
    AssessmentControlRecord,
    LtiProctoringSession,
    LtiToolRegistration,
    ProctoringReview,
)

pytestmark = pytest.mark.django_db

COURSE = 'course-v1:edX+AdmW+2026'


def admin_url(model, view='changelist', *args):
    return reverse(f'admin:{model._meta.app_label}_{model._meta.model_name}_{view}', args=args)


def messages_of(response) -> list[str]:
    return [str(message) for message in response.context['messages']]


def form_errors(response) -> list[str]:
    """Return every error of the re-rendered admin form, field errors and others alike."""
    form = response.context['adminform'].form
    return [str(message) for messages in form.errors.values() for message in messages]


def bulk_delete(admin_client, model, rows):
    """Choose "Delete selected" on the changelist, then confirm, as staff do."""
    selected = [row.pk for row in rows]
    confirm_page = admin_client.post(admin_url(model), {'action': 'delete_selected', '_selected_action': selected})
    assert confirm_page.status_code == 200
    return admin_client.post(
        admin_url(model), {'action': 'delete_selected', '_selected_action': selected, 'post': 'yes'}, follow=True
    )


@pytest.fixture
def running_with_allowance(admin_user):
    """A learner's running 30-minute attempt with 10 extra minutes granted through the api."""
    learner = UserFactory()
    exam = ExamFactory(course_id=COURSE, time_limit_mins=30)
    api.upsert_allowances(
        COURSE,
        specs=[api.AllowanceSpec(exam_id=exam.id, username=learner.username, extra_time_mins=10)],
        actor=admin_user,
    )
    attempt = api.create_exam_attempt(user=learner, exam_id=exam.id, start_clock=True)
    assert attempt.allowed_time_limit_mins == 40
    return attempt


def test_bulk_delete_of_allowances_takes_the_minutes_from_a_running_attempt(admin_client, running_with_allowance):
    attempt = running_with_allowance
    expires_before = attempt.expires_at
    response = bulk_delete(admin_client, StudentAllowance, StudentAllowance.objects.filter(exam=attempt.exam))
    assert response.status_code == 200
    assert not StudentAllowance.objects.filter(exam=attempt.exam).exists()
    attempt.refresh_from_db()
    assert attempt.allowed_time_limit_mins == 30
    assert attempt.expires_at == expires_before - timedelta(minutes=10)
    assert len(messages_of(response)) == 1


def test_bulk_delete_of_due_date_extensions_moves_a_running_deadline_back(admin_client, admin_user):
    learner = UserFactory()
    due = timezone.now() + timedelta(minutes=10)
    exam = ExamFactory(course_id=COURSE, time_limit_mins=60, due_date=due)
    api.set_due_date_extension(
        COURSE,
        exam_id=exam.id,
        username=learner.username,
        email=None,
        due_date=timezone.now() + timedelta(days=1),
        actor=admin_user,
    )
    attempt = api.create_exam_attempt(user=learner, exam_id=exam.id, start_clock=True)
    assert attempt.expires_at > due + timedelta(minutes=40)
    response = bulk_delete(admin_client, DueDateExtension, DueDateExtension.objects.filter(exam=exam))
    assert response.status_code == 200
    assert not DueDateExtension.objects.filter(exam=exam).exists()
    attempt.refresh_from_db()
    assert attempt.expires_at <= due


def test_invalid_allowance_shows_only_the_error(admin_client):
    learner = UserFactory()
    exam = ExamFactory(course_id=COURSE, time_limit_mins=30)
    response = admin_client.post(
        admin_url(StudentAllowance, 'add'),
        {'user': learner.pk, 'exam': exam.pk, 'extra_time_mins': 999999},
        follow=True,
    )
    assert response.status_code == 200
    assert response.redirect_chain == []  # the same form comes back, with what was typed
    assert messages_of(response) == []  # no "added" message: the one error is on the form
    assert form_errors(response) == ['Invalid data: item 0: must be 0 to 10080']
    assert response.context['adminform'].form['extra_time_mins'].value() == '999999'
    assert not StudentAllowance.objects.filter(user=learner, exam=exam).exists()


def test_valid_allowance_shows_one_success_message(admin_client):
    learner = UserFactory()
    exam = ExamFactory(course_id=COURSE, time_limit_mins=30)
    response = admin_client.post(
        admin_url(StudentAllowance, 'add'), {'user': learner.pk, 'exam': exam.pk, 'extra_time_mins': 5}, follow=True
    )
    texts = messages_of(response)
    assert len(texts) == 1, texts
    assert 'was added successfully' in texts[0]
    assert StudentAllowance.objects.get(user=learner, exam=exam).extra_time_mins == 5


@pytest.fixture
def lti_rows():
    """A proctoring session, a tool review and an ACS record, as the LTI flows leave them."""
    provider = ProviderFactory()
    registration = LtiToolRegistration.objects.create(
        provider=provider,
        client_id='c',
        deployment_id='d',
        login_url='https://tool.example.com/login',
        launch_url='https://tool.example.com/launch',
        tool_jwks_url='https://tool.example.com/jwks',
    )
    attempt = ExamAttemptFactory(exam=ExamFactory(course_id=COURSE, provider=provider), status='submitted')
    session = LtiProctoringSession.objects.create(
        attempt=attempt, registration=registration, public_id='p1', secret_hash='x', issued_at=timezone.now()
    )
    review = ProctoringReview.objects.create(attempt=attempt, action='terminate', severity=0.5)
    record = AssessmentControlRecord.objects.create(
        attempt=attempt,
        registration=registration,
        action='flag',
        status_before='started',
        status_after='started',
        acs_status='running',
    )
    return {LtiProctoringSession: session, ProctoringReview: review, AssessmentControlRecord: record}


FLOW_ONLY_MODELS = [LtiProctoringSession, ProctoringReview, AssessmentControlRecord]


@pytest.mark.parametrize('model', FLOW_ONLY_MODELS, ids=lambda m: m.__name__)
def test_rows_only_the_flows_create_cannot_be_added_changed_or_deleted(admin_client, lti_rows, model):
    row = lti_rows[model]
    changelist = admin_client.get(admin_url(model))
    assert changelist.status_code == 200
    assert admin_url(model, 'add') not in changelist.content.decode()
    assert admin_client.get(admin_url(model, 'add')).status_code == 403
    assert admin_client.post(admin_url(model, 'delete', row.pk), {'post': 'yes'}).status_code == 403
    assert admin_client.get(admin_url(model, 'change', row.pk)).status_code == 200  # still viewable
    bulk = admin_client.post(
        admin_url(model), {'action': 'delete_selected', '_selected_action': [row.pk], 'post': 'yes'}
    )
    assert bulk.status_code in {200, 302}
    assert model.objects.filter(pk=row.pk).exists()


def test_platform_keys_and_outbox_events_cannot_be_deleted_from_the_admin(admin_client, lti_rows):
    from edx_exams.apps.events.models import OutboxEvent
    from edx_exams.apps.lti.keys import create_platform_key
    from edx_exams.apps.lti.tests.reference_tool import rsa_key

    key = create_platform_key(private_key=rsa_key('platform'))
    event = OutboxEvent.objects.create(
        event_type='org.openedx.learning.exam.attempt.submitted.v1',
        event_id='6b1e4c56-8f2e-4d57-9df5-0c8f3d9a1b2c',
        attempt_id=lti_rows[ProctoringReview].attempt_id,
        order_key='k',
        event_data={},
        next_try_at=timezone.now(),
    )
    for model, row in ((type(key), key), (OutboxEvent, event)):
        assert admin_client.post(admin_url(model, 'delete', row.pk), {'post': 'yes'}).status_code == 403
        admin_client.post(admin_url(model), {'action': 'delete_selected', '_selected_action': [row.pk], 'post': 'yes'})
        assert model.objects.filter(pk=row.pk).exists()


def test_course_staff_roles_are_granted_and_revoked_through_core_api(admin_client):
    from edx_exams.apps.core.models import CourseStaffRole

    learner = UserFactory(lms_user_id=4242)
    response = admin_client.post(
        admin_url(CourseStaffRole, 'add'), {'user': learner.pk, 'course_id': COURSE, 'role': 'staff'}, follow=True
    )
    assert len(messages_of(response)) == 1
    assert api.is_course_staff(learner, COURSE)
    role = CourseStaffRole.objects.get(user=learner, course_id=COURSE)
    page = admin_client.get(admin_url(CourseStaffRole, 'change', role.pk)).content.decode()
    assert 'name="course_id"' not in page  # revoke and grant anew instead of editing in place
    response = bulk_delete(admin_client, CourseStaffRole, [role])
    assert not api.is_course_staff(learner, COURSE)
    assert len(messages_of(response)) == 1


PROVIDER_FORM = {
    'verbose_name': 'Tool',
    'org_key': '',
    'tech_support_email': 'support@tool.example.com',
    'tech_support_phone': '',
    'tech_support_url': '',
    'learner_notification_from_email': '',
    'integration_specific_email': '',
    'instructions': '',
    'is_active': 'on',
}


def test_provider_changes_go_through_core_api_and_its_name_stays(admin_client):
    provider = ProviderFactory(name='tool', verbose_name='Tool')
    response = admin_client.post(
        admin_url(ProctoringProvider, 'change', provider.pk),
        {**PROVIDER_FORM, 'name': 'renamed', 'lti_configuration_id': 'other', 'verbose_name': 'Tool 2'},
        follow=True,
    )
    texts = messages_of(response)
    assert len(texts) == 1
    assert 'was changed successfully' in texts[0]
    provider.refresh_from_db()
    assert (provider.name, provider.verbose_name) == ('tool', 'Tool 2')
    assert provider.lti_configuration_id != 'other'
    deactivate = {key: value for key, value in PROVIDER_FORM.items() if key != 'is_active'}
    admin_client.post(admin_url(ProctoringProvider, 'change', provider.pk), deactivate)
    assert provider not in api.list_providers()


def test_invalid_provider_change_comes_back_with_what_was_typed(admin_client):
    provider = ProviderFactory(name='tool', verbose_name='Tool')
    response = admin_client.post(
        admin_url(ProctoringProvider, 'change', provider.pk),
        {**PROVIDER_FORM, 'verbose_name': 'Typed', 'tech_support_email': 'not-an-email'},
    )
    assert response.status_code == 200
    assert form_errors(response) == ['Enter a valid email address.']
    assert response.context['adminform'].form['verbose_name'].value() == 'Typed'
    provider.refresh_from_db()
    assert provider.verbose_name == 'Tool'


@pytest.fixture
def configured_course():
    """A course whose configuration names a provider, with an active proctored exam of that provider."""
    config = CourseExamConfigurationFactory(course_id=COURSE)
    ExamFactory(course_id=COURSE, exam_type='proctored', provider=config.provider)
    return config


def change_configuration(admin_client, config, **fields):
    return admin_client.post(admin_url(CourseExamConfiguration, 'change', config.pk), fields, follow=True)


def test_provider_change_of_a_course_moves_its_exams_through_core_api(admin_client, configured_course):
    other = ProviderFactory()
    response = change_configuration(
        admin_client, configured_course, provider=other.pk, escalation_email='esc@example.com', allow_opt_out='on'
    )
    assert len(messages_of(response)) == 1
    config = api.get_course_exam_configuration(COURSE)
    assert (config.provider, config.escalation_email, config.allow_opt_out) == (other, 'esc@example.com', True)
    active = Exam.objects.get(course_id=COURSE, is_active=True, exam_type='proctored')
    assert active.provider == other


def test_allow_opt_out_is_saved_through_core_api(admin_client, configured_course):
    provider = configured_course.provider
    change_configuration(admin_client, configured_course, provider=provider.pk, escalation_email='e@example.com')
    change_configuration(
        admin_client, configured_course, provider=provider.pk, escalation_email='e@example.com', allow_opt_out='on'
    )
    assert api.get_course_exam_configuration(COURSE).allow_opt_out is True
    assert Exam.objects.filter(course_id=COURSE, is_active=True).get().provider == provider  # no exam moved


@pytest.mark.parametrize(
    ('provider_fields', 'email', 'error'),
    [
        ({'org_key': 'OtherOrg'}, 'typed@example.com', 'is not available to this course.'),
        ({'is_active': False}, 'typed@example.com', 'is not active.'),
        ({}, '', 'An escalation email is required when a proctoring provider is set.'),
    ],
)
def test_refused_configuration_comes_back_with_what_was_typed(
    admin_client, configured_course, provider_fields, email, error
):
    other = ProviderFactory(**provider_fields)
    response = change_configuration(admin_client, configured_course, provider=other.pk, escalation_email=email)
    assert response.redirect_chain == []
    assert messages_of(response) == []
    errors = form_errors(response)
    assert len(errors) == 1
    assert errors[0].endswith(error)
    form = response.context['adminform'].form
    assert (form['provider'].value(), form['escalation_email'].value()) == (str(other.pk), email)
    assert api.get_course_exam_configuration(COURSE).provider == configured_course.provider


def user_form(user, **changes):
    """The fields of Django's user change form, as the page sends them."""
    fields = {
        'username': user.username,
        'email': user.email,
        'first_name': '',
        'last_name': '',
        'full_name': user.full_name,
        'is_active': 'on',
        'date_joined_0': '2026-01-01',
        'date_joined_1': '00:00:00',
        'initial-date_joined_0': '2026-01-01',
        'initial-date_joined_1': '00:00:00',
    }
    return {**fields, **changes}


def test_lms_identity_of_a_user_cannot_be_edited(admin_client):
    learner = UserFactory(username='lms-learner', lms_user_id=777)
    page = admin_client.get(admin_url(User, 'change', learner.pk)).content.decode()
    assert 'name="username"' not in page
    assert 'name="lms_user_id"' not in page
    response = admin_client.post(
        admin_url(User, 'change', learner.pk),
        user_form(learner, username='renamed', lms_user_id='1', is_staff='on'),
        follow=True,
    )
    assert len(messages_of(response)) == 1
    learner.refresh_from_db()
    assert (learner.username, learner.lms_user_id, learner.is_staff) == ('lms-learner', 777, True)


def test_username_of_a_local_user_stays_editable(admin_client):
    local = UserFactory(username='local-operator', lms_user_id=None)
    admin_client.post(admin_url(User, 'change', local.pk), user_form(local, username='operator', lms_user_id='9'))
    local.refresh_from_db()
    assert (local.username, local.lms_user_id) == ('operator', None)


def test_reverting_a_provider_to_an_old_version_saves_it_through_core_api(admin_client):
    provider = ProviderFactory(name='tool', verbose_name='Tool')
    first_version = provider.history.get()
    api.update_proctoring_provider('tool', changes={'verbose_name': 'Tool 2', 'is_active': False})
    revert_url = reverse('admin:core_proctoringprovider_simple_history', args=[provider.pk, first_version.history_id])
    page = admin_client.get(revert_url)
    assert page.context['adminform'].form['verbose_name'].value() == 'Tool'
    form = {**PROVIDER_FORM, 'verbose_name': 'Tool', 'tech_support_email': provider.tech_support_email}
    response = admin_client.post(revert_url, form, follow=True)
    assert len(messages_of(response)) == 1
    provider.refresh_from_db()
    assert (provider.verbose_name, provider.is_active) == ('Tool', True)

"""User retirement over HTTP and with the management command: personal data goes, statistics stay."""

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from edx_exams.apps.api.v1.tests.learner import LearnerSession
from edx_exams.apps.core.models import AttemptReview, ExamAttempt, StudentAllowance, User
from edx_exams.apps.core.retirement import retired_username_for
from edx_exams.apps.core.statuses import ExamAttemptStatus as S
from edx_exams.apps.core.tests.factories import (
    AllowanceFactory,
    CourseStaffRoleFactory,
    ExamAttemptFactory,
    ExamFactory,
    ProviderFactory,
    UserFactory,
)
from edx_exams.apps.events.models import OutboxEvent
from edx_exams.apps.lti.models import LtiProctoringSession, LtiToolRegistration
from test_utils.auth import JwtClient
from test_utils.courses import COURSE

pytestmark = pytest.mark.django_db
URL = '/api/v1/user/retire'


@pytest.fixture
def admin():
    return JwtClient().as_user(UserFactory(username='retirement_worker', is_staff=True))


@pytest.fixture
def learner():
    user = UserFactory(username='ada', email='ada@example.com', full_name='Ada Lovelace', lms_user_id=1815)
    User.objects.filter(pk=user.pk).update(first_name='Ada', last_name='Lovelace', anonymous_user_id='anon-ada')
    user.refresh_from_db()
    return user


def _proctored_history(user):
    """An attempt with a staff review, an allowance and the proctoring tool's identity check."""
    provider = ProviderFactory()
    exam = ExamFactory(course_id=COURSE, exam_type='proctored', provider=provider)
    attempt = ExamAttemptFactory(user=user, exam=exam, status=S.VERIFIED)
    AllowanceFactory(user=user, exam=exam, extra_time_mins=20)
    AttemptReview.objects.create(attempt=attempt, decision='verified', comment='ok')
    registration = LtiToolRegistration.objects.create(
        provider=provider,
        client_id='tool',
        deployment_id='1',
        login_url='https://tool.example/login',
        launch_url='https://tool.example/launch',
        tool_public_key='-----BEGIN PUBLIC KEY-----',
    )
    LtiProctoringSession.objects.create(
        attempt=attempt,
        registration=registration,
        public_id='pub',
        secret_hash='0' * 64,
        issued_at=timezone.now(),
        verified_user={'given_name': 'Ada', 'family_name': 'Lovelace', 'picture': 'https://tool.example/ada.jpg'},
    )
    return attempt


def _assert_scrubbed(user_id, *, username):
    user = User.objects.get(pk=user_id)
    assert user.username == username
    assert user.username.startswith('retired_user_') and len(user.username) == len('retired_user_') + 64
    assert (user.email, user.full_name, user.first_name, user.last_name, user.anonymous_user_id) == ('',) * 5
    assert user.is_active is False
    assert not user.has_usable_password()
    return user


@pytest.mark.parametrize('body', [{'username': 'ada'}, {'lms_user_id': 1815}], ids=['username', 'lms_user_id'])
def test_retire_removes_personal_data_and_keeps_statistics(admin, learner, body):
    attempt = _proctored_history(learner)
    response = admin.post(URL, body, format='json')
    assert response.status_code == 200
    retired = retired_username_for('ada')
    assert response.json() == {'lms_user_id': 1815, 'retired_username': retired, 'changed': True}
    user = _assert_scrubbed(learner.pk, username=retired)
    assert user.lms_user_id == 1815
    kept = ExamAttempt.objects.get(pk=attempt.pk)
    assert (kept.user_id, kept.status) == (learner.pk, S.VERIFIED)
    assert StudentAllowance.objects.get(user=learner).extra_time_mins == 20
    assert AttemptReview.objects.filter(attempt=attempt).count() == 1
    # The LTI app drops the identity claims the proctoring tool reported.
    assert LtiProctoringSession.objects.get(attempt=attempt).verified_user is None
    # Attempt history rows point at the anonymised user; they hold no copy of its personal data.
    assert {h.user_id for h in kept.history.all()} == {learner.pk}


@pytest.mark.parametrize(
    'second',
    [{'username': 'ada'}, {'lms_user_id': 1815}, 'retired-username'],
    ids=['username', 'lms_user_id', 'retired-username'],
)
def test_retiring_twice_changes_nothing(admin, learner, second):
    assert admin.post(URL, {'username': 'ada'}, format='json').status_code == 200
    before = User.objects.filter(pk=learner.pk).values().get()
    body = {'username': retired_username_for('ada')} if second == 'retired-username' else second
    response = admin.post(URL, body, format='json')
    assert response.status_code == 200
    assert response.json()['changed'] is False
    assert User.objects.filter(pk=learner.pk).values().get() == before


def test_the_attempts_list_shows_the_anonymised_learner(admin, learner):
    attempt = _proctored_history(learner)
    admin.post(URL, {'lms_user_id': 1815}, format='json')
    staff = JwtClient().as_user(CourseStaffRoleFactory(course_id=COURSE).user)
    (row,) = staff.get(f'/api/v1/instructor_view/course_id/{COURSE}/attempts').json()['results']
    assert (row['attempt_id'], row['username'], row['email']) == (attempt.id, retired_username_for('ada'), '')
    assert staff.get(f'/api/v1/instructor_view/course_id/{COURSE}/attempts?search=ada').json()['count'] == 0


@pytest.mark.parametrize('body', [{'username': 'nobody'}, {'lms_user_id': 424242}])
def test_unknown_user_is_404(admin, body):
    response = admin.post(URL, body, format='json')
    assert response.status_code == 404
    assert 'No user with' in response.json()['detail']


@pytest.mark.parametrize(
    'body',
    [
        {},
        {'username': 'ada', 'lms_user_id': 1815},
        {'username': ''},
        {'username': 42},
        {'lms_user_id': 'abc'},
        {'lms_user_id': -1},
        {'lms_user_id': True},
        {'username': 'x' * 151},
        [{'username': 'ada'}],
    ],
)
def test_bad_bodies_are_400(admin, learner, body):
    response = admin.post(URL, body, format='json')
    assert response.status_code == 400
    assert response.json()['detail'] == 'Invalid data'
    assert User.objects.get(pk=learner.pk).username == 'ada'


@pytest.mark.parametrize(
    ('who', 'expected'),
    [('anonymous', 401), ('learner', 403), ('course_staff', 403), ('the_learner_themself', 403), ('global_staff', 200)],
)
@pytest.mark.parametrize('slash', ['', '/'])
def test_only_global_staff_may_retire(learner, who, expected, slash):
    users = {
        'learner': lambda: UserFactory(),
        'course_staff': lambda: CourseStaffRoleFactory(course_id=COURSE).user,
        'the_learner_themself': lambda: learner,
        'global_staff': lambda: UserFactory(is_staff=True),
    }
    client = JwtClient() if who == 'anonymous' else JwtClient().as_user(users[who]())
    response = client.post(f'{URL}{slash}', {'lms_user_id': 1815}, format='json')
    assert response.status_code == expected
    assert (User.objects.get(pk=learner.pk).username == 'ada') is (expected != 200)


def test_get_is_not_allowed(admin):
    assert admin.get(URL).status_code == 405


def test_command_by_username_then_by_lms_user_id(learner, capsys):
    call_command('retire_user', '--username', 'ada')
    out = capsys.readouterr().out
    assert f'User lms_user_id=1815 retired: username={retired_username_for("ada")}' in out
    _assert_scrubbed(learner.pk, username=retired_username_for('ada'))
    call_command('retire_user', '--lms-user-id', '1815')
    assert 'already retired, nothing changed' in capsys.readouterr().out


def test_command_errors(learner):
    with pytest.raises(CommandError, match='No user with username nobody'):
        call_command('retire_user', '--username', 'nobody')
    with pytest.raises(CommandError):
        call_command('retire_user')
    with pytest.raises(CommandError):
        call_command('retire_user', '--username', 'ada', '--lms-user-id', '1815')
    assert User.objects.get(pk=learner.pk).username == 'ada'


def test_the_salt_changes_the_retired_username(settings):
    settings.RETIRED_USER_SALT = 'one'
    first = retired_username_for('ada')
    settings.RETIRED_USER_SALT = 'two'
    assert retired_username_for('ada') != first


def test_events_waiting_for_the_lms_are_anonymised_too(admin, learner):
    session = LearnerSession(learner)
    attempt_id = session.create(ExamFactory(course_id=COURSE).id).json()['exam_attempt_id']
    assert session.act(attempt_id, 'submit').status_code == 200
    assert OutboxEvent.objects.filter(attempt_id=attempt_id).exists()
    assert admin.post(URL, {'username': 'ada'}, format='json').status_code == 200
    for event in OutboxEvent.objects.filter(attempt_id=attempt_id):
        pii = event.event_data['student_user']['pii']
        assert pii == {'username': retired_username_for('ada'), 'email': '', 'name': ''}

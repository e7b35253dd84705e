"""
The learner's onboarding status for the learning MFE's proctoring panel.

Contract: docs/references/client-contracts.rst section 2.1 and section 5 item 13.
"""

from datetime import timedelta
from urllib.parse import quote

import pytest
from django.utils import timezone
from freezegun import freeze_time

from edx_exams.apps.core.models import DueDateExtension, ExamAttempt
from edx_exams.apps.core.statuses import ExamAttemptStatus as S
from edx_exams.apps.core.tests.factories import (
    CourseStaffRoleFactory,
    ExamAttemptFactory,
    ExamFactory,
    ProviderFactory,
    UserFactory,
)
from test_utils.auth import JwtClient
from test_utils.courses import COURSE, OTHER_COURSE

pytestmark = pytest.mark.django_db
FIELDS = {'onboarding_status', 'onboarding_link', 'expiration_date', 'onboarding_release_date', 'onboarding_past_due'}
NO_ONBOARDING = {'detail': 'There is no onboarding exam related to this course id.'}


def onboarding_url(course=COURSE, query='', *, encode=True, slash=False):
    """The learning MFE percent-encodes the course key (getProctoringInfoData)."""
    key = quote(course, safe='') if encode else course
    return f'/api/v1/student/course_id/{key}/onboarding{"/" if slash else ""}{query}'


@pytest.fixture
def provider():
    return ProviderFactory()


@pytest.fixture
def onboarding_exam(provider):
    return ExamFactory(course_id=COURSE, exam_type='onboarding', provider=provider)


@pytest.fixture
def learner():
    return UserFactory(username='ada')


@pytest.fixture
def client(learner):
    return JwtClient().as_user(learner)


def _status(client, query=''):
    response = client.get(onboarding_url(query=query))
    assert response.status_code == 200, response.content
    return response.json()


def test_not_started(client, onboarding_exam):
    body = _status(client)
    assert set(body) == FIELDS
    assert body == {
        'onboarding_status': None,
        'onboarding_link': f'http://localhost:2000/course/{COURSE}/{onboarding_exam.content_id}',
        'expiration_date': None,
        'onboarding_release_date': None,
        'onboarding_past_due': False,
    }


@pytest.mark.parametrize(
    'status',
    [S.CREATED, S.DOWNLOAD_SOFTWARE_CLICKED, S.STARTED, S.SUBMITTED, S.SECOND_REVIEW_REQUIRED, S.REJECTED, S.ERROR],
)
def test_status_is_the_attempt_status(client, learner, onboarding_exam, status):
    ExamAttemptFactory(user=learner, exam=onboarding_exam, status=status)
    assert _status(client)['onboarding_status'] == status


def test_the_learning_mfe_call_with_its_own_username(client, learner, onboarding_exam):
    ExamAttemptFactory(user=learner, exam=onboarding_exam, status=S.SUBMITTED)
    assert _status(client, '?username=ada')['onboarding_status'] == 'submitted'


def test_a_verified_attempt_wins_over_a_later_retake(client, learner, onboarding_exam):
    ExamAttemptFactory(user=learner, exam=onboarding_exam, status=S.VERIFIED, is_active=False)
    ExamAttemptFactory(user=learner, exam=onboarding_exam, status=S.ERROR, attempt_number=2)
    assert _status(client)['onboarding_status'] == 'verified'


def test_the_latest_attempt_counts_and_reset_ones_do_not(client, learner, onboarding_exam):
    ExamAttemptFactory(user=learner, exam=onboarding_exam, status=S.REJECTED, is_active=False)
    retake = ExamAttemptFactory(user=learner, exam=onboarding_exam, status=S.SUBMITTED, attempt_number=2)
    assert _status(client)['onboarding_status'] == 'submitted'
    ExamAttempt.objects.filter(pk=retake.pk).update(is_active=False, reset_at=timezone.now())
    assert _status(client)['onboarding_status'] == 'rejected'


def test_other_learners_attempts_do_not_count(client, onboarding_exam):
    ExamAttemptFactory(exam=onboarding_exam, status=S.VERIFIED)
    assert _status(client)['onboarding_status'] is None


def test_approved_in_another_course_with_the_same_provider(client, learner, onboarding_exam, provider):
    elsewhere = ExamFactory(course_id=OTHER_COURSE, exam_type='onboarding', provider=provider)
    verified_at = (timezone.now() - timedelta(days=100)).replace(microsecond=0)
    with freeze_time(verified_at):
        ExamAttemptFactory(user=learner, exam=elsewhere, status=S.VERIFIED)
    ExamAttemptFactory(user=learner, exam=onboarding_exam, status=S.REJECTED)
    body = _status(client)
    assert body['onboarding_status'] == 'other_course_approved'
    assert body['expiration_date'] == (verified_at + timedelta(days=730)).isoformat().replace('+00:00', 'Z')
    assert body['onboarding_link'] is not None


def test_approval_elsewhere_expires_and_needs_the_same_provider(client, learner, onboarding_exam):
    other_provider = ExamFactory(course_id=OTHER_COURSE, exam_type='onboarding', provider=ProviderFactory())
    ExamAttemptFactory(user=learner, exam=other_provider, status=S.VERIFIED)
    assert _status(client)['onboarding_status'] is None
    same = ExamFactory(course_id='course-v1:edX+Old+2020', exam_type='onboarding', provider=onboarding_exam.provider)
    with freeze_time(timezone.now() - timedelta(days=731)):
        ExamAttemptFactory(user=learner, exam=same, status=S.VERIFIED)
    assert _status(client)['onboarding_status'] is None


def test_verified_here_has_no_expiration(client, learner, onboarding_exam, provider):
    ExamAttemptFactory(
        user=learner,
        exam=ExamFactory(course_id=OTHER_COURSE, exam_type='onboarding', provider=provider),
        status='verified',
    )
    ExamAttemptFactory(user=learner, exam=onboarding_exam, status=S.VERIFIED)
    body = _status(client)
    assert (body['onboarding_status'], body['expiration_date']) == ('verified', None)


def test_past_due(client, learner, provider):
    past = timezone.now() - timedelta(days=1)
    ExamFactory(course_id=COURSE, exam_type='onboarding', provider=provider, due_date=past)
    body = _status(client)
    assert (body['onboarding_past_due'], body['onboarding_link']) == (True, None)


def test_a_personal_extension_reopens_onboarding(client, learner, provider):
    exam = ExamFactory(course_id=COURSE, exam_type='onboarding', provider=provider, due_date=timezone.now())
    DueDateExtension.objects.create(user=learner, exam=exam, due_date=timezone.now() + timedelta(days=3))
    body = _status(client)
    assert body['onboarding_past_due'] is False
    assert body['onboarding_link'].endswith(exam.content_id)


def test_the_newest_onboarding_exam_still_open_is_linked(client, provider):
    open_exam = ExamFactory(course_id=COURSE, exam_type='onboarding', provider=provider)
    ExamFactory(
        course_id=COURSE, exam_type='onboarding', provider=provider, due_date=timezone.now() - timedelta(hours=1)
    )
    assert _status(client)['onboarding_link'].endswith(open_exam.content_id)


@pytest.mark.parametrize(
    'url',
    [
        onboarding_url(),
        onboarding_url(encode=False),
        onboarding_url(slash=True),
        onboarding_url(query='?username=ada'),
        onboarding_url(query='?username=someone_else'),
    ],
    ids=['encoded', 'raw', 'slash', 'own-username', 'other-username'],
)
@pytest.mark.parametrize('who', ['anonymous', 'learner', 'global_staff'])
def test_a_course_without_onboarding_is_404_for_everyone(url, who):
    ExamFactory(course_id=COURSE, exam_type='proctored', provider=ProviderFactory())
    ExamFactory(course_id=COURSE, exam_type='onboarding', is_active=False)
    client = JwtClient()
    if who != 'anonymous':
        client.as_user(UserFactory(username='ada', is_staff=who == 'global_staff'))
    response = client.get(url)
    assert response.status_code == 404
    assert response.json() == NO_ONBOARDING


@pytest.mark.parametrize('encode', [True, False], ids=['encoded', 'raw'])
@pytest.mark.parametrize('slash', [True, False], ids=['slash', 'no-slash'])
def test_url_shapes(client, onboarding_exam, encode, slash):
    assert client.get(onboarding_url(encode=encode, slash=slash)).status_code == 200


def test_staff_may_ask_about_a_learner(learner, onboarding_exam):
    ExamAttemptFactory(user=learner, exam=onboarding_exam, status=S.SUBMITTED)
    for staff in (CourseStaffRoleFactory(course_id=COURSE).user, UserFactory(is_staff=True)):
        body = _status(JwtClient().as_user(staff), '?username=ada')
        assert body['onboarding_status'] == 'submitted'


@pytest.mark.parametrize(
    ('who', 'expected'),
    [('anonymous', 401), ('learner', 403), ('other_course_staff', 403), ('course_staff', 200), ('global_staff', 200)],
)
def test_permissions_for_another_learner(learner, onboarding_exam, who, expected):
    users = {
        'learner': lambda: UserFactory(),
        'other_course_staff': lambda: CourseStaffRoleFactory(course_id=OTHER_COURSE).user,
        'course_staff': lambda: CourseStaffRoleFactory(course_id=COURSE).user,
        'global_staff': lambda: UserFactory(is_staff=True),
    }
    client = JwtClient() if who == 'anonymous' else JwtClient().as_user(users[who]())
    response = client.get(onboarding_url(query='?username=ada'))
    assert response.status_code == expected
    if expected == 403:
        assert response.json() == {'detail': 'Only course staff may see the onboarding status of another learner.'}


def test_anonymous_in_a_course_with_onboarding_is_401(api_client, onboarding_exam):
    assert api_client.get(onboarding_url()).status_code == 401


def test_unknown_username_is_404_for_staff(onboarding_exam):
    client = JwtClient().as_user(UserFactory(is_staff=True))
    response = client.get(onboarding_url(query='?username=nobody'))
    assert response.status_code == 404
    assert response.json() == {'detail': 'User nobody does not exist.'}


def test_malformed_course_key_is_400(client):
    response = client.get(onboarding_url(course='course-v1:edX+Bad Key+1'))
    assert response.status_code == 400

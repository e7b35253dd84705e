"""Reset (DELETE), staff resume of an errored attempt, and reviews with a comment."""

from datetime import timedelta

import pytest
from django.utils import timezone
from freezegun import freeze_time

from edx_exams.apps.api.v1.tests.learner import LearnerSession
from edx_exams.apps.core import api
from edx_exams.apps.core.models import AttemptReview, ExamAttempt
from edx_exams.apps.core.signals.signals import ATTEMPT_RESET
from edx_exams.apps.core.statuses import ExamAttemptStatus as S
from edx_exams.apps.core.tests.factories import CourseStaffRoleFactory, ExamAttemptFactory, ExamFactory, UserFactory
from test_utils.auth import JwtClient
from test_utils.courses import COURSE

pytestmark = pytest.mark.django_db


@pytest.fixture
def resets():
    received = []

    def receiver(attempt, actor, **kwargs):
        received.append((attempt.id, actor.id))

    ATTEMPT_RESET.connect(receiver)
    yield received
    ATTEMPT_RESET.disconnect(receiver)


def test_staff_reset_lets_the_learner_start_again(staff, staff_user, resets):
    exam = ExamFactory(course_id=COURSE)
    session = LearnerSession(UserFactory())
    first = session.create(exam.id).json()['exam_attempt_id']
    session.act(first, 'submit')
    response = staff.delete(f'/api/v1/exams/attempt/{first}')
    assert response.status_code == 204
    old = ExamAttempt.objects.get(id=first)
    assert (old.is_active, old.reset_by, old.status) == (False, staff_user, S.SUBMITTED)
    assert old.reset_at is not None
    assert resets == [(first, staff_user.id)]
    assert session.exam(COURSE, exam.content_id).json()['exam']['attempt'] == {}
    second = session.create(exam.id).json()['exam_attempt_id']
    assert second != first
    assert ExamAttempt.objects.get(id=second).attempt_number == 2
    # Resetting again changes nothing and sends nothing.
    assert staff.delete(f'/api/v1/exams/attempt/{first}').status_code == 204
    assert resets == [(first, staff_user.id)]


def test_staff_reset_of_a_running_attempt_lets_the_learner_start_again_at_once(staff):
    """A reset running attempt is history: it neither blocks a new start nor gets submitted by the sweep later."""
    exam = ExamFactory(course_id=COURSE, time_limit_mins=30)
    other = ExamFactory(course_id=COURSE, time_limit_mins=30)
    session = LearnerSession(UserFactory())
    first = session.create(exam.id).json()['exam_attempt_id']
    assert staff.delete(f'/api/v1/exams/attempt/{first}').status_code == 204
    assert session.latest().json() == {}
    response = session.create(exam.id)
    assert response.status_code == 200, response.json()
    second = response.json()['exam_attempt_id']
    assert ExamAttempt.objects.get(id=second).status == S.STARTED
    session.act(second, 'submit')
    assert session.create(other.id).status_code == 200
    submitted = api.expire_overdue_attempts(now=timezone.now() + timedelta(hours=2))
    assert submitted == 1  # the attempt at the other exam, not the reset one
    assert ExamAttempt.objects.get(id=first).status == S.STARTED
    assert not ExamAttempt.history.filter(id=first, status=S.SUBMITTED).exists()


def test_learner_actions_on_a_reset_attempt_change_nothing(staff):
    """The learner library may still hold the reset attempt's id; its late submit must not revive it."""
    exam = ExamFactory(course_id=COURSE, time_limit_mins=30)
    session = LearnerSession(UserFactory())
    first = session.create(exam.id).json()['exam_attempt_id']
    assert staff.delete(f'/api/v1/exams/attempt/{first}').status_code == 204
    # Past its deadline: a read of an active attempt would submit it.
    ExamAttempt.objects.filter(id=first).update(expires_at=timezone.now() - timedelta(minutes=1))
    assert session.act(first, 'submit').status_code == 200
    for action in ('start', 'stop', 'error'):
        assert session.act(first, action).status_code == 409, action
    assert staff.put(f'/api/v1/exams/attempt/{first}', {'action': 'verify'}, format='json').status_code == 409
    assert ExamAttempt.objects.get(id=first).status == S.STARTED
    assert not ExamAttempt.history.filter(id=first).exclude(status__in=[S.CREATED, S.STARTED]).exists()


def test_staff_still_reviews_a_retaken_attempt(staff):
    attempt = ExamAttemptFactory(
        exam=ExamFactory(course_id=COURSE, exam_type='onboarding'), status=S.SECOND_REVIEW_REQUIRED
    )
    assert LearnerSession(attempt.user).act(attempt.id, 'reset_attempt').status_code == 200
    response = staff.put(f'/api/v1/exams/attempt/{attempt.id}', {'action': 'verify'}, format='json')
    assert response.status_code == 200
    attempt.refresh_from_db()
    assert (attempt.is_active, attempt.status) == (False, S.VERIFIED)


@pytest.mark.parametrize(
    ('exam_type', 'status', 'allowed'),
    [
        ('timed', S.CREATED, True),
        ('proctored', S.DOWNLOAD_SOFTWARE_CLICKED, True),
        ('timed', S.STARTED, False),
        ('timed', S.SUBMITTED, False),
        ('proctored', S.REJECTED, False),
        ('practice', S.SUBMITTED, True),
        ('onboarding', S.REJECTED, True),
        ('practice', S.STARTED, False),
    ],
)
def test_learner_may_reset_only_harmless_attempts(exam_type, status, allowed):
    attempt = ExamAttemptFactory(exam=ExamFactory(course_id=COURSE, exam_type=exam_type), status=status)
    response = LearnerSession(attempt.user).client.delete(f'/api/v1/exams/attempt/{attempt.id}')
    assert response.status_code == (204 if allowed else 403)
    attempt.refresh_from_db()
    assert attempt.is_active is not allowed


def test_reset_permissions():
    attempt = ExamAttemptFactory(exam=ExamFactory(course_id=COURSE), status=S.SUBMITTED)
    url = f'/api/v1/exams/attempt/{attempt.id}'
    assert JwtClient().delete(url).status_code == 401
    assert JwtClient().as_user(UserFactory()).delete(url).status_code == 403
    other_staff = CourseStaffRoleFactory(course_id='course-v1:Other+X+Y').user
    assert JwtClient().as_user(other_staff).delete(url).status_code == 403
    assert JwtClient().as_user(UserFactory()).delete('/api/v1/exams/attempt/987654').status_code == 404
    assert JwtClient().as_user(UserFactory(is_staff=True)).delete(url).status_code == 204


def test_staff_resume_continues_with_the_time_left(staff):
    exam = ExamFactory(course_id=COURSE, time_limit_mins=60)
    session = LearnerSession(UserFactory())
    start = timezone.now()
    with freeze_time(start):
        attempt_id = api.create_exam_attempt(user=session.user, exam_id=exam.id, start_clock=True).id
    with freeze_time(start + timedelta(minutes=20)):
        api.update_attempt_with_action(attempt_id=attempt_id, action='error', actor=session.user)
    errored = ExamAttempt.objects.get(id=attempt_id)
    assert errored.seconds_remaining_at_error == pytest.approx(40 * 60)
    # The learner cannot restart it; staff can let them resume.
    assert session.act(attempt_id, 'start').status_code == 409
    assert session.act(attempt_id, 'resume').status_code == 403
    assert staff.put(f'/api/v1/exams/attempt/{attempt_id}', {'action': 'resume'}, format='json').status_code == 200
    attempt = session.exam(COURSE, exam.content_id).json()['exam']['attempt']
    assert attempt['attempt_ready_to_resume'] is True
    assert attempt['attempt_status'] == 'error'
    # The learner's entrance (resume) screen posts L4 again.
    later = timezone.now() + timedelta(hours=2)
    with freeze_time(later):
        new_id = api.create_exam_attempt(user=session.user, exam_id=exam.id, start_clock=True).id
    new = ExamAttempt.objects.get(id=new_id)
    assert new.resumed_from_id == attempt_id
    assert new.attempt_number == 2
    assert new.status == S.STARTED
    assert new.expires_at == later + timedelta(minutes=40)
    old = ExamAttempt.objects.get(id=attempt_id)
    assert (old.is_active, old.ready_to_resume, old.status) == (False, False, S.ERROR)


def test_resume_refused_outside_error(staff):
    attempt = ExamAttemptFactory(exam=ExamFactory(course_id=COURSE), status=S.SUBMITTED)
    assert staff.put(f'/api/v1/exams/attempt/{attempt.id}', {'action': 'resume'}, format='json').status_code == 409
    never_started = ExamAttemptFactory(exam=ExamFactory(course_id=COURSE), status=S.ERROR)
    url = f'/api/v1/exams/attempt/{never_started.id}'
    assert staff.put(url, {'action': 'resume'}, format='json').status_code == 409


def test_review_records_reviewer_and_comment(staff, staff_user):
    attempt = ExamAttemptFactory(exam=ExamFactory(course_id=COURSE, exam_type='proctored'), status=S.ERROR)
    body = {'action': 'reject', 'comment': 'Second person in the room'}
    assert staff.put(f'/api/v1/exams/attempt/{attempt.id}', body, format='json').status_code == 200
    review = AttemptReview.objects.get(attempt=attempt)
    assert (review.decision, review.reviewer, review.comment) == ('rejected', staff_user, 'Second person in the room')
    staff.put(f'/api/v1/exams/attempt/{attempt.id}', {'action': 'verify'}, format='json')
    assert list(AttemptReview.objects.filter(attempt=attempt).order_by('id').values_list('decision', flat=True)) == [
        'rejected',
        'verified',
    ]


def test_learner_retake_is_recorded_as_a_reset_for_the_lms(resets):
    attempt = ExamAttemptFactory(exam=ExamFactory(course_id=COURSE, exam_type='practice'), status=S.SUBMITTED)
    session = LearnerSession(attempt.user)
    new_id = session.act(attempt.id, 'reset_attempt').json()['exam_attempt_id']
    assert resets == [(attempt.id, attempt.user.id)]
    attempt.refresh_from_db()
    assert (attempt.is_active, attempt.reset_by) == (False, attempt.user)
    assert new_id != attempt.id

"""The attempt clock under the proctoring tool's control: pause, resume and extra time."""

from datetime import UTC, datetime, timedelta

import pytest
from django.utils import timezone

from edx_exams.apps.core import api
from edx_exams.apps.core.exam_types import ExamType
from edx_exams.apps.core.exceptions import ExamBaseException, ExamIllegalStatusTransition
from edx_exams.apps.core.models import DueDateExtension
from edx_exams.apps.core.statuses import ExamAttemptStatus as S
from edx_exams.apps.core.tests.factories import ExamAttemptFactory, ExamFactory

pytestmark = pytest.mark.django_db


def _running_attempt(now, *, minutes_left=20, due_date=None, time_limit_mins=30):
    exam = ExamFactory(exam_type=ExamType.PROCTORED, due_date=due_date, time_limit_mins=time_limit_mins)
    expires_at = now + timedelta(minutes=minutes_left) if time_limit_mins else due_date
    return ExamAttemptFactory(
        exam=exam,
        status=S.STARTED,
        start_time=now - timedelta(minutes=10),
        expires_at=expires_at,
        allowed_time_limit_mins=time_limit_mins,
    )


def test_pause_freezes_and_resume_restarts_with_the_time_left():
    now = timezone.now()
    attempt = _running_attempt(now)

    paused = api.pause_attempt_clock(attempt.id, now=now)
    assert paused.expires_at is None
    assert paused.paused_at == now
    assert paused.paused_seconds_remaining == pytest.approx(20 * 60)
    assert api.is_attempt_paused(paused)
    assert api.time_remaining_seconds(paused, now=now + timedelta(hours=5)) == pytest.approx(20 * 60)  # frozen

    later = now + timedelta(minutes=45)
    resumed = api.resume_attempt_clock(attempt.id, now=later)
    assert resumed.expires_at == later + timedelta(minutes=20)
    assert resumed.paused_at is None
    assert resumed.paused_seconds_remaining is None
    assert not api.is_attempt_paused(resumed)


def test_pause_and_resume_are_idempotent():
    now = timezone.now()
    attempt = _running_attempt(now)
    api.pause_attempt_clock(attempt.id, now=now)
    again = api.pause_attempt_clock(attempt.id, now=now + timedelta(minutes=5))
    assert again.paused_at == now

    resumed = api.resume_attempt_clock(attempt.id, now=now)
    assert api.resume_attempt_clock(attempt.id, now=now + timedelta(minutes=9)).expires_at == resumed.expires_at


def test_a_paused_attempt_is_not_expired_by_the_sweep():
    now = timezone.now()
    attempt = _running_attempt(now, minutes_left=1)
    api.pause_attempt_clock(attempt.id, now=now)
    assert api.expire_overdue_attempts(now=now + timedelta(hours=3)) == 0
    attempt.refresh_from_db()
    assert attempt.status == S.STARTED


def test_resume_is_capped_by_the_due_date():
    now = timezone.now()
    due = now + timedelta(minutes=30)
    attempt = _running_attempt(now, minutes_left=20, due_date=due)
    api.pause_attempt_clock(attempt.id, now=now)
    resumed = api.resume_attempt_clock(attempt.id, now=now + timedelta(minutes=25))
    assert resumed.expires_at == due


@pytest.mark.parametrize('status', [S.CREATED, S.READY_TO_START, S.SUBMITTED, S.ERROR])
@pytest.mark.parametrize('call', ['pause', 'resume', 'update'])
def test_clock_control_needs_a_running_attempt(status, call):
    now = timezone.now()
    attempt = _running_attempt(now)
    attempt.status = status
    attempt.save()
    with pytest.raises(ExamIllegalStatusTransition):
        if call == 'update':
            api.add_attempt_time(attempt.id, minutes=5, now=now)
        else:
            getattr(api, f'{call}_attempt_clock')(attempt.id, now=now)
    attempt.refresh_from_db()
    assert attempt.status == status
    assert attempt.paused_at is None


def test_an_attempt_whose_time_is_up_cannot_be_paused():
    now = timezone.now()
    attempt = _running_attempt(now, minutes_left=-1)
    with pytest.raises(ExamIllegalStatusTransition):
        api.pause_attempt_clock(attempt.id, now=now)


def test_extra_time_moves_the_deadline():
    now = timezone.now()
    attempt = _running_attempt(now)
    updated, added = api.add_attempt_time(attempt.id, minutes=15, now=now)
    assert added == 15
    assert updated.expires_at == attempt.expires_at + timedelta(minutes=15)
    assert updated.allowed_time_limit_mins == 45


def test_extra_time_while_paused_is_given_on_resume():
    now = timezone.now()
    attempt = _running_attempt(now)
    api.pause_attempt_clock(attempt.id, now=now)
    _, added = api.add_attempt_time(attempt.id, minutes=10, now=now)
    assert added == 10
    resumed = api.resume_attempt_clock(attempt.id, now=now)
    assert resumed.expires_at == now + timedelta(minutes=30)


def test_extra_time_is_capped_by_the_due_date():
    now = timezone.now()
    due = now + timedelta(minutes=25)
    attempt = _running_attempt(now, minutes_left=20, due_date=due)
    updated, added = api.add_attempt_time(attempt.id, minutes=15, now=now)
    assert updated.expires_at == due
    assert added == 5


def test_untimed_attempt_gets_no_extra_time():
    now = timezone.now()
    attempt = _running_attempt(now, time_limit_mins=None)
    updated, added = api.add_attempt_time(attempt.id, minutes=15, now=now)
    assert added == 0
    assert updated.expires_at is None


def test_extra_time_must_be_positive():
    now = timezone.now()
    attempt = _running_attempt(now)
    with pytest.raises(ExamBaseException):
        api.add_attempt_time(attempt.id, minutes=0, now=now)


def test_resume_and_extra_time_honour_the_learners_personal_due_date():
    """A learner with a due-date extension keeps it when the tool resumes the clock or adds time."""
    now = timezone.now()
    attempt = _running_attempt(now, minutes_left=20, due_date=now + timedelta(minutes=5))
    DueDateExtension.objects.create(user=attempt.user, exam=attempt.exam, due_date=now + timedelta(days=1))

    api.pause_attempt_clock(attempt.id, now=now)
    resumed = api.resume_attempt_clock(attempt.id, now=now + timedelta(minutes=1))
    assert resumed.expires_at == now + timedelta(minutes=21)

    extended, added = api.add_attempt_time(attempt.id, minutes=10, now=now + timedelta(minutes=2))
    assert added == 10
    assert extended.expires_at == now + timedelta(minutes=31)


def test_extra_time_and_resume_on_an_attempt_due_at_the_end_of_time():
    """A tool's extra time or resume on a deadline of 9999-12-31T23:59:59Z stays at it instead of overflowing."""
    now = timezone.now()
    end_of_time = datetime(9999, 12, 31, 23, 59, 59, tzinfo=UTC)
    attempt = _running_attempt(now, time_limit_mins=None, due_date=end_of_time)
    updated, added = api.add_attempt_time(attempt.id, minutes=15, now=now)
    assert (updated.expires_at, added) == (end_of_time, 0)
    api.pause_attempt_clock(attempt.id, now=now)
    api.add_attempt_time(attempt.id, minutes=60, now=now)
    assert api.resume_attempt_clock(attempt.id, now=now + timedelta(minutes=1)).expires_at == end_of_time

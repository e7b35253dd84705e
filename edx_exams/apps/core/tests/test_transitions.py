"""The attempt state machine: every (from, to) pair through core.api.transition_attempt."""

import itertools
from unittest import mock

import pytest

from edx_exams.apps.core import api
from edx_exams.apps.core import attempts as attempts_module
from edx_exams.apps.core.exceptions import ExamAttemptDoesNotExist, ExamIllegalStatusTransition
from edx_exams.apps.core.models import ExamAttempt
from edx_exams.apps.core.signals.signals import ATTEMPT_STATUS_CHANGED
from edx_exams.apps.core.statuses import ALLOWED_TRANSITIONS
from edx_exams.apps.core.statuses import ExamAttemptStatus as S
from edx_exams.apps.core.tests.factories import ExamAttemptFactory, ExamFactory, UserFactory

pytestmark = pytest.mark.django_db

# The expected table, written out independently of statuses.py: a change there must be a decision.
EXPECTED_ALLOWED = {
    (S.CREATED, S.DOWNLOAD_SOFTWARE_CLICKED),
    (S.CREATED, S.READY_TO_START),
    (S.CREATED, S.STARTED),
    (S.CREATED, S.ERROR),
    (S.CREATED, S.DECLINED),
    (S.DOWNLOAD_SOFTWARE_CLICKED, S.READY_TO_START),
    (S.DOWNLOAD_SOFTWARE_CLICKED, S.ERROR),
    (S.DOWNLOAD_SOFTWARE_CLICKED, S.DECLINED),
    (S.READY_TO_START, S.STARTED),
    (S.READY_TO_START, S.ERROR),
    (S.READY_TO_START, S.DECLINED),
    (S.STARTED, S.READY_TO_SUBMIT),
    (S.STARTED, S.SUBMITTED),
    (S.STARTED, S.ERROR),
    (S.READY_TO_SUBMIT, S.STARTED),
    (S.READY_TO_SUBMIT, S.SUBMITTED),
    (S.READY_TO_SUBMIT, S.ERROR),
    (S.TIMED_OUT, S.SUBMITTED),
    (S.TIMED_OUT, S.ERROR),
    (S.SUBMITTED, S.SECOND_REVIEW_REQUIRED),
    (S.SUBMITTED, S.VERIFIED),
    (S.SUBMITTED, S.REJECTED),
    (S.SUBMITTED, S.ERROR),
    (S.SECOND_REVIEW_REQUIRED, S.VERIFIED),
    (S.SECOND_REVIEW_REQUIRED, S.REJECTED),
    (S.SECOND_REVIEW_REQUIRED, S.ERROR),
    (S.VERIFIED, S.REJECTED),
    (S.REJECTED, S.VERIFIED),
    (S.ERROR, S.VERIFIED),
    (S.ERROR, S.REJECTED),
    (S.ERROR, S.STARTED),
}
ALL_PAIRS = [(a, b) for a, b in itertools.product(S.values, S.values) if a != b]


def test_table_lists_every_status():
    assert set(ALLOWED_TRANSITIONS) == set(S.values)


def test_table_matches_expected():
    actual = {(a, b) for a, targets in ALLOWED_TRANSITIONS.items() for b in targets}
    assert actual == EXPECTED_ALLOWED


@pytest.mark.parametrize(('from_status', 'to_status'), ALL_PAIRS)
def test_transition(from_status, to_status):
    attempt = ExamAttemptFactory(status=from_status, taking_as_proctored=False)
    received = []

    def receiver(**kwargs):
        received.append((kwargs['from_status'], kwargs['to_status']))

    ATTEMPT_STATUS_CHANGED.connect(receiver)
    try:
        if (from_status, to_status) in EXPECTED_ALLOWED:
            result, changed = api.transition_attempt(attempt.id, to_status, actor=attempt.user)
            assert changed is True
            assert result.status == to_status
            assert received == [(from_status, to_status)]
        else:
            with pytest.raises(ExamIllegalStatusTransition):
                api.transition_attempt(attempt.id, to_status, actor=attempt.user)
            assert received == []
    finally:
        ATTEMPT_STATUS_CHANGED.disconnect(receiver)
    attempt.refresh_from_db()
    assert attempt.status == (to_status if (from_status, to_status) in EXPECTED_ALLOWED else from_status)


def test_same_status_is_a_no_op():
    attempt = ExamAttemptFactory(status=S.SUBMITTED)
    result, changed = api.transition_attempt(attempt.id, S.SUBMITTED, actor=attempt.user)
    assert changed is False
    assert result.status == S.SUBMITTED
    assert attempt.history.count() == 1


def test_proctored_attempt_cannot_skip_the_proctoring_tool():
    exam = ExamFactory(exam_type='proctored')
    attempt = ExamAttemptFactory(exam=exam, status=S.CREATED)
    assert attempt.taking_as_proctored is True
    with pytest.raises(ExamIllegalStatusTransition):
        api.transition_attempt(attempt.id, S.STARTED, actor=attempt.user)


def test_start_fixes_the_allowed_time_with_allowance_and_due_date():
    from datetime import timedelta

    from django.utils import timezone

    from edx_exams.apps.core.tests.factories import AllowanceFactory

    now = timezone.now().replace(microsecond=0)
    user = UserFactory()
    exam = ExamFactory(time_limit_mins=60, due_date=now + timedelta(minutes=90))
    AllowanceFactory(user=user, exam=exam, extra_time_mins=15)
    attempt = ExamAttemptFactory(user=user, exam=exam)
    started, _ = api.transition_attempt(attempt.id, S.STARTED, actor=user, now=now)
    assert started.start_time == now
    assert started.allowed_time_limit_mins == 75
    assert started.expires_at == now + timedelta(minutes=75)

    capped_exam = ExamFactory(time_limit_mins=60, due_date=now + timedelta(minutes=20))
    capped = ExamAttemptFactory(user=user, exam=capped_exam)
    capped, _ = api.transition_attempt(capped.id, S.STARTED, actor=user, now=now)
    assert capped.allowed_time_limit_mins == 20
    assert capped.expires_at == capped_exam.due_date


def test_unknown_attempt():
    with pytest.raises(ExamAttemptDoesNotExist):
        api.transition_attempt(999999, S.STARTED, actor=None)


def test_history_keeps_every_status():
    attempt = ExamAttemptFactory(status=S.CREATED, taking_as_proctored=False)
    for status in (S.STARTED, S.READY_TO_SUBMIT, S.SUBMITTED):
        api.transition_attempt(attempt.id, status, actor=attempt.user)
    statuses = list(ExamAttempt.history.filter(id=attempt.id).order_by('history_id').values_list('status', flat=True))
    assert statuses == [S.CREATED, S.STARTED, S.READY_TO_SUBMIT, S.SUBMITTED]


def _commit_concurrently_before_the_lock(attempt, status, *, step='transition_attempt'):
    """Wrap `step` of core.attempts so that `status` is committed by 'someone else' just before it runs."""
    real = getattr(attempts_module, step)

    def racing(*args, **kwargs):
        ExamAttempt.objects.filter(pk=attempt.pk).update(status=status)
        return real(*args, **kwargs)

    return mock.patch.object(attempts_module, step, racing)


def test_learner_start_racing_an_error_does_not_restart_the_errored_attempt():
    """Resuming an errored attempt is staff's decision: the learner's start re-checks the status under the lock."""
    attempt = ExamAttemptFactory(exam=ExamFactory(time_limit_mins=30), status=S.READY_TO_SUBMIT)
    with (
        _commit_concurrently_before_the_lock(attempt, S.ERROR, step='start_attempt'),
        pytest.raises(ExamIllegalStatusTransition),
    ):
        api.update_attempt_with_action(attempt_id=attempt.id, action='start', actor=attempt.user)
    attempt.refresh_from_db()
    assert attempt.status == S.ERROR


def test_learner_error_racing_a_submit_leaves_the_submitted_attempt():
    """A learner may report an error only on an attempt that is not finished, checked under the lock."""
    attempt = ExamAttemptFactory(exam=ExamFactory(time_limit_mins=30), status=S.STARTED)
    with _commit_concurrently_before_the_lock(attempt, S.SUBMITTED), pytest.raises(ExamIllegalStatusTransition):
        api.update_attempt_with_action(attempt_id=attempt.id, action='error', actor=attempt.user)
    attempt.refresh_from_db()
    assert attempt.status == S.SUBMITTED


@pytest.mark.parametrize('to_status', [S.READY_TO_SUBMIT, S.SUBMITTED, S.ERROR])
def test_a_reset_attempt_never_changes_again(to_status):
    attempt = ExamAttemptFactory(exam=ExamFactory(time_limit_mins=30), status=S.STARTED, is_active=False)
    with pytest.raises(ExamIllegalStatusTransition):
        api.transition_attempt(attempt.id, to_status, actor=attempt.user)
    attempt.refresh_from_db()
    assert attempt.status == S.STARTED
    assert ExamAttempt.history.filter(id=attempt.id).count() == 1


def _reset_concurrently_before_the_lock(attempt, *, step):
    """Wrap `step` of core.attempts so that a staff reset commits just before it runs (after the active check)."""
    real = getattr(attempts_module, step)

    def racing(*args, **kwargs):
        ExamAttempt.objects.filter(pk=attempt.pk).update(is_active=False)
        return real(*args, **kwargs)

    return mock.patch.object(attempts_module, step, racing)


def test_learner_start_racing_a_reset_leaves_the_reset_attempt_as_it_was():
    """The race seen in production: the attempt was read active, then reset, then the start took the lock."""
    attempt = ExamAttemptFactory(exam=ExamFactory(time_limit_mins=30), status=S.CREATED, taking_as_proctored=False)
    with _reset_concurrently_before_the_lock(attempt, step='start_attempt'), pytest.raises(ExamIllegalStatusTransition):
        api.update_attempt_with_action(attempt_id=attempt.id, action='start', actor=attempt.user)
    attempt.refresh_from_db()
    assert (attempt.status, attempt.start_time) == (S.CREATED, None)


def test_learner_submit_racing_a_reset_answers_the_reset_attempt_unchanged():
    """The learner library re-sends submit when its timer ends; on a reset attempt that changes nothing."""
    attempt = ExamAttemptFactory(exam=ExamFactory(time_limit_mins=30), status=S.STARTED)
    with _reset_concurrently_before_the_lock(attempt, step='transition_attempt'):
        answered = api.update_attempt_with_action(attempt_id=attempt.id, action='submit', actor=attempt.user)
    assert (answered.status, answered.is_active) == (S.STARTED, False)
    attempt.refresh_from_db()
    assert attempt.status == S.STARTED

"""Every history row carries the source, actor, user and reason of the context that wrote it."""

import pytest
from simple_history.utils import bulk_update_with_history

from edx_exams.apps.core import audit
from edx_exams.apps.core.models import ExamAttempt
from edx_exams.apps.core.statuses import ExamAttemptStatus as S
from edx_exams.apps.core.tests.factories import ExamAttemptFactory, UserFactory

pytestmark = pytest.mark.django_db


def _latest_history(attempt):
    return attempt.history.order_by('-history_id').first()


def test_a_save_outside_any_context_records_no_source_or_actor():
    attempt = ExamAttemptFactory()
    row = _latest_history(attempt)
    assert (row.history_source, row.history_actor, row.history_change_reason) == ('', '', None)


def test_a_save_records_the_context_and_inner_contexts_override_only_what_they_name():
    staff = UserFactory(is_staff=True)
    attempt = ExamAttemptFactory()
    with audit.acting(source=audit.Source.REST, actor=audit.Actor.STAFF, user=staff, reason='LMS outage'):
        with audit.acting(actor=audit.Actor.SYSTEM):
            attempt.status = S.ERROR
            attempt.save()
        assert audit.current().actor == audit.Actor.STAFF
    assert audit.current() == audit.Context()
    row = _latest_history(attempt)
    assert (row.history_source, row.history_actor, row.history_user_id, row.history_change_reason) == (
        'rest',
        'system',
        staff.id,
        'LMS outage',
    )


def test_a_reason_longer_than_the_limit_is_cut_on_the_history_row():
    attempt = ExamAttemptFactory()
    with audit.acting(source=audit.Source.ADMIN, reason='x' * 1000):
        attempt.save()
    assert _latest_history(attempt).history_change_reason == 'x' * audit.REASON_MAX_LENGTH


def test_bulk_updates_record_the_context_on_every_row():
    staff = UserFactory(is_staff=True)
    attempts = [ExamAttemptFactory(status=S.STARTED) for _ in range(3)]
    for attempt in attempts:
        attempt.status = S.SUBMITTED
    with audit.acting(source=audit.Source.TASK, actor=audit.Actor.EXPIRY_SWEEP, user=staff, reason='sweep'):
        bulk_update_with_history(attempts, ExamAttempt, ['status'], **audit.bulk_history_kwargs())
    for attempt in attempts:
        row = _latest_history(attempt)
        assert (row.status, row.history_source, row.history_actor, row.history_user_id, row.history_change_reason) == (
            S.SUBMITTED,
            'task',
            'expiry_sweep',
            staff.id,
            'sweep',
        )


def test_a_user_named_inside_a_block_is_forgotten_when_the_block_ends():
    learner = UserFactory()
    with audit.acting(source=audit.Source.REST, actor=audit.Actor.LEARNER):
        audit.set_user(learner)
        attempt = ExamAttemptFactory(user=learner)
        assert audit.current().user == learner
    assert audit.current() == audit.Context()
    assert _latest_history(attempt).history_user_id == learner.id


def test_a_default_reason_yields_to_the_callers_reason():
    attempt = ExamAttemptFactory()
    with audit.default_reason('allowance: +5 minutes'):
        attempt.save()
    assert _latest_history(attempt).history_change_reason == 'allowance: +5 minutes'
    with audit.acting(reason='exam-wide extension of 20 minutes: storm'), audit.default_reason('allowance: +5 minutes'):
        attempt.save()
    assert _latest_history(attempt).history_change_reason == 'exam-wide extension of 20 minutes: storm'

"""
What happens around a status change or a reset, besides the change itself.

`record_transition_effects` runs inside the transition's transaction, with the
attempt row locked, and sends ATTEMPT_STATUS_CHANGED; `record_reset_effects`
does the same for ATTEMPT_RESET. Anything a receiver writes (the event outbox)
commits or rolls back together with the status. Work outside the database
(publishing, email) is scheduled with `transaction.on_commit`.

Core does not import the apps that receive these signals; instead, every
receiver is listed below by its ``dispatch_uid``, and a test
(``core/tests/test_effects.py``) fails when one is connected or removed
without this list changing. Decision record: ADR 0016.
"""

import logging

from edx_exams.apps.core.models import ExamAttempt, User
from edx_exams.apps.core.signals.signals import ATTEMPT_RESET, ATTEMPT_STATUS_CHANGED

log = logging.getLogger(__name__)

# Who hears of a status change: the events app writes the LMS event (EXAM_ATTEMPT_SUBMITTED,
# VERIFIED, REJECTED, ERRORED, ...) to its outbox and queues the learner's email.
STATUS_CHANGE_RECEIVERS = ('events.record_attempt_status_change',)
# Who hears of a reset or retake: the events app writes EXAM_ATTEMPT_RESET, so the LMS clears
# the learner's answers and completion.
RESET_RECEIVERS = ('events.record_attempt_reset',)


def record_transition_effects(*, attempt: ExamAttempt, from_status: str, to_status: str, actor: User | None) -> None:
    """Record the side effects of `attempt` moving from `from_status` to `to_status`."""
    log.info(
        'Attempt transition attempt_id=%s user_id=%s exam_id=%s course_id=%s from=%s to=%s actor_id=%s',
        attempt.id,
        attempt.user_id,
        attempt.exam_id,
        attempt.exam.course_id,
        from_status,
        to_status,
        actor.id if actor else None,
    )
    ATTEMPT_STATUS_CHANGED.send(
        sender=ExamAttempt, attempt=attempt, from_status=from_status, to_status=to_status, actor=actor
    )


def record_reset_effects(*, attempt: ExamAttempt, actor: User | None) -> None:
    """Record the side effects of `attempt` being reset or retaken by `actor` (ATTEMPT_RESET)."""
    ATTEMPT_RESET.send(sender=ExamAttempt, attempt=attempt, actor=actor)

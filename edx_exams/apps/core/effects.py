"""
What happens around a status change, besides the change itself.

`record_transition_effects` runs inside the transition's transaction, with the
attempt row locked, and sends ATTEMPT_STATUS_CHANGED; anything a receiver writes
(the event outbox) commits or rolls back together with the status. Work outside
the database (publishing, email) is scheduled with `transaction.on_commit`.
"""

import logging

from edx_exams.apps.core.models import ExamAttempt, User
from edx_exams.apps.core.signals.signals import ATTEMPT_STATUS_CHANGED

log = logging.getLogger(__name__)


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

"""
Resetting an attempt: it leaves the learner's view so a new one can start; its history stays.

The LMS resets the learner's problem state and completion when it receives the
EXAM_ATTEMPT_RESET event, which `transitions.archive_attempt` records (through
ATTEMPT_RESET) in the same transaction as the reset.
"""

import logging

from django.db import transaction
from django.utils import timezone

from edx_exams.apps.core import audit
from edx_exams.apps.core.attempts import get_attempt
from edx_exams.apps.core.exam_types import RETAKEABLE_TYPES
from edx_exams.apps.core.exceptions import ExamPermissionDenied
from edx_exams.apps.core.locks import lock_attempt
from edx_exams.apps.core.models import ExamAttempt, User
from edx_exams.apps.core.roles import is_course_staff
from edx_exams.apps.core.statuses import PRE_STARTED, RETAKEABLE
from edx_exams.apps.core.transitions import ArchiveReason, archive_attempt

log = logging.getLogger(__name__)


def reset_exam_attempt(attempt_id: int, *, actor: User) -> ExamAttempt:
    """
    Reset attempt `attempt_id` on behalf of `actor` and return it (inactive, with who reset it and when).

    Course staff may reset any attempt of their course. A learner may reset their
    own attempt only where that cannot be used to dodge a result: before the
    clock started, or a finished practice or onboarding attempt. Resetting an
    attempt that is already reset changes nothing. The history row names the
    actor as staff or learner by the right the reset was made with.
    """
    return reset_attempt_if_active(attempt_id, actor=actor)[0]


def reset_attempt_if_active(attempt_id: int, *, actor: User) -> tuple[ExamAttempt, bool]:
    """`reset_exam_attempt`, also saying whether this call reset it (False: it was already reset)."""
    attempt = get_attempt(attempt_id)
    as_staff = _check_may_reset(attempt, actor)
    with transaction.atomic(), audit.acting(actor=audit.Actor.STAFF if as_staff else audit.Actor.LEARNER):
        locked = lock_attempt(attempt.pk)
        if not locked.is_active:
            return locked, False
        archive_attempt(locked, reason=ArchiveReason.RESET, actor=actor, now=timezone.now())
    log.info(
        'Attempt reset attempt_id=%s user_id=%s exam_id=%s course_id=%s status=%s actor_id=%s',
        locked.id,
        locked.user_id,
        locked.exam_id,
        locked.exam.course_id,
        locked.status,
        actor.id,
    )
    return locked, True


def _check_may_reset(attempt: ExamAttempt, actor: User) -> bool:
    """Refuse a reset `actor` may not make; return True when they reset as course staff, False as the learner."""
    if is_course_staff(actor, attempt.exam.course_id):
        return True
    if attempt.user_id != actor.id:
        raise ExamPermissionDenied('You may only reset your own attempts.')
    retake = attempt.exam.exam_type in RETAKEABLE_TYPES and attempt.status in RETAKEABLE
    if attempt.status not in PRE_STARTED and not retake:
        raise ExamPermissionDenied('Only course staff can reset an attempt that has started.')
    return False

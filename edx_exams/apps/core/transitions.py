"""
The functions through which every attempt status changes, and the one that archives an attempt.

They are `transition_attempt`, `decide_review` (staff's verdict),
`submit_if_expired` (the clock ran out) and `archive_attempt` (reset, retake,
resume). They are internal to core: other apps act on attempts through the
verbs of `core.api`, which name a row of the action table (`core.actions`).
Each locks the attempt row (``locks.lock_attempt``, nothing joined), checks the
transition table, sets timestamps and records side effects in the same
transaction; work outside the database runs only after commit. A learner's
submit, the expiry sweep, a staff reset and a proctoring tool racing each other
are therefore serialised on the row: the second one sees the first one's result.
Everything that decides whether the move may happen (the status, whether the
attempt was reset) is read under that lock, never before it.
"""

import enum
from datetime import datetime

from django.db import transaction
from django.utils import timezone

from edx_exams.apps.core import audit, timing
from edx_exams.apps.core.effects import record_reset_effects, record_transition_effects
from edx_exams.apps.core.exceptions import ExamIllegalStatusTransition
from edx_exams.apps.core.locks import lock_attempt
from edx_exams.apps.core.models import ExamAttempt, User
from edx_exams.apps.core.statuses import (
    COMPLETED,
    UNPROCTORED_ONLY_TRANSITIONS,
    ExamAttemptStatus,
    is_transition_allowed,
)


class ArchiveReason(enum.StrEnum):
    """Why an attempt leaves the learner's view."""

    RESET = 'reset'
    RETAKEN = 'retaken'
    RESUMED = 'resumed'


def transition_attempt(
    attempt_id: int,
    to_status: str,
    *,
    actor: User | None,
    now: datetime | None = None,
    idempotent_from: frozenset[str] = frozenset(),
    allowed_from: frozenset[str] | None = None,
) -> tuple[ExamAttempt, bool]:
    """
    Move attempt `attempt_id` to `to_status` and return `(attempt, changed)`.

    A move to the current status, or from one of `idempotent_from`, changes
    nothing and returns `changed=False`. Any other move the table does not
    allow raises ExamIllegalStatusTransition and leaves the attempt as it was.
    `allowed_from` narrows the table for one action; it and `idempotent_from`
    come from the action's row of the action table (`attempts._act`) and are
    checked on the locked row, so a status committed concurrently is seen. A
    reset or archived attempt (`is_active` False) is history: any move raises
    ExamIllegalStatusTransition, even one that a reset committed a moment ago.
    """
    now = now or timezone.now()
    with transaction.atomic():
        attempt = lock_attempt(attempt_id)
        if not attempt.is_active:
            raise ExamIllegalStatusTransition(f'Attempt {attempt.id} was reset or replaced; it can no longer change.')
        if allowed_from is not None and attempt.status not in allowed_from:
            raise ExamIllegalStatusTransition(f'Cannot move attempt {attempt.id} from {attempt.status} to {to_status}.')
        if attempt.status == to_status or attempt.status in idempotent_from:
            return attempt, False
        _move(attempt, to_status, actor=actor, now=now)
    return attempt, True


def decide_review(attempt_id: int, decision: str, *, actor: User, now: datetime) -> tuple[ExamAttempt, bool]:
    """
    Record staff's review `decision` (verified, rejected) on attempt `attempt_id`; return `(attempt, changed)`.

    Unlike any other move, a review may still settle the outcome of a reset or
    retaken attempt (an onboarding verdict matters after the learner retook it).
    Deciding again the same way changes nothing.
    """
    with transaction.atomic():
        attempt = lock_attempt(attempt_id)
        if attempt.status == decision:
            return attempt, False
        _move(attempt, decision, actor=actor, now=now)
    return attempt, True


def submit_if_expired(
    attempt: ExamAttempt, *, now: datetime, grace_seconds: int = 0, noticed_by: str = audit.Actor.SYSTEM
) -> ExamAttempt:
    """
    Submit `attempt` if it is running past its deadline (plus grace); return the current attempt.

    The clock's move to `submitted` goes through the same checks and effects as
    any other (`_move`); its end time is the deadline, not the moment it was noticed.
    Its history row names `noticed_by` as the actor (the expiry sweep, or `system`
    when a read noticed it) and the reason ``time expired``, whoever made the read.
    """
    if not timing.is_expired(attempt, now=now, grace_seconds=grace_seconds):
        return attempt
    with transaction.atomic(), audit.acting(actor=noticed_by, reason=audit.TIME_EXPIRED_REASON):
        locked = lock_attempt(attempt.id)
        if not locked.is_active or not timing.is_expired(locked, now=now, grace_seconds=grace_seconds):
            return locked  # somebody else moved or reset it first
        _move(locked, ExamAttemptStatus.SUBMITTED, actor=locked.user, now=now)
    return locked


def archive_attempt(attempt: ExamAttempt, *, reason: ArchiveReason, actor: User | None, now: datetime) -> None:
    """
    Take the locked `attempt` out of the learner's view; it stays as history and never changes status again.

    The one way an attempt becomes inactive, for a reset, a retake and a resume
    (whose continuation is a new attempt). A reset or retake records who did it
    and when, and tells the LMS (ATTEMPT_RESET) so it clears the learner's
    answers; a resumed attempt is continued, not reset, so the LMS hears nothing.
    """
    attempt.is_active = False
    attempt.ready_to_resume = False
    fields = ['is_active', 'ready_to_resume']
    if reason != ArchiveReason.RESUMED:
        attempt.reset_by = actor
        attempt.reset_at = now
        fields += ['reset_by', 'reset_at']
    attempt.save(update_fields=[*fields, 'modified'])
    if reason != ArchiveReason.RESUMED:
        record_reset_effects(attempt=attempt, actor=actor)


def _move(attempt: ExamAttempt, to_status: str, *, actor: User | None, now: datetime) -> None:
    """Check the table, then move the locked `attempt` to `to_status` with its timestamps and side effects."""
    from_status = attempt.status
    _check_transition(attempt, to_status)
    update_fields = _apply_status(attempt, to_status, now=now)
    attempt.save(update_fields=[*update_fields, 'modified'])
    record_transition_effects(attempt=attempt, from_status=from_status, to_status=to_status, actor=actor)


def _check_transition(attempt: ExamAttempt, to_status: str) -> None:
    from_status = attempt.status
    allowed = is_transition_allowed(from_status, to_status)
    if allowed and attempt.taking_as_proctored and (from_status, to_status) in UNPROCTORED_ONLY_TRANSITIONS:
        allowed = False
    if not allowed:
        raise ExamIllegalStatusTransition(f'Cannot move attempt {attempt.id} from {from_status} to {to_status}.')


def _apply_status(attempt: ExamAttempt, to_status: str, *, now: datetime) -> list[str]:
    """Set the status and the timestamps that go with it; return the changed fields."""
    fields = ['status']
    attempt.status = to_status
    if to_status == ExamAttemptStatus.STARTED and attempt.start_time is None:
        fields += timing.start_clock(attempt, now=now)
    if to_status == ExamAttemptStatus.ERROR and attempt.start_time is not None:
        attempt.seconds_remaining_at_error = timing.seconds_left(attempt, now=now)
        fields.append('seconds_remaining_at_error')
    if to_status == ExamAttemptStatus.DECLINED:
        attempt.taking_as_proctored = False
        fields.append('taking_as_proctored')
    if to_status in COMPLETED and attempt.end_time is None:
        attempt.end_time = min(now, attempt.expires_at) if attempt.expires_at else now
        fields.append('end_time')
    return fields

"""
Bulk resume and reset: one staff call for many attempts of an exam ("the proctoring tool failed for 300 learners").

Staff select attempts by exam and status (and, optionally, changed since a time or
by id), and resume or reset them, or ask first what would happen (`dry_run`). Each
attempt goes through the verb of the single-attempt staff action, so it is checked,
locked and announced exactly as one would be:

- resume: `attempts.resume_errored_attempt`, the staff resume (`update_attempt_with_action(action='resume')`) of
  an errored attempt (the learner's next start continues it with the time that was
  left; the LMS hears nothing, as for one resume);
- reset: `resets.reset_attempt_if_active`, as the staff DELETE (EXAM_ATTEMPT_RESET goes to the LMS).

Each attempt is its own transaction: one refused or failed attempt is reported and
the others go on. Every change is stamped with the staff member and the reason
(`audit.acting`). At most MAX_BULK_ATTEMPTS attempts per call.
"""

import enum
import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from django.db import DatabaseError

from edx_exams.apps.core import audit
from edx_exams.apps.core.attempts import resume_errored_attempt
from edx_exams.apps.core.exceptions import ExamBaseException, ExamDoesNotExist, ExamPermissionDenied
from edx_exams.apps.core.incidents import MAX_REASON_LENGTH
from edx_exams.apps.core.models import Exam, ExamAttempt, User
from edx_exams.apps.core.resets import reset_attempt_if_active
from edx_exams.apps.core.roles import is_course_staff
from edx_exams.apps.core.statuses import STORED
from edx_exams.apps.core.statuses import ExamAttemptStatus as S

log = logging.getLogger(__name__)

MAX_BULK_ATTEMPTS = 1000


class BulkAction(enum.StrEnum):
    """What a bulk call does to each selected attempt."""

    RESUME = 'resume'
    RESET = 'reset'


class Outcome(enum.StrEnum):
    """What happened (or, in a dry run, would happen) to one selected attempt."""

    RESUMED = 'resumed'
    RESET = 'reset'
    WOULD_RESUME = 'would_resume'
    WOULD_RESET = 'would_reset'
    SKIPPED = 'skipped'
    FAILED = 'failed'


DONE = {BulkAction.RESUME: Outcome.RESUMED, BulkAction.RESET: Outcome.RESET}
WOULD = {BulkAction.RESUME: Outcome.WOULD_RESUME, BulkAction.RESET: Outcome.WOULD_RESET}


@dataclass(frozen=True)
class AttemptSelection:
    """Which attempts of an exam: active ones in `statuses`, changed at or after `since`, among `attempt_ids`."""

    exam_id: int
    statuses: frozenset[str]
    since: datetime | None = None
    attempt_ids: frozenset[int] | None = None


@dataclass(frozen=True)
class BulkItem:
    """One selected attempt: who, its status when selected, what happened (`detail`: why it was skipped or failed)."""

    attempt_id: int
    user_id: int
    username: str
    status: str
    outcome: Outcome
    detail: str = ''


@dataclass(frozen=True)
class BulkResult:
    """The action, whether it was a dry run, and one item per selected attempt (in id order)."""

    action: BulkAction
    dry_run: bool
    items: list[BulkItem]

    def count(self, outcome: Outcome) -> int:
        """Return how many attempts had `outcome`."""
        return sum(1 for item in self.items if item.outcome == outcome)


def bulk_attempt_action(
    *,
    course_id: str,
    selection: AttemptSelection,
    action: BulkAction,
    staff: User,
    reason: str,
    dry_run: bool,
) -> BulkResult:
    """
    Resume or reset every attempt `selection` names (or, with `dry_run`, say what would happen); report each.

    Raises ExamDoesNotExist (not an exam of the course), ExamPermissionDenied (not
    course staff or global staff) and ExamBaseException with field errors for an
    invalid selection or reason, or more than MAX_BULK_ATTEMPTS attempts.
    """
    exam = Exam.objects.filter(pk=selection.exam_id, course_id=course_id).first()
    if exam is None:
        raise ExamDoesNotExist(f'Exam {selection.exam_id} is not an exam of course {course_id}.')
    if not is_course_staff(staff, course_id):
        raise ExamPermissionDenied('Only course staff may act on the attempts of an exam.')
    _check_request(selection, reason)
    attempts = _selected(exam, selection)
    with audit.acting(actor=audit.Actor.STAFF, user=staff, reason=f'bulk {action}: {reason}'):
        items = [_apply(attempt, action, staff=staff, dry_run=dry_run) for attempt in attempts]
    result = BulkResult(action=action, dry_run=dry_run, items=items)
    log.info(
        'Bulk attempt action exam_id=%s action=%s dry_run=%s selected=%s done=%s skipped=%s failed=%s actor_id=%s',
        exam.id,
        action,
        dry_run,
        len(items),
        result.count(DONE[action]),
        result.count(Outcome.SKIPPED),
        result.count(Outcome.FAILED),
        staff.id,
    )
    return result


def _check_request(selection: AttemptSelection, reason: str) -> None:
    errors: dict[str, list[str]] = {}
    unknown = sorted(selection.statuses - STORED)
    if not selection.statuses or unknown:
        errors['statuses'] = [f'Give one or more attempt statuses of {sorted(STORED)}; unknown: {unknown}.']
    if selection.attempt_ids is not None and len(selection.attempt_ids) > MAX_BULK_ATTEMPTS:
        errors['attempt_ids'] = [f'Give at most {MAX_BULK_ATTEMPTS} attempt ids.']
    if not reason.strip() or len(reason) > MAX_REASON_LENGTH:
        errors['reason'] = [f'Say why, in 1 to {MAX_REASON_LENGTH} characters.']
    if errors:
        raise ExamBaseException('Invalid bulk request.', field_errors=errors)


def _selected(exam: Exam, selection: AttemptSelection) -> list[ExamAttempt]:
    """Return the selected active attempts of the exam's subsection in id order; refuse more than the cap."""
    attempts = ExamAttempt.objects.select_related('user').filter(
        exam__course_id=exam.course_id,
        exam__content_id=exam.content_id,
        is_active=True,
        status__in=selection.statuses,
    )
    if selection.since is not None:
        attempts = attempts.filter(modified__gte=selection.since)
    if selection.attempt_ids is not None:
        attempts = attempts.filter(pk__in=selection.attempt_ids)
    found = list(attempts.order_by('pk')[: MAX_BULK_ATTEMPTS + 1])
    if len(found) > MAX_BULK_ATTEMPTS:
        raise ExamBaseException(
            'Too many attempts selected.',
            field_errors={
                'statuses': [
                    f'More than {MAX_BULK_ATTEMPTS} attempts match; narrow the selection (since, attempt_ids).'
                ]
            },
        )
    return found


def _apply(attempt: ExamAttempt, action: BulkAction, *, staff: User, dry_run: bool) -> BulkItem:
    """Apply `action` to one attempt through its single-attempt verb (or predict it); never raise for one attempt."""
    refusal = _refusal(attempt, action)
    if refusal:
        return _item(attempt, Outcome.SKIPPED, refusal)
    if dry_run:
        return _item(attempt, WOULD[action])
    verb: Callable[[], bool] = {
        BulkAction.RESUME: lambda: resume_errored_attempt(attempt.id, actor=staff)[1],
        BulkAction.RESET: lambda: reset_attempt_if_active(attempt.id, actor=staff)[1],
    }[action]
    try:
        changed = verb()
    except ExamBaseException as error:
        return _item(attempt, Outcome.FAILED, error.message)
    except DatabaseError as error:
        log.exception('Bulk %s failed attempt_id=%s', action, attempt.id)
        return _item(attempt, Outcome.FAILED, f'database error: {type(error).__name__}')
    if not changed:  # another request (a double click of the same bulk call) got there first
        return _item(attempt, Outcome.SKIPPED, f'already {DONE[action]} by another request')
    return _item(attempt, DONE[action])


def _refusal(attempt: ExamAttempt, action: BulkAction) -> str:
    """Return why `action` does not apply to the attempt as selected ('' if it does); the verb checks it again."""
    if action == BulkAction.RESUME:
        if attempt.status != S.ERROR:
            return f'only an attempt in error can be resumed; this one is {attempt.status}'
        if attempt.start_time is None:
            return 'this attempt never started; reset it instead of resuming it'
        if attempt.ready_to_resume:
            return 'already ready to resume'
    return ''


def _item(attempt: ExamAttempt, outcome: Outcome, detail: str = '') -> BulkItem:
    return BulkItem(
        attempt_id=attempt.id,
        user_id=attempt.user_id,
        username=attempt.user.username,
        status=attempt.status,
        outcome=outcome,
        detail=detail,
    )

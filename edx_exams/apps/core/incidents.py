"""
Exam-wide time for incidents: give every running attempt of an exam N more minutes, once.

"The LMS was down for 20 minutes during the exam: give everyone who was taking it
20 more minutes." `extend_running_attempts` adds the minutes to every attempt of the
exam (every row of the same subsection, should a republish have replaced it) that is
running or paused at that moment, each capped by its learner's due date (a personal
extension replaces the exam's), in a bounded number of queries whatever the number
of attempts:

1. the exam rows, shared (lock order step 1), then the new `ExamTimeExtension` row,
   whose unique (exam, key) makes a repeated or concurrent duplicate request wait
   and then find the stored answer instead of adding the time twice;
2. the learners of the running attempts, in one locking query, in id order (step 2);
3. their running attempts, in one locking query, in id order (step 4), re-checked
   under the lock (a submit or the expiry sweep that came first wins);
4. the learners' due dates in one query, the new deadlines in Python (`timing`),
   and the writes of `bulk_writes`: one UPDATE adding the time to every deadline
   that is not capped, one to every paused attempt, one setting the capped ones,
   and one INSERT of their history rows, each stamped with the staff member and the
   reason (`audit`).

A paused attempt gets the minutes on the time it has left (capped by the due date
when the proctoring tool resumes it, as any paused time is). Time changes send no
event to the LMS: the learner library reads `time_remaining_seconds` on its next poll.
Reopening attempts already submitted by expiry is refused (ADR 0018).
"""

import logging
import math
from dataclasses import dataclass
from datetime import datetime

from django.db import IntegrityError, transaction
from django.utils import timezone

from edx_exams.apps.core import audit, bulk_writes, timing
from edx_exams.apps.core.accommodations import MAX_EXTRA_TIME_MINS
from edx_exams.apps.core.exceptions import (
    ExamBaseException,
    ExamDoesNotExist,
    ExamPermissionDenied,
    IdempotencyKeyReused,
)
from edx_exams.apps.core.locks import share_lock_exam
from edx_exams.apps.core.models import DueDateExtension, Exam, ExamAttempt, ExamTimeExtension, User
from edx_exams.apps.core.roles import is_course_staff
from edx_exams.apps.core.statuses import IN_PROGRESS

log = logging.getLogger(__name__)

MAX_REASON_LENGTH = 500
MAX_IDEMPOTENCY_KEY_LENGTH = 128


@dataclass(frozen=True)
class ExtendedAttempt:
    """One attempt an extension reached: who, and the seconds it actually got (less than asked when capped)."""

    attempt_id: int
    user_id: int
    username: str
    seconds_added: float
    capped: bool


@dataclass(frozen=True)
class TimeExtensionOutcome:
    """The stored extension, whether this call only replayed it, and the attempts it reached."""

    extension: ExamTimeExtension
    replayed: bool
    attempts: list[ExtendedAttempt]

    @property
    def capped(self) -> list[ExtendedAttempt]:
        """Return the attempts that got less than the full minutes because of their due date."""
        return [attempt for attempt in self.attempts if attempt.capped]


def extend_running_attempts(
    *,
    course_id: str,
    exam_id: int,
    minutes: int,
    reason: str,
    idempotency_key: str,
    staff: User,
) -> TimeExtensionOutcome:
    """
    Give every running or paused attempt of exam `exam_id` `minutes` more, capped by each learner's due date.

    Once per `idempotency_key`: a repeat with the same minutes and reason returns
    the stored outcome (`replayed`); with different ones it raises
    IdempotencyKeyReused. Raises ExamDoesNotExist (not an exam of the course),
    ExamPermissionDenied (not course staff or global staff) and ExamBaseException
    with field errors for invalid minutes, reason or key.
    """
    exam = _course_exam(course_id, exam_id)
    if not is_course_staff(staff, course_id):
        raise ExamPermissionDenied('Only course staff may extend the time of an exam.')
    _check_request(minutes=minutes, reason=reason, idempotency_key=idempotency_key)
    stored = _stored(exam, idempotency_key)
    if stored is not None:
        return _replay(stored, minutes=minutes, reason=reason)
    try:
        extension, attempts = _extend(exam, minutes, reason, idempotency_key, staff, timezone.now())
    except IntegrityError:
        stored = _stored(exam, idempotency_key)  # a concurrent request with the same key committed first
        if stored is None:
            raise
        return _replay(stored, minutes=minutes, reason=reason)
    log.info(
        'Exam-wide extension exam_id=%s minutes=%s extended=%s capped=%s actor_id=%s key=%r',
        exam.id,
        minutes,
        extension.extended_count,
        extension.capped_count,
        staff.id,
        idempotency_key,
    )
    return TimeExtensionOutcome(extension=extension, replayed=False, attempts=attempts)


def history_reason(minutes: int, reason: str) -> str:
    """Return the reason written on each attempt's history row, e.g. `exam-wide extension of 20 minutes: LMS outage`."""
    return f'exam-wide extension of {minutes} minutes: {reason}'


def _course_exam(course_id: str, exam_id: int) -> Exam:
    exam = Exam.objects.filter(pk=exam_id, course_id=course_id).first()
    if exam is None:
        raise ExamDoesNotExist(f'Exam {exam_id} is not an exam of course {course_id}.')
    return exam


def _check_request(*, minutes: int, reason: str, idempotency_key: str) -> None:
    errors: dict[str, list[str]] = {}
    if not 1 <= minutes <= MAX_EXTRA_TIME_MINS:
        errors['minutes'] = [f'Give 1 to {MAX_EXTRA_TIME_MINS} minutes.']
    if not reason.strip() or len(reason) > MAX_REASON_LENGTH:
        errors['reason'] = [f'Say why, in 1 to {MAX_REASON_LENGTH} characters.']
    if not idempotency_key.strip() or len(idempotency_key) > MAX_IDEMPOTENCY_KEY_LENGTH:
        errors['idempotency_key'] = [f'Give a key of 1 to {MAX_IDEMPOTENCY_KEY_LENGTH} characters.']
    if errors:
        raise ExamBaseException('Invalid extension request.', field_errors=errors)


def _stored(exam: Exam, idempotency_key: str) -> ExamTimeExtension | None:
    return ExamTimeExtension.objects.filter(exam=exam, idempotency_key=idempotency_key).first()


def _replay(stored: ExamTimeExtension, *, minutes: int, reason: str) -> TimeExtensionOutcome:
    """Return what the stored extension did, if the request is the same one; else raise IdempotencyKeyReused."""
    if stored.minutes != minutes or stored.reason != reason:
        raise IdempotencyKeyReused(
            f'Key {stored.idempotency_key!r} already gave {stored.minutes} minutes ({stored.reason!r}) on this exam; '
            'use a new key for a new extension.'
        )
    return TimeExtensionOutcome(extension=stored, replayed=True, attempts=_attempts_of(stored))


def _attempts_of(extension: ExamTimeExtension) -> list[ExtendedAttempt]:
    """Rebuild the attempts a stored extension reached, with the learners' current usernames (one query)."""
    rows = extension.result.get('extended', [])
    capped = set(extension.result.get('capped', []))
    usernames = dict(User.objects.filter(pk__in={row[1] for row in rows}).values_list('pk', 'username'))
    return [
        ExtendedAttempt(
            attempt_id=attempt_id,
            user_id=user_id,
            username=usernames.get(user_id, ''),
            seconds_added=seconds,
            capped=attempt_id in capped,
        )
        for attempt_id, user_id, seconds in rows
    ]


def _extend(
    exam: Exam, minutes: int, reason: str, idempotency_key: str, staff: User, now: datetime
) -> tuple[ExamTimeExtension, list[ExtendedAttempt]]:
    """Store the extension and move every running clock in one transaction (IntegrityError: a twin came first)."""
    exam_ids = list(
        Exam.objects.filter(course_id=exam.course_id, content_id=exam.content_id)
        .order_by('pk')
        .values_list('pk', flat=True)
    )
    with audit.acting(actor=audit.Actor.STAFF, user=staff, reason=history_reason(minutes, reason)):
        with transaction.atomic():
            for row_id in exam_ids:
                share_lock_exam(row_id)  # lock order step 1: the new extension row points at the exam
            extension = ExamTimeExtension.objects.create(
                exam=exam, granted_by=staff, idempotency_key=idempotency_key, minutes=minutes, reason=reason
            )
            clocks, usernames = _lock_running_clocks(exam_ids)
            moves = [
                _move(clock, seconds=minutes * 60, due_date=due) for clock, due in _with_due_dates(clocks, exam_ids)
            ]
            reached = [move for move in moves if move is not None]
            _write(reached, minutes=minutes, now=now)
            outcomes = _outcomes(reached, usernames)
            _record_result(extension, outcomes, no_clock=sorted({c.id for c in clocks} - {m.clock.id for m in reached}))
    return extension, outcomes


@dataclass(frozen=True)
class _Clock:
    """The clock of one locked running attempt, as read under its lock."""

    id: int
    user_id: int
    exam_id: int
    expires_at: datetime | None
    paused: bool
    paused_seconds_remaining: float | None
    allowed_time_limit_mins: int | None


@dataclass(frozen=True)
class _Move:
    """What the extension does to one clock: the seconds added and, for a running attempt, its new deadline."""

    clock: _Clock
    seconds_added: float
    deadline: datetime | None
    full: bool


CLOCK_COLUMNS = (
    'id',
    'user_id',
    'exam_id',
    'expires_at',
    'paused_at',
    'paused_seconds_remaining',
    'allowed_time_limit_mins',
    'status',
    'is_active',
)


def _lock_running_clocks(exam_ids: list[int]) -> tuple[list[_Clock], dict[int, str]]:
    """
    Lock the learners, then the running attempts of `exam_ids`, each in one query in id order.

    Return the attempts' clocks and the learners' usernames. The order of `locks`
    (learner, then attempt) for many rows at once; an attempt started between the two
    queries is locked without its learner, which is harmless: nothing here waits for a
    learner's row after it. An attempt submitted, reset or finished before its lock was
    granted is left out: the status is checked again on the locked rows.
    """
    running = ExamAttempt.objects.running().filter(exam_id__in=exam_ids)
    user_ids = sorted(set(running.values_list('user_id', flat=True)))
    learners = User.objects.select_for_update().filter(pk__in=user_ids).order_by('pk')
    usernames = dict(learners.values_list('pk', 'username'))
    rows = running.select_for_update().order_by('pk').values_list(*CLOCK_COLUMNS)
    clocks = [
        _Clock(
            id=row[0],
            user_id=row[1],
            exam_id=row[2],
            expires_at=row[3],
            paused=row[4] is not None,
            paused_seconds_remaining=row[5],
            allowed_time_limit_mins=row[6],
        )
        for row in rows
        if row[8] and row[7] in IN_PROGRESS
    ]
    return clocks, usernames


def _with_due_dates(clocks: list[_Clock], exam_ids: list[int]) -> list[tuple[_Clock, datetime | None]]:
    """Pair each clock with its learner's due date on its exam row: a personal extension, else the exam's."""
    exams = dict(Exam.objects.filter(pk__in=exam_ids).values_list('pk', 'due_date'))
    personal = DueDateExtension.objects.filter(exam_id__in=exam_ids)
    extended = {
        (exam_id, user_id): due for exam_id, user_id, due in personal.values_list('exam_id', 'user_id', 'due_date')
    }
    return [(clock, extended.get((clock.exam_id, clock.user_id), exams[clock.exam_id])) for clock in clocks]


def _move(clock: _Clock, *, seconds: int, due_date: datetime | None) -> _Move | None:
    """
    Return what `seconds` more does to `clock`, capped by `due_date`; None if it has no clock (untimed, no due date).

    A paused attempt gets the time on what it has left (capped when the tool resumes it,
    `timing.resume_clock`); a running one a deadline `timing.extended_deadline` computes.
    """
    if clock.paused:
        if clock.paused_seconds_remaining is None:
            return None
        return _Move(clock=clock, seconds_added=float(seconds), deadline=None, full=True)
    if clock.expires_at is None:
        return None
    deadline = timing.extended_deadline(clock.expires_at, seconds=seconds, due_date=due_date)
    added = (deadline - clock.expires_at).total_seconds()
    return _Move(clock=clock, seconds_added=added, deadline=deadline, full=added == seconds)


def _write(moves: list[_Move], *, minutes: int, now: datetime) -> None:
    """Write the moves in a bounded number of statements (`bulk_writes`), then one history row per attempt."""
    seconds = minutes * 60
    paused = [m.clock.id for m in moves if m.clock.paused]
    full = [m.clock.id for m in moves if not m.clock.paused and m.full]
    capped = [(m.clock.id, m.deadline, _allowed_after(m)) for m in moves if m.deadline is not None and not m.full]
    bulk_writes.add_to_paused_time(paused, seconds=seconds, minutes=minutes, now=now)
    bulk_writes.add_to_deadlines(full, seconds=seconds, minutes=minutes, now=now)
    bulk_writes.set_deadlines(capped, now=now)
    bulk_writes.copy_to_history([m.clock.id for m in moves], now=now)


def _allowed_after(move: _Move) -> int | None:
    """Return the allowed minutes after `move`: up by the minutes it added, rounded up (as `add_attempt_time`)."""
    allowed = move.clock.allowed_time_limit_mins
    return None if allowed is None else allowed + math.ceil(move.seconds_added / 60)


def _outcomes(moves: list[_Move], usernames: dict[int, str]) -> list[ExtendedAttempt]:
    """Return what the extension did to each attempt, with its learner's username."""
    return [
        ExtendedAttempt(
            attempt_id=m.clock.id,
            user_id=m.clock.user_id,
            username=usernames.get(m.clock.user_id, ''),
            seconds_added=m.seconds_added,
            capped=not m.full,
        )
        for m in moves
    ]


def _record_result(extension: ExamTimeExtension, outcomes: list[ExtendedAttempt], *, no_clock: list[int]) -> None:
    extension.extended_count = len(outcomes)
    extension.capped_count = sum(1 for outcome in outcomes if outcome.capped)
    extension.result = {
        'extended': [[o.attempt_id, o.user_id, o.seconds_added] for o in outcomes],
        'capped': [o.attempt_id for o in outcomes if o.capped],
        'no_clock': no_clock,
    }
    extension.save(update_fields=['extended_count', 'capped_count', 'result', 'modified'])

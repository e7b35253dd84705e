"""
The attempt clock, in one place: allowed time, deadline, time remaining, and every change to them.

Allowed time = exam limit + the learner's allowance, capped by the due date,
fixed when the clock first starts (`start_clock`). A proctoring tool may pause
and resume it (`pause_clock`, `resume_clock`) and give extra time
(`extend_clock`); staff's allowance and due-date changes move a running
attempt's deadline (`shift_deadline`, `refresh_deadline`). While paused,
`expires_at` is NULL and the seconds left wait in `paused_seconds_remaining`.

The functions that change the clock set the fields of an attempt the caller
has locked (``locks.lock_attempt``) and return the names of the fields they
changed; the caller saves them. The server is authoritative; the learner
library only displays what it is told.
"""

import math
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db.models import OuterRef, QuerySet, Subquery

from edx_exams.apps.core.models import DueDateExtension, Exam, ExamAttempt, StudentAllowance
from edx_exams.apps.core.statuses import IN_PROGRESS, PRE_STARTED


@dataclass(frozen=True)
class LearnerTerms:
    """What one learner gets on one exam: extra minutes and the (possibly extended) due date."""

    extra_time_mins: int = 0
    due_date: datetime | None = None

    def is_past_due(self, now: datetime) -> bool:
        """Return True once this learner's due date has passed."""
        return self.due_date is not None and now >= self.due_date


# The names of the annotations `with_learner_terms` adds to a queryset.
EXTRA_MINS, EXTENDED_DUE = 'learner_extra_time_mins', 'learner_extended_due_date'


def with_learner_terms(queryset: QuerySet[Any], *, user: Any, exam: Any) -> QuerySet[Any]:
    """
    Annotate `queryset` with a learner's allowance and personal due date, read in the same query.

    `user` and `exam` are ids or references to the outer row (``OuterRef('user_id')``); read the
    result with `terms_from_row`.
    """
    allowance = StudentAllowance.objects.filter(user_id=user, exam_id=exam).values('extra_time_mins')[:1]
    extension = DueDateExtension.objects.filter(user_id=user, exam_id=exam).values('due_date')[:1]
    annotated: QuerySet[Any] = queryset.annotate(**{EXTRA_MINS: Subquery(allowance), EXTENDED_DUE: Subquery(extension)})
    return annotated


def terms_from_row(row: Any, *, exam_due_date: datetime | None) -> LearnerTerms:
    """Return the learner's terms from a row (model or dict) annotated by `with_learner_terms`."""
    values = row if isinstance(row, Mapping) else vars(row)
    return LearnerTerms(
        extra_time_mins=values.get(EXTRA_MINS) or 0,
        due_date=values.get(EXTENDED_DUE) or exam_due_date,
    )


def get_learner_terms(*, user_id: int, exam: Exam) -> LearnerTerms:
    """Return the learner's allowance and effective due date on `exam`, in one query."""
    exams = with_learner_terms(Exam.objects.filter(pk=exam.pk), user=user_id, exam=OuterRef('pk'))
    row: Mapping[str, Any] = exams.values(EXTRA_MINS, EXTENDED_DUE).first() or {}
    return terms_from_row(row, exam_due_date=exam.due_date)


def load_exam_and_terms(attempt: ExamAttempt) -> LearnerTerms:
    """Load the attempt's exam, if not loaded yet, with the learner's terms on it in the same statement."""
    from edx_exams.apps.core.learner_reads import exam_by_id

    if ExamAttempt.exam.is_cached(attempt):
        return get_learner_terms(user_id=attempt.user_id, exam=attempt.exam)
    exam, terms = exam_by_id(attempt.exam_id, attempt.user_id)
    if exam is not None:
        attempt.exam = exam
    return terms


def get_total_time_mins(exam: Exam, extra_time_mins: int) -> int | None:
    """Return limit + allowance in whole minutes, or None for an exam without a limit."""
    if exam.time_limit_mins is None:
        return None
    return exam.time_limit_mins + extra_time_mins


def compute_deadline(*, start: datetime, total_seconds: float | None, due_date: datetime | None) -> datetime | None:
    """Return when an attempt started at `start` must end: the time allowed, capped by the due date."""
    uncapped = None if total_seconds is None else add_seconds(start, total_seconds)
    return cap_by_due_date(uncapped, due_date)


def add_seconds(moment: datetime, seconds: float) -> datetime:
    """
    Return `moment` moved by `seconds`, stopping at the first or last moment the calendar has.

    A deadline at a due date of 9999-12-31T23:59:59Z plus extra time would
    otherwise overflow; capped by the due date it stays where it was.
    """
    try:
        return moment + timedelta(seconds=seconds)
    except OverflowError:
        end = datetime.max if seconds > 0 else datetime.min
        return end.replace(tzinfo=moment.tzinfo)


def cap_by_due_date(deadline: datetime | None, due_date: datetime | None) -> datetime | None:
    """Return the earlier of `deadline` and `due_date`; either may be None (no limit)."""
    candidates = [moment for moment in (deadline, due_date) if moment is not None]
    return min(candidates) if candidates else None


def allowed_seconds(attempt: ExamAttempt, terms: LearnerTerms) -> float | None:
    """Return the seconds a not-yet-started attempt will get: carried over on resume, else limit + allowance."""
    if attempt.carried_seconds_remaining is not None:
        return attempt.carried_seconds_remaining
    total = get_total_time_mins(attempt.exam, terms.extra_time_mins)
    return None if total is None else total * 60


def allowed_minutes_until(deadline: datetime | None, start: datetime | None) -> int | None:
    """Return the whole minutes between `start` and `deadline` (rounded up), or None without either."""
    if deadline is None or start is None:
        return None
    return max(0, math.ceil((deadline - start).total_seconds() / 60))


def time_remaining_seconds(attempt: ExamAttempt, *, now: datetime, terms: LearnerTerms | None = None) -> float | None:
    """
    Return the seconds the learner has left on `attempt`.

    Running attempts count down to their deadline; attempts not started yet
    report their full allowed time (capped by the due date); finished ones 0.
    None means the exam has no time limit and no due date.
    """
    if attempt.status in IN_PROGRESS:
        return seconds_left(attempt, now=now)
    if attempt.status in PRE_STARTED:
        terms = terms or LearnerTerms(due_date=attempt.exam.due_date)
        deadline = compute_deadline(start=now, total_seconds=allowed_seconds(attempt, terms), due_date=terms.due_date)
        return None if deadline is None else max(0.0, (deadline - now).total_seconds())
    return 0


def is_expired(attempt: ExamAttempt, *, now: datetime, grace_seconds: int = 0) -> bool:
    """Return True if a running attempt is past its deadline plus `grace_seconds`."""
    if attempt.status not in IN_PROGRESS or attempt.expires_at is None:
        return False
    return now >= attempt.expires_at + timedelta(seconds=grace_seconds)


def expiry_grace_seconds() -> int:
    """Return the grace the expiry sweep leaves after a deadline before it submits."""
    return settings.EXAM_ATTEMPT_EXPIRY_GRACE_SECONDS


def seconds_left(attempt: ExamAttempt, *, now: datetime) -> float | None:
    """Return the seconds left on a started attempt (frozen while paused), None without a deadline."""
    if attempt.paused_at is not None:
        return attempt.paused_seconds_remaining
    if attempt.expires_at is None:
        return None
    return max(0.0, (attempt.expires_at - now).total_seconds())


def start_clock(attempt: ExamAttempt, *, now: datetime) -> list[str]:
    """Fix the allowed time at the first start: limit + allowance (or carried time), capped by the due date."""
    terms = load_exam_and_terms(attempt)
    attempt.start_time = now
    attempt.expires_at = compute_deadline(
        start=now, total_seconds=allowed_seconds(attempt, terms), due_date=terms.due_date
    )
    attempt.allowed_time_limit_mins = allowed_minutes_until(attempt.expires_at, now)
    return ['start_time', 'expires_at', 'allowed_time_limit_mins']


def pause_clock(attempt: ExamAttempt, *, now: datetime) -> list[str]:
    """Freeze the clock of a running attempt: the seconds left wait until `resume_clock`."""
    attempt.paused_seconds_remaining = (attempt.expires_at - now).total_seconds() if attempt.expires_at else None
    attempt.paused_at = now
    attempt.expires_at = None
    return ['paused_at', 'paused_seconds_remaining', 'expires_at']


def resume_clock(attempt: ExamAttempt, *, now: datetime) -> list[str]:
    """Restart a paused clock with the seconds that were left, capped by the learner's due date."""
    attempt.expires_at = _deadline_after(attempt, start=now, seconds=attempt.paused_seconds_remaining)
    attempt.paused_at = None
    attempt.paused_seconds_remaining = None
    return ['paused_at', 'paused_seconds_remaining', 'expires_at']


def extend_clock(attempt: ExamAttempt, *, seconds: int) -> float:
    """
    Give a running attempt up to `seconds` more, capped by the due date; return the seconds actually added.

    A paused attempt gets them on the time it has left; an attempt without a
    deadline has no clock, so nothing is added. Changes `expires_at` or
    `paused_seconds_remaining`.
    """
    if attempt.paused_at is not None:
        if attempt.paused_seconds_remaining is None:
            return 0
        attempt.paused_seconds_remaining += seconds
        return seconds
    if attempt.expires_at is None:
        return 0
    old = attempt.expires_at
    new = _deadline_after(attempt, start=old, seconds=seconds)
    attempt.expires_at = new
    return 0.0 if new is None else max(0.0, (new - old).total_seconds())


def extended_deadline(deadline: datetime, *, seconds: float, due_date: datetime | None) -> datetime:
    """
    Return `deadline` moved `seconds` later but not past `due_date`, and never earlier than it was.

    Staff's exam-wide extension: a learner whose deadline is already at (or past) the
    due date keeps it; nobody loses time.
    """
    capped = cap_by_due_date(add_seconds(deadline, seconds), due_date)
    return max(deadline, capped or deadline)


def shift_deadline(attempt: ExamAttempt, *, seconds: float, due_date: datetime | None) -> list[str]:
    """
    Move a running attempt's deadline (or a paused attempt's time left) by `seconds`, capped by `due_date`.

    `seconds` may be negative (an allowance was lowered); the time left never goes below 0.
    """
    if attempt.paused_at is not None:
        if attempt.paused_seconds_remaining is None:
            return []
        attempt.paused_seconds_remaining = max(0.0, attempt.paused_seconds_remaining + seconds)
        return ['paused_seconds_remaining']
    if attempt.expires_at is None:
        return []
    return _set_deadline(attempt, compute_deadline(start=attempt.expires_at, total_seconds=seconds, due_date=due_date))


def refresh_deadline(attempt: ExamAttempt, terms: LearnerTerms) -> list[str]:
    """After the learner's terms changed: deadline = start + time allowed, capped by the due date (unpaused only)."""
    if attempt.paused_at is not None or attempt.start_time is None:
        return []
    seconds = allowed_seconds(attempt, terms)
    return _set_deadline(
        attempt, compute_deadline(start=attempt.start_time, total_seconds=seconds, due_date=terms.due_date)
    )


def _set_deadline(attempt: ExamAttempt, deadline: datetime | None) -> list[str]:
    attempt.expires_at = deadline
    attempt.allowed_time_limit_mins = allowed_minutes_until(deadline, attempt.start_time)
    return ['expires_at', 'allowed_time_limit_mins']


def _deadline_after(attempt: ExamAttempt, *, start: datetime, seconds: float | None) -> datetime | None:
    """Return `start` + `seconds` capped by the learner's due date (a personal extension replaces the exam's)."""
    due = get_learner_terms(user_id=attempt.user_id, exam=attempt.exam).due_date
    return compute_deadline(start=start, total_seconds=seconds, due_date=due)

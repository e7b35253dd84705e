"""
The attempt clock: allowed time, deadline and time remaining.

Allowed time = exam limit + the learner's allowance, capped by the due date,
fixed when the clock first starts. The server is authoritative; the learner
library only displays what it is told.
"""

import math
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db.models import OuterRef, Subquery

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


def get_learner_terms(*, user_id: int, exam: Exam) -> LearnerTerms:
    """Return the learner's allowance and effective due date on `exam`, in one query."""
    allowance = StudentAllowance.objects.filter(user_id=user_id, exam_id=OuterRef('pk')).values('extra_time_mins')
    extension = DueDateExtension.objects.filter(user_id=user_id, exam_id=OuterRef('pk')).values('due_date')
    row: Mapping[str, Any] = (
        Exam.objects.filter(pk=exam.pk)
        .annotate(extra=Subquery(allowance[:1]), extended_due=Subquery(extension[:1]))
        .values('extra', 'extended_due')
        .first()
    ) or {}
    return LearnerTerms(
        extra_time_mins=row.get('extra') or 0,
        due_date=row.get('extended_due') or exam.due_date,
    )


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
        if attempt.paused_at is not None:  # a proctoring tool froze the clock
            return attempt.paused_seconds_remaining
        if attempt.expires_at is None:
            return None
        return max(0.0, (attempt.expires_at - now).total_seconds())
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

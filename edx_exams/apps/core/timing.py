"""
The attempt clock: allowed time, deadline and time remaining.

Allowed time = exam limit + the learner's allowance, capped by the due date,
fixed when the clock first starts. The server is authoritative; the learner
library only displays what it is told.
"""

import math
from datetime import datetime, timedelta

from django.conf import settings

from edx_exams.apps.core.models import Exam, ExamAttempt, StudentAllowance
from edx_exams.apps.core.statuses import IN_PROGRESS, PRE_STARTED


def get_extra_time_mins(*, user_id: int, exam_id: int) -> int:
    """Return the learner's extra minutes on the exam (0 without an allowance)."""
    allowance = StudentAllowance.objects.filter(user_id=user_id, exam_id=exam_id).values_list('extra_time_mins')
    row = allowance.first()
    return row[0] if row else 0


def get_total_time_mins(exam: Exam, extra_time_mins: int) -> int | None:
    """Return limit + allowance in whole minutes, or None for an exam without a limit."""
    if exam.time_limit_mins is None:
        return None
    return exam.time_limit_mins + extra_time_mins


def compute_deadline(exam: Exam, *, start: datetime, total_time_mins: int | None) -> datetime | None:
    """Return when an attempt started at `start` must end: the time limit, capped by the due date."""
    candidates = []
    if total_time_mins is not None:
        candidates.append(start + timedelta(minutes=total_time_mins))
    if exam.due_date is not None:
        candidates.append(exam.due_date)
    return min(candidates) if candidates else None


def allowed_minutes_until(deadline: datetime | None, start: datetime) -> int | None:
    """Return the whole minutes between `start` and `deadline` (rounded up), or None without a deadline."""
    if deadline is None:
        return None
    return max(0, math.ceil((deadline - start).total_seconds() / 60))


def time_remaining_seconds(attempt: ExamAttempt, *, now: datetime, extra_time_mins: int = 0) -> float | None:
    """
    Return the seconds the learner has left on `attempt`.

    Running attempts count down to their deadline; attempts not started yet
    report their full allowed time (capped by the due date); finished ones 0.
    None means the exam has no time limit and no due date.
    """
    if attempt.status in IN_PROGRESS:
        if attempt.expires_at is None:
            return None
        return max(0.0, (attempt.expires_at - now).total_seconds())
    if attempt.status in PRE_STARTED:
        total = get_total_time_mins(attempt.exam, extra_time_mins)
        deadline = compute_deadline(attempt.exam, start=now, total_time_mins=total)
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

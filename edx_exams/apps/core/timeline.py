"""
What happened to an attempt, in order: read from its history rows and its staff reviews.

Every save of an attempt writes a history row (django-simple-history) stamped with the source,
actor, user and reason of the change (``audit.py``). The timeline compares each row with the one
before it and names what changed: a status, the clock (time added or removed, paused, resumed), a
reset, a staff resume. Staff reviews (``AttemptReview``) add the reviewer's decision and comment.
It costs two queries, however long the history: one for the history rows (with their users, and
the first row of an attempt that continues this one), one for the reviews. Nothing is written on
the way: recording costs the hot path nothing beyond the history row each save writes anyway.
Decision record: ``docs/decisions/0019-attempt-timeline-from-history.rst``.
"""

import enum
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db.models import Q

from edx_exams.apps.core.audit import Actor
from edx_exams.apps.core.models import AttemptReview, ExamAttempt
from edx_exams.apps.core.statuses import IN_PROGRESS

# Where a row recorded no source or actor (written before they were recorded).
UNKNOWN = 'unknown'


class EntryType(enum.StrEnum):
    """What one timeline entry says happened."""

    CREATED = 'created'
    STATUS_CHANGED = 'status_changed'
    TIME_ADDED = 'time_added'
    TIME_REMOVED = 'time_removed'
    PAUSED = 'paused'
    RESUMED = 'resumed'
    READY_TO_RESUME = 'ready_to_resume'
    RESET = 'reset'
    RESUMED_AS = 'resumed_as'
    RESUMED_FROM = 'resumed_from'
    REVIEW = 'review'


@dataclass(frozen=True)
class TimelineEntry:
    """
    One change of an attempt: when, what, who (actor kind and username), through what, and why.

    The optional fields belong to some types only: `from_status`/`to_status` (status_changed),
    `seconds` (time_added, time_removed: always positive), `expires_at` (the deadline after a start,
    a resume or a change of time), `seconds_remaining` (paused, ready_to_resume, resumed_from),
    `attempt_id` (resumed_as, resumed_from: the other attempt), `decision`/`comment` (review).
    """

    at: datetime
    type: str
    actor: str
    source: str
    username: str = ''
    reason: str = ''
    from_status: str | None = None
    to_status: str | None = None
    seconds: float | None = None
    expires_at: datetime | None = None
    seconds_remaining: float | None = None
    attempt_id: int | None = None
    decision: str | None = None
    comment: str | None = None


@dataclass(frozen=True)
class _Stamp:
    """The who, where and why of one history row."""

    at: datetime
    actor: str
    source: str
    username: str
    reason: str


def get_attempt_timeline(attempt: ExamAttempt) -> list[TimelineEntry]:
    """Return every recorded change of `attempt`, oldest first, in two queries."""
    rows = list(_history_rows(attempt))
    own = [row for row in rows if row.id == attempt.id]
    continuation = next((row.id for row in rows if row.id != attempt.id), None)
    entries = [
        *_history_entries(own, learner_id=attempt.user_id, continuation_id=continuation),
        *_review_entries(attempt),
    ]
    # Stable: at the same instant a status change comes before the review that caused it.
    return sorted(entries, key=lambda entry: entry.at)


def _history_rows(attempt: ExamAttempt) -> Any:
    """Return the attempt's history rows, and the creation row of the attempt that resumes it, oldest first."""
    history = ExamAttempt.history.filter(Q(id=attempt.id) | Q(resumed_from_id=attempt.id, history_type='+'))
    return history.select_related('history_user').order_by('history_id')


def _history_entries(rows: Sequence[Any], *, learner_id: int, continuation_id: int | None) -> Iterator[TimelineEntry]:
    """Yield the entries of each row, compared with the row before it."""
    previous = None
    for row in rows:
        stamp = _stamp_of(row, learner_id=learner_id)
        if previous is None or row.history_type == '+':
            yield from _created(row, stamp)
        else:
            yield from _changes(previous, row, stamp, continuation_id=continuation_id)
        previous = row


def _stamp_of(row: Any, *, learner_id: int) -> _Stamp:
    """Return who made the change of `row`; a row without an actor is the learner's when they wrote it."""
    actor = row.history_actor
    if not actor:
        actor = Actor.LEARNER.value if row.history_user_id == learner_id and learner_id else UNKNOWN
    named = actor in (Actor.LEARNER, Actor.STAFF, UNKNOWN)
    username = row.history_user.username if named and row.history_user is not None else ''
    return _Stamp(
        at=row.history_date,
        actor=actor,
        source=row.history_source or UNKNOWN,
        username=username,
        reason=row.history_change_reason or '',
    )


def _entry(stamp: _Stamp, entry_type: EntryType, **fields: Any) -> TimelineEntry:
    """Return an entry of `entry_type` made as `stamp` says, with the fields of its type."""
    return TimelineEntry(
        at=stamp.at,
        type=entry_type.value,
        actor=stamp.actor,
        source=stamp.source,
        username=stamp.username,
        reason=stamp.reason,
        **fields,
    )


def _created(row: Any, stamp: _Stamp) -> Iterator[TimelineEntry]:
    """Yield the first row's entries: created (and resumed_from, for an attempt that continues another)."""
    yield _entry(stamp, EntryType.CREATED, to_status=row.status)
    if row.resumed_from_id is not None:
        yield _entry(
            stamp,
            EntryType.RESUMED_FROM,
            attempt_id=row.resumed_from_id,
            seconds_remaining=row.carried_seconds_remaining,
        )


def _changes(before: Any, after: Any, stamp: _Stamp, *, continuation_id: int | None) -> Iterator[TimelineEntry]:
    """Yield what changed from `before` to `after`, in the order a reader expects."""
    if before.status != after.status:
        started = before.start_time is None and after.start_time is not None
        yield _entry(
            stamp,
            EntryType.STATUS_CHANGED,
            from_status=before.status,
            to_status=after.status,
            expires_at=after.expires_at if started else None,
        )
    yield from _clock_changes(before, after, stamp)
    if after.ready_to_resume and not before.ready_to_resume:
        yield _entry(stamp, EntryType.READY_TO_RESUME, seconds_remaining=after.seconds_remaining_at_error)
    if before.is_active and not after.is_active:
        if after.reset_by_id is not None or after.reset_at is not None:
            yield _entry(stamp, EntryType.RESET)
        else:
            yield _entry(stamp, EntryType.RESUMED_AS, attempt_id=continuation_id)


def _clock_changes(before: Any, after: Any, stamp: _Stamp) -> Iterator[TimelineEntry]:
    """Yield a pause, a resume, or time added to (or taken from) a running or paused clock."""
    if before.paused_at is None and after.paused_at is not None:
        yield _entry(stamp, EntryType.PAUSED, seconds_remaining=after.paused_seconds_remaining)
        return
    if before.paused_at is not None and after.paused_at is None:
        if after.status in IN_PROGRESS:
            yield _entry(stamp, EntryType.RESUMED, expires_at=after.expires_at)
        return
    delta = _clock_delta(before, after)
    if delta:
        entry_type = EntryType.TIME_ADDED if delta > 0 else EntryType.TIME_REMOVED
        # Rounded to the millisecond: the paused seconds left are a float that carries rounding error.
        yield _entry(stamp, entry_type, seconds=round(abs(delta), 3), expires_at=after.expires_at)


def _clock_delta(before: Any, after: Any) -> float:
    """Return the seconds the clock moved between two rows of a started attempt (0 if it did not)."""
    if before.start_time is None:  # the first start sets the deadline: not a change of time
        return 0.0
    if after.paused_at is not None:
        if before.paused_seconds_remaining is None or after.paused_seconds_remaining is None:
            return 0.0
        return float(after.paused_seconds_remaining - before.paused_seconds_remaining)
    if before.expires_at is None or after.expires_at is None:
        return 0.0
    return float((after.expires_at - before.expires_at).total_seconds())


def _review_entries(attempt: ExamAttempt) -> Iterator[TimelineEntry]:
    """Yield each staff review: the decision, by whom, with the comment if any."""
    reviews = AttemptReview.objects.filter(attempt_id=attempt.id).select_related('reviewer').order_by('created', 'id')
    for review in reviews:
        yield TimelineEntry(
            at=review.created,
            type=EntryType.REVIEW.value,
            actor=Actor.STAFF.value,
            source=review.source or UNKNOWN,
            username=review.reviewer.username if review.reviewer else '',
            decision=review.decision,
            comment=review.comment,
        )

"""
Allowances (extra time, or a multiple of the time limit) and personal due-date extensions.

Both are upserted per (learner, exam) in one transaction per request: one bad
row stores nothing. A change that affects an attempt already running moves
its deadline immediately, under the attempt's row lock.

Locks follow the order of `locks`: the exams' rows shared, then the learners'
user rows (in id order), then their allowance or extension rows, then their
running attempts. Holding the learner's row makes the upsert race-free: no
other request can insert the same (learner, exam) row in the meantime.
"""

import logging
import math
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import Q
from django.db.models.functions import Lower

from edx_exams.apps.core import audit, timing
from edx_exams.apps.core.exceptions import AccommodationDoesNotExist, CourseNotFound, ExamBaseException
from edx_exams.apps.core.locks import lock_attempt, lock_learner, share_lock_exam
from edx_exams.apps.core.models import DueDateExtension, Exam, ExamAttempt, StudentAllowance, User
from edx_exams.apps.core.statuses import IN_PROGRESS

log = logging.getLogger(__name__)

MAX_EXTRA_TIME_MINS = 10080  # one week
MAX_TIME_MULTIPLIER = Decimal('10')


@dataclass(frozen=True)
class AllowanceSpec:
    """One requested allowance: a learner by username or email, an exam, and minutes or a multiplier."""

    exam_id: int
    username: str | None = None
    email: str | None = None
    extra_time_mins: int | None = None
    time_multiplier: Decimal | None = None


class InvalidAccommodation(ExamBaseException):
    """
    A row of an allowance or extension request is invalid; `errors` names each row and field.

    `field_errors` holds the same messages keyed by item index then field (a list of
    allowances), or by field alone (`one_item`: a due date extension).
    """

    def __init__(self, errors: list[dict[str, Any]], *, one_item: bool = False):
        self.errors = errors
        super().__init__(
            'Invalid data: ' + '; '.join(f'item {e["index"]}: {e["error"]}' for e in errors),
            field_errors=_errors_by_field(errors) if one_item else _errors_by_item(errors),
        )


def _errors_by_item(errors: list[dict[str, Any]]) -> dict[int, dict[str, list[str]]]:
    """Return `{index: {field: [messages]}}`."""
    by_item: dict[int, dict[str, list[str]]] = {}
    for error in errors:
        by_item.setdefault(error['index'], {}).setdefault(error['field'], []).append(error['error'])
    return by_item


def _errors_by_field(errors: list[dict[str, Any]]) -> dict[str, list[str]]:
    """Return `{field: [message]}` (the last message of a field)."""
    return {error['field']: [error['error']] for error in errors}


def list_allowances(course_id: str) -> list[StudentAllowance]:
    """Return the allowances on the course's exams, with their users and exams."""
    return list(
        StudentAllowance.objects.filter(exam__course_id=course_id)
        .select_related('user', 'exam')
        .order_by('user__username', 'exam_id')
    )


def upsert_allowances(course_id: str, *, specs: list[AllowanceSpec], actor: User) -> list[StudentAllowance]:
    """
    Create or update every allowance in `specs` (all or nothing) and return them.

    Raises InvalidAccommodation naming each unknown user, unknown exam (or one
    outside the course) and invalid amount; nothing is stored then.
    """
    exams, users = _checked_allowance_targets(course_id, specs)
    saved = []
    with transaction.atomic():
        _lock_targets(exam_ids={spec.exam_id for spec in specs}, user_ids={users[_user_key(spec)].id for spec in specs})
        for spec in specs:
            exam, user = exams[spec.exam_id], users[_user_key(spec)]
            minutes = _minutes_for(spec, exam)
            allowance, previous = _save_allowance(user=user, exam=exam, minutes=minutes, spec=spec)
            with audit.default_reason(_allowance_reason(previous, minutes)):
                _shift_running_attempts(user=user, exam=exam, delta_minutes=minutes - previous)
            saved.append(allowance)
    log.info('Allowances saved course_id=%s count=%s actor_id=%s', course_id, len(saved), actor.id)
    return saved


def validate_allowances(course_id: str, *, specs: list[AllowanceSpec]) -> None:
    """Raise what `upsert_allowances` would raise for `specs` (CourseNotFound, InvalidAccommodation); store nothing."""
    _checked_allowance_targets(course_id, specs)


def delete_allowance(course_id: str, *, allowance_id: int, actor: User) -> None:
    """Delete an allowance of the course; a running attempt loses the extra time at once."""
    found = StudentAllowance.objects.filter(pk=allowance_id, exam__course_id=course_id).values('user_id').first()
    if found is None:
        raise AccommodationDoesNotExist(f'Allowance {allowance_id} does not exist in this course.')
    with transaction.atomic():
        lock_learner(found['user_id'])
        allowance = StudentAllowance.objects.select_for_update().filter(pk=allowance_id).first()
        if allowance is None:  # deleted by a concurrent request
            raise AccommodationDoesNotExist(f'Allowance {allowance_id} does not exist in this course.')
        with audit.default_reason(_allowance_reason(allowance.extra_time_mins, None)):
            _shift_running_attempts(user=allowance.user, exam=allowance.exam, delta_minutes=-allowance.extra_time_mins)
            allowance.delete()
    log.info('Allowance deleted allowance_id=%s course_id=%s actor_id=%s', allowance_id, course_id, actor.id)


def list_due_date_extensions(course_id: str) -> list[DueDateExtension]:
    """Return the personal due dates on the course's exams."""
    return list(
        DueDateExtension.objects.filter(exam__course_id=course_id)
        .select_related('user', 'exam', 'granted_by')
        .order_by('user__username', 'exam_id')
    )


def set_due_date_extension(
    course_id: str, *, exam_id: int, username: str | None, email: str | None, due_date: datetime, actor: User
) -> DueDateExtension:
    """Give one learner a personal due date on an exam; a running attempt's deadline follows it."""
    exam, user = _checked_extension_target(course_id, exam_id=exam_id, username=username, email=email)
    with transaction.atomic():
        _lock_targets(exam_ids={exam.id}, user_ids={user.id})
        with audit.default_reason(f'personal due date: {due_date:%Y-%m-%d %H:%M %Z}'.strip()):
            extension, _ = DueDateExtension.objects.update_or_create(
                user=user, exam=exam, defaults={'due_date': due_date, 'granted_by': actor}
            )
            _refresh_running_deadlines(user=user, exam=exam)
    log.info('Due date extended user_id=%s exam_id=%s due=%s actor_id=%s', user.id, exam.id, due_date, actor.id)
    return extension


def validate_due_date_extension(course_id: str, *, exam_id: int, username: str | None, email: str | None) -> None:
    """Raise what `set_due_date_extension` would raise for this learner and exam; store nothing."""
    _checked_extension_target(course_id, exam_id=exam_id, username=username, email=email)


def delete_due_date_extension(course_id: str, *, extension_id: int, actor: User) -> None:
    """Remove a personal due date; the exam's own due date applies again."""
    found = DueDateExtension.objects.filter(pk=extension_id, exam__course_id=course_id).values('user_id').first()
    if found is None:
        raise AccommodationDoesNotExist(f'Due date extension {extension_id} does not exist in this course.')
    with transaction.atomic():
        lock_learner(found['user_id'])
        extension = DueDateExtension.objects.select_for_update().filter(pk=extension_id).first()
        if extension is None:  # deleted by a concurrent request
            raise AccommodationDoesNotExist(f'Due date extension {extension_id} does not exist in this course.')
        with audit.default_reason('personal due date removed'):
            extension.delete()
            _refresh_running_deadlines(user=extension.user, exam=extension.exam)
    log.info('Due date extension deleted extension_id=%s actor_id=%s', extension_id, actor.id)


# --- helpers ---------------------------------------------------------------------------------------------------------


def _lock_targets(*, exam_ids: set[int], user_ids: set[int]) -> None:
    """Take the locks an accommodation write needs, in the order of `locks`: exams shared, then learners."""
    for exam_id in sorted(exam_ids):
        share_lock_exam(exam_id)
    for user_id in sorted(user_ids):
        lock_learner(user_id)


def _checked_allowance_targets(course_id: str, specs: list[AllowanceSpec]) -> tuple[dict[int, Exam], dict[str, User]]:
    """Return the exams and users of `specs`, or raise InvalidAccommodation naming every bad row."""
    exams = _course_exams(course_id, {spec.exam_id for spec in specs})
    users = _resolve_users(specs)
    errors = _allowance_errors(specs, exams, users)
    if errors:
        raise InvalidAccommodation(errors)
    return exams, users


def _checked_extension_target(
    course_id: str, *, exam_id: int, username: str | None, email: str | None
) -> tuple[Exam, User]:
    """Return the exam and learner of a due date extension, or raise InvalidAccommodation."""
    spec = AllowanceSpec(exam_id=exam_id, username=username, email=email)
    exams, users = _course_exams(course_id, {exam_id}), _resolve_users([spec])
    errors = _target_errors(0, spec, exams, users)
    if errors:
        raise InvalidAccommodation(errors, one_item=True)
    return exams[exam_id], users[_user_key(spec)]


def _course_exams(course_id: str, exam_ids: set[int]) -> dict[int, Exam]:
    if not Exam.objects.filter(course_id=course_id).exists():
        raise CourseNotFound(f'Course {course_id} has no exams.')
    return {exam.id: exam for exam in Exam.objects.filter(course_id=course_id, pk__in=exam_ids)}


def _user_key(spec: AllowanceSpec) -> str:
    return f'u:{spec.username}' if spec.username else f'e:{(spec.email or "").lower()}'


def _resolve_users(specs: list[AllowanceSpec]) -> dict[str, User]:
    usernames = {s.username for s in specs if s.username}
    emails = {s.email.lower() for s in specs if s.email and not s.username}
    found: dict[str, User] = {}
    if usernames or emails:
        # Lower() on both sides: emails match case-insensitively on every database, not only MySQL.
        users = User.objects.annotate(email_lower=Lower('email'))
        for user in users.filter(Q(username__in=usernames) | Q(email_lower__in=emails)):
            found[f'u:{user.username}'] = user
            found.setdefault(f'e:{user.email.lower()}', user)
    return found


def _target_errors(
    index: int, spec: AllowanceSpec, exams: dict[int, Exam], users: dict[str, User]
) -> list[dict[str, Any]]:
    errors = []
    if not spec.username and not spec.email:
        errors.append({'index': index, 'field': 'username', 'error': 'username or email is required'})
    elif _user_key(spec) not in users:
        who = spec.username or spec.email
        errors.append(
            {'index': index, 'field': 'username' if spec.username else 'email', 'error': f'unknown user {who}'}
        )
    if spec.exam_id not in exams:
        errors.append({'index': index, 'field': 'exam_id', 'error': f'exam {spec.exam_id} is not in this course'})
    return errors


def _allowance_errors(
    specs: list[AllowanceSpec], exams: dict[int, Exam], users: dict[str, User]
) -> list[dict[str, Any]]:
    errors = []
    for index, spec in enumerate(specs):
        errors += _target_errors(index, spec, exams, users)
        errors += _amount_errors(index, spec, exams.get(spec.exam_id))
    return errors


def _amount_errors(index: int, spec: AllowanceSpec, exam: Exam | None) -> list[dict[str, Any]]:
    if (spec.extra_time_mins is None) == (spec.time_multiplier is None):
        return [{'index': index, 'field': 'extra_time_mins', 'error': 'give extra_time_mins or time_multiplier'}]
    if spec.extra_time_mins is not None and not 0 <= spec.extra_time_mins <= MAX_EXTRA_TIME_MINS:
        return [{'index': index, 'field': 'extra_time_mins', 'error': f'must be 0 to {MAX_EXTRA_TIME_MINS}'}]
    if spec.time_multiplier is not None:
        if not Decimal('1') <= spec.time_multiplier <= MAX_TIME_MULTIPLIER:
            return [{'index': index, 'field': 'time_multiplier', 'error': f'must be 1 to {MAX_TIME_MULTIPLIER}'}]
        if exam is not None and exam.time_limit_mins is None:
            return [{'index': index, 'field': 'time_multiplier', 'error': 'the exam has no time limit'}]
    return []


def _minutes_for(spec: AllowanceSpec, exam: Exam) -> int:
    # _amount_errors has checked that exactly one amount is given, and a time limit for a multiplier.
    if spec.time_multiplier is None:
        return spec.extra_time_mins or 0
    return math.ceil((exam.time_limit_mins or 0) * (spec.time_multiplier - 1))


def _save_allowance(*, user: User, exam: Exam, minutes: int, spec: AllowanceSpec) -> tuple[StudentAllowance, int]:
    """Upsert under the learner's row lock; return the allowance and the minutes it had before (0 if new)."""
    allowance = StudentAllowance.objects.select_for_update().filter(user=user, exam=exam).first()
    previous = allowance.extra_time_mins if allowance else 0
    if allowance is None:
        allowance = StudentAllowance(user=user, exam=exam)
    unchanged = allowance.pk and previous == minutes and allowance.time_multiplier == spec.time_multiplier
    if not unchanged:
        allowance.extra_time_mins = minutes
        allowance.time_multiplier = spec.time_multiplier
        allowance.save()
    return allowance, previous


def _allowance_reason(previous: int, minutes: int | None) -> str:
    """Return the reason a running attempt's clock moves: "allowance: +15 minutes", changed or removed."""
    if minutes is None:
        return f'allowance removed: -{previous} minutes'
    delta = f'{minutes - previous:+d} minutes'
    return f'allowance changed from {previous} to {minutes} minutes: {delta}' if previous else f'allowance: {delta}'


def _running_attempts(*, user: User, exam: Exam) -> list[ExamAttempt]:
    """Lock and return the learner's running attempts at `exam` (each re-checked under its lock)."""
    ids = ExamAttempt.objects.running().filter(user=user, exam=exam).order_by('id')
    locked = [lock_attempt(attempt_id) for attempt_id in ids.values_list('id', flat=True)]
    return [attempt for attempt in locked if attempt.is_active and attempt.status in IN_PROGRESS]


def _shift_running_attempts(*, user: User, exam: Exam, delta_minutes: int) -> None:
    """
    Move the deadline of the learner's running attempt by `delta_minutes`, capped by the due date.

    Like Canvas's "extend time for a current attempt", the change applies to the
    deadline the attempt has now (which may already include a proctoring tool's
    extra time); a paused attempt gets it on the time it has left.
    """
    if not delta_minutes:
        return
    due = timing.get_learner_terms(user_id=user.id, exam=exam).due_date
    for attempt in _running_attempts(user=user, exam=exam):
        _save_clock(attempt, timing.shift_deadline(attempt, seconds=delta_minutes * 60, due_date=due))


def _refresh_running_deadlines(*, user: User, exam: Exam) -> None:
    """After the learner's due date changed: deadline = start + time allowed, capped by the new due date."""
    terms = timing.get_learner_terms(user_id=user.id, exam=exam)
    for attempt in _running_attempts(user=user, exam=exam):
        _save_clock(attempt, timing.refresh_deadline(attempt, terms))


def _save_clock(attempt: ExamAttempt, fields: list[str]) -> None:
    """Save the clock `fields` the timing module changed on the locked `attempt` (nothing if none)."""
    if not fields:
        return
    attempt.save(update_fields=[*fields, 'modified'])
    if 'expires_at' in fields:
        log.info('Attempt deadline moved attempt_id=%s expires_at=%s', attempt.id, attempt.expires_at)

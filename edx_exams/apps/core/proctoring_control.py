"""
What a proctoring tool may do in core, through the LTI app: control the clock, find an attempt, register.

The clock as the tool controls it (LTI Assessment Control Service): `pause`
freezes the clock of a running attempt, `resume` restarts it where it stopped,
and extra time moves the deadline; the arithmetic is the clock's, in `timing`.
Each function locks the attempt row inside a transaction with
`locks.lock_attempt`, as `transition_attempt` does, so a learner's submit, the
expiry sweep and the tool are serialised on the row. None of them changes a
status: that is only ever done in `transitions`.

While paused, `expires_at` is NULL: neither the expiry sweep nor a read submits
a paused attempt, and the seconds that were left wait in
`paused_seconds_remaining`. New deadlines are capped by the exam's due date,
like the deadline fixed at the first start (a learner's personal extension
replaces the exam's due date).
"""

import logging
import math
import uuid
from datetime import datetime

from django.db import transaction
from django.utils import timezone

from edx_exams.apps.core import audit, timing
from edx_exams.apps.core.exceptions import ExamBaseException, ExamIllegalStatusTransition
from edx_exams.apps.core.locks import lock_attempt
from edx_exams.apps.core.models import ExamAttempt, ProctoringProvider
from edx_exams.apps.core.statuses import IN_PROGRESS

log = logging.getLogger(__name__)


def find_attempt_by_resource_link(*, user_id: int, resource_id: uuid.UUID, attempt_number: int) -> ExamAttempt | None:
    """Return the learner's attempt number `attempt_number` at the exam whose LTI resource id is `resource_id`."""
    attempts = ExamAttempt.objects.select_related('exam', 'exam__provider', 'user')
    return attempts.filter(user_id=user_id, exam__resource_id=resource_id, attempt_number=attempt_number).first()


def save_proctoring_provider(
    name: str, *, verbose_name: str, lti_configuration_id: str | None = None
) -> ProctoringProvider:
    """Create or update the proctoring provider `name` (a registered LTI tool) and return it."""
    defaults = {'verbose_name': verbose_name}
    if lti_configuration_id is not None:
        defaults['lti_configuration_id'] = lti_configuration_id
    provider, created = ProctoringProvider.objects.update_or_create(name=name, defaults=defaults)
    log.info('Proctoring provider saved provider=%s created=%s', provider.name, created)
    return provider


def is_attempt_paused(attempt: ExamAttempt) -> bool:
    """Return True if a proctoring tool has paused the clock of `attempt`."""
    return attempt.paused_at is not None and attempt.status in IN_PROGRESS


def pause_attempt_clock(attempt_id: int, *, now: datetime | None = None) -> ExamAttempt:
    """
    Freeze the clock of running attempt `attempt_id` and return it; pausing a paused attempt changes nothing.

    Raises ExamIllegalStatusTransition if the attempt is not running or its time is already up.
    """
    now = now or timezone.now()
    with transaction.atomic():
        attempt = lock_attempt(attempt_id)
        _require_running(attempt, 'pause')
        if attempt.paused_at is not None:
            return attempt
        if timing.is_expired(attempt, now=now):
            raise ExamIllegalStatusTransition(f'The time of attempt {attempt.id} is up; it cannot be paused.')
        fields = timing.pause_clock(attempt, now=now)
        with audit.default_reason('clock paused by the proctoring tool'):
            attempt.save(update_fields=[*fields, 'modified'])
    log.info('Attempt clock paused attempt_id=%s seconds_remaining=%s', attempt.id, attempt.paused_seconds_remaining)
    return attempt


def resume_attempt_clock(attempt_id: int, *, now: datetime | None = None) -> ExamAttempt:
    """
    Restart the clock of paused attempt `attempt_id` with the time that was left, and return it.

    Resuming a running attempt that is not paused changes nothing. Raises
    ExamIllegalStatusTransition if the attempt is not running.
    """
    now = now or timezone.now()
    with transaction.atomic():
        attempt = lock_attempt(attempt_id)
        _require_running(attempt, 'resume')
        if attempt.paused_at is None:
            return attempt
        fields = timing.resume_clock(attempt, now=now)
        with audit.default_reason('clock resumed by the proctoring tool'):
            attempt.save(update_fields=[*fields, 'modified'])
    log.info('Attempt clock resumed attempt_id=%s expires_at=%s', attempt.id, attempt.expires_at)
    return attempt


def add_attempt_time(attempt_id: int, *, minutes: int, now: datetime | None = None) -> tuple[ExamAttempt, int]:
    """
    Give running attempt `attempt_id` `minutes` more (capped by the due date); return it and the minutes added.

    A paused attempt gets the time when it resumes. An attempt without a time
    limit or due date has no clock, so nothing is added. Raises
    ExamIllegalStatusTransition if the attempt is not running.
    """
    if minutes <= 0:
        raise ExamBaseException('Extra time must be a positive number of minutes.')
    now = now or timezone.now()
    with transaction.atomic():
        attempt = lock_attempt(attempt_id)
        _require_running(attempt, 'update')
        added_seconds = timing.extend_clock(attempt, seconds=minutes * 60)
        added_minutes = math.ceil(added_seconds / 60)
        if attempt.allowed_time_limit_mins is not None:
            attempt.allowed_time_limit_mins += added_minutes
        with audit.default_reason(f'proctoring tool: +{added_minutes} minutes'):
            attempt.save(
                update_fields=['expires_at', 'paused_seconds_remaining', 'allowed_time_limit_mins', 'modified']
            )
    log.info('Attempt time added attempt_id=%s minutes=%s', attempt.id, added_minutes)
    return attempt, added_minutes


def _require_running(attempt: ExamAttempt, action: str) -> None:
    """Refuse `action` unless the locked attempt is running and was not reset meanwhile."""
    if not attempt.is_active:
        raise ExamIllegalStatusTransition(f'Attempt {attempt.id} was reset; it can no longer change.')
    if attempt.status not in IN_PROGRESS:
        raise ExamIllegalStatusTransition(f'Action {action} is not allowed on an attempt that is {attempt.status}.')

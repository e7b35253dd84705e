"""
The attempt lifecycle: create, act on, read (expiring on read) and sweep.

Every action names its row of the action table (`core.actions`); `_act` hands
the row to `transitions.transition_attempt`, which checks it on the locked row.
The verbs other apps call (through `core.api`) are `update_attempt_with_action`
(REST and admin), `mark_download_software_clicked`, `mark_ready_to_start`,
`submit_attempt` and `end_attempt_for_proctor` (LTI), `create_exam_attempt`
and `expire_overdue_attempts` (the beat task).
"""

import logging
import math
from datetime import datetime, timedelta
from typing import cast, overload

from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone

from edx_exams.apps.core import audit, learner_reads, timing
from edx_exams.apps.core.actions import ACTIONS, DECIDED, PROCTORING_OUTCOMES, REST_ACTIONS, Actor, AttemptAction
from edx_exams.apps.core.exam_types import RETAKEABLE_TYPES, ExamType
from edx_exams.apps.core.exceptions import (
    AnotherAttemptInProgress,
    ExamAttemptDoesNotExist,
    ExamAttemptOnPastDueExam,
    ExamBaseException,
    ExamDoesNotExist,
    ExamIllegalStatusTransition,
    ExamPermissionDenied,
)
from edx_exams.apps.core.locks import lock_attempt, lock_learner, share_lock_exam
from edx_exams.apps.core.models import AttemptReview, CourseExamConfiguration, Exam, ExamAttempt, User
from edx_exams.apps.core.roles import is_course_staff
from edx_exams.apps.core.statuses import IN_PROGRESS, PRE_STARTED
from edx_exams.apps.core.statuses import ExamAttemptStatus as S
from edx_exams.apps.core.transitions import (
    ArchiveReason,
    archive_attempt,
    decide_review,
    submit_if_expired,
    transition_attempt,
)

log = logging.getLogger(__name__)

# The actions of PUT /api/v1/exams/attempt/{id}, from the action table.
ATTEMPT_ACTIONS = REST_ACTIONS


def get_exam(exam_id: int) -> Exam:
    """Return the exam with `exam_id`, or raise ExamDoesNotExist."""
    try:
        return Exam.objects.select_related('provider').get(pk=exam_id)
    except Exam.DoesNotExist as error:
        raise ExamDoesNotExist(f'Exam with id {exam_id} does not exist.') from error


def get_active_exam_by_content(*, course_id: str, content_id: str) -> Exam | None:
    """Return the active exam of `course_id` for `content_id`, or None if the content is not an exam."""
    exams = Exam.objects.select_related('provider').filter(course_id=course_id, content_id=content_id, is_active=True)
    return exams.first()


def get_active_exam_with_terms(
    *, course_id: str, content_id: str, user_id: int
) -> tuple[Exam | None, timing.LearnerTerms]:
    """Return the active exam of `content_id` (or None) and the learner's terms on it, in one query."""
    return learner_reads.active_exam_at_content(course_id, content_id, user_id)


def get_exam_with_terms(exam_id: int, *, user_id: int) -> tuple[Exam, timing.LearnerTerms]:
    """Return the exam with `exam_id` and the learner's terms on it, in one query; ExamDoesNotExist if none."""
    exam, terms = learner_reads.exam_by_id(exam_id, user_id)
    if exam is None:
        raise ExamDoesNotExist(f'Exam with id {exam_id} does not exist.')
    return exam, terms


def get_attempt(attempt_id: int) -> ExamAttempt:
    """Return the attempt with `attempt_id` (with its exam and user), or raise ExamAttemptDoesNotExist."""
    try:
        return ExamAttempt.objects.select_related('exam', 'exam__provider', 'user').get(pk=attempt_id)
    except ExamAttempt.DoesNotExist as error:
        raise ExamAttemptDoesNotExist(f'Attempt with id {attempt_id} does not exist.') from error


def get_current_attempt(*, user: User, exam: Exam, now: datetime | None = None) -> ExamAttempt | None:
    """
    Return the learner's current attempt at `exam`, submitting it first if its time ran out.

    Attempts are found by the exam's course and content id, not its row: when a
    provider change or a republish replaced the row, the learner's attempt on the
    retired row is still theirs (they must not get a fresh try at it).
    """
    return _expire_on_read(learner_reads.current_attempt(user, exam), now=now)


def get_latest_attempt(*, user: User, content_id: str | None = None, now: datetime | None = None) -> ExamAttempt | None:
    """
    Return the attempt behind GET /exams/attempt/latest.

    With `content_id`: the learner's latest attempt at that content, whatever its
    status. Without: the learner's running attempt in any exam. A running attempt
    whose time is up is submitted first, so it is returned once as `submitted`.
    """
    return get_latest_attempt_with_terms(user=user, content_id=content_id, now=now)[0]


def get_latest_attempt_with_terms(
    *, user: User, content_id: str | None = None, now: datetime | None = None
) -> tuple[ExamAttempt | None, timing.LearnerTerms]:
    """`get_latest_attempt` and the learner's terms on the attempt's exam, read in the same query."""
    attempt, terms = learner_reads.latest_attempt(user, content_id)
    return _expire_on_read(attempt, now=now), terms


def create_exam_attempt(*, user: User, exam_id: int, start_clock: bool, now: datetime | None = None) -> ExamAttempt:
    """
    Create the learner's attempt at `exam_id` (or return the one that exists) and start it if asked.

    Double clicks and two tabs get the same attempt: creating and starting
    attempts are serialised per learner on their user row, so the second request
    finds what the first one made (the unique constraint on user, exam and
    attempt number backs this up). The clock starts only for attempts taken
    without proctoring; a proctored attempt starts when the tool says it is ready.
    """
    now = now or timezone.now()
    exam, terms = get_exam_with_terms(exam_id, user_id=user.id)
    _check_exam_open(exam, terms=terms, now=now)
    with transaction.atomic():
        share_lock_exam(exam.id)  # before the learner's row: the new attempt points at the exam
        lock_learner(user.id)
        attempt = get_current_attempt(user=user, exam=exam, now=now)
        if attempt is None or attempt.ready_to_resume:
            attempt = _insert_attempt(user=user, exam=exam, resuming=attempt)
        if start_clock and not attempt.taking_as_proctored and attempt.status == S.CREATED:
            attempt = start_attempt(attempt=attempt, actor=user, now=now)
    return attempt


def start_attempt(
    *, attempt: ExamAttempt, actor: User, now: datetime | None = None, allowed_from: frozenset[str] | None = None
) -> ExamAttempt:
    """
    Start (or continue) `attempt`, refusing while another exam of the learner is running.

    The learner's user row is locked first, so two exams started at once in two
    tabs cannot both pass the one-running-exam check. `allowed_from` limits the
    statuses it may start from (checked under the attempt's row lock).
    """
    now = now or timezone.now()
    with transaction.atomic():
        lock_learner(attempt.user_id)
        if attempt.status not in IN_PROGRESS:
            _check_no_other_running_attempt(attempt, now=now)
        attempt, _ = transition_attempt(attempt.id, S.STARTED, actor=actor, now=now, allowed_from=allowed_from)
    return attempt


def update_attempt_with_action(
    *, attempt_id: int, action: str, actor: User, detail: str = '', comment: str = ''
) -> ExamAttempt:
    """
    Apply a learner or staff `action` (a REST row of the action table) to attempt `attempt_id`; return the attempt.

    For `reset_attempt` that is the new attempt. `comment` goes with a staff
    review (verify, reject). Raises ExamPermissionDenied when the actor may not
    act, ExamIllegalStatusTransition when the status forbids it. The history
    rows it writes name the actor of the action's row (learner or staff),
    whichever entry point called.
    """
    rule = _rest_action(action)
    attempt = get_attempt(attempt_id)
    _check_actor_may_act(attempt, rule, actor)
    with audit.acting(actor=rule.actor.value):
        return _apply_action(attempt, rule, actor=actor, detail=detail, comment=comment)


def _apply_action(attempt: ExamAttempt, rule: AttemptAction, *, actor: User, detail: str, comment: str) -> ExamAttempt:
    """Apply the checked `rule` to `attempt` (see `update_attempt_with_action`)."""
    action = rule.name
    now = timezone.now()
    if not attempt.is_active and rule.actor != Actor.STAFF and rule.name != 'reset_attempt':
        return _act_on_inactive(attempt, action)
    attempt = _expire_on_read(attempt, now=now)
    if rule.name in ('verify', 'reject'):
        return _review(attempt, rule, actor=actor, now=now, comment=comment)
    if rule.name == 'resume':
        return _mark_ready_to_resume(attempt, rule, actor=actor)[0]
    if rule.name == 'reset_attempt':
        return _retake(attempt, rule, actor=actor)
    return _apply_learner_action(attempt, rule, actor=actor, now=now, detail=detail)


def mark_download_software_clicked(attempt_id: int, *, actor: User) -> ExamAttempt:
    """Record that the learner launched the proctoring tool's set-up (LTI start proctoring): `start_proctoring`."""
    attempt, _ = _act(attempt_id, ACTIONS['start_proctoring'], actor=actor)
    return attempt


def mark_ready_to_start(attempt_id: int, *, actor: User, now: datetime | None = None) -> ExamAttempt:
    """Record that the proctoring tool reported the learner ready (LtiStartAssessment): `start_assessment`."""
    attempt, _ = _act(attempt_id, ACTIONS['start_assessment'], actor=actor, now=now)
    return attempt


def submit_attempt(attempt_id: int, *, actor: User) -> ExamAttempt:
    """
    Submit the learner's attempt from the LTI end-assessment launch: action `end_assessment`.

    Submitting a completed attempt changes nothing; a reset one is refused.
    """
    attempt, _ = _act(attempt_id, ACTIONS['end_assessment'], actor=actor)
    return attempt


def end_attempt_for_proctor(attempt_id: int, *, outcome: str) -> ExamAttempt:
    """
    End attempt `attempt_id` as its proctoring tool terminated it, with `outcome` (a PROCTORING_OUTCOMES status).

    An attempt not started yet moves to error; a running one is submitted, then
    moved to `outcome`. A repeated terminate, or one on an attempt already
    decided (verified, rejected, error, possibly by staff), changes nothing.
    """
    with transaction.atomic():
        attempt = lock_attempt(attempt_id)
        if attempt.status in DECIDED:
            return attempt
        if attempt.status in PRE_STARTED:
            attempt, _ = _act(attempt_id, ACTIONS['terminate_before_start'], actor=None)
            return attempt
        _act(attempt_id, ACTIONS['terminate'], actor=None)
        attempt, _ = _act(attempt_id, PROCTORING_OUTCOMES[outcome], actor=None)
    return attempt


def _act(
    attempt_id: int, rule: AttemptAction, *, actor: User | None, now: datetime | None = None
) -> tuple[ExamAttempt, bool]:
    """Make the move of action `rule`, checked on the locked row against its allowed and already-done statuses."""
    return transition_attempt(
        attempt_id,
        cast(str, rule.to_status),
        actor=actor,
        now=now,
        allowed_from=rule.allowed_from | rule.already_done,
        idempotent_from=rule.already_done,
    )


def _rest_action(action: str) -> AttemptAction:
    if action not in REST_ACTIONS:
        raise ExamBaseException(f'Unknown action {action}.')
    return ACTIONS[action]


def _apply_learner_action(
    attempt: ExamAttempt, rule: AttemptAction, *, actor: User, now: datetime, detail: str
) -> ExamAttempt:
    """Apply a learner's action of the table to the learner's own, active attempt."""
    if rule.name == 'start':
        _require_status(attempt, rule)
        return start_attempt(attempt=attempt, actor=actor, now=now, allowed_from=rule.allowed_from)
    if rule.name == 'submit':
        return _submit(attempt, rule, actor=actor, now=now)
    if rule.name == 'error':
        log.warning('Learner reported an error attempt_id=%s user_id=%s detail=%r', attempt.id, actor.id, detail[:500])
        _require_status(attempt, rule)
    if rule.name == 'click_download_software':
        _require(attempt.taking_as_proctored, 'Only proctored attempts launch the proctoring software.')
    if rule.name == 'decline':
        _decline_checks(attempt, rule)
    attempt, _ = _act(attempt.id, rule, actor=actor, now=now)
    return attempt


def _submit(attempt: ExamAttempt, rule: AttemptAction, *, actor: User, now: datetime) -> ExamAttempt:
    """Submit the learner's attempt; one reset while the request ran answers unchanged, like any reset one."""
    try:
        attempt, _ = _act(attempt.id, rule, actor=actor, now=now)
    except ExamIllegalStatusTransition:
        current = get_attempt(attempt.id)
        if current.is_active:
            raise
        return _act_on_inactive(current, 'submit')
    return attempt


def expire_overdue_attempts(*, now: datetime | None = None, batch_size: int = 500) -> int:
    """
    Submit every running attempt past its deadline plus the grace period; return how many.

    Run by the Celery beat sweep, so a learner who closed the tab is submitted
    too. Each attempt is submitted under its own row lock; one whose learner
    submitted in the meantime is left as it is. A reset attempt is history and
    is left as it was (submitting it would tell the LMS the reset exam was done).
    """
    now = now or timezone.now()
    grace = timing.expiry_grace_seconds()
    cutoff = now - timedelta(seconds=grace)
    ids = list(
        ExamAttempt.objects.running()
        .filter(expires_at__lte=cutoff)
        .order_by('expires_at')
        .values_list('id', flat=True)[:batch_size]
    )
    submitted = 0
    for attempt in ExamAttempt.objects.select_related('exam', 'user').filter(id__in=ids):
        swept = submit_if_expired(attempt, now=now, grace_seconds=grace, noticed_by=audit.Actor.EXPIRY_SWEEP)
        if swept.status == S.SUBMITTED:
            submitted += 1
    if submitted:
        log.info('Expiry sweep submitted count=%s', submitted)
    return submitted


def _act_on_inactive(attempt: ExamAttempt, action: str) -> ExamAttempt:
    """
    Refuse a learner's action on a reset, retaken or resumed attempt: it is history (staff may still review it).

    A `submit` answers with the attempt unchanged, because the learner library
    re-sends it when its timer ends and may still hold a reset attempt's id.
    """
    if action == 'submit':
        return attempt
    raise ExamIllegalStatusTransition(f'Attempt {attempt.id} was reset or replaced; it can no longer change.')


@overload
def _expire_on_read(attempt: ExamAttempt, *, now: datetime | None) -> ExamAttempt: ...
@overload
def _expire_on_read(attempt: None, *, now: datetime | None) -> None: ...
@overload
def _expire_on_read(attempt: ExamAttempt | None, *, now: datetime | None) -> ExamAttempt | None: ...
def _expire_on_read(attempt: ExamAttempt | None, *, now: datetime | None) -> ExamAttempt | None:
    """Submit `attempt` if its time is up (a reset attempt is left alone); return the attempt as it is now."""
    if attempt is None or not attempt.is_active:  # a reset attempt is history, never submitted
        return attempt
    return submit_if_expired(attempt, now=now or timezone.now())


def _check_exam_open(exam: Exam, *, terms: timing.LearnerTerms, now: datetime) -> None:
    if not exam.is_active:
        raise ExamDoesNotExist(f'Exam with id {exam.id} is not active.')
    if exam.exam_type != ExamType.PRACTICE and terms.is_past_due(now):
        raise ExamAttemptOnPastDueExam()


def _insert_attempt(*, user: User, exam: Exam, resuming: ExamAttempt | None = None) -> ExamAttempt:
    """Create the next attempt number (continuing `resuming` if given); a concurrent twin returns the winner."""
    number = (ExamAttempt.objects.filter(user=user, exam=exam).aggregate(n=Max('attempt_number'))['n'] or 0) + 1
    reason = None
    if resuming is not None:
        reason = f'resumes attempt {resuming.pk} with {_time_left_text(resuming.seconds_remaining_at_error)}'
    try:
        with transaction.atomic(), audit.acting(reason=reason):
            if resuming is not None:
                _archive_resumed(resuming)
            return ExamAttempt.objects.create(
                user=user,
                exam=exam,
                attempt_number=number,
                taking_as_proctored=exam.is_proctored,
                resumed_from=resuming,
                carried_seconds_remaining=resuming.seconds_remaining_at_error if resuming else None,
            )
    except IntegrityError:
        # A concurrent request (double click, second tab) created it first.
        return ExamAttempt.objects.select_related('exam', 'user').get(user=user, exam=exam, attempt_number=number)


def _time_left_text(seconds: float | None) -> str:
    """Return the time a resume carries as its reason says it: "754 seconds left", or "no time limit"."""
    return 'no time limit' if seconds is None else f'{math.ceil(seconds)} seconds left'


def _archive_resumed(attempt: ExamAttempt) -> None:
    """Take the errored attempt out of the learner's view once its continuation exists."""
    locked = lock_attempt(attempt.pk)
    if not (locked.is_active and locked.ready_to_resume):  # a concurrent request resumed it first
        raise IntegrityError('attempt already resumed')
    with audit.acting(reason='continued in a new attempt'):
        archive_attempt(locked, reason=ArchiveReason.RESUMED, actor=None, now=timezone.now())


def _check_no_other_running_attempt(attempt: ExamAttempt, *, now: datetime) -> None:
    others = ExamAttempt.objects.running().select_related('exam', 'user').filter(user_id=attempt.user_id)
    for other in others.exclude(pk=attempt.pk):
        if submit_if_expired(other, now=now).status in IN_PROGRESS:
            raise AnotherAttemptInProgress(f'Attempt {other.id} of exam {other.exam_id} is in progress.')


def _check_actor_may_act(attempt: ExamAttempt, rule: AttemptAction, actor: User) -> None:
    if rule.actor == Actor.STAFF:
        if not is_course_staff(actor, attempt.exam.course_id):
            raise ExamPermissionDenied('Only course staff may review attempts.')
    elif attempt.user_id != actor.id:
        raise ExamPermissionDenied('You may only act on your own attempts.')


def _review(attempt: ExamAttempt, rule: AttemptAction, *, actor: User, now: datetime, comment: str) -> ExamAttempt:
    """Record a staff decision with its reviewer and comment, in the transaction of the status change."""
    _require_status(attempt, rule)
    decision = cast(str, rule.to_status)
    with transaction.atomic():
        attempt, changed = decide_review(attempt.id, decision, actor=actor, now=now)
        if changed or comment:
            AttemptReview.objects.create(
                attempt=attempt, reviewer=actor, decision=decision, comment=comment, source=audit.current().source
            )
    log.info('Attempt reviewed attempt_id=%s decision=%s reviewer_id=%s', attempt.id, decision, actor.id)
    return attempt


def resume_errored_attempt(attempt_id: int, *, actor: User) -> tuple[ExamAttempt, bool]:
    """Staff's `resume` action on attempt `attempt_id`, also saying whether this call made it ready to resume."""
    rule = _rest_action('resume')
    attempt = get_attempt(attempt_id)
    _check_actor_may_act(attempt, rule, actor)
    return _mark_ready_to_resume(_expire_on_read(attempt, now=timezone.now()), rule, actor=actor)


def _mark_ready_to_resume(attempt: ExamAttempt, rule: AttemptAction, *, actor: User) -> tuple[ExamAttempt, bool]:
    """Let the learner continue an errored attempt (their next start continues it); say if this call did."""
    _require_status(attempt, rule)
    if attempt.start_time is None:
        raise ExamIllegalStatusTransition('This attempt never started; reset it instead of resuming it.')
    reason = f'ready to resume with {_time_left_text(attempt.seconds_remaining_at_error)}'
    with transaction.atomic(), audit.default_reason(reason):
        locked = lock_attempt(attempt.pk)
        changed = locked.status == S.ERROR and locked.is_active and not locked.ready_to_resume
        if changed:
            locked.ready_to_resume = True
            locked.save(update_fields=['ready_to_resume', 'modified'])
    log.info(
        'Attempt ready to resume attempt_id=%s seconds_left=%s actor_id=%s',
        attempt.id,
        locked.seconds_remaining_at_error,
        actor.id,
    )
    return locked, changed


def _retake(attempt: ExamAttempt, rule: AttemptAction, *, actor: User) -> ExamAttempt:
    """
    Archive a finished practice or onboarding attempt (as a reset) and create the next attempt number.

    The new attempt is taken on the subsection's active exam row: when a provider
    change or a republish replaced the row, the retry launches the course's current tool.
    """
    exam = get_active_exam_by_content(course_id=attempt.exam.course_id, content_id=attempt.exam.content_id)
    exam = exam or attempt.exam
    retakeable = attempt.exam.exam_type in RETAKEABLE_TYPES and exam.exam_type in RETAKEABLE_TYPES
    _require(retakeable, 'Only practice and onboarding exams can be retaken.')
    _require_status(attempt, rule)
    with transaction.atomic():
        share_lock_exam(exam.id)  # lock order: exam, learner, attempt (the new attempt points at both)
        locked = lock_attempt(attempt.pk)
        if not locked.is_active:  # a concurrent retake already archived it (or staff reset it)
            current = get_current_attempt(user=attempt.user, exam=attempt.exam)
            if current is None:
                raise ExamIllegalStatusTransition(f'Attempt {attempt.id} was reset; start a new attempt instead.')
            return current
        # The LMS clears the subsection's answers and completion, so the retry starts clean.
        archive_attempt(locked, reason=ArchiveReason.RETAKEN, actor=actor, now=timezone.now())
        numbers = ExamAttempt.objects.filter(user=attempt.user, exam=exam).aggregate(n=Max('attempt_number'))
        new = ExamAttempt.objects.create(
            user=attempt.user,
            exam=exam,
            attempt_number=max(locked.attempt_number, numbers['n'] or 0) + 1,
            taking_as_proctored=exam.is_proctored,
        )
    log.info('Attempt retaken old_attempt_id=%s new_attempt_id=%s user_id=%s', attempt.id, new.id, actor.id)
    return new


def _decline_checks(attempt: ExamAttempt, rule: AttemptAction) -> None:
    _require(attempt.exam.exam_type == ExamType.PROCTORED, 'Only proctored exams can be taken without proctoring.')
    config = CourseExamConfiguration.objects.filter(course_id=attempt.exam.course_id).first()
    _require(config is not None and config.allow_opt_out, 'This course does not allow opting out of proctoring.')
    _require_status(attempt, rule)


def _require_status(attempt: ExamAttempt, rule: AttemptAction) -> None:
    """Refuse `rule` early, on the attempt as read (the locked row is checked again when it moves)."""
    if not rule.may_start_from(attempt.status):
        raise ExamIllegalStatusTransition(f'Action {rule.name} is not allowed on an attempt that is {attempt.status}.')


def _require(condition: bool, message: str) -> None:
    if not condition:
        raise ExamBaseException(message)

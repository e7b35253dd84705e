"""
The public Python API of the events app: what receivers, tasks, the admin and commands call.

The outbox lives in `outbox.py`, the bus adapter in `bus.py`, the learner emails
in `emails.py`; this module decides which transition produces what.
"""

import logging

from edx_exams.apps.core.api import ExamAttempt, ExamAttemptStatus, User
from edx_exams.apps.events.emails import schedule_status_email, send_status_email
from edx_exams.apps.events.models import OutboxEvent
from edx_exams.apps.events.outbox import (
    prune_sent_events,
    publish_attempt_events,
    publish_outbox_event,
    record_attempt_event,
    retry_unsent_events,
    scrub_retired_user_events,
)
from edx_exams.apps.events.payloads import RESET_EVENT, STATUS_EVENTS

log = logging.getLogger(__name__)

__all__ = [
    'prune_sent_events',
    'publish_attempt_events',
    'publish_outbox_event',
    'record_attempt_reset',
    'record_attempt_status_change',
    'retry_unsent_events',
    'scrub_retired_user_events',
    'send_status_email',
]


def record_attempt_status_change(
    attempt: ExamAttempt, *, from_status: str, to_status: str, actor: User | None
) -> OutboxEvent | None:
    """
    Record what the LMS and the learner must hear about `attempt` moving into `to_status`.

    Called inside the transition's transaction. Writes the outbox event for
    submitted, verified, rejected and error (one per transition: a repeated submit
    does not transition) and queues the learner's email for proctored exams.
    The submitted event names the learner as the requesting user, as the LMS expects;
    review outcomes name nobody.
    """
    event = None
    signal = STATUS_EVENTS.get(to_status)
    if signal is not None:
        requesting_user = attempt.user if to_status == ExamAttemptStatus.SUBMITTED else None
        event = record_attempt_event(attempt, signal=signal, requesting_user=requesting_user)
    schedule_status_email(attempt, status=to_status)
    return event


def record_attempt_reset(attempt: ExamAttempt, *, actor: User | None) -> OutboxEvent:
    """
    Record the EXAM_ATTEMPT_RESET event of `attempt`, reset by `actor`.

    Called inside the reset's transaction. The LMS resets the learner's problem
    state only when the requesting user is a user it knows; without an actor, or
    with one the LMS does not know (a Django admin who signed in with a password
    has no LMS user id), the learner themselves is named.
    """
    if actor is None or actor.lms_user_id is None:
        log.warning(
            'Attempt reset by a user without an LMS user id attempt_id=%s actor_id=%s; naming the learner',
            attempt.id,
            actor.id if actor else None,
        )
        actor = attempt.user
    return record_attempt_event(attempt, signal=RESET_EVENT, requesting_user=actor)

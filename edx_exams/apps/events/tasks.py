"""Celery tasks of the events app: thin wrappers around events.api, taking ids."""

import logging
import smtplib
from typing import Any

from celery import Task, shared_task
from django.conf import settings

from edx_exams.apps.events import api

log = logging.getLogger(__name__)

# Publishing to the broker when a transition commits: one quick retry, then leave it to the sweeps.
ENQUEUE_RETRY_POLICY = {'max_retries': 1, 'interval_start': 0, 'interval_step': 0.5, 'interval_max': 0.5}


def enqueue(task: Task, *args: Any) -> bool:
    """
    Queue `task` with `args` and return True, or log and return False if it cannot be queued.

    Used from `transaction.on_commit`, after the learner's change is saved: a broker
    (or, with eager Celery, a task) failure must not turn that request into an error.
    Unsent events are picked up again by the retry sweep.
    """
    try:
        task.apply_async(args=args, retry=True, retry_policy=ENQUEUE_RETRY_POLICY)
    except Exception:  # the change is committed; report and carry on
        log.exception('Could not queue task=%s args=%s', task.name, args)
        return False
    return True


@shared_task(name='edx_exams.apps.events.tasks.publish_event', ignore_result=True)
def publish_event(outbox_id: int) -> bool:
    """Publish outbox event `outbox_id` (and earlier unsent events of its attempt); failures wait for the sweep."""
    return api.publish_outbox_event(outbox_id)


@shared_task(name='edx_exams.apps.events.tasks.retry_unsent_events', ignore_result=True)
def retry_unsent_events() -> int:
    """Beat task: retry unsent events whose backoff has elapsed."""
    return api.retry_unsent_events()


@shared_task(name='edx_exams.apps.events.tasks.prune_sent_events', ignore_result=True)
def prune_sent_events() -> int:
    """Beat task: delete events sent longer ago than the retention period."""
    return api.prune_sent_events()


@shared_task(bind=True, name='edx_exams.apps.events.tasks.send_attempt_status_email', ignore_result=True)
def send_attempt_status_email(self: Task, attempt_id: int, status: str) -> bool:
    """Email the learner of attempt `attempt_id` that it moved into `status`; retry with backoff if mail fails."""
    try:
        return api.send_status_email(attempt_id, status=status)
    except (smtplib.SMTPException, OSError) as error:
        retries = self.request.retries
        countdown = min(settings.EXAM_EMAIL_RETRY_BASE_SECONDS * 2**retries, 3600)
        log.warning(
            'Attempt status email failed attempt_id=%s status=%s retries=%s error=%r',
            attempt_id,
            status,
            retries,
            error,
        )
        raise self.retry(exc=error, countdown=countdown, max_retries=settings.EXAM_EMAIL_MAX_RETRIES) from error

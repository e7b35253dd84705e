"""
The transactional outbox of exam attempt events.

1. `record_attempt_event` runs inside the transaction that changes the attempt
   (a receiver of core's ATTEMPT_STATUS_CHANGED / ATTEMPT_RESET) and writes one row.
2. On commit, a Celery task runs `publish_outbox_event`, which publishes the
   unsent rows of the learner's exam oldest first and marks each sent once the bus took it.
3. The beat task `retry_unsent_events` retries unsent rows with exponential
   backoff; `prune_sent_events` deletes sent rows after the retention period.

A publisher first claims a row with a conditional UPDATE (no lock is held while
talking to the bus); a claim that runs out lets another publisher take over.
A learner's events about one exam (its `order_key`, across attempts: errored and
resumed, reset and taken again) go out in the order they were written: publishing
stops at the first one that cannot be published, and a later event never overtakes it.
"""

import logging
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone
from openedx_events.data import EventsMetadata
from openedx_events.tooling import OpenEdxPublicSignal

from edx_exams.apps.core.models import ExamAttempt, User
from edx_exams.apps.events import bus
from edx_exams.apps.events.models import OutboxEvent
from edx_exams.apps.events.payloads import exam_attempt_data, exam_attempt_payload

log = logging.getLogger(__name__)

# A learner's exam has a handful of events; this only guards against a runaway loop.
MAX_EVENTS_PER_RUN = 100
# The sweep stops early when the bus failed this many times in a row: it is down.
SWEEP_FAILURES_BEFORE_GIVING_UP = 3


def record_attempt_event(
    attempt: ExamAttempt, *, signal: OpenEdxPublicSignal, requesting_user: User | None
) -> OutboxEvent:
    """
    Write the outbox row of `signal` for `attempt` and publish it once the transaction commits.

    Call it inside the transaction that changed the attempt: the row commits or
    rolls back with the change. If the task cannot be queued (broker down), the
    row waits for the retry sweep; the caller's request is not affected.
    """
    now = timezone.now()
    event = OutboxEvent.objects.create(
        event_type=signal.event_type,
        event_id=uuid.uuid1(),
        attempt_id=attempt.id,
        order_key=order_key(attempt),
        event_data=exam_attempt_payload(attempt, requesting_user=requesting_user),
        next_try_at=now,
    )
    log.info(
        'Event recorded outbox_id=%s event_type=%s attempt_id=%s user_id=%s',
        event.id,
        event.event_type,
        attempt.id,
        attempt.user_id,
    )
    transaction.on_commit(lambda: _enqueue_publish(event.id))
    return event


def publish_outbox_event(outbox_id: int, *, now: datetime | None = None) -> bool:
    """
    Publish outbox row `outbox_id` after any earlier unsent event of its order key; return True once it is sent.

    False means it is left for the retry sweep: the bus failed, or another publisher
    holds it or an earlier event of the learner's exam.
    """
    event = OutboxEvent.objects.filter(pk=outbox_id).only('order_key', 'sent_at').first()
    if event is None:
        log.warning('Outbox event not found outbox_id=%s', outbox_id)
        return False
    if event.sent_at is None:
        _publish_in_order(event.order_key, now=now)
    return OutboxEvent.objects.filter(pk=outbox_id, sent_at__isnull=False).exists()


def publish_attempt_events(attempt_id: int, *, now: datetime | None = None) -> int:
    """
    Publish the unsent events of attempt `attempt_id`, with any earlier ones of the learner's exam; return the count.

    Events go out oldest first and stop at the first failure.
    """
    keys = OutboxEvent.objects.filter(attempt_id=attempt_id, sent_at__isnull=True).values_list('order_key', flat=True)
    return sum(_publish_in_order(key, now=now).sent for key in set(keys))


def retry_unsent_events(*, now: datetime | None = None, batch_size: int = 200) -> int:
    """
    Publish the unsent events whose retry time has come, in order per learner and exam; return how many were sent.

    Run by the beat sweep. A learner's exam is retried when its oldest unsent event is due:
    a later event never makes an earlier one skip its backoff. The sweep gives up
    early when the bus failed for several learners' exams in a row, since it is then most
    likely down and the next sweep will try again; an event that cannot be built
    (say, a learner without an LMS user id) only waits for its own next try.
    Each claim is taken with the clock of its own moment (unless a test fixes `now`):
    a sweep slowed down by the bus must not make claims that have already run out.
    """
    started = now or timezone.now()
    due = OutboxEvent.objects.filter(sent_at__isnull=True, next_try_at__lte=started).filter(
        Q(claimed_until__isnull=True) | Q(claimed_until__lt=started)
    )
    keys = list(dict.fromkeys(due.order_by('id').values_list('order_key', flat=True)[:batch_size]))
    sent = bus_failures = 0
    for done, key in enumerate(keys, start=1):
        run = _publish_in_order(key, now=now, due_only=True)
        sent += run.sent
        if run.sent:
            bus_failures = 0
        bus_failures += run.bus_failed
        if bus_failures >= SWEEP_FAILURES_BEFORE_GIVING_UP:
            log.warning('Event retry sweep stopped early sent=%s order_keys_left=%s', sent, len(keys) - done)
            break
    if keys:
        log.info('Event retry sweep order_keys=%s sent=%s', len(keys), sent)
    return sent


def prune_sent_events(*, now: datetime | None = None, batch_size: int = 1000) -> int:
    """Delete events sent more than EVENT_OUTBOX_RETENTION_DAYS ago; return how many."""
    cutoff = (now or timezone.now()) - timedelta(days=settings.EVENT_OUTBOX_RETENTION_DAYS)
    deleted = 0
    while True:
        ids = list(OutboxEvent.objects.filter(sent_at__lt=cutoff).values_list('id', flat=True)[:batch_size])
        if not ids:
            break
        deleted += OutboxEvent.objects.filter(id__in=ids).delete()[0]
    if deleted:
        log.info('Pruned sent events count=%s retention_days=%s', deleted, settings.EVENT_OUTBOX_RETENTION_DAYS)
    return deleted


def scrub_retired_user_events(user: User) -> int:
    """
    Replace the personal data of retired `user` in the outbox with what is left on the user; return the row count.

    Matches the learner and the requesting user by LMS user id. Unsent events keep
    going out, with the anonymised username and empty email and name.
    """
    if user.lms_user_id is None:
        return 0
    events = OutboxEvent.objects.filter(
        Q(event_data__student_user__id=user.lms_user_id) | Q(event_data__requesting_user__id=user.lms_user_id)
    )
    scrubbed = {'username': user.username, 'email': user.email or '', 'name': user.full_name or ''}
    count = 0
    for event in events:
        for role in ('student_user', 'requesting_user'):
            if (event.event_data.get(role) or {}).get('id') == user.lms_user_id:
                event.event_data[role]['pii'] = scrubbed
        event.save(update_fields=['event_data'])
        count += 1
    log.info('Outbox events scrubbed user_id=%s count=%s', user.id, count)
    return count


def order_key(attempt: ExamAttempt) -> str:
    """Return the key whose events go out in order: the learner's events about the attempt's exam."""
    return f'{attempt.user_id}:{attempt.exam.content_id}'


def retry_delay_seconds(tries: int) -> int:
    """Return the wait before try number `tries + 1`: doubling from the base, capped at the maximum."""
    base: int = settings.EVENT_OUTBOX_RETRY_BASE_SECONDS
    maximum: int = settings.EVENT_OUTBOX_RETRY_MAX_SECONDS
    factor: int = 2 ** max(tries - 1, 0)
    return min(base * factor, maximum)


def _claim(event: OutboxEvent, *, now: datetime) -> bool:
    """Take `event` for publishing unless it is sent or another publisher holds it; count the try."""
    claimed = (
        OutboxEvent.objects.filter(pk=event.pk, sent_at__isnull=True)
        .filter(Q(claimed_until__isnull=True) | Q(claimed_until__lt=now))
        .update(claimed_until=now + timedelta(seconds=settings.EVENT_OUTBOX_CLAIM_SECONDS), tries=F('tries') + 1)
    )
    if claimed:
        event.tries += 1
    return bool(claimed)


@dataclass
class _Run:
    """What one in-order publishing run of an order key did."""

    sent: int = 0
    # The run stopped because the bus failed (not because the event could not be built, or was held).
    bus_failed: bool = False


def _publish_in_order(key: str, *, now: datetime | None, due_only: bool = False) -> _Run:
    """Publish the unsent events of order key `key` oldest first until one fails or is held; with `due_only`, if due."""
    run = _Run()
    for _ in range(MAX_EVENTS_PER_RUN):
        event = OutboxEvent.objects.filter(order_key=key, sent_at__isnull=True).order_by('id').first()
        if event is None or (due_only and event.next_try_at > (now or timezone.now())):
            break
        if not _claim(event, now=now or timezone.now()):
            break
        error = _publish_claimed(event, now=now or timezone.now())
        if error is not None:
            run.bus_failed = isinstance(error, bus.EventBusError)
            break
        run.sent += 1
    return run


def _publish_claimed(event: OutboxEvent, *, now: datetime) -> Exception | None:
    """Publish a claimed event and mark it sent; return the error that left it unsent, if any."""
    signal = OpenEdxPublicSignal.get_signal_by_type(event.event_type)
    try:
        metadata = EventsMetadata(
            event_type=event.event_type, id=event.event_id, time=event.created, minorversion=signal.minor_version
        )
        event_data = {'exam_attempt': exam_attempt_data(event.event_data)}
    except Exception as error:  # noqa: BLE001 - the event cannot be built: it stays unsent, visible in the admin
        _mark_failed(event, error=error, now=now)
        return error
    try:
        topics = bus.send_event(signal, event_data=event_data, metadata=metadata)
    except Exception as error:  # noqa: BLE001 - whatever went wrong, the event stays unsent and is retried
        _mark_failed(event, error=error, now=now)
        return error
    OutboxEvent.objects.filter(pk=event.pk).update(sent_at=timezone.now(), claimed_until=None, last_error='')
    log.info(
        'Event published outbox_id=%s event_type=%s attempt_id=%s tries=%s topics=%s',
        event.id,
        event.event_type,
        event.attempt_id,
        event.tries,
        ','.join(topics) or '-',
    )
    return None


def _mark_failed(event: OutboxEvent, *, error: Exception, now: datetime) -> None:
    delay = retry_delay_seconds(event.tries)
    OutboxEvent.objects.filter(pk=event.pk).update(
        claimed_until=None, next_try_at=now + timedelta(seconds=delay), last_error=f'{type(error).__name__}: {error}'
    )
    log.warning(
        'Event not published outbox_id=%s event_type=%s attempt_id=%s tries=%s retry_in_s=%s error=%r',
        event.id,
        event.event_type,
        event.attempt_id,
        event.tries,
        delay,
        error,
    )


def _enqueue_publish(outbox_id: int) -> None:
    from edx_exams.apps.events import tasks  # tasks import this module

    tasks.enqueue(tasks.publish_event, outbox_id)

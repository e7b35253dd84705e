"""Models of the events app: the transactional outbox of openedx-events."""

from django.db import models


class OutboxEvent(models.Model):
    """
    One openedx-event for the LMS, written in the transaction that changed the attempt.

    The row commits or rolls back with the status change, so an event exists exactly
    when its transition happened. It stays unsent until the event bus accepted it;
    sent rows are pruned after EVENT_OUTBOX_RETENTION_DAYS.

    .. pii: event_data holds the learner's (and the requesting user's) username, email and
       name, as the openedx-events ExamAttemptData the LMS receives carries them.
    .. pii_types: username, email_address, name
    .. pii_retirement: local_api (replaced by the anonymised values when core sends USER_RETIRED)
    """

    # The openedx-events event type, e.g. org.openedx.learning.exam.attempt.submitted.v1.
    event_type = models.CharField(max_length=255)
    # The CloudEvent id: the same on every retry, so a consumer can drop a duplicate.
    event_id = models.UUIDField(unique=True)
    # No foreign key: a reset may delete the attempt, and its event must still go out.
    attempt_id = models.BigIntegerField()
    # Events with the same key go out in the order they were written: the learner's events
    # about one exam (`<user id>:<content id>`), across attempts (resumed, reset and retaken),
    # since the LMS applies them all to the same credit status, problem state and completion.
    order_key = models.CharField(max_length=300)
    # Everything needed to rebuild ExamAttemptData, as JSON (see events/payloads.py).
    event_data = models.JSONField()
    created = models.DateTimeField(auto_now_add=True)
    # Publishing tries so far, and when the retry sweep may try again.
    tries = models.PositiveIntegerField(default=0)
    next_try_at = models.DateTimeField()
    # A publisher holds the row until then; a crashed publisher's claim simply runs out.
    claimed_until = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True, default='')

    class Meta:
        indexes = [
            models.Index(fields=['attempt_id', 'sent_at'], name='outbox_attempt_sent'),
            models.Index(fields=['order_key', 'sent_at'], name='outbox_order_sent'),
            models.Index(fields=['sent_at', 'next_try_at'], name='outbox_sent_next_try'),
        ]
        ordering = ['id']

    def __str__(self) -> str:
        return f'{self.event_type} for attempt {self.attempt_id} ({"sent" if self.sent_at else "unsent"})'

    @property
    def short_type(self) -> str:
        """The event name without the namespace and version: submitted, verified, ..."""
        return self.event_type.rsplit('.', 2)[-2]

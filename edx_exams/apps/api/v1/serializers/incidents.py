"""Serializers of the incident tools: exam-wide extra time and bulk resume or reset of attempts."""

from rest_framework import serializers

from edx_exams.apps.api.v1.serializers.fields import (
    MAX_ROW_ID,
    StrictBooleanField,
    StrictCharField,
    StrictIntegerField,
)
from edx_exams.apps.core.api import (
    MAX_BULK_ATTEMPTS,
    MAX_EXTRA_TIME_MINS,
    MAX_IDEMPOTENCY_KEY_LENGTH,
    MAX_REASON_LENGTH,
    BulkAction,
    Outcome,
)

REOPEN_REFUSED = (
    'Reopening attempts already submitted by expiry is not supported: the LMS was told they were submitted '
    'and no event undoes that without erasing the answers (docs/decisions/0018). Extend the time before the '
    'expiry sweep submits them, or reset an attempt to let the learner start again.'
)


class ExtendRunningSerializer(serializers.Serializer):
    """POST body of an exam-wide extension."""

    minutes = StrictIntegerField(
        min_value=1, max_value=MAX_EXTRA_TIME_MINS, help_text='Minutes to add to every running or paused attempt.'
    )
    reason = StrictCharField(
        max_length=MAX_REASON_LENGTH, help_text='Why, for the audit record and each attempt history (required).'
    )
    idempotency_key = StrictCharField(
        max_length=MAX_IDEMPOTENCY_KEY_LENGTH,
        help_text='Chosen by the client, unique per extension: a request repeated with the same key (a double click, '
        'a retry) returns the stored result and adds no time; the same key with other minutes or reason is a 422.',
    )
    reopen_expired_within_mins = StrictIntegerField(
        required=False,
        allow_null=True,
        min_value=0,
        max_value=MAX_EXTRA_TIME_MINS,
        help_text='Not supported (ADR 0018): only 0 or null is accepted; any other value is a 400.',
    )

    def validate_reopen_expired_within_mins(self, value):
        """Refuse reopening submitted attempts (ADR 0018)."""
        if value:
            raise serializers.ValidationError(REOPEN_REFUSED)
        return value


class ExtendedAttemptSerializer(serializers.Serializer):
    """An attempt an extension reached."""

    attempt_id = serializers.IntegerField()
    user_id = serializers.IntegerField()
    username = serializers.CharField()
    seconds_added = serializers.FloatField(help_text='Less than the minutes asked when capped by the due date.')


class TimeExtensionSerializer(serializers.Serializer):
    """The stored result of an exam-wide extension (the same on a replay of its key)."""

    id = serializers.IntegerField(source='extension.id')
    exam_id = serializers.IntegerField(source='extension.exam_id')
    minutes = serializers.IntegerField(source='extension.minutes')
    reason = serializers.CharField(source='extension.reason')
    idempotency_key = serializers.CharField(source='extension.idempotency_key')
    granted_by = serializers.CharField(source='extension.granted_by.username', allow_null=True, default=None)
    created = serializers.DateTimeField(source='extension.created')
    replayed = serializers.BooleanField(help_text='True when this key was already used: nothing was added now.')
    extended_count = serializers.IntegerField(source='extension.extended_count')
    capped_count = serializers.IntegerField(source='extension.capped_count')
    capped = ExtendedAttemptSerializer(many=True, help_text='The attempts that got less because of their due date.')


class BulkAttemptsSerializer(serializers.Serializer):
    """POST body of a bulk resume or reset."""

    action = serializers.ChoiceField(choices=[a.value for a in BulkAction])
    statuses = serializers.ListField(
        child=StrictCharField(max_length=64),
        min_length=1,
        max_length=20,
        help_text='Select active attempts in these statuses, e.g. ["error"].',
    )
    since = serializers.DateTimeField(
        required=False, allow_null=True, help_text='Only attempts last changed at or after this time.'
    )
    attempt_ids = serializers.ListField(
        child=StrictIntegerField(min_value=1, max_value=MAX_ROW_ID),
        required=False,
        allow_null=True,
        max_length=MAX_BULK_ATTEMPTS,
        help_text='Only these attempts (of the exam, in the statuses).',
    )
    dry_run = StrictBooleanField(help_text='True: only report what would happen.')
    reason = StrictCharField(max_length=MAX_REASON_LENGTH, help_text='Why, for each attempt history (required).')


class BulkItemSerializer(serializers.Serializer):
    """One selected attempt and what happened to it."""

    attempt_id = serializers.IntegerField()
    user_id = serializers.IntegerField()
    username = serializers.CharField()
    status = serializers.CharField(help_text='Its status when selected.')
    outcome = serializers.ChoiceField(choices=[o.value for o in Outcome])
    detail = serializers.CharField(help_text='Why it was skipped or failed; empty otherwise.')


class BulkResultSerializer(serializers.Serializer):
    """The outcome of a bulk call: counts and one item per selected attempt."""

    action = serializers.ChoiceField(choices=[a.value for a in BulkAction])
    dry_run = serializers.BooleanField()
    selected_count = serializers.SerializerMethodField()
    counts = serializers.SerializerMethodField()
    attempts = BulkItemSerializer(source='items', many=True)

    def get_selected_count(self, result) -> int:
        """Return how many attempts were selected."""
        return len(result.items)

    def get_counts(self, result) -> dict[str, int]:
        """Return how many attempts had each outcome."""
        return {outcome.value: result.count(outcome) for outcome in Outcome}

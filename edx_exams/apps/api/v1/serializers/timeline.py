"""Serializers of an attempt's timeline (GET /api/v1/instructor_view/attempt/{attempt_id}/timeline)."""

from typing import Any

from rest_framework import serializers

from edx_exams.apps.core import api

ACTORS = [*api.AuditActor.values, 'unknown']
SOURCES = [*api.AuditSource.values, 'unknown']
# Fields every entry has; the others appear only on the entry types they belong to.
COMMON_FIELDS = ('at', 'type', 'actor', 'username', 'source', 'reason')


class TimelineEntrySerializer(serializers.Serializer):
    """One change of the attempt: when, what, who, through what and why, with the fields of its type."""

    at = serializers.DateTimeField()
    type = serializers.ChoiceField(choices=[entry_type.value for entry_type in api.EntryType])
    actor = serializers.ChoiceField(choices=ACTORS, help_text='Who: `unknown` on rows from before it was recorded.')
    username = serializers.CharField(help_text='The learner or staff member; empty for a tool, the sweep, the system.')
    # A field named like Field.source (the serializer's metaclass takes it out of the class attributes).
    source = serializers.ChoiceField(  # type: ignore[assignment]
        choices=SOURCES, help_text='Through what: REST, LTI, admin, task, command.'
    )
    reason = serializers.CharField(allow_blank=True, help_text='Why, as the caller or core gave it; may be empty.')
    from_status = serializers.CharField(required=False, help_text='status_changed: the status before.')
    to_status = serializers.CharField(required=False, help_text='created, status_changed: the status after.')
    seconds = serializers.FloatField(required=False, help_text='time_added, time_removed: how many seconds.')
    expires_at = serializers.DateTimeField(
        required=False, help_text='The deadline after a start, a resume or a change of time.'
    )
    seconds_remaining = serializers.FloatField(
        required=False, help_text='paused, ready_to_resume, resumed_from: the seconds left then.'
    )
    attempt_id = serializers.IntegerField(
        required=False, help_text='resumed_as, resumed_from: the attempt continuing this one, or continued by it.'
    )
    decision = serializers.CharField(required=False, help_text='review: verified or rejected.')
    comment = serializers.CharField(required=False, allow_blank=True, help_text="review: the reviewer's comment.")

    def to_representation(self, instance: api.TimelineEntry) -> dict[str, Any]:
        """Return the common fields and those of the entry's type (the others are left out, not null)."""
        data = super().to_representation(instance)
        return {name: value for name, value in data.items() if name in COMMON_FIELDS or value is not None}


class TimelineUserSerializer(serializers.Serializer):
    """The attempt's learner."""

    username = serializers.CharField()
    lms_user_id = serializers.IntegerField(allow_null=True)
    email = serializers.CharField(allow_blank=True)


class TimelineExamSerializer(serializers.Serializer):
    """The attempt's exam."""

    id = serializers.IntegerField()
    exam_name = serializers.CharField()
    course_id = serializers.CharField()
    content_id = serializers.CharField()
    exam_type = serializers.CharField()


class AttemptTimelineSerializer(serializers.Serializer):
    """An attempt, its learner and exam, and every change of it, oldest first."""

    attempt_id = serializers.IntegerField()
    attempt_number = serializers.IntegerField()
    status = serializers.CharField()
    is_active = serializers.BooleanField()
    user = TimelineUserSerializer()
    exam = TimelineExamSerializer()
    entries = TimelineEntrySerializer(many=True)

    @classmethod
    def of(cls, attempt: api.ExamAttempt, entries: list[api.TimelineEntry]) -> dict[str, Any]:
        """Return the response body for `attempt` and its timeline `entries`."""
        body = {
            'attempt_id': attempt.id,
            'attempt_number': attempt.attempt_number,
            'status': attempt.status,
            'is_active': attempt.is_active,
            'user': attempt.user,
            'exam': attempt.exam,
            'entries': entries,
        }
        return cls(body).data

"""
Serializers of the learner attempt endpoints (docs/references/client-contracts.rst sections 1.2 and 1.3).

The learner library polls these objects all the time, so the views build them with the plain
functions `student_attempt_data` and `student_exam_data`; the serializer classes describe them in
the API schema and are the reference the functions are tested against
(tests/test_representations.py): both give the same JSON for every case.
"""

from datetime import UTC, datetime
from typing import Any

from rest_framework import serializers

from edx_exams.apps.core import api


class StudentAttemptSerializer(serializers.Serializer):
    """
    The attempt object frontend-lib-special-exams reads (exam.attempt, /exams/attempt/latest).

    Context: `now` (datetime) and, optionally, `terms` (the learner's LearnerTerms) for attempts not started yet.
    """

    attempt_id = serializers.IntegerField(source='id')
    attempt_status = serializers.CharField(source='status')
    attempt_number = serializers.IntegerField()
    time_remaining_seconds = serializers.SerializerMethodField()
    exam_id = serializers.IntegerField()
    exam_display_name = serializers.CharField(source='exam.exam_name')
    exam_url_path = serializers.SerializerMethodField()
    exam_type = serializers.CharField(source='exam.exam_type')
    course_id = serializers.CharField(source='exam.course_id')
    content_id = serializers.CharField(source='exam.content_id')
    taking_as_proctored = serializers.BooleanField()
    allowed_time_limit_mins = serializers.IntegerField(allow_null=True)
    start_time = serializers.DateTimeField(allow_null=True)
    end_time = serializers.DateTimeField(allow_null=True)
    attempt_ready_to_resume = serializers.BooleanField(source='ready_to_resume')

    def get_time_remaining_seconds(self, attempt) -> float | None:
        """Return the seconds left, computed by the server (the learner's clock is only a display)."""
        return api.time_remaining_seconds(attempt, now=self.context['now'], terms=self.context.get('terms'))

    def get_exam_url_path(self, attempt) -> str:
        """Return where the timer banner sends the learner back to."""
        return api.learning_mfe_exam_url(attempt.exam)


class StudentExamSerializer(serializers.Serializer):
    """
    The exam object of GET /student/exam/attempt/course_id/{course}/content_id/{content}.

    Context: `now`, `terms` (the learner's LearnerTerms) and `attempt` (ExamAttempt or None).
    """

    id = serializers.IntegerField()
    course_id = serializers.CharField()
    content_id = serializers.CharField()
    exam_name = serializers.CharField()
    type = serializers.CharField(source='exam_type')
    exam_type = serializers.CharField()
    time_limit_mins = serializers.IntegerField(allow_null=True)
    total_time = serializers.SerializerMethodField()
    due_date = serializers.SerializerMethodField()
    passed_due_date = serializers.SerializerMethodField()
    hide_after_due = serializers.BooleanField()
    is_active = serializers.BooleanField()
    is_proctored = serializers.BooleanField()
    is_practice_exam = serializers.SerializerMethodField()
    backend = serializers.SerializerMethodField()
    attempt = serializers.SerializerMethodField()

    def get_total_time(self, exam) -> int | None:
        """Return the time limit plus the learner's allowance, in minutes."""
        return api.get_total_time_mins(exam, self.context['terms'].extra_time_mins)

    def get_due_date(self, exam) -> str | None:
        """Return the learner's due date (a personal extension replaces the exam's)."""
        due = self.context['terms'].due_date
        return serializers.DateTimeField().to_representation(due) if due else None

    def get_passed_due_date(self, exam) -> bool:
        """Return True once the due date has passed."""
        return self.context['terms'].is_past_due(self.context['now'])

    def get_is_practice_exam(self, exam) -> bool:
        """Return True for practice and onboarding exams (practice exams for the learner library)."""
        return api.is_practice_exam(exam)

    def get_backend(self, exam) -> str | None:
        """Return the proctoring provider's display name (None for timed exams)."""
        return exam.provider.verbose_name if exam.provider_id else None

    def get_attempt(self, exam) -> dict:
        """Return the learner's current attempt, or {} when there is none."""
        attempt = self.context.get('attempt')
        return StudentAttemptSerializer(attempt, context=self.context).data if attempt else {}


class AttemptCreateSerializer(serializers.Serializer):
    """POST /exams/attempt: booleans may arrive as the strings "true" / "false"."""

    exam_id = serializers.IntegerField(min_value=1)
    start_clock = serializers.BooleanField(required=False, default=False)
    attempt_proctored = serializers.BooleanField(required=False, default=False)


class AttemptUpdateSerializer(serializers.Serializer):
    """PUT /exams/attempt/{id}: an action, with a detail text for `error` and a comment for a review."""

    action = serializers.ChoiceField(choices=sorted(api.ATTEMPT_ACTIONS))
    detail = serializers.CharField(required=False, allow_blank=True, max_length=2000, default='')
    comment = serializers.CharField(required=False, allow_blank=True, max_length=5000, default='')


class AttemptIdSerializer(serializers.Serializer):
    """The `{"exam_attempt_id": N}` answer the learner library re-fetches on."""

    exam_attempt_id = serializers.IntegerField()


class ExamAccessTokenSerializer(serializers.Serializer):
    """A granted exam access token and its lifetime in seconds."""

    exam_access_token = serializers.CharField(source='token')
    exam_access_token_expiration = serializers.IntegerField(source='expires_in')


def iso_datetime(value: datetime | None) -> str | None:
    """Return `value` as DRF's DateTimeField writes it in UTC: ISO 8601 with a `Z`."""
    if value is None:
        return None
    text = value.astimezone(UTC).isoformat()
    return text[:-6] + 'Z' if text.endswith('+00:00') else text


def student_attempt_data(attempt: Any, *, now: datetime, terms: Any = None) -> dict[str, Any]:
    """Return what StudentAttemptSerializer returns for `attempt`, without building a serializer."""
    exam = attempt.exam
    return {
        'attempt_id': attempt.id,
        'attempt_status': attempt.status,
        'attempt_number': attempt.attempt_number,
        'time_remaining_seconds': api.time_remaining_seconds(attempt, now=now, terms=terms),
        'exam_id': attempt.exam_id,
        'exam_display_name': exam.exam_name,
        'exam_url_path': api.learning_mfe_exam_url(exam),
        'exam_type': exam.exam_type,
        'course_id': exam.course_id,
        'content_id': exam.content_id,
        'taking_as_proctored': attempt.taking_as_proctored,
        'allowed_time_limit_mins': attempt.allowed_time_limit_mins,
        'start_time': iso_datetime(attempt.start_time),
        'end_time': iso_datetime(attempt.end_time),
        'attempt_ready_to_resume': attempt.ready_to_resume,
    }


def student_exam_data(exam: Any, *, now: datetime, terms: Any, attempt: Any = None) -> dict[str, Any]:
    """Return what StudentExamSerializer returns for `exam`, without building a serializer."""
    return {
        'id': exam.id,
        'course_id': exam.course_id,
        'content_id': exam.content_id,
        'exam_name': exam.exam_name,
        'type': exam.exam_type,
        'exam_type': exam.exam_type,
        'time_limit_mins': exam.time_limit_mins,
        'total_time': api.get_total_time_mins(exam, terms.extra_time_mins),
        'due_date': iso_datetime(terms.due_date),
        'passed_due_date': terms.is_past_due(now),
        'hide_after_due': exam.hide_after_due,
        'is_active': exam.is_active,
        'is_proctored': exam.is_proctored,
        'is_practice_exam': api.is_practice_exam(exam),
        'backend': exam.provider.verbose_name if exam.provider_id else None,
        'attempt': student_attempt_data(attempt, now=now, terms=terms) if attempt else {},
    }

"""Serializers of the instructor attempts list and export (docs/references/client-contracts.rst section 2.2)."""

from collections.abc import Sequence
from typing import Any, cast

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from edx_exams.apps.core import api
from edx_exams.apps.core.api import ExamAttemptStatus

# Far above any real course, and below the database's LIMIT/OFFSET range (a huge offset is a 400, not a 500).
MAX_PAGE_BOUND = 10**9


class AttemptListQuerySerializer(serializers.Serializer):
    """The query string of the attempts list and export; `status` is a comma-separated list."""

    exam_id = serializers.IntegerField(required=False, min_value=1, max_value=2**63 - 1)
    search = serializers.CharField(required=False, allow_blank=True, max_length=254)
    status = serializers.CharField(required=False, allow_blank=True, max_length=1000)
    include_reset = serializers.BooleanField(required=False, default=False)
    ordering = serializers.ChoiceField(choices=api.ATTEMPT_ORDERINGS, required=False)
    limit = serializers.IntegerField(required=False, min_value=1, max_value=MAX_PAGE_BOUND)
    offset = serializers.IntegerField(required=False, min_value=0, max_value=MAX_PAGE_BOUND)
    format = serializers.ChoiceField(choices=['json', 'csv'], required=False)

    def validate_status(self, value: str) -> tuple[str, ...]:
        """Split the list and refuse statuses the service does not know."""
        statuses = tuple(dict.fromkeys(part.strip() for part in value.split(',') if part.strip()))
        unknown = [status for status in statuses if status not in ExamAttemptStatus.values]
        if unknown:
            raise serializers.ValidationError(f'Unknown attempt status: {", ".join(unknown)}.')
        return statuses

    def to_query(self) -> api.AttemptQuery:
        """Return the validated filters as the core query."""
        data = self.validated_data
        return api.AttemptQuery(
            exam_id=data.get('exam_id'),
            search=data.get('search', ''),
            statuses=data.get('status', ()),
            include_reset=data['include_reset'],
            ordering=data.get('ordering') or api.DEFAULT_ATTEMPT_ORDERING,
        )

    @classmethod
    def from_query_params(cls, query_params) -> 'AttemptListQuerySerializer':
        """Validate a request's query string (repeated `status` parameters are joined); raise a 400 if invalid."""
        data = query_params.dict()
        if 'status' in query_params:
            data['status'] = ','.join(query_params.getlist('status'))
        serializer = cls(data=data)
        serializer.is_valid(raise_exception=True)
        return serializer


class ProctoredReviewSerializer(serializers.Serializer):
    """The proctoring tool's verdict, as the dashboard reads it."""

    severity = serializers.FloatField(allow_null=True)
    submission_reason = serializers.CharField(allow_blank=True)


class StaffReviewSerializer(serializers.Serializer):
    """The latest staff decision on an attempt."""

    decision = serializers.CharField()
    reviewer = serializers.CharField(allow_null=True)
    comment = serializers.CharField(allow_blank=True)
    created = serializers.DateTimeField()


class InstructorAttemptSerializer(serializers.Serializer):
    """
    One row of the attempts list: the dashboard's fields, then extras for staff tools and the export.

    Serializes the flat rows of core.api.list_course_attempt_rows. Context:
    `proctored_reviews` and `staff_reviews`, dicts keyed by attempt id (see attempt_rows_context).
    """

    attempt_id = serializers.IntegerField(source='id')
    exam_display_name = serializers.CharField(source='exam__exam_name')
    username = serializers.CharField(source='user__username')
    allowed_time_limit_mins = serializers.IntegerField(allow_null=True)
    exam_type = serializers.CharField(source='exam__exam_type')
    start_time = serializers.DateTimeField(allow_null=True)
    end_time = serializers.DateTimeField(allow_null=True)
    attempt_status = serializers.CharField(source='status')
    proctored_review = serializers.SerializerMethodField()
    exam_id = serializers.IntegerField()
    user_id = serializers.IntegerField(source='user__lms_user_id', allow_null=True, help_text='The LMS user id.')
    email = serializers.CharField(source='user__email')
    attempt_number = serializers.IntegerField()
    is_active = serializers.BooleanField()
    reset_by = serializers.CharField(source='reset_by__username', allow_null=True)
    reset_at = serializers.DateTimeField(allow_null=True)
    staff_review = serializers.SerializerMethodField()
    review_url = serializers.SerializerMethodField()

    @extend_schema_field(ProctoredReviewSerializer(allow_null=True))
    def get_proctored_review(self, row) -> dict | None:
        """Return the proctoring tool's review, or None."""
        return self.context['proctored_reviews'].get(row['id'])

    @extend_schema_field(StaffReviewSerializer(allow_null=True))
    def get_staff_review(self, row) -> dict | None:
        """Return the latest staff review, or None."""
        review = self.context['staff_reviews'].get(row['id'])
        return StaffReviewSerializer(review).data if review else None

    def get_review_url(self, row) -> str | None:
        """Return the LTI launch into the proctoring tool's review dashboard of the exam (proctored attempts)."""
        if not row['taking_as_proctored']:
            return None
        return api.get_instructor_tool_url(row['exam_id'])


class InstructorAttemptPageSerializer(serializers.Serializer):
    """The DRF LimitOffset envelope the dashboard reads `results` from."""

    count = serializers.IntegerField()
    next = serializers.URLField(allow_null=True)
    previous = serializers.URLField(allow_null=True)
    results = InstructorAttemptSerializer(many=True)


def attempt_rows_context(rows: Sequence[dict]) -> dict:
    """Return the serializer context of `rows`: both kinds of review, in one query each."""
    ids = [row['id'] for row in rows]
    return {
        'proctored_reviews': api.get_proctoring_reviews(ids),
        'staff_reviews': api.get_latest_staff_reviews(ids),
    }


def serialize_attempt_rows(rows: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    """Return `rows` as the list's JSON objects, their reviews fetched in two queries."""
    data = InstructorAttemptSerializer(rows, many=True, context=attempt_rows_context(rows)).data
    return cast(list[dict[str, Any]], data)  # many=True: a list

"""
The exams dashboard's attempts list and its CSV export (docs/references/client-contracts.rst section 2.2).

And one attempt's timeline: every recorded change of it, for course staff.
"""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework.pagination import LimitOffsetPagination
from rest_framework.permissions import BasePermission, IsAuthenticated
from rest_framework.response import Response

from edx_exams.apps.api.v1.csv_export import attempts_csv_response, wants_csv
from edx_exams.apps.api.v1.permissions import IsCourseStaffOrGlobalStaff, is_course_or_global_staff
from edx_exams.apps.api.v1.serializers.instructor import (
    MAX_PAGE_BOUND,
    AttemptListQuerySerializer,
    InstructorAttemptPageSerializer,
    serialize_attempt_rows,
)
from edx_exams.apps.api.v1.serializers.timeline import AttemptTimelineSerializer
from edx_exams.apps.api.v1.views.base import CourseScopedView
from edx_exams.apps.core import api
from edx_exams.http.negotiation import FirstRendererNegotiation
from edx_exams.http.schema import error_responses
from edx_exams.http.views import AuditedAPIView

FILTER_PARAMETERS = [
    OpenApiParameter('exam_id', int, required=False, description='Only this exam of the course (404 if not in it).'),
    OpenApiParameter('search', str, required=False, description='Username or email contains (case-insensitive).'),
    OpenApiParameter('status', str, required=False, description='Attempt statuses, comma-separated.'),
    OpenApiParameter('include_reset', bool, required=False, description='Also list reset attempts (default false).'),
    OpenApiParameter(
        'ordering', str, required=False, enum=api.ATTEMPT_ORDERINGS, description='Sort key; "-" for descending.'
    ),
]
CSV_RESPONSE = OpenApiResponse(OpenApiTypes.STR, description='CSV attachment, one line per attempt.')
ERRORS = error_responses(
    400,
    401,
    403,
    404,
    e400='Malformed course key or query parameter: {"detail", "errors"}.',
    e403='Neither course staff nor global staff.',
    e404='The exam is not in the course.',
)


class AttemptsPagination(LimitOffsetPagination):
    """DRF's limit/offset envelope; the dashboard asks for `limit=1000000` and reads `results`."""

    default_limit = 100
    max_limit = MAX_PAGE_BOUND


class InstructorAttemptsView(CourseScopedView):
    """
    GET /api/v1/instructor_view/course_id/{course_id}/attempts[?exam_id=&limit=&offset=&...].

    The course's attempts for the exams dashboard, in DRF's LimitOffset envelope
    `{count, next, previous, results}` (100 per page unless `limit` says otherwise).
    Each result has the dashboard's fields `attempt_id, exam_display_name, username,
    allowed_time_limit_mins, exam_type, start_time, end_time, attempt_status,
    proctored_review` ({severity, submission_reason} or null) and extras: `exam_id,
    user_id` (LMS id), `email, attempt_number, is_active, reset_by, reset_at,
    staff_review` ({decision, reviewer, comment, created} or null) and `review_url`
    (the LTI review dashboard of a proctored attempt's exam).

    Filters: `exam_id` (optional; every exam of the course without it), `search`
    (username or email contains), `status` (comma-separated), `include_reset=true`
    (reset attempts are hidden by default), `ordering` (attempt_id, start_time,
    end_time, username, attempt_status; "-" for descending; default attempt_id).
    The page is built in a fixed number of queries, however many attempts match.

    `?format=csv` or `Accept: text/csv` streams the same rows as CSV (see the
    export view; `limit` and `offset` do not apply).

    Errors: 400 malformed course key or parameter (non-numeric exam_id, unknown
    status or ordering, limit < 1, offset < 0, either above 10^9), 401 anonymous,
    403 neither course staff nor global staff, 404 exam not in the course.
    """

    audit_actor = api.AuditActor.STAFF

    permission_classes = [IsCourseStaffOrGlobalStaff]
    content_negotiation_class = FirstRendererNegotiation

    @extend_schema(
        parameters=[
            *FILTER_PARAMETERS,
            OpenApiParameter('limit', int, required=False, description='Page size (default 100).'),
            OpenApiParameter('offset', int, required=False, description='Rows to skip.'),
            OpenApiParameter('format', str, required=False, enum=['json', 'csv']),
        ],
        responses={
            (200, 'application/json'): InstructorAttemptPageSerializer,
            (200, 'text/csv'): CSV_RESPONSE,
            **ERRORS,
        },
    )
    def get(self, request, course_id):
        """List a page of attempts, or stream them all as CSV."""
        params = AttemptListQuerySerializer.from_query_params(request.query_params)
        query = params.to_query()
        if wants_csv(request, fmt=params.validated_data.get('format')):
            return attempts_csv_response(course_id, query=query)
        rows = api.list_course_attempt_rows(course_id, query=query)
        paginator = AttemptsPagination()
        page = paginator.paginate_queryset(rows, request, view=self)
        return paginator.get_paginated_response(serialize_attempt_rows(page))


class InstructorAttemptsExportView(CourseScopedView):
    """
    GET /api/v1/instructor_view/course_id/{course_id}/attempts/export[?exam_id=&search=&status=&include_reset=].

    Every attempt the list's filters select, streamed as a CSV attachment
    (`exam_attempts_<course>_<exam_N|all_exams>_<UTC time>.csv`): a header, then
    one line per attempt in attempt id order, with the list's fields (reviews
    flattened into `proctored_review_*` and `staff_review_*` columns). Rows are read
    in chunks of 2,000, so memory stays bounded whatever the course size. Cells that
    a spreadsheet would run as a formula are prefixed with a quote. `ordering` is
    validated but the export is always in attempt id order.

    Errors (JSON): as the list; 404 exam not in the course.
    """

    audit_actor = api.AuditActor.STAFF

    permission_classes = [IsCourseStaffOrGlobalStaff]
    content_negotiation_class = FirstRendererNegotiation

    @extend_schema(parameters=FILTER_PARAMETERS, responses={(200, 'text/csv'): CSV_RESPONSE, **ERRORS})
    def get(self, request, course_id):
        """Stream the attempts as CSV."""
        query = AttemptListQuerySerializer.from_query_params(request.query_params).to_query()
        return attempts_csv_response(course_id, query=query)


class IsStaffOfAttemptCourse(BasePermission):
    """Global staff, Studio's service user, or staff of the course of the attempt (checked on the attempt)."""

    message = "You must be course staff of this attempt's course or global staff."

    def has_object_permission(self, request, view, obj) -> bool:
        """Check the caller against the attempt's course."""
        return is_course_or_global_staff(request.user, obj.exam.course_id)


class AttemptTimelineView(AuditedAPIView):
    """
    GET /api/v1/instructor_view/attempt/{attempt_id}/timeline.

    Every recorded change of one attempt, oldest first, for course staff answering "what
    happened to this attempt?": `{attempt_id, attempt_number, status, is_active, user: {username,
    lms_user_id, email}, exam: {id, exam_name, course_id, content_id, exam_type}, entries: [...]}`.

    Each entry has `at` (ISO time), `type` (created, status_changed, time_added, time_removed,
    paused, resumed, ready_to_resume, reset, resumed_as, resumed_from, review), `actor` (learner,
    staff, proctoring_tool, expiry_sweep, system, or unknown for changes recorded before actors
    were), `username` (for a learner or staff member), `source` (rest, lti, admin, task, command,
    unknown) and `reason`, plus the fields of its type: `from_status`/`to_status`, `seconds`,
    `expires_at`, `seconds_remaining`, `attempt_id` (the attempt that continues this one, or that
    this one continues), `decision`/`comment`. Built from the attempt's history rows and staff
    reviews in a fixed number of queries, however long the history.

    Course staff of the attempt's course or global staff only; a learner may not read it, not even
    for their own attempt (it names staff, their comments and the proctoring tool's actions).
    Errors: 401 anonymous, 403 not staff of the attempt's course, 404 no such attempt.
    """

    audit_actor = api.AuditActor.STAFF
    permission_classes = [IsAuthenticated, IsStaffOfAttemptCourse]

    @extend_schema(
        responses={
            200: AttemptTimelineSerializer,
            **error_responses(
                401, 403, 404, e403="Neither staff of the attempt's course nor global staff.", e404='No such attempt.'
            ),
        }
    )
    def get(self, request, attempt_id):
        """Return the attempt's timeline."""
        attempt = api.get_attempt(int(attempt_id))
        self.check_object_permissions(request, attempt)
        return Response(AttemptTimelineSerializer.of(attempt, api.get_attempt_timeline(attempt)))

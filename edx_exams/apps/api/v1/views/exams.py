"""
A course's exams: Studio's publish and the exams dashboard list.

Contract: docs/references/client-contracts.rst sections 2.2 and 3.1.
"""

from drf_spectacular.utils import extend_schema
from opaque_keys.edx.keys import CourseKey
from rest_framework.response import Response

from edx_exams.apps.api.v1.permissions import IsCourseStaffOrGlobalStaff
from edx_exams.apps.api.v1.serializers.exams import (
    ExamSerializer,
    PublishedExamSerializer,
    PublishResultSerializer,
    parse_published_exams,
)
from edx_exams.apps.api.v1.views.base import CourseScopedView
from edx_exams.apps.core import api
from edx_exams.http.schema import BODY_ERRORS, error_responses

ERRORS = error_responses(
    400,
    401,
    403,
    e400='Invalid course key or exam list: {"detail": "Invalid data", "errors": {...}}',
    e403='Not course staff or global staff.',
)


class CourseExamsView(CourseScopedView):
    """
    /api/v1/exams/course_id/{course_id}/ (trailing slash optional; raw or percent-encoded key).

    GET: the course's active exams, for the exams dashboard:
    `[{id, exam_name, exam_type, time_limit_mins, content_id, course_id, due_date,
    hide_after_due, is_active, backend}]`.

    PATCH: Studio's publish. The body is the full list of the course's timed and
    proctored subsections, `[{course_id, content_id, exam_name, time_limit_mins,
    due_date, exam_type, is_active, hide_after_due, backend}]`; `practice_proctored`
    means `practice`. Exams are upserted by content id, active exams missing from the
    list are deactivated, and an unchanged list writes nothing. The list is applied
    whole or not at all. 200 `{created, updated, deactivated, unchanged}` (Studio
    needs a JSON body).

    Errors: 400 malformed course key or invalid list (`errors` keyed by item index),
    401 anonymous, 403 neither course staff nor global staff, 409 a concurrent
    publish collided twice (retry).
    """

    audit_actor = api.AuditActor.STAFF

    permission_classes = [IsCourseStaffOrGlobalStaff]

    @extend_schema(responses={200: ExamSerializer(many=True), **ERRORS})
    def get(self, request, course_id):
        """List the course's active exams."""
        return Response(ExamSerializer(api.list_active_exams(course_id), many=True).data)

    @extend_schema(
        request=PublishedExamSerializer(many=True),
        responses={
            200: PublishResultSerializer,
            **ERRORS,
            **error_responses(*BODY_ERRORS, 409, e409='A concurrent publish collided twice; retry.'),
        },
    )
    def patch(self, request, course_id):
        """Apply Studio's list of the course's exams."""
        course_key = CourseKey.from_string(course_id)
        exams = parse_published_exams(request.data, course_key=course_key)
        result = api.publish_course_exams(course_id, exams=exams)
        return Response(PublishResultSerializer(result).data)

"""
A course's proctoring configuration, read and saved by the authoring MFE.

Contract: docs/references/client-contracts.rst section 2.3.
"""

from drf_spectacular.utils import extend_schema
from rest_framework.response import Response

from edx_exams.apps.api.v1.permissions import IsCourseStaffOrGlobalStaff
from edx_exams.apps.api.v1.serializers.configs import (
    CourseExamConfigurationReadSerializer,
    CourseExamConfigurationWriteSerializer,
)
from edx_exams.apps.api.v1.views.base import CourseScopedView
from edx_exams.apps.core import api
from edx_exams.http.schema import error_responses

ERRORS = error_responses(
    400,
    401,
    403,
    e400='Invalid course key, unknown provider or missing escalation email.',
    e403='Not course staff or global staff (the MFE shows "no permission").',
)


class CourseExamConfigurationView(CourseScopedView):
    """
    /api/v1/configs/course_id/{course_id} (trailing slash optional; raw or percent-encoded key).

    GET: `{"provider": name|null, "escalation_email": str|null, "allow_opt_out": bool}`;
    a course never configured reads as all defaults.

    PATCH: `{"provider": name|null, "escalation_email": email|null}` with optional
    `allow_opt_out`. The email is required with a provider and cleared without one.
    A new provider moves the course's active proctored exams to it (the old exam
    rows keep their attempts). 200 with the saved configuration (GET's shape).

    Errors: 400 malformed course key, invalid body, unknown, inactive or other-org
    provider; 401 anonymous; 403 neither course staff nor global staff.
    """

    audit_actor = api.AuditActor.STAFF

    permission_classes = [IsCourseStaffOrGlobalStaff]

    @extend_schema(responses={200: CourseExamConfigurationReadSerializer, **ERRORS})
    def get(self, request, course_id):
        """Return the course's configuration."""
        config = api.get_course_exam_configuration(course_id)
        return Response(CourseExamConfigurationReadSerializer.from_configuration(config).data)

    @extend_schema(
        request=CourseExamConfigurationWriteSerializer,
        responses={200: CourseExamConfigurationReadSerializer, **ERRORS, **error_responses(413, 415)},
    )
    def patch(self, request, course_id):
        """Save the course's provider and escalation email."""
        serializer = CourseExamConfigurationWriteSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        config = api.update_course_exam_configuration(
            course_id,
            provider_name=data['provider'],
            escalation_email=data.get('escalation_email') or None,
            allow_opt_out=data.get('allow_opt_out'),
        )
        return Response(CourseExamConfigurationReadSerializer.from_configuration(config).data)

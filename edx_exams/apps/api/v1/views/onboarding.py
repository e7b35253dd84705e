"""The learner's onboarding status (docs/references/client-contracts.rst section 2.1 and section 5 item 13)."""

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.exceptions import NotAuthenticated
from rest_framework.permissions import AllowAny
from rest_framework.response import Response

from edx_exams.apps.api.v1.serializers.onboarding import OnboardingStatusSerializer
from edx_exams.apps.api.v1.views.base import CourseScopedView
from edx_exams.apps.core import api
from edx_exams.http.schema import error_responses


class StudentOnboardingView(CourseScopedView):
    """
    GET /api/v1/student/course_id/{course_id}/onboarding[?username=...].

    For a course with an active onboarding exam: `{onboarding_status,
    onboarding_link, expiration_date, onboarding_release_date, onboarding_past_due}`
    as edx-proctoring answers it. `onboarding_status` is the status of the learner's
    onboarding attempt in the course (a verified attempt wins over later ones), null
    without one, or `other_course_approved` (with `expiration_date`) when only an
    onboarding exam of the same provider in another course was verified in the last
    two years. `onboarding_link` is the exam in the learning MFE, null once past due.
    `onboarding_release_date` is null (Studio does not publish release dates; the
    panel treats null as released).

    `username` (another learner) is for course staff and global staff.

    Errors: 400 malformed course key; 404 `{"detail": ...}` when the course has no
    active onboarding exam, for every caller, anonymous included (the learning MFE
    reads it as "hide the proctoring panel"); 401 anonymous (course with onboarding);
    403 `username` of someone else without staff rights; 404 unknown username.
    """

    audit_actor = api.AuditActor.LEARNER

    # Anonymous callers must still get the 404 of a course without onboarding; the view raises 401 after that.
    permission_classes = [AllowAny]

    @extend_schema(
        parameters=[OpenApiParameter('username', str, required=False, description='Another learner (staff only).')],
        responses={
            200: OnboardingStatusSerializer,
            **error_responses(
                400,
                401,
                403,
                404,
                e400='Malformed course key.',
                e401='Anonymous, in a course with an onboarding exam (or an invalid JWT).',
                e403='Another learner, asked by a non-staff user.',
                e404='No onboarding exam in the course, or unknown username.',
            ),
        },
    )
    def get(self, request, course_id):
        """Return the onboarding status, or 404 when the course has no onboarding exam."""
        if not request.user.is_authenticated:
            api.get_onboarding_exam(course_id)  # 404 when the course has none
            raise NotAuthenticated()
        status = api.get_onboarding_status(
            course_id, requester=request.user, username=request.query_params.get('username') or None
        )
        return Response(OnboardingStatusSerializer(status).data)

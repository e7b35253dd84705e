"""The learner's onboarding status (client-contracts.md 2.1 and 5, item 13)."""

from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView


class StudentOnboardingView(APIView):
    """
    GET /api/v1/student/course_id/{course_id}/onboarding[?username=...].

    Always 404 `{"detail": ...}`: onboarding status is not tracked here yet, and the
    learning MFE reads a 404 as "hide the proctoring info panel" (as with edx-exams).
    Any other status would show the panel or an error, so no caller gets one.
    """

    permission_classes = [AllowAny]

    @extend_schema(responses={404: OpenApiResponse(description='Always: onboarding status is not available.')})
    def get(self, request, course_id):
        """Answer 404."""
        return Response({'detail': 'Onboarding status is not available.'}, status=status.HTTP_404_NOT_FOUND)

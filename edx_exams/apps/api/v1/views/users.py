"""Who the caller is, as this service sees the JWT."""

from drf_spectacular.utils import extend_schema
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response

from edx_exams.apps.api.v1.serializers.users import CurrentUserSerializer
from edx_exams.apps.core import api
from edx_exams.http.schema import error_responses
from edx_exams.http.views import AuditedAPIView


class CurrentUserView(AuditedAPIView):
    """
    GET /api/v1/me: the authenticated user (username, LMS user id, email, staff flag).

    Useful to check a token. 401 without valid credentials.
    """

    audit_actor = api.AuditActor.LEARNER

    permission_classes = [IsAuthenticated]

    @extend_schema(responses={200: CurrentUserSerializer, **error_responses(401)})
    def get(self, request):
        """Return the caller's user record."""
        return Response(CurrentUserSerializer(request.user).data)

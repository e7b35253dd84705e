"""User retirement for the LMS retirement pipeline and operators."""

from drf_spectacular.utils import extend_schema
from rest_framework.permissions import IsAdminUser
from rest_framework.response import Response

from edx_exams.apps.api.v1.serializers.retirement import RetirementResultSerializer, RetireUserSerializer
from edx_exams.apps.core import api
from edx_exams.http.schema import BODY_ERRORS, error_responses
from edx_exams.http.views import AuditedAPIView


class UserRetirementView(AuditedAPIView):
    """
    POST /api/v1/user/retire with `{"username": "<original LMS username>"}` or `{"lms_user_id": N}`.

    Global staff only (the retirement pipeline's service user has the JWT
    `administrator` claim). Removes the learner's personal data: the username
    becomes `retired_user_<hash>`, email, names and the LMS anonymous id are
    cleared and the account is deactivated; attempts, allowances and reviews stay
    as anonymised statistics (docs/how-tos/user-retirement.rst). Idempotent:
    retiring again answers 200 with `changed: false`.

    200 `{lms_user_id, retired_username, changed}`. Errors: 400 neither or both
    identifiers or a wrong type, 401 anonymous, 403 not global staff or a user that
    may not be retired (the Studio service user, the caller), 404 no such user.
    """

    audit_actor = api.AuditActor.SYSTEM

    permission_classes = [IsAdminUser]

    @extend_schema(
        request=RetireUserSerializer,
        responses={
            200: RetirementResultSerializer,
            **error_responses(
                *BODY_ERRORS,
                401,
                403,
                404,
                e400='Neither or both of username and lms_user_id, or a wrong type.',
                e403='Not global staff, or the Studio service user or the caller.',
                e404='No such user.',
            ),
        },
    )
    def post(self, request):
        """Retire the user."""
        serializer = RetireUserSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        result = api.retire_user(**serializer.validated_data, actor=request.user)
        return Response(RetirementResultSerializer(result).data)

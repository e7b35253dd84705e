"""Proctoring providers: the authoring MFE's choice list and a proctored exam's provider details (L6)."""

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response

from edx_exams.apps.api.v1.serializers.providers import ProctoringProviderSerializer, ProviderSettingsSerializer
from edx_exams.apps.api.v1.views.base import CourseScopedView
from edx_exams.apps.core import api
from edx_exams.http.schema import ObjectOrEmpty, error_responses
from edx_exams.http.views import AuditedAPIView


class ProctoringProvidersView(AuditedAPIView):
    """
    GET /api/v1/providers[?org=X]: the active providers a course may choose.

    `[{name, verbose_name, lti_configuration_id}]`: providers offered to every
    organization, plus those restricted to `org` when it is given.

    Errors: 401 anonymous.
    """

    audit_actor = api.AuditActor.STAFF

    permission_classes = [IsAuthenticated]

    @extend_schema(
        parameters=[OpenApiParameter('org', str, required=False, description='The course organization.')],
        responses={200: ProctoringProviderSerializer(many=True), **error_responses(401)},
    )
    def get(self, request):
        """List the providers."""
        providers = api.list_providers(org=request.query_params.get('org') or None)
        return Response(ProctoringProviderSerializer(providers, many=True).data)


class ProviderSettingsView(CourseScopedView):
    """
    GET /api/v1/exam/provider_settings/course_id/{course_id}/exam_id/{exam_id}.

    Call L6 of docs/references/client-contracts.rst.

    The provider details frontend-lib-special-exams shows before a proctored exam:
    `{provider_name, provider_tech_support_email, provider_tech_support_phone,
    provider_tech_support_url, proctoring_escalation_email,
    learner_notification_from_email, integration_specific_email,
    exam_proctoring_backend: {name, download_url, instructions: [str], rules}}`,
    or `{}` when the exam has no provider. Any authenticated user.

    Errors: 400 malformed course key, 401 anonymous, 404 no such exam in the course.
    """

    audit_actor = api.AuditActor.LEARNER

    permission_classes = [IsAuthenticated]

    @extend_schema(
        responses={
            200: ObjectOrEmpty(ProviderSettingsSerializer),
            **error_responses(400, 401, 404, e400='Invalid course key.', e404='No such exam in this course.'),
        },
        description='Returns {} when the exam has no proctoring provider.',
    )
    def get(self, request, course_id, exam_id):
        """Return the provider details of the exam."""
        settings = api.get_provider_settings(course_id=course_id, exam_id=int(exam_id))
        return Response(ProviderSettingsSerializer(settings).data if settings else {})

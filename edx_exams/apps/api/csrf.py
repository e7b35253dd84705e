"""The CSRF token endpoint of edx-drf-extensions, described for the OpenAPI schema."""

from csrf.api.v1.views import CsrfTokenView
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers

from edx_exams.http.schema import error_responses


@extend_schema(
    responses={
        200: inline_serializer('CsrfToken', {'csrfToken': serializers.CharField()}),
        **error_responses(401, e401='An invalid JWT was sent (no JWT is needed).'),
    }
)
class ExamsCsrfTokenView(CsrfTokenView):
    """GET /csrf/api/v1/token: `{"csrfToken": ...}` for the MFEs' unsafe requests."""

"""The CSRF token endpoint of edx-drf-extensions, described for the OpenAPI schema."""

from csrf.api.v1.views import CsrfTokenView
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers


@extend_schema(responses=inline_serializer('CsrfToken', {'csrfToken': serializers.CharField()}))
class ExamsCsrfTokenView(CsrfTokenView):
    """GET /csrf/api/v1/token: `{"csrfToken": ...}` for the MFEs' unsafe requests."""

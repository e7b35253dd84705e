"""
The OpenAPI schema and Swagger UI pages, answering JSON to every method but GET and HEAD.

drf-spectacular's views render everything with their page renderer: an OPTIONS
request (a CORS preflight, a crawler) rendered DRF's metadata with the Swagger
HTML template, which has no template for it, and failed with a 500; a POST's 405
came back as YAML or plain text, and `?format=nonsense` an HTML 404. Only reading
the page needs the page renderer; every error is JSON.
"""

from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView
from rest_framework.renderers import JSONRenderer

READ_METHODS = frozenset({'GET', 'HEAD'})


class JsonOutsideReadsMixin:
    """Use the view's own renderers for GET and HEAD, and JSON for OPTIONS and for every error."""

    def get_renderers(self):
        """Return the page renderers for reads, else a JSON renderer."""
        if self.request is not None and self.request.method in READ_METHODS:
            return super().get_renderers()
        return [JSONRenderer()]

    def handle_exception(self, exc):
        """Answer every error (401, 404 for an unknown `?format=`, 405...) as JSON, whatever was negotiated."""
        response = super().handle_exception(exc)
        self.request.accepted_renderer = JSONRenderer()
        self.request.accepted_media_type = JSONRenderer.media_type
        return response


class ExamsSchemaView(JsonOutsideReadsMixin, SpectacularAPIView):
    """GET /api/schema/: the OpenAPI document (YAML, or JSON on request)."""


class ExamsSwaggerView(JsonOutsideReadsMixin, SpectacularSwaggerView):
    """GET /api-docs/: Swagger UI over /api/schema/."""

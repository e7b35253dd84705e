"""Content negotiation for endpoints that answer in one media type only."""

from rest_framework.negotiation import BaseContentNegotiation


class FirstRendererNegotiation(BaseContentNegotiation):
    """
    Always answer with the view's first renderer, whatever `?format=` or `Accept` say.

    Used where the media type is fixed by the protocol (the LTI Assessment Control
    Service) or where another format is streamed by the view itself (the CSV export).
    """

    def select_parser(self, request, parsers):
        """Use the first parser."""
        return parsers[0] if parsers else None

    def select_renderer(self, request, renderers, format_suffix=None):
        """Use the first renderer."""
        return renderers[0], renderers[0].media_type

"""
The base of every DRF view of the service: it names the source and actor of the changes it makes.

Each view says where its requests come from (`audit_source`: the REST API or LTI) and who makes
them (`audit_actor`: the learner, course staff, the proctoring tool); the request's authenticated
user is added once DRF has authenticated it (inside the view, not in a middleware). Every history
row the request writes carries the three (``core/audit.py``). Costs two context-variable writes
per request and no query. Core refines the actor where the action decides it (a staff review
through the learner's attempt endpoint).
"""

from rest_framework.views import APIView

from edx_exams.apps.core import api


class AuditedAPIView(APIView):
    """An APIView whose changes are recorded with its `audit_source`, `audit_actor` and the request's user."""

    audit_source: str = api.AuditSource.REST
    audit_actor: str = ''

    def dispatch(self, request, *args, **kwargs):
        """Handle the request inside the view's audit context (undone when the request ends)."""
        with api.acting(source=self.audit_source, actor=self.audit_actor):
            return super().dispatch(request, *args, **kwargs)

    def perform_authentication(self, request):
        """Authenticate, then name the request's user as the acting user."""
        super().perform_authentication(request)
        api.set_acting_user(request.user)

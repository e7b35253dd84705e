"""Base views of the v1 API."""

from edx_exams.apps.api.v1.validation import validate_course_key
from edx_exams.http.views import AuditedAPIView


class CourseScopedView(AuditedAPIView):
    """
    An endpoint under `course_id/{course_id}`: the course key is checked once, here, before the handler.

    The check runs after authentication and permissions (a 401 or 403 comes first), and only
    for a method the view has (another method stays a 405). A malformed key is a 400.
    """

    def initial(self, request, *args, **kwargs):
        """Authenticate, check permissions and throttles, then refuse a malformed course key."""
        super().initial(request, *args, **kwargs)
        if self._has_handler(request.method):
            validate_course_key(kwargs['course_id'])

    def _has_handler(self, method: str | None) -> bool:
        name = (method or '').lower()
        return name in self.http_method_names and hasattr(self, name)

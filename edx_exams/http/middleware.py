"""Middleware of the service's own: a database outage is a JSON 503 on every page, not only the API's."""

from edx_exams.http.db_errors import is_database_unavailable
from edx_exams.http.exceptions import json_database_unavailable


class DatabaseUnavailableMiddleware:
    """
    Answer 503 `{"detail": ...}` when a view (the admin, say) fails because the database is unreachable.

    DRF views answer it through the exception handler; errors outside any view go
    through handler500, which does the same. With DEBUG on, Django would show its
    error page instead of calling handler500; this hook keeps the 503 there too.
    """

    def __init__(self, get_response):
        """Keep the next handler."""
        self.get_response = get_response

    def __call__(self, request):
        """Pass the request on."""
        return self.get_response(request)

    def process_exception(self, request, exception):
        """Return a 503 for a database outage; let Django handle anything else."""
        if is_database_unavailable(exception):
            return json_database_unavailable(exception)
        return None

"""
The one place where errors become HTTP responses.

Domain exceptions carry their status (and their field errors, rendered like a
serializer's); DRF errors keep theirs; validation errors list the fields; an
oversized body is a 413 and Django's other refusals of a request
(SuspiciousOperation) a 400. An unreachable database is a 503 (the
broken connection is closed so that the next request reconnects). Anything
unexpected is logged and answered with a JSON 500, so an API client never
receives an HTML error page.
"""

import logging
import sys

from django.conf import settings
from django.core.exceptions import RequestDataTooBig, SuspiciousOperation
from django.http import JsonResponse
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler

from edx_exams.apps.core.api import ExamBaseException
from edx_exams.http.db_errors import close_broken_connections, is_database_unavailable

log = logging.getLogger(__name__)

DATABASE_UNAVAILABLE_DETAIL = 'The service is temporarily unavailable (database); retry shortly.'
RETRY_AFTER_SECONDS = '5'
INVALID_DATA_DETAIL = 'Invalid data'


def exams_exception_handler(exc, context):
    """DRF EXCEPTION_HANDLER: map domain and framework errors to `{"detail": ...}` bodies."""
    if isinstance(exc, ExamBaseException):
        return Response(domain_error_body(exc), status=exc.http_status)
    if isinstance(exc, exceptions.ValidationError):
        return Response({'detail': INVALID_DATA_DETAIL, 'errors': exc.detail}, status=status.HTTP_400_BAD_REQUEST)
    if isinstance(exc, RequestDataTooBig):
        detail = f'Request body too large (over {settings.DATA_UPLOAD_MAX_MEMORY_SIZE} bytes).'
        return Response({'detail': detail}, status=status.HTTP_413_REQUEST_ENTITY_TOO_LARGE)
    if isinstance(exc, SuspiciousOperation):  # too many form fields or files, a malformed multipart body
        log.warning('Suspicious request refused: %s', exc)
        return Response({'detail': 'Bad request.'}, status=status.HTTP_400_BAD_REQUEST)
    if is_database_unavailable(exc):
        return Response(**database_unavailable(exc))
    response = exception_handler(exc, context)
    if response is None:
        view = context.get('view')
        log.exception('Unhandled error in view=%s', type(view).__name__ if view else None)
        return Response({'detail': 'Internal server error.'}, status=status.HTTP_500_INTERNAL_SERVER_ERROR)
    return response


def domain_error_body(exc: ExamBaseException) -> dict:
    """Return `{"detail": message}`, or `{"detail": "Invalid data", "errors": ...}` for an error naming fields."""
    if exc.field_errors is None:
        return {'detail': exc.message}
    return {'detail': INVALID_DATA_DETAIL, 'errors': exc.field_errors}


def json_page_not_found(request, exception=None):
    """handler404: a JSON 404 for any URL that no route matches."""
    return JsonResponse({'detail': 'Not found.'}, status=404)


def database_unavailable(error: BaseException) -> dict:
    """Log the outage, close broken connections, and return the 503's `data`, `status` and `headers`."""
    log.error('Database unavailable: %s: %s', type(error).__name__, error)
    close_broken_connections()
    return {
        'data': {'detail': DATABASE_UNAVAILABLE_DETAIL},
        'status': status.HTTP_503_SERVICE_UNAVAILABLE,
        'headers': {'Retry-After': RETRY_AFTER_SECONDS},
    }


def json_database_unavailable(error: BaseException) -> JsonResponse:
    """Return a JSON 503 for a database outage met outside a DRF view."""
    answer = database_unavailable(error)
    return JsonResponse(answer['data'], status=answer['status'], headers=answer['headers'])


def json_server_error(request):
    """handler500: a JSON 500 for errors raised outside DRF views (a 503 when the database is unreachable)."""
    error = sys.exc_info()[1]
    if is_database_unavailable(error):
        return json_database_unavailable(error)
    return JsonResponse({'detail': 'Internal server error.'}, status=500)


def json_bad_request(request, exception=None):
    """handler400: a JSON 400 (for example a request with a disallowed Host header)."""
    return JsonResponse({'detail': 'Bad request.'}, status=400)


def json_permission_denied(request, exception=None):
    """handler403: a JSON 403 (for example a failed CSRF check outside DRF)."""
    return JsonResponse({'detail': 'Permission denied.'}, status=403)

"""
Request ids: one id per HTTP request, on every log line it causes, in the Celery tasks it sends.

`RequestIdMiddleware` takes the incoming `X-Request-ID` header when it is sane
(1 to 128 letters, digits and `-_.:`; a load balancer's or the MFE's id), or
makes a new one, and echoes it in the response. `RequestIdFilter` puts it on
every log record as `request_id`. A task sent during the request carries it as
the `request_id` message header; the worker restores it while the task runs, so
the task's log lines show the same id.
"""

import contextvars
import logging
import re
import uuid

from celery import signals

REQUEST_ID_HEADER = 'X-Request-ID'
CELERY_HEADER = 'request_id'
NO_REQUEST_ID = '-'
_SANE_REQUEST_ID = re.compile(r'[A-Za-z0-9._:-]{1,128}')

_current_request_id: contextvars.ContextVar[str | None] = contextvars.ContextVar('request_id', default=None)


def get_request_id() -> str | None:
    """Return the id of the request (or task) being handled, or None outside of one."""
    return _current_request_id.get()


def sane_request_id(value: str | None) -> str | None:
    """Return `value` when it may be used as a request id as is, else None."""
    if value and _SANE_REQUEST_ID.fullmatch(value):
        return value
    return None


def new_request_id() -> str:
    """Return a fresh request id (32 hex digits)."""
    return uuid.uuid4().hex


class RequestIdMiddleware:
    """Give each request an id (the caller's X-Request-ID if sane), log with it and echo it in the response."""

    def __init__(self, get_response):
        """Keep the next handler."""
        self.get_response = get_response

    def __call__(self, request):
        """Handle the request under its id."""
        request_id = sane_request_id(request.headers.get(REQUEST_ID_HEADER)) or new_request_id()
        request.request_id = request_id
        token = _current_request_id.set(request_id)
        try:
            response = self.get_response(request)
        finally:
            _current_request_id.reset(token)
        response[REQUEST_ID_HEADER] = request_id
        return response


class RequestIdFilter(logging.Filter):
    """Add `request_id` to every log record ('-' outside a request or task)."""

    def filter(self, record: logging.LogRecord) -> bool:
        """Annotate the record; never drop it."""
        record.request_id = get_request_id() or NO_REQUEST_ID
        return True


@signals.before_task_publish.connect
def _add_request_id_header(headers=None, **kwargs):
    """Send the current request id with every task message."""
    request_id = get_request_id()
    if headers is not None and request_id and CELERY_HEADER not in headers:
        headers[CELERY_HEADER] = request_id


_task_tokens: dict[str, contextvars.Token] = {}


@signals.task_prerun.connect
def _restore_request_id(task_id=None, task=None, **kwargs):
    """Run the task under the request id its message carries."""
    request_id = sane_request_id(getattr(task.request, CELERY_HEADER, None)) if task is not None else None
    if request_id is None and task is not None:
        request_id = sane_request_id((task.request.headers or {}).get(CELERY_HEADER))
    if request_id and task_id:
        _task_tokens[task_id] = _current_request_id.set(request_id)


@signals.task_postrun.connect
def _forget_request_id(task_id=None, **kwargs):
    """Leave the task's request id behind when it ends."""
    token = _task_tokens.pop(task_id, None) if task_id else None
    if token is not None:
        _current_request_id.reset(token)

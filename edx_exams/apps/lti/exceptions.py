"""Errors of the LTI app; each carries its HTTP status, and the API layer answers `{"detail": ...}`."""

from rest_framework import status

from edx_exams.apps.core.api import ExamBaseException


class LtiError(ExamBaseException):
    """An LTI message or request that fails a check; the details go to the log, not to the caller."""

    default_message = 'Invalid LTI request.'


class LtiNotConfigured(ExamBaseException):
    """The exam has no proctoring tool registered through LTI."""

    default_message = 'This exam has no LTI proctoring tool.'


class LtiUnauthorized(ExamBaseException):
    """A bad, expired or under-scoped ACS access token."""

    http_status = status.HTTP_401_UNAUTHORIZED
    default_message = 'Invalid access token.'


class LtiForbidden(ExamBaseException):
    """The caller is known but may not act on this attempt or exam."""

    http_status = status.HTTP_403_FORBIDDEN
    default_message = 'You do not have permission to perform this action.'


class AcsUnsupportedMediaType(ExamBaseException):
    """An ACS request whose body is not the control media type (OAT answers 406)."""

    http_status = status.HTTP_406_NOT_ACCEPTABLE
    default_message = 'Unsupported media type.'


class OAuthError(ExamBaseException):
    """An RFC 6749 token-endpoint error: `error` is the OAuth error code."""

    def __init__(self, error: str, message: str, *, http_status: int = status.HTTP_400_BAD_REQUEST):
        super().__init__(message)
        self.error = error
        self.http_status = http_status

"""Domain exceptions of the exams service; each carries the HTTP status it maps to."""

from typing import Any

from rest_framework import status

# What the field errors of an invalid request are keyed by: a field name, or a list item's index.
FieldErrors = dict[Any, Any]


class ExamBaseException(Exception):
    """
    Base of every domain error; the HTTP layer's one exception handler renders it.

    Without `field_errors` the body is `{"detail": message}`; with them it is a 400's
    `{"detail": "Invalid data", "errors": field_errors}`, as for a serializer's errors.
    """

    http_status: int = status.HTTP_400_BAD_REQUEST
    default_message = 'The request could not be completed.'

    def __init__(self, message: str | None = None, *, field_errors: FieldErrors | None = None):
        self.message = message or self.default_message
        self.field_errors = field_errors
        super().__init__(self.message)


class ExamDoesNotExist(ExamBaseException):
    """No exam matches the given id or keys."""

    http_status = status.HTTP_404_NOT_FOUND
    default_message = 'Exam does not exist.'


class ExamAttemptDoesNotExist(ExamBaseException):
    """No attempt matches the given id."""

    http_status = status.HTTP_404_NOT_FOUND
    default_message = 'Attempt does not exist.'


class CourseNotFound(ExamBaseException):
    """The course is unknown to this service."""

    http_status = status.HTTP_404_NOT_FOUND
    default_message = 'Course not found.'


class UserNotFound(ExamBaseException):
    """No user matches the given username, email or id."""

    http_status: int = status.HTTP_400_BAD_REQUEST
    default_message = 'User not found.'


class InvalidCourseKey(ExamBaseException):
    """A course or usage key is not in a valid format."""

    default_message = 'Invalid course key.'


class ExamIllegalStatusTransition(ExamBaseException):
    """The attempt cannot move from its status to the one requested."""

    http_status = status.HTTP_409_CONFLICT
    default_message = "This action is not allowed in the attempt's current status."


class ExamAttemptOnPastDueExam(ExamBaseException):
    """The exam is past its due date and no longer takes new attempts."""

    default_message = 'The due date of this exam has passed.'


class ExamAttemptAlreadyExists(ExamBaseException):
    """The learner already has an attempt for this exam."""

    http_status = status.HTTP_409_CONFLICT
    default_message = 'An attempt for this exam already exists.'


class AnotherAttemptInProgress(ExamBaseException):
    """The learner has another exam running."""

    http_status = status.HTTP_409_CONFLICT
    default_message = 'Another exam attempt is in progress.'


class ExamPermissionDenied(ExamBaseException):
    """The user may not act on this object."""

    http_status = status.HTTP_403_FORBIDDEN
    default_message = 'You do not have permission to perform this action.'


class ExamAccessTokenNotGranted(ExamBaseException):
    """The learner may not see the exam content now."""

    http_status = status.HTTP_403_FORBIDDEN
    default_message = 'Exam access token not granted'


class InvalidExamData(ExamBaseException):
    """A published exam list breaks a rule of the course (for example a content id listed twice)."""

    default_message = 'Invalid exam data.'


class ExamPublishConflict(ExamBaseException):
    """Another publish of the same course changed its exams at the same time; retrying is safe."""

    http_status = status.HTTP_409_CONFLICT
    default_message = 'The exams of this course were changed concurrently. Please retry.'


class InvalidProctoringProvider(ExamBaseException):
    """The proctoring provider is unknown, inactive or not offered to the course's organization."""

    default_message = 'Proctoring provider does not exist.'


class AccommodationDoesNotExist(ExamBaseException):
    """No allowance or due-date extension matches the given id in this course."""

    http_status = status.HTTP_404_NOT_FOUND
    default_message = 'Not found.'


class InvalidAttemptQuery(ExamBaseException):
    """A filter or ordering of the instructor attempts list is not one the list knows."""

    default_message = 'Invalid attempts query.'


class UserDoesNotExist(ExamBaseException):
    """No user matches the username or LMS user id in the URL or body (a lookup, not a list to validate)."""

    http_status = status.HTTP_404_NOT_FOUND
    default_message = 'User does not exist.'


class OnboardingExamDoesNotExist(ExamBaseException):
    """The course has no active onboarding exam (the learning MFE then hides its proctoring panel)."""

    http_status = status.HTTP_404_NOT_FOUND
    default_message = 'There is no onboarding exam related to this course id.'


class RetirementRefused(ExamBaseException):
    """The user may not be retired: the Studio service user, or the caller themselves."""

    http_status = status.HTTP_403_FORBIDDEN
    default_message = 'This user cannot be retired.'


class IdempotencyKeyReused(ExamBaseException):
    """An idempotency key already names a different request (other minutes or reason) on this exam."""

    http_status = status.HTTP_422_UNPROCESSABLE_ENTITY
    default_message = 'This idempotency key was already used for a different request on this exam.'

"""Learner attempt endpoints used by frontend-lib-special-exams (docs/references/client-contracts.rst L1-L5, L7)."""

import logging

from django.utils import timezone
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import status
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response

from edx_exams.apps.api.v1.serializers.attempts import (
    AttemptCreateSerializer,
    AttemptIdSerializer,
    AttemptUpdateSerializer,
    ExamAccessTokenSerializer,
    StudentAttemptSerializer,
    StudentExamSerializer,
    student_attempt_data,
    student_exam_data,
)
from edx_exams.apps.api.v1.views.base import CourseScopedView
from edx_exams.apps.core import api
from edx_exams.http.schema import BODY_ERRORS, ObjectOrEmpty, error_responses
from edx_exams.http.views import AuditedAPIView

log = logging.getLogger(__name__)


class StudentExamAttemptView(CourseScopedView):
    """
    GET /api/v1/student/exam/attempt/course_id/{course_id}/content_id/{content_id}.

    The exam of a subsection with the learner's current attempt: `{"exam": {...}}`,
    or `{"exam": {}}` when the subsection is not an exam. A running attempt whose
    time is up is submitted before it is returned. 400 for a malformed course key,
    401 without credentials.
    """

    audit_actor = api.AuditActor.LEARNER

    permission_classes = [IsAuthenticated]

    @extend_schema(
        responses={
            200: inline_serializer('StudentExamAttempt', {'exam': ObjectOrEmpty(StudentExamSerializer)}),
            **error_responses(400, 401, e400='Malformed course key.'),
        }
    )
    def get(self, request, course_id, content_id):
        """Return the exam and the learner's attempt."""
        exam, terms = api.get_active_exam_with_terms(
            course_id=course_id, content_id=content_id, user_id=request.user.id
        )
        if exam is None:
            return Response({'exam': {}})
        now = timezone.now()
        attempt = api.get_current_attempt(user=request.user, exam=exam, now=now)
        return Response({'exam': student_exam_data(exam, now=now, terms=terms, attempt=attempt)})


class LatestExamAttemptView(AuditedAPIView):
    """
    GET /api/v1/exams/attempt/latest[?content_id=...].

    Without `content_id`: the learner's running attempt in any exam, or `{}`.
    With it: the learner's latest attempt at that exam whatever its status, or `{}`.
    A running attempt whose time is up is returned once, as `submitted`.
    """

    audit_actor = api.AuditActor.LEARNER

    permission_classes = [IsAuthenticated]

    @extend_schema(
        parameters=[OpenApiParameter('content_id', str, required=False)],
        responses={200: ObjectOrEmpty(StudentAttemptSerializer), **error_responses(401)},
    )
    def get(self, request):
        """Return the learner's latest attempt."""
        now = timezone.now()
        # A raw (unencoded) key's '+' arrives as a space; usage keys never contain spaces.
        content_id = (request.query_params.get('content_id') or '').replace(' ', '+') or None
        attempt, terms = api.get_latest_attempt_with_terms(user=request.user, content_id=content_id, now=now)
        if attempt is None:
            return Response({})
        return Response(student_attempt_data(attempt, now=now, terms=terms))


class ExamAttemptCreateView(AuditedAPIView):
    """
    POST /api/v1/exams/attempt.

    Body `{"exam_id": N, "start_clock": "true"|"false", "attempt_proctored": "true"|"false"}`
    (booleans as strings or JSON booleans). Creates the learner's attempt, or
    returns the existing one (double clicks and two tabs get the same attempt),
    and starts the clock when asked; a proctored attempt starts only once the
    proctoring tool is ready. Answers `{"exam_attempt_id": N}`. 400 bad input or
    past due date, 404 unknown or inactive exam, 409 another exam is running.
    """

    audit_actor = api.AuditActor.LEARNER

    permission_classes = [IsAuthenticated]

    @extend_schema(
        request=AttemptCreateSerializer,
        responses={
            200: AttemptIdSerializer,
            **error_responses(
                *BODY_ERRORS,
                401,
                404,
                409,
                e400='Invalid body, or the exam is past its due date.',
                e404='No such active exam.',
                e409='Another exam attempt of the learner is running.',
            ),
        },
    )
    def post(self, request):
        """Create (or return) the learner's attempt."""
        data = _validated(AttemptCreateSerializer, request.data)
        attempt = api.create_exam_attempt(user=request.user, exam_id=data['exam_id'], start_clock=data['start_clock'])
        return Response({'exam_attempt_id': attempt.id})


class ExamAttemptDetailView(AuditedAPIView):
    """
    PUT /api/v1/exams/attempt/{attempt_id}.

    PUT body `{"action": A[, "detail": text][, "comment": text]}` with A in start,
    stop, submit, click_download_software, error, reset_attempt, decline (the
    learner's own attempt) or verify, reject (with an optional comment) and
    resume (an errored attempt) for course staff. Answers `{"exam_attempt_id": N}`
    (for reset_attempt, the new attempt). A repeated submit answers 200 and
    changes nothing. 400 unknown action or bad input, 403 someone else's
    attempt, 404 unknown attempt, 409 an action the status does not allow.

    DELETE resets the attempt (204): it leaves the learner's view so a new one
    can start; its history stays. Course staff may reset any attempt of their
    course; a learner only an attempt whose clock has not started, or a finished
    practice or onboarding attempt (403 otherwise).
    """

    audit_actor = api.AuditActor.LEARNER  # core names staff for verify, reject, resume and a staff reset

    permission_classes = [IsAuthenticated]

    @extend_schema(
        request=AttemptUpdateSerializer,
        responses={
            200: AttemptIdSerializer,
            **error_responses(
                *BODY_ERRORS,
                401,
                403,
                404,
                409,
                e403="Someone else's attempt, or a staff action by a learner.",
                e404='No such attempt.',
                e409="The attempt's status does not allow this action.",
            ),
        },
    )
    def put(self, request, attempt_id):
        """Apply an action to an attempt."""
        data = _validated(AttemptUpdateSerializer, request.data)
        attempt = api.update_attempt_with_action(
            attempt_id=int(attempt_id),
            action=data['action'],
            actor=request.user,
            detail=data['detail'],
            comment=data['comment'],
        )
        return Response({'exam_attempt_id': attempt.id})

    @extend_schema(
        responses={
            204: None,
            **error_responses(
                401,
                403,
                404,
                409,
                e403='Not allowed to reset this attempt (see above).',
                e404='No such attempt.',
                e409="The attempt's status does not allow a reset.",
            ),
        }
    )
    def delete(self, request, attempt_id):
        """Reset an attempt."""
        api.reset_exam_attempt(int(attempt_id), actor=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


class ExamAccessTokenView(AuditedAPIView):
    """
    GET /api/v1/access_tokens/exam_id/{exam_id}/.

    A short-lived JWT the LMS accepts (edx-token-utils) to show exam content:
    `{"exam_access_token": jwt, "exam_access_token_expiration": seconds}`.
    403 `{"detail": "Exam access token not granted"}` when the learner has no
    running attempt (and the content is not shown after the due date); 404 unknown exam.
    """

    audit_actor = api.AuditActor.LEARNER

    permission_classes = [IsAuthenticated]

    @extend_schema(
        responses={
            200: ExamAccessTokenSerializer,
            **error_responses(
                401, 403, 404, e403='Exam access token not granted (no running attempt).', e404='No such exam.'
            ),
        }
    )
    def get(self, request, exam_id):
        """Grant a token or answer 403."""
        token = api.get_exam_access_token(user=request.user, exam_id=int(exam_id))
        return Response(ExamAccessTokenSerializer(token).data)


def _validated(serializer_class, data):
    serializer = serializer_class(data=data)
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data

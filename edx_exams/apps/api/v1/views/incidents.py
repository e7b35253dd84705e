"""Incident tools of course staff: exam-wide extra time, bulk resume and reset (docs/operations/incidents.rst)."""

from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.response import Response

from edx_exams.apps.api.v1.permissions import IsCourseStaffOrGlobalStaff
from edx_exams.apps.api.v1.serializers.incidents import (
    BulkAttemptsSerializer,
    BulkResultSerializer,
    ExtendRunningSerializer,
    TimeExtensionSerializer,
)
from edx_exams.apps.api.v1.views.base import CourseScopedView
from edx_exams.apps.core import api
from edx_exams.http.schema import BODY_ERRORS, error_responses


class ExamExtendRunningView(CourseScopedView):
    """
    POST /api/v1/exams/course_id/{course_id}/exam/{exam_id}/extend_running.

    Body `{"minutes": N, "reason": "...", "idempotency_key": "..."}`: adds N minutes
    to every attempt of the exam that is running or paused now, each capped by its
    learner's due date; answers how many were extended and which were capped. The
    learners see the new time on their next poll. The same `idempotency_key` again
    (a double click, a retry) answers the stored result with 200 and adds nothing;
    with other minutes or reason it is a 422. `reopen_expired_within_mins` is
    refused (ADR 0018). Course staff of the course or global staff.
    """

    permission_classes = [IsCourseStaffOrGlobalStaff]
    audit_actor = api.AuditActor.STAFF

    @extend_schema(
        request=ExtendRunningSerializer,
        responses={
            201: OpenApiResponse(TimeExtensionSerializer, description='The time was added.'),
            200: OpenApiResponse(
                TimeExtensionSerializer, description='This key was already used: the stored result, nothing added.'
            ),
            **error_responses(
                *BODY_ERRORS,
                401,
                403,
                404,
                422,
                e404='No such exam in the course.',
                e422='The idempotency key was already used for other minutes or another reason.',
            ),
        },
    )
    def post(self, request, course_id, exam_id):
        """Extend every running attempt of the exam, once per idempotency key."""
        serializer = ExtendRunningSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        outcome = api.extend_running_attempts(
            course_id=course_id,
            exam_id=int(exam_id),
            minutes=data['minutes'],
            reason=data['reason'],
            idempotency_key=data['idempotency_key'],
            staff=request.user,
        )
        answer = status.HTTP_200_OK if outcome.replayed else status.HTTP_201_CREATED
        return Response(TimeExtensionSerializer(outcome).data, status=answer)


class ExamAttemptsBulkView(CourseScopedView):
    """
    POST /api/v1/exams/course_id/{course_id}/exam/{exam_id}/attempts/bulk.

    Body `{"action": "resume" | "reset", "statuses": [...], "since": ISO 8601 (optional),
    "attempt_ids": [...] (optional), "dry_run": true | false, "reason": "..."}`: resumes
    or resets each selected active attempt through the single-attempt staff action
    (same checks, same events), or with `dry_run` only says what would happen. One
    attempt's refusal or failure is reported in its item; the others go on. More than
    1,000 selected attempts is a 400. Course staff of the course or global staff.
    """

    permission_classes = [IsCourseStaffOrGlobalStaff]
    audit_actor = api.AuditActor.STAFF

    @extend_schema(
        request=BulkAttemptsSerializer,
        responses={
            200: BulkResultSerializer,
            **error_responses(*BODY_ERRORS, 401, 403, 404, e404='No such exam in the course.'),
        },
    )
    def post(self, request, course_id, exam_id):
        """Resume or reset the selected attempts (or report what would happen)."""
        serializer = BulkAttemptsSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        ids = data.get('attempt_ids')
        selection = api.AttemptSelection(
            exam_id=int(exam_id),
            statuses=frozenset(data['statuses']),
            since=data.get('since'),
            attempt_ids=None if ids is None else frozenset(ids),
        )
        result = api.bulk_attempt_action(
            course_id=course_id,
            selection=selection,
            action=api.BulkAction(data['action']),
            staff=request.user,
            reason=data['reason'],
            dry_run=data['dry_run'],
        )
        return Response(BulkResultSerializer(result).data)

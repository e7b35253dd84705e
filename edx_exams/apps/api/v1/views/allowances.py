"""Allowances and personal due-date extensions of a course (exams dashboard and accommodations)."""

from collections.abc import Mapping

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.exceptions import ValidationError
from rest_framework.parsers import FormParser
from rest_framework.response import Response

from edx_exams.apps.api.v1.csv_upload import (
    CSV_FIELD,
    FILE_FIELD,
    MAX_UPLOAD_ROWS,
    CsvMultiPartParser,
    CsvTable,
    CsvTextParser,
)
from edx_exams.apps.api.v1.permissions import IsCourseStaffOrGlobalStaff
from edx_exams.apps.api.v1.serializers.allowances import (
    UPLOAD_ERROR,
    UPLOAD_REPORT,
    AllowanceReadSerializer,
    AllowanceUploadSerializer,
    AllowanceWriteSerializer,
    DueDateExtensionReadSerializer,
    DueDateExtensionWriteSerializer,
)
from edx_exams.apps.api.v1.views.base import CourseScopedView
from edx_exams.apps.core import api
from edx_exams.http.parsers import ExamsJSONParser
from edx_exams.http.schema import BODY_ERRORS, error_responses


class CourseAllowancesView(CourseScopedView):
    """
    GET, POST /api/v1/exams/course_id/{course_id}/allowances.

    GET lists the course's allowances. POST takes a list of
    `{"username" | "email": ..., "exam_id": N, "extra_time_mins": M}` (or
    `"time_multiplier": 1.5` instead of minutes) and creates or updates each one
    (the dashboard edits with POST). One unknown user or exam, or one invalid
    item, gives 400 naming it and stores nothing. A running attempt gets the new
    time at once. Course staff or global staff; 401 anonymous, 403 others,
    404 a course with no exams.
    """

    audit_actor = api.AuditActor.STAFF

    permission_classes = [IsCourseStaffOrGlobalStaff]

    @extend_schema(responses={200: AllowanceReadSerializer(many=True), **error_responses(400, 401, 403)})
    def get(self, request, course_id):
        """List the allowances of the course."""
        return Response(AllowanceReadSerializer(api.list_allowances(course_id), many=True).data)

    @extend_schema(
        request=AllowanceWriteSerializer(many=True),
        responses={
            200: AllowanceReadSerializer(many=True),
            **error_responses(*BODY_ERRORS, 401, 403, 404, e404='The course has no exams.'),
        },
    )
    def post(self, request, course_id):
        """Create or update allowances, all or nothing."""
        items = request.data if isinstance(request.data, list) else [request.data]
        serializer = AllowanceWriteSerializer(data=items, many=True)
        serializer.is_valid(raise_exception=True)
        specs = [api.AllowanceSpec(**item) for item in serializer.validated_data]
        saved = api.upsert_allowances(course_id, specs=specs, actor=request.user)
        return Response(AllowanceReadSerializer(saved, many=True).data)


class CourseAllowanceDetailView(CourseScopedView):
    """DELETE /api/v1/exams/course_id/{course_id}/allowances/{allowance_id}: 204; 404 if not in the course."""

    audit_actor = api.AuditActor.STAFF

    permission_classes = [IsCourseStaffOrGlobalStaff]

    @extend_schema(responses={204: None, **error_responses(400, 401, 403, e404='No such allowance in the course.')})
    def delete(self, request, course_id, allowance_id):
        """Delete one allowance."""
        api.delete_allowance(course_id, allowance_id=int(allowance_id), actor=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


class CourseAllowancesUploadView(CourseScopedView):
    """
    POST /api/v1/exams/course_id/{course_id}/allowances/upload.

    A CSV file (multipart field `file`, or a `text/csv` body) with the header
    `username,email,exam_id,extra_time_mins,time_multiplier` (unused columns may
    be left out or empty). Any common spreadsheet dialect is read (UTF-8 or UTF-16,
    any line ending, commas, semicolons or tabs: api/v1/csv_upload.py); an unreadable
    file is a 400 with `errors.file`. Answers a report with one entry per non-empty
    row, `row` being its line in the file. All rows are stored, or none: any
    invalid row gives 400 with the report.
    """

    audit_actor = api.AuditActor.STAFF

    permission_classes = [IsCourseStaffOrGlobalStaff]
    parser_classes = [CsvMultiPartParser, CsvTextParser, FormParser, ExamsJSONParser]

    @extend_schema(
        request={
            'multipart/form-data': AllowanceUploadSerializer,
            'text/csv': OpenApiTypes.STR,
        },
        responses={
            200: OpenApiResponse(UPLOAD_REPORT, description='Every row was stored.'),
            400: OpenApiResponse(
                UPLOAD_ERROR,
                description='No row was stored: `rows` says what is wrong with each row, or `errors` what is wrong '
                'with the file (missing, not UTF-8, too large, no exam_id column, no rows or too many).',
            ),
            **error_responses(401, 403, 404, 413, 415, e404='The course has no exams.'),
        },
    )
    def post(self, request, course_id):
        """Validate and store every row, or report what is wrong."""
        rows, lines = _read_csv_rows(request)
        serializer = AllowanceWriteSerializer(data=rows, many=True)
        if not serializer.is_valid():
            by_row = _errors_by_index(serializer.errors)
            report = [_row_report(line, by_row.get(i, {})) for i, line in enumerate(lines)]
            return Response({'detail': 'Invalid rows', 'rows': report}, status=status.HTTP_400_BAD_REQUEST)
        specs = [api.AllowanceSpec(**item) for item in serializer.validated_data]
        try:
            api.upsert_allowances(course_id, specs=specs, actor=request.user)
        except api.InvalidAccommodation as error:
            by_row = {e['index']: {e['field']: [e['error']]} for e in error.errors}
            report = [_row_report(line, by_row.get(i, {})) for i, line in enumerate(lines)]
            return Response({'detail': 'Invalid rows', 'rows': report}, status=status.HTTP_400_BAD_REQUEST)
        return Response({'detail': f'{len(rows)} allowances saved', 'rows': [_row_report(line, {}) for line in lines]})


class CourseDueDateExtensionsView(CourseScopedView):
    """
    GET, POST /api/v1/exams/course_id/{course_id}/due_date_extensions.

    GET lists personal due dates; POST `{"username" | "email": ..., "exam_id": N,
    "due_date": ISO 8601}` sets one learner's due date on an exam (a running
    attempt's deadline follows at once). Course staff or global staff.
    """

    audit_actor = api.AuditActor.STAFF

    permission_classes = [IsCourseStaffOrGlobalStaff]

    @extend_schema(responses={200: DueDateExtensionReadSerializer(many=True), **error_responses(400, 401, 403)})
    def get(self, request, course_id):
        """List personal due dates of the course."""
        return Response(DueDateExtensionReadSerializer(api.list_due_date_extensions(course_id), many=True).data)

    @extend_schema(
        request=DueDateExtensionWriteSerializer,
        responses={
            200: DueDateExtensionReadSerializer,
            **error_responses(*BODY_ERRORS, 401, 403, 404, e404='The course has no exams.'),
        },
    )
    def post(self, request, course_id):
        """Set a personal due date."""
        serializer = DueDateExtensionWriteSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        extension = api.set_due_date_extension(
            course_id,
            exam_id=data['exam_id'],
            username=data.get('username'),
            email=data.get('email'),
            due_date=data['due_date'],
            actor=request.user,
        )
        return Response(DueDateExtensionReadSerializer(extension).data)


class CourseDueDateExtensionDetailView(CourseScopedView):
    """DELETE /api/v1/exams/course_id/{course_id}/due_date_extensions/{extension_id}: 204; 404 if not in the course."""

    audit_actor = api.AuditActor.STAFF

    permission_classes = [IsCourseStaffOrGlobalStaff]

    @extend_schema(
        responses={204: None, **error_responses(400, 401, 403, e404='No such due date extension in the course.')}
    )
    def delete(self, request, course_id, extension_id):
        """Remove a personal due date."""
        api.delete_due_date_extension(course_id, extension_id=int(extension_id), actor=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


def _errors_by_index(errors) -> dict:
    """Return list-serializer errors keyed by item index (DRF gives a dict or a list by version)."""
    if isinstance(errors, dict):
        return {int(k): v for k, v in errors.items()}
    return {i: e for i, e in enumerate(errors) if e}


def _read_csv_rows(request) -> tuple[list[dict], list[int]]:
    """Return the parsed CSV's rows as dicts of their non-empty cells, and their line numbers; 400 on a bad file."""
    table = request.data.get(CSV_FIELD) if isinstance(request.data, Mapping) else None
    if not isinstance(table, CsvTable):
        raise ValidationError({FILE_FIELD: ['Send a CSV file in the multipart field "file" or a text/csv body.']})
    if 'exam_id' not in table.columns or not {'username', 'email'} & set(table.columns):
        raise ValidationError({FILE_FIELD: ['The header must name exam_id and username or email.']})
    if not table.rows:
        raise ValidationError({FILE_FIELD: [f'The file must have 1 to {MAX_UPLOAD_ROWS} rows.']})
    return [row.cells for row in table.rows], [row.line for row in table.rows]


def _row_report(line: int, errors: dict) -> dict:
    return {'row': line, 'status': 'error' if errors else 'ok', 'errors': errors}

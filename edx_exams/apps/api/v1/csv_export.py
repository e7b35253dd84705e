"""
Streaming the instructor attempts list as CSV.

DRF picks a renderer from `?format=` and `Accept`, and answers 404 to a format no
renderer claims. These endpoints render JSON only (data and errors alike) through
FirstRendererNegotiation, and stream CSV themselves with a StreamingHttpResponse when
the client asks for it, so `?format=csv` and `Accept: text/csv` both work.
"""

import csv
import re
from collections.abc import Iterable, Iterator
from datetime import datetime

from django.http import StreamingHttpResponse
from django.utils import timezone

from edx_exams.apps.api.v1.serializers.instructor import serialize_attempt_rows
from edx_exams.apps.core import api

CSV_CONTENT_TYPE = 'text/csv'
# One column per scalar of a list row; nested reviews are flattened with a prefix.
CSV_COLUMNS = (
    'attempt_id',
    'exam_id',
    'exam_display_name',
    'exam_type',
    'user_id',
    'username',
    'email',
    'attempt_number',
    'attempt_status',
    'is_active',
    'allowed_time_limit_mins',
    'start_time',
    'end_time',
    'reset_by',
    'reset_at',
    'proctored_review_severity',
    'proctored_review_submission_reason',
    'staff_review_decision',
    'staff_review_reviewer',
    'staff_review_comment',
    'staff_review_created',
    'review_url',
)
# A spreadsheet runs a cell starting with one of these as a formula (OWASP "CSV injection").
FORMULA_TRIGGERS = ('=', '+', '-', '@', '\t', '\r')


def wants_csv(request, *, fmt: str | None) -> bool:
    """Return True if the client asked for CSV: `?format=csv`, or `Accept: text/csv` without `?format=json`."""
    if fmt:
        return fmt == 'csv'
    return CSV_CONTENT_TYPE in request.META.get('HTTP_ACCEPT', '')


def attempts_csv_response(course_id: str, *, query: api.AttemptQuery, now: datetime | None = None):
    """Return a streaming CSV download of the course's attempts matching `query` (404 now for an unknown exam)."""
    chunks = api.iter_course_attempt_rows(course_id, query=query)
    response = StreamingHttpResponse(csv_lines(chunks), content_type=f'{CSV_CONTENT_TYPE}; charset=utf-8')
    filename = csv_filename(course_id, exam_id=query.exam_id, now=now or timezone.now())
    response['Content-Disposition'] = f'attachment; filename="{filename}"'
    response['Cache-Control'] = 'no-store'
    return response


def csv_filename(course_id: str, *, exam_id: int | None, now: datetime) -> str:
    """Return e.g. `exam_attempts_course-v1_edX_DemoX_Demo_Course_exam_7_20260101T120000Z.csv`."""
    course = re.sub(r'[^A-Za-z0-9._-]+', '_', course_id)
    scope = f'exam_{exam_id}' if exam_id is not None else 'all_exams'
    return f'exam_attempts_{course}_{scope}_{now:%Y%m%dT%H%M%SZ}.csv'


def csv_lines(chunks: Iterable[list[dict]]) -> Iterator[str]:
    """Yield the header, then one CSV line per row, serializing one chunk (and its reviews) at a time."""
    writer = csv.writer(_LineBuffer())
    yield writer.writerow(CSV_COLUMNS)
    for chunk in chunks:
        for item in serialize_attempt_rows(chunk):
            yield writer.writerow([safe_cell(value) for value in _flatten(item)])


def safe_cell(value) -> str:
    """Return `value` as CSV text that a spreadsheet will not evaluate (a leading quote defuses formulas)."""
    if value is None:
        return ''
    if isinstance(value, bool):
        return 'true' if value else 'false'
    text = str(value)
    if isinstance(value, str) and text.startswith(FORMULA_TRIGGERS):
        return f"'{text}"
    return text


def _flatten(item: dict) -> list:
    proctored = item['proctored_review'] or {}
    staff = item['staff_review'] or {}
    values = {
        **item,
        'proctored_review_severity': proctored.get('severity'),
        'proctored_review_submission_reason': proctored.get('submission_reason'),
        'staff_review_decision': staff.get('decision'),
        'staff_review_reviewer': staff.get('reviewer'),
        'staff_review_comment': staff.get('comment'),
        'staff_review_created': staff.get('created'),
    }
    return [values.get(column) for column in CSV_COLUMNS]


class _LineBuffer:
    """A file-like object whose write returns the line, so csv.writer produces strings to stream."""

    def write(self, value: str) -> str:
        return value

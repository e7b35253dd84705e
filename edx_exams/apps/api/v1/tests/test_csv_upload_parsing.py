"""
The allowance upload reads its CSV in DRF parsers (a `text/csv` body or a multipart `file`), with limits.

A body over the request size limit is a 413; a file over the upload's byte or row limit, or a
request without a CSV file, is a 400 naming `file`.
"""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from edx_exams.apps.api.v1.csv_upload import MAX_UPLOAD_BYTES, MAX_UPLOAD_ROWS, CsvMultiPartParser, CsvTextParser
from edx_exams.apps.api.v1.views.allowances import CourseAllowancesUploadView
from edx_exams.apps.core.tests.factories import ExamFactory
from test_utils.courses import COURSE

pytestmark = pytest.mark.django_db

UPLOAD_URL = f'/api/v1/exams/course_id/{COURSE}/allowances/upload'
HEADER = b'username,exam_id,extra_time_mins\n'


@pytest.fixture(autouse=True)
def exam():
    """An exam of the course (a course without exams is a 404)."""
    return ExamFactory(course_id=COURSE)


def test_the_upload_view_reads_csv_with_the_csv_parsers():
    assert {CsvTextParser, CsvMultiPartParser} <= set(CourseAllowancesUploadView.parser_classes)


def test_a_csv_body_over_the_request_size_limit_is_a_413(staff, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 100

    response = staff.generic('POST', UPLOAD_URL, HEADER + b'ann,1,5\n' * 20, content_type='text/csv')

    assert response.status_code == 413


def test_a_csv_body_over_the_byte_limit_is_a_400_naming_the_file(staff):
    body = HEADER + b'ann,1,5\n' * (MAX_UPLOAD_BYTES // 8 + 1)

    response = staff.generic('POST', UPLOAD_URL, body, content_type='text/csv')

    assert response.status_code == 400
    assert response.json()['errors']['file'] == [f'The file is larger than {MAX_UPLOAD_BYTES} bytes.']


def test_a_csv_file_over_the_row_limit_is_a_400_naming_the_file(staff):
    raw = HEADER + b'ann,1,5\n' * (MAX_UPLOAD_ROWS + 1)
    file = SimpleUploadedFile('allowances.csv', raw, content_type='text/csv')

    response = staff.post(UPLOAD_URL, {'file': file}, format='multipart')

    assert response.status_code == 400
    assert response.json()['errors']['file'] == [f'The file has more than {MAX_UPLOAD_ROWS} rows.']


@pytest.mark.parametrize(
    'body, content_type',
    [(b'{"username": "ann"}', 'application/json'), (b'username=ann', 'application/x-www-form-urlencoded')],
    ids=['json', 'form'],
)
def test_a_request_without_a_csv_file_is_a_400_naming_the_file(staff, body, content_type):
    response = staff.generic('POST', UPLOAD_URL, body, content_type=content_type)

    assert response.status_code == 400
    assert response.json()['errors'] == {'file': ['Send a CSV file in the multipart field "file" or a text/csv body.']}

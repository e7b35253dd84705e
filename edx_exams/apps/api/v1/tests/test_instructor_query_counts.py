"""The attempts list runs the same number of SQL queries for 5 attempts as for 5,000."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from edx_exams.apps.api.v1.tests.bulk import bulk_attempts
from edx_exams.apps.core.tests.factories import CourseStaffRoleFactory, ExamFactory, ProviderFactory, UserFactory
from test_utils.auth import JwtClient
from test_utils.courses import COURSE

pytestmark = pytest.mark.django_db


def _count_queries(client, url):
    client.get(url)  # warm-up: the caller's user row exists, nothing left to update
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries), response.json()


@pytest.mark.parametrize('caller', ['course_staff', 'global_staff'])
def test_dashboard_call_query_count_does_not_grow(caller):
    user = CourseStaffRoleFactory(course_id=COURSE).user if caller == 'course_staff' else UserFactory(is_staff=True)
    client = JwtClient().as_user(user)
    counts = {}
    for size in (5, 5000):
        exam = ExamFactory(course_id=COURSE, exam_type='proctored', provider=ProviderFactory())
        bulk_attempts(exam, size, prefix=f's{size}_', reviewer=user)
        url = f'/api/v1/instructor_view/course_id/{COURSE}/attempts?exam_id={exam.id}&limit=1000000'
        counts[size], body = _count_queries(client, url)
        assert body['count'] == len(body['results']) == size
        reviewed = [row for row in body['results'] if row['proctored_review']]
        assert len(reviewed) == len([row for row in body['results'] if row['staff_review']]) == (size + 9) // 10
    assert counts[5] == counts[5000], counts
    # Authentication (1), the course staff role (1, not for global staff), the exam check, the count,
    # the page, the proctoring reviews and the staff reviews (1 each).
    assert counts[5] == (7 if caller == 'course_staff' else 6), counts


def test_search_and_ordering_keep_the_query_count(jwt_client):
    client = jwt_client.as_user(UserFactory(is_staff=True))
    exam = ExamFactory(course_id=COURSE)
    bulk_attempts(exam, 50)
    base = f'/api/v1/instructor_view/course_id/{COURSE}/attempts?limit=1000000'
    plain, _ = _count_queries(client, base)
    filtered, body = _count_queries(client, f'{base}&search=bulk1&status=submitted,error&ordering=-username')
    assert plain == filtered
    assert [row['username'] for row in body['results']] == ['bulk18', 'bulk15', 'bulk13', 'bulk10']

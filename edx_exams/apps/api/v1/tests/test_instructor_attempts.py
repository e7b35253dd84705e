"""
The exams dashboard's attempts list and its extra filters, over HTTP.

Contract: docs/references/client-contracts.rst section 2.2.
"""

from datetime import timedelta
from urllib.parse import quote

import pytest
from django.utils import timezone

from edx_exams.apps.core.models import AttemptReview
from edx_exams.apps.core.statuses import ExamAttemptStatus as S
from edx_exams.apps.core.tests.factories import (
    CourseStaffRoleFactory,
    ExamAttemptFactory,
    ExamFactory,
    ProviderFactory,
    UserFactory,
)
from edx_exams.apps.lti.models import ProctoringReview
from test_utils.auth import JwtClient
from test_utils.courses import COURSE, OTHER_COURSE

pytestmark = pytest.mark.django_db
DASHBOARD_FIELDS = {
    'attempt_id',
    'exam_display_name',
    'username',
    'allowed_time_limit_mins',
    'exam_type',
    'start_time',
    'end_time',
    'attempt_status',
    'proctored_review',
}
EXTRA_FIELDS = {
    'exam_id',
    'user_id',
    'email',
    'attempt_number',
    'is_active',
    'reset_by',
    'reset_at',
    'staff_review',
    'review_url',
}


def attempts_url(course=COURSE, query='', *, encode=False, slash=False):
    key = quote(course, safe='') if encode else course
    return f'/api/v1/instructor_view/course_id/{key}/attempts{"/" if slash else ""}{query}'


@pytest.fixture
def proctored_exam():
    return ExamFactory(course_id=COURSE, exam_type='proctored', provider=ProviderFactory(), exam_name='Final')


def _results(client, query=''):
    response = client.get(attempts_url(query=query))
    assert response.status_code == 200, response.content
    return response.json()['results']


def test_dashboard_call_returns_the_contract_fields(staff, staff_user, proctored_exam):
    """The exact call of the dashboard, and the review data it shows next to each proctored attempt."""
    learner = UserFactory(username='ada', email='ada@example.com', lms_user_id=4242)
    start = timezone.now() - timedelta(hours=2)
    attempt = ExamAttemptFactory(
        user=learner,
        exam=proctored_exam,
        status=S.SECOND_REVIEW_REQUIRED,
        allowed_time_limit_mins=75,
        start_time=start,
        end_time=start + timedelta(minutes=50),
    )
    ProctoringReview.objects.create(
        attempt=attempt, action='terminate', severity=0.6, reason_code='1', reason_msg='Two faces'
    )
    AttemptReview.objects.create(attempt=attempt, reviewer=staff_user, decision='rejected', comment='first look')
    AttemptReview.objects.create(attempt=attempt, reviewer=staff_user, decision='verified', comment='fine after all')
    response = staff.get(attempts_url(query=f'?exam_id={proctored_exam.id}&limit=1000000'))
    assert response.status_code == 200
    body = response.json()
    assert set(body) == {'count', 'next', 'previous', 'results'}
    assert (body['count'], body['next'], body['previous']) == (1, None, None)
    (row,) = body['results']
    assert set(row) == DASHBOARD_FIELDS | EXTRA_FIELDS
    assert row['attempt_id'] == attempt.id
    assert row['exam_display_name'] == 'Final'
    assert row['username'] == 'ada'
    assert row['allowed_time_limit_mins'] == 75
    assert row['exam_type'] == 'proctored'
    assert row['start_time'] == start.isoformat().replace('+00:00', 'Z')
    assert row['end_time'] is not None
    assert row['attempt_status'] == 'second_review_required'
    assert row['proctored_review'] == {'severity': 0.6, 'submission_reason': 'Two faces'}
    assert (row['exam_id'], row['user_id'], row['email']) == (proctored_exam.id, 4242, 'ada@example.com')
    assert (row['attempt_number'], row['is_active'], row['reset_by'], row['reset_at']) == (1, True, None, None)
    assert row['staff_review']['decision'] == 'verified'
    assert row['staff_review']['reviewer'] == staff_user.username
    assert row['staff_review']['comment'] == 'fine after all'
    assert row['review_url'] == f'http://exams.test/lti/exam/{proctored_exam.id}/instructor_tool'


def test_timed_attempt_has_no_reviews_and_no_review_url(staff):
    exam = ExamFactory(course_id=COURSE)
    ExamAttemptFactory(exam=exam, status=S.SUBMITTED)
    (row,) = _results(staff, f'?exam_id={exam.id}')
    assert (row['proctored_review'], row['staff_review'], row['review_url']) == (None, None, None)
    assert row['exam_type'] == 'timed'


def test_exam_id_is_optional_and_scoped_to_the_course(staff, proctored_exam):
    timed = ExamFactory(course_id=COURSE)
    other = ExamFactory(course_id=OTHER_COURSE)
    mine = {ExamAttemptFactory(exam=proctored_exam).id, ExamAttemptFactory(exam=timed).id}
    ExamAttemptFactory(exam=other)
    assert {row['attempt_id'] for row in _results(staff)} == mine
    assert [row['exam_id'] for row in _results(staff, f'?exam_id={timed.id}')] == [timed.id]


@pytest.mark.parametrize('exam_id', ['other-course', 'unknown'])
def test_exam_not_in_the_course_is_404(staff, exam_id):
    other = ExamFactory(course_id=OTHER_COURSE)
    ExamAttemptFactory(exam=other)
    wanted = other.id if exam_id == 'other-course' else 987654
    response = staff.get(attempts_url(query=f'?exam_id={wanted}&limit=1000000'))
    assert response.status_code == 404
    assert response.json() == {'detail': f'Exam {wanted} does not exist in course {COURSE}.'}


def test_search_matches_username_or_email_case_insensitively(staff, proctored_exam):
    for username, email in [('Grace', 'g@navy.mil'), ('alan', 'turing@GCHQ.gov.uk'), ('linus', 'l@kernel.org')]:
        ExamAttemptFactory(exam=proctored_exam, user=UserFactory(username=username, email=email))
    assert [r['username'] for r in _results(staff, '?search=grac')] == ['Grace']
    assert [r['username'] for r in _results(staff, '?search=gchq')] == ['alan']
    assert [r['username'] for r in _results(staff, '?search=%40')] == ['Grace', 'alan', 'linus']
    assert _results(staff, '?search=nobody') == []
    # LIKE wildcards are matched literally.
    assert _results(staff, '?search=%25') == []


def test_status_filter_takes_a_comma_list(staff, proctored_exam):
    for status in (S.STARTED, S.SUBMITTED, S.VERIFIED, S.ERROR):
        ExamAttemptFactory(exam=proctored_exam, status=status)
    assert {r['attempt_status'] for r in _results(staff, '?status=verified')} == {'verified'}
    assert {r['attempt_status'] for r in _results(staff, '?status=verified,error')} == {'verified', 'error'}
    assert {r['attempt_status'] for r in _results(staff, '?status=verified&status=started')} == {'verified', 'started'}


def test_reset_attempts_are_hidden_unless_asked_for(staff, staff_user, proctored_exam):
    kept = ExamAttemptFactory(exam=proctored_exam, status=S.SUBMITTED)
    reset = ExamAttemptFactory(exam=proctored_exam, status=S.STARTED)
    assert staff.delete(f'/api/v1/exams/attempt/{reset.id}').status_code == 204
    assert [r['attempt_id'] for r in _results(staff)] == [kept.id]
    rows = {r['attempt_id']: r for r in _results(staff, '?include_reset=true')}
    assert set(rows) == {kept.id, reset.id}
    assert rows[reset.id]['is_active'] is False
    assert rows[reset.id]['reset_by'] == staff_user.username
    assert rows[reset.id]['reset_at'] is not None


@pytest.mark.parametrize(
    ('ordering', 'expected'),
    [
        ('', ['bob', 'cat', 'ann']),
        ('username', ['ann', 'bob', 'cat']),
        ('-username', ['cat', 'bob', 'ann']),
        ('start_time', ['cat', 'ann', 'bob']),
        ('-start_time', ['bob', 'ann', 'cat']),
        ('end_time', ['cat', 'bob', 'ann']),
        ('attempt_status', ['cat', 'ann', 'bob']),
        ('-attempt_id', ['ann', 'cat', 'bob']),
    ],
)
def test_ordering(staff, proctored_exam, ordering, expected):
    now = timezone.now()
    specs = [
        ('bob', S.SUBMITTED, now - timedelta(hours=1), now),
        ('cat', S.CREATED, None, None),
        ('ann', S.ERROR, now - timedelta(hours=2), now + timedelta(minutes=5)),
    ]
    for username, status, start, end in specs:
        user = UserFactory(username=username)
        ExamAttemptFactory(exam=proctored_exam, user=user, status=status, start_time=start, end_time=end)
    query = f'?ordering={ordering}' if ordering else ''
    assert [r['username'] for r in _results(staff, query)] == expected


def test_limit_and_offset_pages(staff, proctored_exam):
    ids = [ExamAttemptFactory(exam=proctored_exam).id for _ in range(5)]
    body = staff.get(attempts_url(query='?limit=2&offset=2')).json()
    assert body['count'] == 5
    assert [r['attempt_id'] for r in body['results']] == ids[2:4]
    assert 'offset=4' in body['next']
    assert body['previous'] is not None
    beyond = staff.get(attempts_url(query='?limit=2&offset=1000000')).json()
    assert (beyond['count'], beyond['results']) == (5, [])


def test_default_page_size(staff, proctored_exam):
    ExamAttemptFactory.create_batch(3, exam=proctored_exam)
    body = staff.get(attempts_url()).json()
    assert (body['count'], len(body['results']), body['next']) == (3, 3, None)


@pytest.mark.parametrize(
    ('query', 'field'),
    [
        ('?exam_id=abc', 'exam_id'),
        ('?exam_id=1.5', 'exam_id'),
        ('?exam_id=0', 'exam_id'),
        ('?exam_id=99999999999999999999999', 'exam_id'),
        ('?ordering=password', 'ordering'),
        ('?ordering=-', 'ordering'),
        ('?status=verified,bogus', 'status'),
        ('?limit=-1', 'limit'),
        ('?limit=0', 'limit'),
        ('?limit=ten', 'limit'),
        ('?offset=-5', 'offset'),
        ('?offset=100000000000000000000000', 'offset'),
        ('?include_reset=perhaps', 'include_reset'),
        ('?format=xml', 'format'),
        (f'?search={"x" * 300}', 'search'),
    ],
)
def test_bad_query_parameters_are_400(staff, query, field):
    response = staff.get(attempts_url(query=query))
    assert response.status_code == 400, response.content
    body = response.json()
    assert body['detail'] == 'Invalid data'
    assert field in body['errors']


def test_unknown_status_is_named(staff):
    response = staff.get(attempts_url(query='?status=bogus,verified'))
    assert response.json()['errors']['status'] == ['Unknown attempt status: bogus.']


@pytest.mark.parametrize('encode', [False, True], ids=['raw', 'encoded'])
@pytest.mark.parametrize('slash', [False, True], ids=['no-slash', 'slash'])
def test_url_shapes(staff, proctored_exam, encode, slash):
    attempt = ExamAttemptFactory(exam=proctored_exam)
    response = staff.get(attempts_url(query=f'?exam_id={proctored_exam.id}', encode=encode, slash=slash))
    assert response.status_code == 200
    assert [r['attempt_id'] for r in response.json()['results']] == [attempt.id]


def test_malformed_course_key_is_400_for_global_staff(jwt_client):
    client = jwt_client.as_user(UserFactory(is_staff=True))
    response = client.get(attempts_url(course='course-v1:edX+Bad Key+2026'))
    assert response.status_code == 400
    assert response.json() == {'detail': 'Invalid course key: course-v1:edX+Bad Key+2026'}


def test_unknown_course_is_an_empty_list_for_global_staff(jwt_client):
    client = jwt_client.as_user(UserFactory(is_staff=True))
    body = client.get(attempts_url(course='course-v1:edX+Nothing+Here')).json()
    assert (body['count'], body['results']) == (0, [])


def _client(kind):
    if kind == 'anonymous':
        return JwtClient()
    if kind == 'learner':
        return JwtClient().as_user(UserFactory())
    if kind == 'other_course_staff':
        return JwtClient().as_user(CourseStaffRoleFactory(course_id=OTHER_COURSE).user)
    if kind == 'course_staff':
        return JwtClient().as_user(CourseStaffRoleFactory(course_id=COURSE).user)
    return JwtClient().as_user(UserFactory(is_staff=True))


@pytest.mark.parametrize(
    ('kind', 'expected'),
    [
        ('anonymous', 401),
        ('learner', 403),
        ('other_course_staff', 403),
        ('course_staff', 200),
        ('global_staff', 200),
    ],
)
@pytest.mark.parametrize('suffix', ['', '/export'], ids=['list', 'export'])
def test_permissions(proctored_exam, kind, expected, suffix):
    attempt = ExamAttemptFactory(exam=proctored_exam)
    response = _client(kind).get(
        f'/api/v1/instructor_view/course_id/{COURSE}/attempts{suffix}?exam_id={attempt.exam_id}'
    )
    assert response.status_code == expected
    if expected != 200:
        assert 'detail' in response.json()


def test_the_learner_whose_attempt_it_is_may_not_list_it(proctored_exam):
    attempt = ExamAttemptFactory(exam=proctored_exam)
    response = JwtClient().as_user(attempt.user).get(attempts_url())
    assert response.status_code == 403

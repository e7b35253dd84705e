"""/api/v1/exams/course_id/{course}/: Studio's publish (PATCH) and the exams dashboard list (GET)."""

from unittest import mock
from urllib.parse import quote

import pytest
from django.db import IntegrityError, connection
from django.test.utils import CaptureQueriesContext

from edx_exams.apps.core.models import Exam, ExamAttempt
from edx_exams.apps.core.tests.factories import (
    CourseExamConfigurationFactory,
    CourseStaffRoleFactory,
    ExamAttemptFactory,
    ExamFactory,
    UserFactory,
)
from test_utils.courses import COURSE, OTHER_COURSE

pytestmark = pytest.mark.django_db


def block(name, course=COURSE):
    return f'block-v1:{course.split(":", 1)[1]}+type@sequential+block@{name}'


def url(course=COURSE, *, encode=False, slash=True):
    key = quote(course, safe='') if encode else course
    return f'/api/v1/exams/course_id/{key}' + ('/' if slash else '')


def studio_item(name, exam_type='timed', **overrides):
    """One exam exactly as Studio's register_exams sends it."""
    item = {
        'course_id': COURSE,
        'content_id': block(name),
        'exam_name': f'Exam {name}',
        'time_limit_mins': 30,
        'due_date': None,
        'exam_type': exam_type,
        'is_active': True,
        'hide_after_due': False,
        'backend': 'lti_external',
    }
    item.update(overrides)
    return item


STUDIO_BODY = [
    studio_item('timed', time_limit_mins=45, due_date='2030-06-01T12:00:00+00:00'),
    studio_item('proctored', 'proctored', time_limit_mins=60, hide_after_due=True),
    studio_item('practice', 'practice_proctored', time_limit_mins=None),
    studio_item('onboarding', 'onboarding'),
]


@pytest.fixture
def worker():
    """Studio's service user: global staff through the JWT administrator claim."""
    return UserFactory(username='edx_exams_worker', is_staff=True)


@pytest.fixture
def studio(jwt_client, worker):
    return jwt_client.as_user(worker)


def snapshot():
    rows = Exam.objects.order_by('id').values()
    return [dict(row) for row in rows], Exam.history.count()


def active_by_content():
    return {e.content_id: e for e in Exam.objects.filter(course_id=COURSE, is_active=True).select_related('provider')}


def test_studio_publish_creates_the_exams_and_answers_json(studio):
    config = CourseExamConfigurationFactory(course_id=COURSE)
    response = studio.patch(url(), STUDIO_BODY, format='json')
    assert response.status_code == 200
    body = response.json()
    assert len(body['created']) == 4
    assert (body['updated'], body['deactivated'], body['unchanged']) == ([], [], 0)
    exams = active_by_content()
    assert exams[block('practice')].exam_type == 'practice'
    assert exams[block('timed')].due_date.isoformat() == '2030-06-01T12:00:00+00:00'
    assert exams[block('timed')].provider is None
    assert exams[block('proctored')].provider == config.provider
    assert exams[block('proctored')].hide_after_due is True
    assert exams[block('practice')].time_limit_mins is None


@pytest.mark.parametrize('encode', [False, True], ids=['raw', 'encoded'])
@pytest.mark.parametrize('slash', [True, False], ids=['slash', 'no-slash'])
def test_url_forms(studio, encode, slash):
    response = studio.patch(url(encode=encode, slash=slash), [studio_item('a')], format='json')
    assert response.status_code == 200, response.content
    listed = studio.get(url(encode=encode, slash=slash))
    assert listed.status_code == 200
    assert [exam['content_id'] for exam in listed.json()] == [block('a')]


def test_republishing_unchanged_course_writes_nothing(studio, django_assert_max_num_queries):
    CourseExamConfigurationFactory(course_id=COURSE)
    assert studio.patch(url(), STUDIO_BODY, format='json').status_code == 200
    before = snapshot()
    with django_assert_max_num_queries(12) as captured:
        response = studio.patch(url(), STUDIO_BODY, format='json')
    assert response.status_code == 200
    assert response.json() == {'created': [], 'updated': [], 'deactivated': [], 'unchanged': 4}
    assert snapshot() == before
    exam_writes = [
        q['sql']
        for q in captured.captured_queries
        if q['sql'].startswith(('INSERT', 'UPDATE', 'DELETE')) and 'exam' in q['sql']
    ]
    assert exam_writes == []


def test_same_type_updates_in_place_and_type_change_retires(studio):
    timed = ExamFactory(course_id=COURSE, content_id=block('a'), exam_name='Old', time_limit_mins=10)
    changing = ExamFactory(course_id=COURSE, content_id=block('b'), exam_type='timed')
    attempt = ExamAttemptFactory(exam=changing)
    body = [studio_item('a', exam_name='New', time_limit_mins=20), studio_item('b', 'proctored')]
    response = studio.patch(url(), body, format='json')
    assert response.status_code == 200
    assert response.json()['updated'] == [timed.id]
    timed.refresh_from_db()
    assert (timed.exam_name, timed.time_limit_mins) == ('New', 20)
    changing.refresh_from_db()
    assert changing.is_active is False
    assert active_by_content()[block('b')].exam_type == 'proctored'
    assert ExamAttempt.objects.get(pk=attempt.pk).exam_id == changing.id


def test_missing_exams_deactivated_and_empty_list_deactivates_all(studio):
    ExamFactory(course_id=COURSE, content_id=block('a'))
    dropped = ExamFactory(course_id=COURSE, content_id=block('b'))
    other = ExamFactory(course_id=OTHER_COURSE)
    response = studio.patch(url(), [studio_item('a')], format='json')
    assert response.json()['deactivated'] == [dropped.id]
    response = studio.patch(url(), [], format='json')
    assert response.status_code == 200
    assert response.json()['deactivated'] != []
    assert active_by_content() == {}
    assert Exam.objects.get(pk=other.pk).is_active is True


BAD_ITEMS = [
    ({'time_limit_mins': -1}, 'time_limit_mins'),
    ({'time_limit_mins': 10081}, 'time_limit_mins'),
    ({'time_limit_mins': '30'}, 'time_limit_mins'),
    ({'time_limit_mins': True}, 'time_limit_mins'),
    ({'time_limit_mins': 1.5}, 'time_limit_mins'),
    ({'due_date': 'next tuesday'}, 'due_date'),
    ({'due_date': 20300101}, 'due_date'),
    ({'exam_type': 'oral'}, 'exam_type'),
    ({'exam_type': None}, 'exam_type'),
    ({'exam_name': 42}, 'exam_name'),
    ({'exam_name': 'x' * 256}, 'exam_name'),
    ({'is_active': 'true'}, 'is_active'),
    ({'hide_after_due': 1}, 'hide_after_due'),
    ({'course_id': OTHER_COURSE}, 'course_id'),
    ({'course_id': 'not a course'}, 'course_id'),
    ({'content_id': 'not-a-usage-key'}, 'content_id'),
    ({'content_id': block('x', course=OTHER_COURSE)}, 'content_id'),
    ({'content_id': None}, 'content_id'),
    ({'backend': 7}, 'backend'),
]


@pytest.mark.parametrize(('overrides', 'field'), BAD_ITEMS, ids=[f'{f}-{i}' for i, (_, f) in enumerate(BAD_ITEMS)])
def test_one_invalid_item_changes_nothing(studio, overrides, field):
    ExamFactory(course_id=COURSE, content_id=block('a'), exam_name='Kept')
    ExamFactory(course_id=COURSE, content_id=block('b'))
    before = snapshot()
    body = [studio_item('a', exam_name='Changed'), studio_item('c'), studio_item('d', **overrides)]
    response = studio.patch(url(), body, format='json')
    assert response.status_code == 400
    data = response.json()
    assert data['detail'] == 'Invalid data'
    assert list(data['errors']) == ['2']
    assert field in data['errors']['2']
    assert snapshot() == before


def test_a_nameless_subsection_publishes_with_an_empty_name(studio):
    response = studio.patch(url(), [studio_item('nameless', exam_name=None)], format='json')
    assert response.status_code == 200
    assert Exam.objects.get(content_id=block('nameless')).exam_name == ''


def test_missing_required_field(studio):
    item = studio_item('a')
    del item['exam_name']
    response = studio.patch(url(), [item], format='json')
    assert response.status_code == 400
    assert 'exam_name' in response.json()['errors']['0']


def test_duplicate_content_id(studio):
    response = studio.patch(url(), [studio_item('a'), studio_item('b'), studio_item('a')], format='json')
    assert response.status_code == 400
    assert response.json()['errors'] == {'2': {'content_id': ['Listed twice (also item 0).']}}
    assert not Exam.objects.exists()


@pytest.mark.parametrize(
    'body',
    [{'exams': []}, 'exams', 5, True, [5], [None], [[]]],
    ids=['object', 'string', 'number', 'bool', 'list-of-number', 'list-of-null', 'list-of-list'],
)
def test_body_must_be_a_list_of_objects(studio, body):
    ExamFactory(course_id=COURSE)
    before = snapshot()
    response = studio.patch(url(), body, format='json')
    assert response.status_code == 400
    assert response.json()['detail'] == 'Invalid data'
    assert snapshot() == before


def test_malformed_json(studio):
    response = studio.generic('PATCH', url(), '[{"course_id": ', content_type='application/json')
    assert response.status_code == 400


def test_invalid_course_key_in_url(studio):
    response = studio.patch(url('course-v1:edX+Bad Key+2026'), [], format='json')
    assert response.status_code == 400
    assert 'Invalid course key' in response.json()['detail']
    assert studio.get(url('course-v1:edX+Bad Key+2026')).status_code == 400


def test_repeated_concurrency_conflict_answers_409(studio):
    with mock.patch('edx_exams.apps.core.exams._publish', side_effect=IntegrityError('duplicate')):
        response = studio.patch(url(), [studio_item('a')], format='json')
    assert response.status_code == 409
    assert 'retry' in response.json()['detail'].lower()


@pytest.fixture
def people(worker):
    return {
        'learner': UserFactory(),
        'other_course_staff': CourseStaffRoleFactory(course_id=OTHER_COURSE).user,
        'course_staff': CourseStaffRoleFactory(course_id=COURSE).user,
        'course_instructor': CourseStaffRoleFactory(course_id=COURSE, role='instructor').user,
        'global_staff': UserFactory(is_staff=True),
        'service_user': worker,
    }


PERMISSIONS = [
    ('anonymous', 401),
    ('learner', 403),
    ('other_course_staff', 403),
    ('course_staff', 200),
    ('course_instructor', 200),
    ('global_staff', 200),
    ('service_user', 200),
]


@pytest.mark.parametrize(('who', 'expected'), PERMISSIONS)
@pytest.mark.parametrize('method', ['get', 'patch'])
def test_permissions(jwt_client, api_client, people, who, expected, method):
    client = api_client if who == 'anonymous' else jwt_client.as_user(people[who])
    kwargs = {'data': [studio_item('a')], 'format': 'json'} if method == 'patch' else {}
    response = getattr(client, method)(url(), **kwargs)
    assert response.status_code == expected
    assert response['Content-Type'] == 'application/json'
    if expected != 200:
        assert not Exam.objects.exists()


def test_service_user_allowed_without_administrator_claim(jwt_client, worker):
    response = jwt_client.as_user(worker, administrator=False).patch(url(), [studio_item('a')], format='json')
    assert response.status_code == 200


def test_list_shows_active_exams_of_the_course(jwt_client, people):
    config = CourseExamConfigurationFactory(course_id=COURSE)
    proctored = ExamFactory(
        course_id=COURSE, content_id=block('p'), exam_type='proctored', provider=config.provider, time_limit_mins=60
    )
    timed = ExamFactory(course_id=COURSE, content_id=block('t'))
    ExamFactory(course_id=COURSE, is_active=False)
    ExamFactory(course_id=OTHER_COURSE)
    response = jwt_client.as_user(people['course_staff']).get(url())
    assert response.status_code == 200
    assert response.json() == [
        {
            'id': proctored.id,
            'exam_name': proctored.exam_name,
            'exam_type': 'proctored',
            'time_limit_mins': 60,
            'content_id': block('p'),
            'course_id': COURSE,
            'due_date': None,
            'hide_after_due': False,
            'is_active': True,
            'backend': config.provider.name,
        },
        {
            'id': timed.id,
            'exam_name': timed.exam_name,
            'exam_type': 'timed',
            'time_limit_mins': 30,
            'content_id': block('t'),
            'course_id': COURSE,
            'due_date': None,
            'hide_after_due': False,
            'is_active': True,
            'backend': None,
        },
    ]


def _seed_exams(course, count):
    config = CourseExamConfigurationFactory(course_id=course)
    for index in range(count):
        ExamFactory(
            course_id=course, exam_type='proctored', provider=config.provider, content_id=block(f'q{index}', course)
        )


def test_list_query_count_does_not_grow_with_exams(jwt_client, people, django_assert_num_queries):
    staff = people['course_staff']
    CourseStaffRoleFactory(user=staff, course_id=OTHER_COURSE)
    client = jwt_client.as_user(staff)
    _seed_exams(COURSE, 1)
    _seed_exams(OTHER_COURSE, 25)
    with CaptureQueriesContext(connection) as one_exam:
        assert len(client.get(url(COURSE)).json()) == 1
    assert len(one_exam) <= 6  # JWT user lookup and refresh, role check, one exam query
    with django_assert_num_queries(len(one_exam)):
        assert len(client.get(url(OTHER_COURSE)).json()) == 25


def test_course_key_longer_than_the_column_is_refused(studio):
    long_course = 'course-v1:edX+' + 'a' * 250 + '+2026'
    item = studio_item('a', course_id=long_course, content_id=block('a', course=long_course)[:255])
    response = studio.patch(url(long_course), [item], format='json')
    assert response.status_code == 400
    assert not Exam.objects.exists()
    response = studio.patch(url(long_course), [], format='json')
    assert response.status_code == 400
    assert response.json()['detail'] == 'The course key is too long.'

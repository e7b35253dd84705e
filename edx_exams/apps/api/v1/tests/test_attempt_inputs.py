"""Bad input, permissions and URL shapes of the learner endpoints: always a clear 4xx, never a 500."""

import json
from urllib.parse import quote

import pytest
from django.test import override_settings

from edx_exams.apps.api.v1.tests.learner import LearnerSession
from edx_exams.apps.core.models import ExamAttempt
from edx_exams.apps.core.tests.factories import ExamAttemptFactory, ExamFactory, UserFactory
from test_utils.auth import JwtClient
from test_utils.courses import COURSE

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ('body', 'field'),
    [
        ({}, 'exam_id'),
        ({'exam_id': 'abc'}, 'exam_id'),
        ({'exam_id': -3}, 'exam_id'),
        ({'exam_id': None}, 'exam_id'),
        ({'exam_id': 1, 'start_clock': 'maybe'}, 'start_clock'),
        ({'exam_id': 1, 'attempt_proctored': [1]}, 'attempt_proctored'),
    ],
)
def test_create_bad_body(learner, body, field):
    response = learner.client.post('/api/v1/exams/attempt', body, format='json')
    assert response.status_code == 400
    assert field in response.json()['errors']


def test_create_unknown_exam(learner):
    response = learner.create(987654)
    assert response.status_code == 404
    assert response.json() == {'detail': 'Exam with id 987654 does not exist.'}


def test_create_inactive_exam(learner):
    exam = ExamFactory(course_id=COURSE, is_active=False)
    assert learner.create(exam.id).status_code == 404


@pytest.mark.parametrize('body', ['{"exam_id": ', '[1, 2', 'not json'])
def test_malformed_json(learner, body):
    response = learner.client.generic('POST', '/api/v1/exams/attempt', body, content_type='application/json')
    assert response.status_code == 400
    assert 'JSON parse error' in response.json()['detail']
    response = learner.client.generic('PUT', '/api/v1/exams/attempt/1', body, content_type='application/json')
    assert response.status_code == 400


@pytest.mark.parametrize(
    'body',
    [
        '[' * 100_000,  # nested beyond Python's recursion limit
        '{"a": ' * 50_000,
        '{"exam_id": 1, "start_clock": "\\ud800"}',  # a lone surrogate: valid JSON, not encodable text
        '{"action": "\\udfff"}',
        '[{"username": "\\ud800", "exam_id": 1, "extra_time_mins": 5}]',
        '{"\\ud800": 1}',
    ],
)
def test_unparseable_json_text_is_a_400_on_every_json_endpoint(body):
    staff = UserFactory(is_staff=True)
    attempt = ExamAttemptFactory(user=staff, exam=ExamFactory(course_id=COURSE))
    client = JwtClient().as_user(staff, administrator=True)
    for method, url in (
        ('POST', '/api/v1/exams/attempt'),
        ('PUT', f'/api/v1/exams/attempt/{attempt.id}'),
        ('POST', f'/api/v1/exams/course_id/{COURSE}/allowances'),
        ('POST', f'/api/v1/exams/course_id/{COURSE}/due_date_extensions'),
        ('PATCH', f'/api/v1/exams/course_id/{COURSE}/'),
        ('PATCH', f'/api/v1/configs/course_id/{COURSE}'),
        ('POST', '/api/v1/user/retire'),
    ):
        response = client.generic(method, url, body.encode('utf-8'), content_type='application/json')
        assert response.status_code == 400, (method, url)
        assert 'JSON parse error' in response.json()['detail']


@override_settings(DATA_UPLOAD_MAX_MEMORY_SIZE=1000)
def test_body_over_the_size_limit_is_a_413():
    staff = UserFactory(is_staff=True)
    client = JwtClient().as_user(staff, administrator=True)
    items = [{'username': 'x', 'exam_id': 1, 'extra_time_mins': 1}] * 100
    rows = 'username,exam_id\n' + 'x,1\n' * 500
    for method, url, body, content_type in (
        ('POST', f'/api/v1/exams/course_id/{COURSE}/allowances', json.dumps(items), 'application/json'),
        ('PATCH', f'/api/v1/exams/course_id/{COURSE}/', json.dumps(items), 'application/json'),
        ('POST', f'/api/v1/exams/course_id/{COURSE}/allowances/upload', rows, 'text/csv'),
    ):
        response = client.generic(method, url, body, content_type=content_type)
        assert response.status_code == 413, (method, url)
        assert 'too large' in response.json()['detail']


def test_body_that_is_not_an_object(learner):
    response = learner.client.post('/api/v1/exams/attempt', [1, 2], format='json')
    assert response.status_code == 400


@pytest.mark.parametrize(
    'body', [{}, {'action': 'explode'}, {'action': 'ping'}, {'action': None}, {'action': ['start']}]
)
def test_update_unknown_action(learner, body):
    attempt = ExamAttemptFactory(user=learner.user, exam=ExamFactory(course_id=COURSE))
    response = learner.client.put(f'/api/v1/exams/attempt/{attempt.id}', body, format='json')
    assert response.status_code == 400
    assert 'action' in response.json()['errors']
    attempt.refresh_from_db()
    assert attempt.status == 'created'


def test_update_unknown_attempt(learner):
    assert learner.act(424242, 'start').status_code == 404


def test_update_non_numeric_attempt_id_is_404(learner):
    assert learner.client.put('/api/v1/exams/attempt/abc', {'action': 'start'}, format='json').status_code == 404


def test_oversized_error_detail(learner):
    attempt = ExamAttemptFactory(user=learner.user, exam=ExamFactory(course_id=COURSE), status='started')
    response = learner.act(attempt.id, 'error', detail='x' * 5000)
    assert response.status_code == 400
    assert 'detail' in response.json()['errors']


@pytest.mark.parametrize('course_id', ['not-a-course', 'course-v1:only+two', 'a/b'])
def test_bad_course_key(learner, course_id):
    response = learner.client.get(f'/api/v1/student/exam/attempt/course_id/{course_id}/content_id/block-v1:x+y+z')
    assert response.status_code in (400, 404)
    if response.status_code == 400:
        assert 'Invalid course key' in response.json()['detail']


@pytest.mark.parametrize('method', ['get', 'post', 'put'])
def test_anonymous_is_401(api_client, method):
    for url in ('/api/v1/exams/attempt/latest', '/api/v1/exams/attempt', '/api/v1/exams/attempt/1'):
        response = getattr(api_client, method)(url, {}, format='json')
        assert response.status_code in (401, 405)
    assert api_client.get('/api/v1/access_tokens/exam_id/1/').status_code == 401
    assert api_client.get(f'/api/v1/student/exam/attempt/course_id/{COURSE}/content_id/x').status_code == 401


# --- URL shapes (docs/references/client-contracts.rst section 0, section 5 item 11) -----------------------------------


@pytest.mark.parametrize('encode_keys', [False, True])
@pytest.mark.parametrize('slash', ['', '/'])
def test_l1_raw_and_encoded_keys_with_and_without_slash(encode_keys, slash):
    user = UserFactory()
    exam = ExamFactory(course_id=COURSE)
    session = LearnerSession(user, encode_keys=encode_keys)
    course = quote(COURSE, safe='') if encode_keys else COURSE
    content = quote(exam.content_id, safe='') if encode_keys else exam.content_id
    response = session.client.get(f'/api/v1/student/exam/attempt/course_id/{course}/content_id/{content}{slash}')
    assert response.status_code == 200
    assert response.json()['exam']['id'] == exam.id


@pytest.mark.parametrize('slash', ['', '/'])
def test_attempt_urls_with_and_without_slash(learner, slash):
    exam = ExamFactory(course_id=COURSE)
    response = learner.client.post(f'/api/v1/exams/attempt{slash}', {'exam_id': exam.id}, format='json')
    assert response.status_code == 200
    attempt_id = response.json()['exam_attempt_id']
    response = learner.client.put(f'/api/v1/exams/attempt/{attempt_id}{slash}', {'action': 'start'}, format='json')
    assert response.status_code == 200
    assert learner.client.get(f'/api/v1/exams/attempt/latest{slash}').status_code == 200
    assert learner.client.get(f'/api/v1/access_tokens/exam_id/{exam.id}{slash}').status_code == 200
    assert ExamAttempt.objects.get(id=attempt_id).status == 'started'


def test_content_id_query_raw_and_encoded(learner):
    exam = ExamFactory(course_id=COURSE)
    learner.create(exam.id)
    raw = learner.client.get(f'/api/v1/exams/attempt/latest?content_id={exam.content_id}')
    encoded = learner.latest(exam.content_id)
    assert raw.json()['exam_id'] == encoded.json()['exam_id'] == exam.id


def test_no_redirect_anywhere(learner):
    exam = ExamFactory(course_id=COURSE)
    for url in (
        f'/api/v1/student/exam/attempt/course_id/{COURSE}/content_id/{exam.content_id}/',
        '/api/v1/exams/attempt/latest/',
        f'/api/v1/access_tokens/exam_id/{exam.id}',
    ):
        assert learner.client.get(url).status_code not in (301, 302, 307, 308)

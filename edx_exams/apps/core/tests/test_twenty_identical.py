"""
Twenty identical requests released together on the write paths this work changed: one consistent result.

A new learner's first request (the user is created from the JWT) that creates and starts an
attempt, an exam-wide extension sent twenty times with its idempotency key, and a bulk reset sent
twenty times. No 5xx, one user, one attempt, one extension, one reset per attempt, and exactly the
events those changes call for. MariaDB/MySQL only, like test_races.py.
"""

from collections import Counter
from datetime import timedelta

import pytest
from django.db import connection

from edx_exams.apps.core import api
from edx_exams.apps.core.models import ExamAttempt, ExamTimeExtension, User
from edx_exams.apps.core.statuses import ExamAttemptStatus as S
from edx_exams.apps.core.tests.factories import CourseStaffRoleFactory, ExamFactory, UserFactory
from edx_exams.apps.core.tests.test_races import (
    assert_consistent_history,
    assert_outbox_matches,
    release_together,
    report,
    server_errors,
)
from edx_exams.apps.events.models import OutboxEvent
from edx_exams.apps.events.payloads import RESET_EVENT
from test_utils.auth import JwtClient

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != 'mysql', reason='row locks and concurrent connections need MySQL'),
]
COURSE = 'course-v1:edX+Twenty+2026'
TWENTY = 20


@pytest.fixture
def staff_client():
    return JwtClient().as_user(CourseStaffRoleFactory(course_id=COURSE).user)


def test_twenty_first_requests_of_a_new_learner_create_one_user_and_one_started_attempt():
    exam = ExamFactory(course_id=COURSE)
    newcomer = User(username='twenty_newcomer', lms_user_id=77_000_001, email='newcomer@example.com')
    body = {'exam_id': exam.id, 'start_clock': 'true', 'attempt_proctored': 'false'}

    def create():
        return JwtClient().as_user(newcomer).post('/api/v1/exams/attempt', body, format='json')

    responses = release_together(*[create] * TWENTY)
    report('20 first create+start requests', responses, sorted({r.status_code for r in responses}))
    assert server_errors(responses) == []
    assert {r.status_code for r in responses} == {200}
    assert len({r.json()['exam_attempt_id'] for r in responses}) == 1
    user = User.objects.get(lms_user_id=77_000_001)
    assert (user.username, user.email) == ('twenty_newcomer', 'newcomer@example.com')
    attempt = ExamAttempt.objects.get(user=user, exam=exam)
    assert attempt.status == S.STARTED
    assert_outbox_matches(attempt.id, assert_consistent_history(attempt.id))


def test_twenty_identical_extensions_add_the_time_once(staff_client):
    exam = ExamFactory(course_id=COURSE, time_limit_mins=60)
    attempts = [api.create_exam_attempt(user=UserFactory(), exam_id=exam.id, start_clock=True) for _ in range(3)]
    url = f'/api/v1/exams/course_id/{COURSE}/exam/{exam.id}/extend_running'
    body = {'minutes': 15, 'reason': 'LMS outage', 'idempotency_key': 'outage-twenty'}

    responses = release_together(*[lambda: staff_client.post(url, body, format='json')] * TWENTY)
    report('20 identical extensions', responses, None)
    assert server_errors(responses) == []
    assert Counter(r.status_code for r in responses) == {201: 1, 200: TWENTY - 1}
    assert {r.json()['extended_count'] for r in responses} == {3}
    assert ExamTimeExtension.objects.filter(exam=exam).count() == 1
    for attempt in attempts:
        before = attempt.expires_at
        attempt.refresh_from_db()
        assert attempt.expires_at == before + timedelta(minutes=15)


def _errored_attempts(exam, count=3):
    errored = []
    for _ in range(count):
        attempt = api.create_exam_attempt(user=UserFactory(), exam_id=exam.id, start_clock=True)
        errored.append(api.update_attempt_with_action(attempt_id=attempt.id, action='error', actor=attempt.user))
    return errored


def _done_per_attempt(responses, outcome):
    return Counter(item['attempt_id'] for r in responses for item in r.json()['attempts'] if item['outcome'] == outcome)


def test_twenty_identical_bulk_resets_reset_each_attempt_once(staff_client):
    exam = ExamFactory(course_id=COURSE, time_limit_mins=60)
    errored = _errored_attempts(exam)
    url = f'/api/v1/exams/course_id/{COURSE}/exam/{exam.id}/attempts/bulk'
    body = {'action': 'reset', 'statuses': ['error'], 'dry_run': False, 'reason': 'tool outage'}

    responses = release_together(*[lambda: staff_client.post(url, body, format='json')] * TWENTY)
    report('20 identical bulk resets', responses, None)
    assert server_errors(responses) == []
    assert {r.status_code for r in responses} == {200}
    assert _done_per_attempt(responses, 'reset') == {attempt.id: 1 for attempt in errored}
    for attempt in errored:
        attempt.refresh_from_db()
        assert attempt.is_active is False
        resets = OutboxEvent.objects.filter(attempt_id=attempt.id, event_type=RESET_EVENT.event_type).count()
        assert resets == 1


def test_twenty_identical_bulk_resumes_resume_each_attempt_once(staff_client):
    exam = ExamFactory(course_id=COURSE, time_limit_mins=60)
    errored = _errored_attempts(exam)
    url = f'/api/v1/exams/course_id/{COURSE}/exam/{exam.id}/attempts/bulk'
    body = {'action': 'resume', 'statuses': ['error'], 'dry_run': False, 'reason': 'tool outage'}

    responses = release_together(*[lambda: staff_client.post(url, body, format='json')] * TWENTY)
    report('20 identical bulk resumes', responses, None)
    assert server_errors(responses) == []
    assert {r.status_code for r in responses} == {200}
    assert _done_per_attempt(responses, 'resumed') == {attempt.id: 1 for attempt in errored}
    for attempt in errored:
        attempt.refresh_from_db()
        assert (attempt.status, attempt.is_active, attempt.ready_to_resume) == (S.ERROR, True, True)
        history = ExamAttempt.history.filter(id=attempt.id, ready_to_resume=True)
        assert history.count() == 1

"""POST .../exam/{exam_id}/extend_running: exam-wide extra time for the running attempts, once per key."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from freezegun import freeze_time

from edx_exams.apps.api.v1.tests.learner import LearnerSession
from edx_exams.apps.api.v1.tests.staff_callers import REFUSED_CALLERS, client_for
from edx_exams.apps.core import api
from edx_exams.apps.core.models import DueDateExtension, ExamAttempt, ExamTimeExtension
from edx_exams.apps.core.statuses import ExamAttemptStatus as S
from edx_exams.apps.core.tests.factories import CourseStaffRoleFactory, ExamFactory, UserFactory
from edx_exams.apps.events.models import OutboxEvent
from test_utils.courses import COURSE, OTHER_COURSE

pytestmark = pytest.mark.django_db


def url(exam_id, course=COURSE):
    return f'/api/v1/exams/course_id/{course}/exam/{exam_id}/extend_running'


def body(minutes=20, reason='LMS outage', key='outage-1', **extra):
    return {'minutes': minutes, 'reason': reason, 'idempotency_key': key, **extra}


def running(exam, *, user=None):
    """A learner's attempt at `exam`, started now."""
    return api.create_exam_attempt(user=user or UserFactory(), exam_id=exam.id, start_clock=True)


@pytest.fixture
def exam():
    return ExamFactory(course_id=COURSE, exam_type='timed', time_limit_mins=60, due_date=None)


def deadline(attempt):
    attempt.refresh_from_db()
    return attempt.expires_at


def test_every_running_and_paused_attempt_gets_the_minutes_and_nothing_else_changes(staff, staff_user, exam):
    started, stopped, paused = running(exam), running(exam), running(exam)
    api.update_attempt_with_action(attempt_id=stopped.id, action='stop', actor=stopped.user)
    api.pause_attempt_clock(paused.id)
    paused.refresh_from_db()
    submitted = running(exam)
    api.update_attempt_with_action(attempt_id=submitted.id, action='submit', actor=submitted.user)
    not_started = api.create_exam_attempt(user=UserFactory(), exam_id=exam.id, start_clock=False)
    reset = running(exam)
    api.reset_exam_attempt(reset.id, actor=staff_user)
    other_exam = running(ExamFactory(course_id=COURSE, time_limit_mins=60))
    before = {a.id: deadline(a) for a in (started, stopped, submitted, reset, other_exam)}
    events = OutboxEvent.objects.count()

    response = staff.post(url(exam.id), body(), format='json')

    assert response.status_code == 201, response.content
    data = response.json()
    assert (data['extended_count'], data['capped_count'], data['capped'], data['replayed']) == (3, 0, [], False)
    assert (data['minutes'], data['reason'], data['granted_by']) == (20, 'LMS outage', staff_user.username)
    for attempt in (started, stopped):
        assert deadline(attempt) == before[attempt.id] + timedelta(minutes=20)
        assert attempt.allowed_time_limit_mins == 80
    for attempt in (submitted, reset, other_exam):
        assert deadline(attempt) == before[attempt.id]
    seconds_left = paused.paused_seconds_remaining
    paused.refresh_from_db()
    assert (paused.expires_at, paused.paused_seconds_remaining) == (None, seconds_left + 1200)
    not_started.refresh_from_db()
    assert (not_started.status, not_started.expires_at) == (S.CREATED, None)
    assert OutboxEvent.objects.count() == events  # a time change tells the LMS nothing


def test_the_learner_sees_the_new_time_on_the_next_poll(staff, exam):
    learner = LearnerSession(UserFactory())
    attempt = running(exam, user=learner.user)
    before = learner.latest().json()['time_remaining_seconds']
    staff.post(url(exam.id), body(minutes=15), format='json')
    after = learner.latest().json()['time_remaining_seconds']
    assert after - before == pytest.approx(15 * 60, abs=5)
    on_exam_page = learner.exam(COURSE, exam.content_id).json()['exam']['attempt']
    assert on_exam_page['attempt_id'] == attempt.id
    assert on_exam_page['time_remaining_seconds'] == pytest.approx(after, abs=5)


def test_each_attempt_is_capped_by_its_learners_due_date(staff, exam):
    now = timezone.now()
    exam.due_date = now + timedelta(minutes=70)
    exam.save()
    with freeze_time(now):
        capped, personal = running(exam), running(exam)
    DueDateExtension.objects.create(user=personal.user, exam=exam, due_date=now + timedelta(days=1))
    at_due = running(exam)
    ExamAttempt.objects.filter(pk=at_due.pk).update(expires_at=exam.due_date)

    data = staff.post(url(exam.id), body(minutes=20), format='json').json()

    assert deadline(capped) == exam.due_date
    assert deadline(personal) == now + timedelta(minutes=80)
    assert deadline(at_due) == exam.due_date  # already at its due date: keeps its deadline, never loses time
    assert (data['extended_count'], data['capped_count']) == (3, 2)
    by_id = {item['attempt_id']: item for item in data['capped']}
    assert set(by_id) == {capped.id, at_due.id}
    assert by_id[capped.id]['seconds_added'] == pytest.approx(600)
    assert by_id[capped.id]['username'] == capped.user.username
    assert by_id[at_due.id]['seconds_added'] == 0


def test_attempts_on_a_replaced_row_of_the_same_subsection_are_extended(staff, exam):
    old = running(exam)
    exam.is_active = False
    exam.save()
    new_row = ExamFactory(course_id=COURSE, content_id=exam.content_id, time_limit_mins=60)
    before = deadline(old)
    assert staff.post(url(new_row.id), body(), format='json').json()['extended_count'] == 1
    assert deadline(old) == before + timedelta(minutes=20)


def test_each_attempt_history_says_who_and_why(staff, staff_user, exam):
    attempt = running(exam)
    staff.post(url(exam.id), body(minutes=20, reason='LMS outage 10:05-10:25'), format='json')
    record = ExamAttempt.history.filter(id=attempt.id).latest('history_id')
    assert record.history_user_id == staff_user.id
    assert record.history_change_reason == 'exam-wide extension of 20 minutes: LMS outage 10:05-10:25'
    assert record.history_actor == 'staff'
    assert record.expires_at == deadline(attempt)


def test_the_same_key_again_answers_the_stored_result_and_adds_nothing(staff, exam):
    attempt = running(exam)
    first = staff.post(url(exam.id), body(), format='json')
    after_first = deadline(attempt)
    again = staff.post(url(exam.id), body(), format='json')
    assert (first.status_code, again.status_code) == (201, 200)
    assert again.json()['replayed'] is True
    assert {k: v for k, v in again.json().items() if k != 'replayed'} == {
        k: v for k, v in first.json().items() if k != 'replayed'
    }
    assert deadline(attempt) == after_first
    assert ExamTimeExtension.objects.count() == 1
    assert ExamAttempt.history.filter(id=attempt.id).count() == 3  # create, start, one extension


def test_the_same_key_with_another_request_is_refused(staff, exam):
    attempt = running(exam)
    staff.post(url(exam.id), body(minutes=20), format='json')
    after_first = deadline(attempt)
    response = staff.post(url(exam.id), body(minutes=30), format='json')
    assert response.status_code == 422
    assert 'outage-1' in response.json()['detail']
    assert staff.post(url(exam.id), body(reason='other'), format='json').status_code == 422
    assert deadline(attempt) == after_first


def test_a_new_key_is_a_new_extension(staff, exam):
    attempt = running(exam)
    before = deadline(attempt)
    staff.post(url(exam.id), body(minutes=10, key='a'), format='json')
    staff.post(url(exam.id), body(minutes=10, key='b'), format='json')
    assert deadline(attempt) == before + timedelta(minutes=20)


def test_a_key_is_per_exam(staff, exam):
    other = ExamFactory(course_id=COURSE, time_limit_mins=30)
    assert staff.post(url(exam.id), body(), format='json').status_code == 201
    assert staff.post(url(other.id), body(), format='json').status_code == 201


@pytest.mark.parametrize(
    ('change', 'field'),
    [
        ({'minutes': 0}, 'minutes'),
        ({'minutes': -5}, 'minutes'),
        ({'minutes': '20'}, 'minutes'),
        ({'minutes': 10081}, 'minutes'),
        ({'reason': ''}, 'reason'),
        ({'reason': 'x' * 501}, 'reason'),
        ({'reason': None}, 'reason'),
        ({'idempotency_key': ''}, 'idempotency_key'),
        ({'idempotency_key': 'k' * 129}, 'idempotency_key'),
        ({'reopen_expired_within_mins': 30}, 'reopen_expired_within_mins'),
    ],
)
def test_invalid_bodies_are_a_400_naming_the_field(staff, exam, change, field):
    attempt = running(exam)
    before = deadline(attempt)
    response = staff.post(url(exam.id), {**body(), **change}, format='json')
    assert response.status_code == 400
    assert field in response.json()['errors']
    assert deadline(attempt) == before


def test_reopen_zero_or_null_is_accepted(staff, exam):
    assert staff.post(url(exam.id), body(reopen_expired_within_mins=0), format='json').status_code == 201
    assert staff.post(url(exam.id), body(key='2', reopen_expired_within_mins=None), format='json').status_code == 201


def test_missing_fields_are_named(staff, exam):
    response = staff.post(url(exam.id), {}, format='json')
    assert response.status_code == 400
    assert set(response.json()['errors']) == {'minutes', 'reason', 'idempotency_key'}


def test_an_exam_of_another_course_is_a_404(staff):
    other = ExamFactory(course_id=OTHER_COURSE, time_limit_mins=60)
    attempt = running(other)
    before = deadline(attempt)
    assert staff.post(url(other.id), body(), format='json').status_code == 404
    assert staff.post(url(10**9), body(), format='json').status_code == 404
    assert deadline(attempt) == before


@pytest.mark.parametrize(('who', 'expected'), [*REFUSED_CALLERS, ('global', 201)])
def test_only_course_staff_or_global_staff_may_extend(exam, who, expected, settings):
    attempt = running(exam)
    before = deadline(attempt)
    client = client_for(who, learner=attempt.user, settings=settings)
    response = client.post(url(exam.id), body(), format='json')
    assert response.status_code == expected, response.content
    if expected != 201:
        assert deadline(attempt) == before
        assert not ExamTimeExtension.objects.exists()


def _extension_queries(size):
    exam = ExamFactory(course_id=COURSE, time_limit_mins=60)
    for index in range(size):
        attempt = running(exam)
        if index % 3 == 0:
            DueDateExtension.objects.create(user=attempt.user, exam=exam, due_date=timezone.now() + timedelta(days=1))
        if index % 5 == 0:
            api.pause_attempt_clock(attempt.id)
    staff_user = CourseStaffRoleFactory(course_id=COURSE).user
    with CaptureQueriesContext(connection) as queries:
        outcome = api.extend_running_attempts(
            course_id=COURSE, exam_id=exam.id, minutes=5, reason='outage', idempotency_key='q', staff=staff_user
        )
    assert outcome.extension.extended_count == size
    return len(queries)


def test_the_extension_runs_the_same_number_of_queries_for_4_or_36_attempts():
    # Up to 38 attempts SQLite inserts their history rows in one statement (999 parameters, 26 columns);
    # MySQL has no such limit: one UPDATE and one INSERT for any number of attempts.
    assert _extension_queries(4) == _extension_queries(36)


def test_an_attempt_without_a_clock_is_not_counted(staff):
    untimed = ExamFactory(course_id=COURSE, exam_type='timed', time_limit_mins=None, due_date=None)
    attempt = running(untimed)
    assert attempt.expires_at is None
    data = staff.post(url(untimed.id), body(), format='json').json()
    assert (data['extended_count'], data['capped_count']) == (0, 0)
    assert ExamTimeExtension.objects.get().result['no_clock'] == [attempt.id]


def test_an_exam_without_a_time_limit_runs_to_its_due_date_and_stays_there(staff):
    due = timezone.now() + timedelta(hours=2)
    exam = ExamFactory(course_id=COURSE, exam_type='timed', time_limit_mins=None, due_date=due)
    attempt = running(exam)
    data = staff.post(url(exam.id), body(), format='json').json()
    assert (data['extended_count'], data['capped_count']) == (1, 1)
    assert deadline(attempt) == due

"""
GET /api/v1/instructor_view/attempt/{attempt_id}/timeline: what happened to an attempt, who did it, through what, why.

The attempts are driven as the clients drive them (the learner and staff over REST, the
proctoring tool through the core verbs inside the LTI app's audit context, the sweep as its
Celery task), then read back through the endpoint.
"""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from edx_exams.apps.core import api
from edx_exams.apps.core import tasks as core_tasks
from edx_exams.apps.core.tests.factories import CourseStaffRoleFactory, ExamFactory, UserFactory
from test_utils.auth import JwtClient
from test_utils.courses import COURSE, OTHER_COURSE

pytestmark = pytest.mark.django_db

ATTEMPTS = '/api/v1/exams/attempt'


def timeline_url(attempt_id):
    return f'/api/v1/instructor_view/attempt/{attempt_id}/timeline'


@pytest.fixture
def exam():
    return ExamFactory(course_id=COURSE, exam_type='timed', time_limit_mins=60)


@pytest.fixture
def learner():
    return UserFactory(username='ada')


@pytest.fixture
def staff():
    return CourseStaffRoleFactory(course_id=COURSE, role='instructor', user__username='staffer').user


@pytest.fixture
def as_learner(learner):
    return JwtClient().as_user(learner)


@pytest.fixture
def as_staff(staff):
    return JwtClient().as_user(staff)


def start(client, exam):
    response = client.post(ATTEMPTS, {'exam_id': exam.id, 'start_clock': 'true'}, format='json')
    assert response.status_code == 200, response.content
    return response.json()['exam_attempt_id']


def act(client, attempt_id, action, **fields):
    response = client.put(f'{ATTEMPTS}/{attempt_id}', {'action': action, **fields}, format='json')
    assert response.status_code == 200, response.content
    return response.json()['exam_attempt_id']


def entries_of(client, attempt_id):
    response = client.get(timeline_url(attempt_id))
    assert response.status_code == 200, response.content
    return response.json()['entries']


def who(entries):
    """The type, actor, source, username and reason of each entry."""
    return [(e['type'], e['actor'], e['source'], e['username'], e['reason']) for e in entries]


def as_tool():
    """The audit context of the LTI app's ACS endpoint."""
    return api.acting(source=api.AuditSource.LTI, actor=api.AuditActor.PROCTORING_TOOL)


def test_a_full_lifecycle_in_order_with_actors_sources_usernames_and_reasons(exam, learner, as_learner, as_staff):
    attempt_id = start(as_learner, exam)
    with as_tool():
        api.pause_attempt_clock(attempt_id)
        api.add_attempt_time(attempt_id, minutes=10)
        api.resume_attempt_clock(attempt_id)
    response = as_staff.post(
        f'/api/v1/exams/course_id/{COURSE}/allowances',
        [{'username': 'ada', 'exam_id': exam.id, 'extra_time_mins': 15}],
        format='json',
    )
    assert response.status_code == 200
    act(as_learner, attempt_id, 'submit')
    act(as_staff, attempt_id, 'verify', comment='looks fine')
    assert as_staff.delete(f'{ATTEMPTS}/{attempt_id}').status_code == 204

    response = as_staff.get(timeline_url(attempt_id))
    body = response.json()
    assert (body['attempt_id'], body['status'], body['is_active']) == (attempt_id, 'verified', False)
    assert body['user'] == {'username': 'ada', 'lms_user_id': learner.lms_user_id, 'email': learner.email}
    assert (body['exam']['id'], body['exam']['course_id']) == (exam.id, COURSE)
    entries = body['entries']
    assert who(entries) == [
        ('created', 'learner', 'rest', 'ada', ''),
        ('status_changed', 'learner', 'rest', 'ada', ''),
        ('paused', 'proctoring_tool', 'lti', '', 'clock paused by the proctoring tool'),
        ('time_added', 'proctoring_tool', 'lti', '', 'proctoring tool: +10 minutes'),
        ('resumed', 'proctoring_tool', 'lti', '', 'clock resumed by the proctoring tool'),
        ('time_added', 'staff', 'rest', 'staffer', 'allowance: +15 minutes'),
        ('status_changed', 'learner', 'rest', 'ada', ''),
        ('status_changed', 'staff', 'rest', 'staffer', ''),
        ('review', 'staff', 'rest', 'staffer', ''),
        ('reset', 'staff', 'rest', 'staffer', ''),
    ]
    assert (entries[1]['from_status'], entries[1]['to_status']) == ('created', 'started')
    assert 'expires_at' in entries[1]
    assert entries[2]['seconds_remaining'] == pytest.approx(3600, abs=60)
    assert (entries[3]['seconds'], entries[5]['seconds']) == (600, 900)
    assert (entries[6]['from_status'], entries[6]['to_status']) == ('started', 'submitted')
    assert (entries[8]['decision'], entries[8]['comment']) == ('verified', 'looks fine')
    assert 'seconds' not in entries[0] and 'decision' not in entries[0]  # only the fields of the type
    times = [entry['at'] for entry in entries]
    assert times == sorted(times)


def test_allowance_changed_and_removed_while_running_take_time_back(exam, as_learner, as_staff):
    attempt_id = start(as_learner, exam)
    url = f'/api/v1/exams/course_id/{COURSE}/allowances'
    as_staff.post(url, [{'username': 'ada', 'exam_id': exam.id, 'extra_time_mins': 15}], format='json')
    as_staff.post(url, [{'username': 'ada', 'exam_id': exam.id, 'extra_time_mins': 5}], format='json')
    allowance_id = as_staff.get(url).json()[0]['id']
    assert as_staff.delete(f'{url}/{allowance_id}').status_code == 204
    entries = entries_of(as_staff, attempt_id)[2:]
    assert [(e['type'], e['seconds'], e['reason']) for e in entries] == [
        ('time_added', 900, 'allowance: +15 minutes'),
        ('time_removed', 600, 'allowance changed from 15 to 5 minutes: -10 minutes'),
        ('time_removed', 300, 'allowance removed: -5 minutes'),
    ]


def test_staff_resume_of_an_errored_attempt_links_both_attempts(exam, as_learner, as_staff):
    errored_id = start(as_learner, exam)
    act(as_learner, errored_id, 'error')
    act(as_staff, errored_id, 'resume')
    resumed_id = start(as_learner, exam)
    assert resumed_id != errored_id

    old = entries_of(as_staff, errored_id)
    assert [e[:4] for e in who(old)] == [
        ('created', 'learner', 'rest', 'ada'),
        ('status_changed', 'learner', 'rest', 'ada'),
        ('status_changed', 'learner', 'rest', 'ada'),
        ('ready_to_resume', 'staff', 'rest', 'staffer'),
        ('resumed_as', 'learner', 'rest', 'ada'),
    ]
    assert old[2]['to_status'] == 'error'
    assert old[3]['reason'].startswith('ready to resume with ') and old[3]['reason'].endswith(' seconds left')
    assert old[3]['seconds_remaining'] == pytest.approx(3600, abs=60)
    assert (old[4]['attempt_id'], old[4]['reason']) == (resumed_id, 'continued in a new attempt')

    new = entries_of(as_staff, resumed_id)
    assert [e[:4] for e in who(new)] == [
        ('created', 'learner', 'rest', 'ada'),
        ('resumed_from', 'learner', 'rest', 'ada'),
        ('status_changed', 'learner', 'rest', 'ada'),
    ]
    assert new[0]['reason'].startswith(f'resumes attempt {errored_id} with ')
    assert new[1]['attempt_id'] == errored_id
    assert new[1]['seconds_remaining'] == pytest.approx(3600, abs=60)


def _started_two_hours_ago(learner, exam):
    """A running attempt past its deadline, started by the learner over REST (as its history says)."""
    with api.acting(source=api.AuditSource.REST, actor=api.AuditActor.LEARNER, user=learner):
        attempt = api.create_exam_attempt(
            user=learner, exam_id=exam.id, start_clock=True, now=timezone.now() - timedelta(hours=2)
        )
    return attempt.id


def test_the_expiry_sweep_is_named_as_the_actor(exam, learner, as_staff):
    attempt_id = _started_two_hours_ago(learner, exam)
    core_tasks.expire_overdue_attempts.delay()
    assert who(entries_of(as_staff, attempt_id))[-1] == ('status_changed', 'expiry_sweep', 'task', '', 'time expired')


def test_expiry_noticed_on_the_learners_read_is_the_systems(exam, learner, as_learner, as_staff):
    attempt_id = _started_two_hours_ago(learner, exam)
    assert as_learner.get(f'{ATTEMPTS}/latest?content_id={exam.content_id}').json()['attempt_status'] == 'submitted'
    assert who(entries_of(as_staff, attempt_id))[-1] == ('status_changed', 'system', 'rest', '', 'time expired')


def test_history_rows_carry_the_request_user_without_the_history_middleware(settings, exam, learner, as_learner):
    assert 'simple_history.middleware.HistoryRequestMiddleware' not in settings.MIDDLEWARE
    attempt_id = start(as_learner, exam)
    rows = api.ExamAttempt.history.filter(id=attempt_id)
    assert {row.history_user_id for row in rows} == {learner.id}


# ---------------------------------------------------------------------------
# Permissions
# ---------------------------------------------------------------------------
@pytest.mark.parametrize(
    ('caller', 'expected'),
    [
        ('anonymous', 401),
        ('owner', 403),
        ('other_learner', 403),
        ('other_course_staff', 403),
        ('course_staff', 200),
        ('global_staff', 200),
    ],
)
def test_only_staff_of_the_attempts_course_may_read_it(exam, learner, staff, as_learner, caller, expected):
    attempt_id = start(as_learner, exam)
    users = {
        'owner': learner,
        'other_learner': UserFactory(),
        'other_course_staff': CourseStaffRoleFactory(course_id=OTHER_COURSE).user,
        'course_staff': staff,
        'global_staff': UserFactory(is_staff=True),
    }
    client = JwtClient() if caller == 'anonymous' else JwtClient().as_user(users[caller])
    response = client.get(timeline_url(attempt_id))
    assert response.status_code == expected, response.content
    if expected != 200:
        assert 'entries' not in response.json()


def test_an_unknown_attempt_is_not_found(as_staff):
    response = as_staff.get(timeline_url(987654))
    assert response.status_code == 404
    assert 'detail' in response.json()


# ---------------------------------------------------------------------------
# Cost
# ---------------------------------------------------------------------------
def _attempt_with_changes(learner, exam, count):
    """A running attempt with `count` history rows: created, started, then pauses and resumes of the tool."""
    attempt = api.create_exam_attempt(user=learner, exam_id=exam.id, start_clock=True)
    with as_tool():
        for index in range(count - 2):
            (api.resume_attempt_clock if index % 2 else api.pause_attempt_clock)(attempt.id)
    assert api.ExamAttempt.history.filter(id=attempt.id).count() == count
    return api.get_attempt(attempt.id)


def test_the_timeline_takes_two_queries_for_5_or_100_changes(exam, django_assert_num_queries):
    for count in (5, 100):
        attempt = _attempt_with_changes(UserFactory(), ExamFactory(course_id=COURSE, time_limit_mins=60), count)
        with django_assert_num_queries(2):
            entries = api.get_attempt_timeline(attempt)
        assert len(entries) == count


def test_the_endpoint_takes_as_many_queries_for_100_changes_as_for_5(as_staff):
    counts = []
    for count in (5, 100):
        attempt = _attempt_with_changes(UserFactory(), ExamFactory(course_id=COURSE, time_limit_mins=60), count)
        as_staff.get(timeline_url(attempt.id))  # the staff user's first request creates their row
        with CaptureQueriesContext(connection) as queries:
            assert len(entries_of(as_staff, attempt.id)) == count
        counts.append(len(queries))
    assert counts[0] == counts[1]


def test_a_personal_due_date_moving_a_running_deadline_says_so(exam, as_learner, as_staff):
    attempt_id = start(as_learner, exam)
    url = f'/api/v1/exams/course_id/{COURSE}/due_date_extensions'
    due = (timezone.now() + timedelta(minutes=20)).replace(microsecond=0)
    response = as_staff.post(url, {'username': 'ada', 'exam_id': exam.id, 'due_date': due.isoformat()}, format='json')
    assert response.status_code == 200, response.content
    assert as_staff.delete(f'{url}/{response.json()["id"]}').status_code == 204
    cut, restored = entries_of(as_staff, attempt_id)[2:]
    assert (cut['type'], cut['actor'], cut['username']) == ('time_removed', 'staff', 'staffer')
    assert cut['reason'] == f'personal due date: {due:%Y-%m-%d %H:%M} UTC'
    assert cut['seconds'] == pytest.approx(40 * 60, abs=60)
    assert (restored['type'], restored['reason']) == ('time_added', 'personal due date removed')
    assert restored['seconds'] == cut['seconds']

"""
Requests released together by a barrier, each thread with its own client and database connection.

Every race asserts: no 5xx, one consistent final state (each status change the
history records is allowed by the state machine; a reset attempt never changes
after its reset) and exactly the events the changes call for in the outbox.
MariaDB/MySQL only: SQLite's in-memory test database is private to one connection.
"""

from collections import Counter
from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone
from freezegun import freeze_time

from edx_exams.apps.api.v1.tests.learner import LearnerSession
from edx_exams.apps.core import api
from edx_exams.apps.core.models import DueDateExtension, Exam, ExamAttempt, StudentAllowance
from edx_exams.apps.core.statuses import ExamAttemptStatus as S
from edx_exams.apps.core.statuses import is_transition_allowed
from edx_exams.apps.core.tests.factories import CourseStaffRoleFactory, ExamFactory, UserFactory
from edx_exams.apps.events.models import OutboxEvent
from edx_exams.apps.events.payloads import RESET_EVENT, STATUS_EVENTS
from test_utils import threads
from test_utils.auth import JwtClient

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != 'mysql', reason='row locks and concurrent connections need MySQL'),
]
COURSE = 'course-v1:edX+Race+2026'
RESET_ROUNDS = 8


class ServerError:
    """What a request that raised (the test client re-raises a view's exception) counts as: a 500."""

    status_code = 500

    def __init__(self, error: Exception):
        self.error = error

    def __repr__(self):
        return f'ServerError({self.error!r})'


def release_together(*calls):
    """Run every call in its own thread, released at once by a barrier; return the responses in order."""
    outcomes = threads.release_together(*calls)
    return [ServerError(outcome) if isinstance(outcome, Exception) else outcome for outcome in outcomes]


def server_errors(responses) -> list:
    """Return the responses that are 5xx (or raised)."""
    return [r for r in responses if r is None or r.status_code >= 500]


def status_path(attempt_id: int) -> list[tuple[str, bool]]:
    """Return (status, is_active) of each history record of the attempt, oldest first, repeats collapsed."""
    path: list[tuple[str, bool]] = []
    for record in ExamAttempt.history.filter(id=attempt_id).order_by('history_id'):
        state = (record.status, record.is_active)
        if not path or path[-1] != state:
            path.append(state)
    return path


def assert_consistent_history(attempt_id: int) -> list[str]:
    """Assert each status change is allowed and nothing changes once reset; return the statuses in order."""
    path = status_path(attempt_id)
    statuses = [status for index, (status, _) in enumerate(path) if index == 0 or path[index - 1][0] != status]
    for before, after in zip(statuses, statuses[1:], strict=False):
        assert is_transition_allowed(before, after), (before, after, path)
    reset_at = next((index for index, (_, active) in enumerate(path) if not active), None)
    if reset_at is not None:
        assert path[reset_at:] == [path[reset_at]], f'a reset attempt changed afterwards: {path}'
    return statuses


def assert_outbox_matches(attempt_id: int, statuses: list[str], *, resets: int = 0) -> None:
    """Assert the outbox holds one event per status change that calls for one, and `resets` reset events."""
    expected = Counter(STATUS_EVENTS[status].event_type for status in statuses[1:] if status in STATUS_EVENTS)
    if resets:
        expected[RESET_EVENT.event_type] = resets
    assert Counter(OutboxEvent.objects.filter(attempt_id=attempt_id).values_list('event_type', flat=True)) == expected


def report(name: str, responses, final) -> None:
    """Print the tally the race report quotes (run pytest with -s to see it)."""
    codes = dict(Counter(r.status_code for r in responses))
    errors = len(server_errors(responses))
    print(f'\n[race] {name}: requests={len(responses)} 5xx={errors} codes={codes} final={final}')


@pytest.fixture
def staff():
    """A course staff user of COURSE."""
    return CourseStaffRoleFactory(course_id=COURSE).user


def test_twenty_learner_actions_on_one_attempt():
    learner = UserFactory()
    exam = ExamFactory(course_id=COURSE)
    attempt = api.create_exam_attempt(user=learner, exam_id=exam.id, start_clock=False)
    actions = ['start', 'stop', 'submit', 'error', 'start'] * 4

    def act(action):
        return lambda: LearnerSession(learner).act(attempt.id, action)

    responses = release_together(*[act(action) for action in actions])
    attempt.refresh_from_db()
    statuses = assert_consistent_history(attempt.id)
    report('20 learner actions', responses, statuses)
    assert server_errors(responses) == []
    assert {r.status_code for r in responses} <= {200, 400, 409}
    assert attempt.status == statuses[-1]
    assert_outbox_matches(attempt.id, statuses)


def test_staff_reset_racing_the_learners_start(staff):
    staff_client = JwtClient().as_user(staff)
    exam = ExamFactory(course_id=COURSE)
    all_responses, finals, broken = [], [], []
    for _ in range(RESET_ROUNDS):
        learner = UserFactory()
        attempt = api.create_exam_attempt(user=learner, exam_id=exam.id, start_clock=False)

        def start(learner=learner, attempt=attempt):
            return LearnerSession(learner).act(attempt.id, 'start')

        def reset(attempt=attempt):
            return staff_client.delete(f'/api/v1/exams/attempt/{attempt.id}')

        all_responses += release_together(start, reset, start, start)
        attempt.refresh_from_db()
        finals.append(status_path(attempt.id)[-1])
        try:
            assert not attempt.is_active
            assert_outbox_matches(attempt.id, assert_consistent_history(attempt.id), resets=1)
        except AssertionError as error:
            broken.append(str(error))
    report(f'reset vs start x{RESET_ROUNDS}', all_responses, {'finals': dict(Counter(finals)), 'broken': len(broken)})
    assert server_errors(all_responses) == []
    assert broken == []


def test_twenty_allowance_posts_for_one_learner(staff):
    learner = UserFactory()
    exam = ExamFactory(course_id=COURSE, time_limit_mins=60)
    attempt = api.create_exam_attempt(user=learner, exam_id=exam.id, start_clock=True)
    client_of = lambda: JwtClient().as_user(staff)  # noqa: E731
    url = f'/api/v1/exams/course_id/{COURSE}/allowances'

    def post(minutes):
        body = [{'username': learner.username, 'exam_id': exam.id, 'extra_time_mins': minutes}]
        return lambda: client_of().post(url, body, format='json')

    responses = release_together(*[post(minutes) for minutes in range(1, 21)])
    allowances = list(StudentAllowance.objects.filter(user=learner, exam=exam))
    attempt.refresh_from_db()
    report('20 allowance POSTs', responses, [a.extra_time_mins for a in allowances])
    assert server_errors(responses) == []
    assert {r.status_code for r in responses} == {200}
    assert len(allowances) == 1
    # The running deadline carries exactly the allowance that won, whatever the order.
    expected = attempt.start_time + timedelta(minutes=60 + allowances[0].extra_time_mins)
    assert attempt.expires_at == expected
    assert not OutboxEvent.objects.filter(attempt_id=attempt.id).exists()  # time changes send no event


def test_twenty_due_date_extension_posts_for_one_learner(staff):
    learner = UserFactory()
    soon = timezone.now() + timedelta(minutes=10)
    exam = ExamFactory(course_id=COURSE, time_limit_mins=60, due_date=soon)
    attempt = api.create_exam_attempt(user=learner, exam_id=exam.id, start_clock=True)
    url = f'/api/v1/exams/course_id/{COURSE}/due_date_extensions'

    def post(minutes):
        due_date = (soon + timedelta(minutes=minutes)).isoformat()
        body = {'username': learner.username, 'exam_id': exam.id, 'due_date': due_date}
        return lambda: JwtClient().as_user(staff).post(url, body, format='json')

    responses = release_together(*[post(minutes) for minutes in range(1, 21)])
    extensions = list(DueDateExtension.objects.filter(user=learner, exam=exam))
    attempt.refresh_from_db()
    report('20 extension POSTs', responses, [e.due_date.isoformat() for e in extensions])
    assert server_errors(responses) == []
    assert {r.status_code for r in responses} <= {200, 201}
    assert len(extensions) == 1
    assert attempt.expires_at == min(attempt.start_time + timedelta(minutes=60), extensions[0].due_date)
    assert not OutboxEvent.objects.filter(attempt_id=attempt.id).exists()


def test_expiry_sweeps_racing_the_learners_submit(settings):
    settings.EXAM_ATTEMPT_EXPIRY_GRACE_SECONDS = 0
    learner = UserFactory()
    exam = ExamFactory(course_id=COURSE, time_limit_mins=1)
    with freeze_time(timezone.now() - timedelta(minutes=5)):
        attempt = api.create_exam_attempt(user=learner, exam_id=exam.id, start_clock=True)

    def sweep():
        api.expire_overdue_attempts()
        return type('Done', (), {'status_code': 200})()

    submit = lambda: LearnerSession(learner).act(attempt.id, 'submit')  # noqa: E731
    responses = release_together(sweep, submit, sweep, submit, sweep)
    attempt.refresh_from_db()
    statuses = assert_consistent_history(attempt.id)
    report('2-3 sweeps vs 2 submits', responses, statuses)
    assert server_errors(responses) == []
    assert statuses == [S.CREATED, S.STARTED, S.SUBMITTED]
    assert attempt.end_time == attempt.expires_at
    assert_outbox_matches(attempt.id, statuses)


def test_two_publishes_of_one_course_at_once():
    worker = UserFactory(username='edx_exams_worker', is_staff=True)
    content = [f'block-v1:edX+Race+2026+type@sequential+block@{n}' for n in range(5)]
    body = [
        {
            'course_id': COURSE,
            'content_id': content_id,
            'exam_name': content_id,
            'time_limit_mins': 30,
            'due_date': None,
            'exam_type': 'timed',
            'is_active': True,
            'hide_after_due': False,
            'backend': 'lti_external',
        }
        for content_id in content
    ]
    publish = lambda: JwtClient().as_user(worker).patch(f'/api/v1/exams/course_id/{COURSE}/', body, format='json')  # noqa: E731
    responses = release_together(publish, publish)
    active = Counter(Exam.objects.filter(course_id=COURSE, is_active=True).values_list('content_id', flat=True))
    report('2 publishes', responses, dict(Counter(active.values())))
    assert server_errors(responses) == []
    assert {r.status_code for r in responses} <= {200, 409}
    assert active == Counter(content)
    assert Exam.objects.filter(course_id=COURSE).count() == len(content)


def test_a_publish_replacing_an_exam_racing_learners_and_allowances(staff):
    """The publish locks the course's exams, then copies accommodations (learners' rows): exams come first for all."""
    worker = UserFactory(username='edx_exams_worker', is_staff=True)
    content_id = 'block-v1:edX+Race+2026+type@sequential+block@replaced'
    exam = ExamFactory(course_id=COURSE, content_id=content_id, time_limit_mins=30)
    learners = [UserFactory() for _ in range(3)]
    for learner in learners:
        StudentAllowance.objects.create(user=learner, exam=exam, extra_time_mins=10)
    item = {
        'course_id': COURSE,
        'content_id': content_id,
        'exam_name': 'Replaced',
        'time_limit_mins': 30,
        'due_date': None,
        'exam_type': 'proctored',  # another type: the row is retired and replaced, accommodations copied
        'is_active': True,
        'hide_after_due': False,
        'backend': 'lti_external',
    }
    url = f'/api/v1/exams/course_id/{COURSE}/allowances'

    def publish():
        return JwtClient().as_user(worker).patch(f'/api/v1/exams/course_id/{COURSE}/', [item], format='json')

    def create(learner):
        return lambda: LearnerSession(learner).create(exam.id)

    def allow(learner):
        body = [{'username': learner.username, 'exam_id': exam.id, 'extra_time_mins': 20}]
        return lambda: JwtClient().as_user(staff).post(url, body, format='json')

    calls = [publish, *[create(learner) for learner in learners], *[allow(learner) for learner in learners]]
    responses = release_together(*calls)
    successor = Exam.objects.get(course_id=COURSE, content_id=content_id, is_active=True)
    report('publish vs 3 creates vs 3 allowances', responses, {'successor': successor.exam_type})
    assert server_errors(responses) == []
    assert successor.id != exam.id
    # Every learner keeps an allowance on the new row (copied, or given there after the publish).
    assert StudentAllowance.objects.filter(exam=successor).count() == len(learners)

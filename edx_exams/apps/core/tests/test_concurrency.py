"""
Double clicks, two tabs and the expiry sweep racing a submit, with real threads.

Run on MariaDB/MySQL only: SQLite's in-memory test database is private to one
connection, and its locking is not what production runs on.
"""

import threading
from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone
from freezegun import freeze_time

from edx_exams.apps.core import api
from edx_exams.apps.core.models import ExamAttempt
from edx_exams.apps.core.signals.signals import ATTEMPT_STATUS_CHANGED
from edx_exams.apps.core.statuses import ExamAttemptStatus as S
from edx_exams.apps.core.tests.factories import ExamFactory, UserFactory
from test_utils.threads import release_together

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != 'mysql', reason='row locks and concurrent connections need MySQL'),
]
THREADS = 6


def run_concurrently(*functions):
    """Start every function at the same moment in its own thread (own DB connection); return results and errors."""
    outcomes = release_together(*functions, timeout=30)
    errors = [outcome for outcome in outcomes if isinstance(outcome, Exception)]
    return [None if isinstance(outcome, Exception) else outcome for outcome in outcomes], errors


@pytest.fixture
def status_changes():
    changes, lock = [], threading.Lock()

    def receiver(attempt, from_status, to_status, **kwargs):
        with lock:
            changes.append((attempt.id, from_status, to_status))

    ATTEMPT_STATUS_CHANGED.connect(receiver)
    yield changes
    ATTEMPT_STATUS_CHANGED.disconnect(receiver)


def test_concurrent_creates_give_one_attempt(status_changes):
    user, exam = UserFactory(), ExamFactory()
    create = lambda: api.create_exam_attempt(user=user, exam_id=exam.id, start_clock=True).id  # noqa: E731
    results, errors = run_concurrently(*[create] * THREADS)
    assert errors == []
    assert len(set(results)) == 1
    assert ExamAttempt.objects.filter(user=user, exam=exam).count() == 1
    assert ExamAttempt.objects.get(user=user, exam=exam).status == S.STARTED
    assert [change[2] for change in status_changes] == [S.STARTED]


def test_concurrent_submits_give_one_submission(status_changes):
    user, exam = UserFactory(), ExamFactory()
    attempt = api.create_exam_attempt(user=user, exam_id=exam.id, start_clock=True)
    status_changes.clear()

    def submit():
        return api.update_attempt_with_action(attempt_id=attempt.id, action='submit', actor=user).status

    results, errors = run_concurrently(*[submit] * THREADS)
    assert errors == []
    assert set(results) == {S.SUBMITTED}
    assert status_changes == [(attempt.id, S.STARTED, S.SUBMITTED)]


def test_sweep_racing_the_learners_submit(status_changes, settings):
    settings.EXAM_ATTEMPT_EXPIRY_GRACE_SECONDS = 0
    user, exam = UserFactory(), ExamFactory(time_limit_mins=1)
    with freeze_time(timezone.now() - timedelta(minutes=5)):
        attempt = api.create_exam_attempt(user=user, exam_id=exam.id, start_clock=True)
    status_changes.clear()

    def submit():
        return api.update_attempt_with_action(attempt_id=attempt.id, action='submit', actor=user).status

    results, errors = run_concurrently(submit, api.expire_overdue_attempts, submit, api.expire_overdue_attempts)
    assert errors == []
    assert status_changes == [(attempt.id, S.STARTED, S.SUBMITTED)]
    attempt.refresh_from_db()
    assert attempt.status == S.SUBMITTED
    assert attempt.end_time == attempt.expires_at
    assert ExamAttempt.history.filter(id=attempt.id, status=S.SUBMITTED).count() == 1


def test_two_tabs_stop_and_submit_end_consistent(status_changes):
    user, exam = UserFactory(), ExamFactory()
    attempt = api.create_exam_attempt(user=user, exam_id=exam.id, start_clock=True)
    status_changes.clear()

    def act(action):
        def call():
            try:
                return api.update_attempt_with_action(attempt_id=attempt.id, action=action, actor=user).status
            except api.ExamIllegalStatusTransition:
                return 'refused'

        return call

    results, errors = run_concurrently(act('stop'), act('submit'), act('stop'), act('submit'))
    assert errors == []
    attempt.refresh_from_db()
    assert attempt.status == S.SUBMITTED
    # Whatever the interleaving, exactly one submission and a legal path to it.
    assert [c for c in status_changes if c[2] == S.SUBMITTED] == [(attempt.id, status_changes[-1][1], S.SUBMITTED)]
    assert status_changes[-1][2] == S.SUBMITTED


def test_concurrent_retakes_give_one_new_attempt():
    user, exam = UserFactory(), ExamFactory(exam_type='practice')
    first = ExamAttempt.objects.create(user=user, exam=exam, status=S.SUBMITTED)

    def retake():
        return api.update_attempt_with_action(attempt_id=first.id, action='reset_attempt', actor=user).id

    results, errors = run_concurrently(*[retake] * 4)
    assert errors == []
    assert len(set(results)) == 1
    assert ExamAttempt.objects.filter(user=user, exam=exam).count() == 2
    assert ExamAttempt.objects.filter(user=user, exam=exam, is_active=True).count() == 1


def test_two_exams_started_at_once_leave_one_running():
    user = UserFactory()
    exams = [ExamFactory(), ExamFactory()]

    def start(exam):
        def call():
            try:
                return api.create_exam_attempt(user=user, exam_id=exam.id, start_clock=True).status
            except api.AnotherAttemptInProgress:
                return 'refused'

        return call

    results, errors = run_concurrently(start(exams[0]), start(exams[1]), start(exams[0]), start(exams[1]))
    assert errors == []
    assert ExamAttempt.objects.filter(user=user, status=S.STARTED).count() == 1
    assert 'refused' in results

"""
An exam-wide extension released together with its own double click, learners' submits and the expiry sweep.

No attempt is extended twice, none is lost (each ends submitted, or running with
exactly the extra minutes), and the outbox holds exactly the events the status
changes call for. MariaDB/MySQL only, like test_races.py.
"""

from datetime import timedelta

import pytest
from django.db import connection
from django.db.models import Count
from django.utils import timezone
from freezegun import freeze_time

from edx_exams.apps.api.v1.tests.learner import LearnerSession
from edx_exams.apps.core import api
from edx_exams.apps.core.incidents import history_reason
from edx_exams.apps.core.models import ExamAttempt, ExamTimeExtension
from edx_exams.apps.core.statuses import ExamAttemptStatus as S
from edx_exams.apps.core.tests.factories import CourseStaffRoleFactory, ExamFactory, UserFactory
from edx_exams.apps.core.tests.test_races import assert_consistent_history, assert_outbox_matches, report
from test_utils import threads
from test_utils.auth import JwtClient

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != 'mysql', reason='row locks and concurrent connections need MySQL'),
]
COURSE = 'course-v1:edX+IncidentRace+2026'
LEARNERS = 12
ROUNDS = 3
MINUTES = 20


def _start(exam, *, minutes_ago):
    with freeze_time(timezone.now() - timedelta(minutes=minutes_ago)):
        return api.create_exam_attempt(user=UserFactory(), exam_id=exam.id, start_clock=True)


def _extensions_of(attempt_id):
    reason = history_reason(MINUTES, 'LMS outage')
    return ExamAttempt.history.filter(id=attempt_id, history_change_reason=reason).count()


def _round(staff, number):
    """One race on a fresh exam; return the outcomes and what is wrong (empty when all is well)."""
    exam = ExamFactory(course_id=COURSE, time_limit_mins=60)
    # Half the learners are past their deadline (the sweep would submit them), half still have time.
    attempts = [_start(exam, minutes_ago=61 if i % 2 else 30) for i in range(LEARNERS)]
    deadlines = {a.id: a.expires_at for a in attempts}
    url = f'/api/v1/exams/course_id/{COURSE}/exam/{exam.id}/extend_running'
    extend_body = {'minutes': MINUTES, 'reason': 'LMS outage', 'idempotency_key': f'outage-{number}'}

    def extend():
        return JwtClient().as_user(staff).post(url, extend_body, format='json')

    def submit(attempt):
        return lambda: LearnerSession(attempt.user).act(attempt.id, 'submit')

    calls = [extend, extend, api.expire_overdue_attempts, api.expire_overdue_attempts]
    calls += [submit(attempt) for attempt in attempts[::3]]
    outcomes = threads.release_together(*calls)
    return outcomes, _problems(exam, attempts, deadlines, outcomes)


def _problems(exam, attempts, deadlines, outcomes):
    problems = [f'call {i} raised {o!r}' for i, o in enumerate(outcomes) if o is None or isinstance(o, Exception)]
    problems += [
        f'call {i} answered {o.status_code}' for i, o in enumerate(outcomes) if getattr(o, 'status_code', 0) >= 500
    ]
    extensions = list(ExamTimeExtension.objects.filter(exam=exam))
    codes = sorted(o.status_code for o in outcomes[:2] if hasattr(o, 'status_code'))
    if len(extensions) != 1 or codes != [200, 201]:
        return [*problems, f'extensions={len(extensions)} codes={codes}']
    extended = 0
    for attempt in attempts:
        attempt.refresh_from_db()
        times = _extensions_of(attempt.id)
        extended += times
        statuses = assert_consistent_history(attempt.id)
        assert_outbox_matches(attempt.id, statuses)
        if times > 1:
            problems.append(f'attempt {attempt.id} extended {times} times')
        if attempt.status in (S.STARTED, S.READY_TO_SUBMIT):
            if attempt.expires_at != deadlines[attempt.id] + timedelta(minutes=MINUTES):
                problems.append(f'attempt {attempt.id} running without its extra time: {attempt.expires_at}')
        elif attempt.status != S.SUBMITTED:
            problems.append(f'attempt {attempt.id} lost: {attempt.status}')
    if extended != extensions[0].extended_count:
        problems.append(f'history shows {extended} extensions, the record {extensions[0].extended_count}')
    return problems


def test_exam_wide_extension_racing_its_double_click_submits_and_the_sweep(settings):
    settings.EXAM_ATTEMPT_EXPIRY_GRACE_SECONDS = 0
    staff = CourseStaffRoleFactory(course_id=COURSE).user
    all_outcomes, broken = [], []
    for number in range(ROUNDS):
        outcomes, problems = _round(staff, number)
        all_outcomes += [o for o in outcomes if hasattr(o, 'status_code')]
        broken += problems
    statuses = dict(ExamAttempt.objects.filter(exam__course_id=COURSE).values_list('status').annotate(n=Count('id')))
    report(f'extension vs submits and sweep x{ROUNDS}', all_outcomes, {'statuses': statuses, 'broken': broken})
    assert broken == []

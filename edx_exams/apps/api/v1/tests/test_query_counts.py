"""Hot learner endpoints run a fixed, small number of SQL reads and no write, whatever the amount of data."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from edx_exams.apps.api.v1.tests.learner import LearnerSession
from edx_exams.apps.core.statuses import ExamAttemptStatus as S
from edx_exams.apps.core.tests.factories import AllowanceFactory, ExamAttemptFactory, ExamFactory, UserFactory
from test_utils.courses import COURSE

pytestmark = pytest.mark.django_db


def _populate(size):
    """Exams, other learners' attempts and allowances, and the learner's own history."""
    others = UserFactory.create_batch(3)
    exams = ExamFactory.create_batch(size, course_id=COURSE)
    for exam in exams:
        for other in others:
            ExamAttemptFactory(user=other, exam=exam, status=S.SUBMITTED)
            AllowanceFactory(user=other, exam=exam)
    return exams


def _counts(size):
    exams = _populate(size)
    learner = LearnerSession(UserFactory())
    for exam in exams[: size // 2]:
        ExamAttemptFactory(user=learner.user, exam=exam, status=S.VERIFIED)
        AllowanceFactory(user=learner.user, exam=exam)
    target = exams[-1]
    learner.create(target.id)
    learner.exam(COURSE, target.content_id)  # warm-up: the user row exists, nothing left to update
    calls = {
        'L1': lambda: learner.exam(COURSE, target.content_id),
        'L2': lambda: learner.latest(),
        'L3': lambda: learner.latest(target.content_id),
        'L7': lambda: learner.token(target.id),
    }
    counts = {}
    for name, call in calls.items():
        with CaptureQueriesContext(connection) as queries:
            assert call().status_code == 200
        counts[name] = len(queries)
        writes = [query['sql'] for query in queries if not query['sql'].lstrip().upper().startswith('SELECT')]
        assert writes == [], (name, writes)
    return counts


def test_query_counts_do_not_grow_with_data():
    small = _counts(4)
    large = _counts(40)
    assert small == large
    # And stay small: one read of the user (a returning learner whose claims are unchanged), then the
    # exam with the learner's terms (L1, L7), and the attempt with its exam and terms (L1, L2, L3, L7).
    assert small == {'L1': 3, 'L2': 2, 'L3': 2, 'L7': 3}

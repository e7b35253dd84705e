"""Requests per second and SQL queries of the hot learner endpoints (L1, L2, L3, L7), in process."""

import time

from _setup import setup_django

setup_django()

from django.db import connections  # noqa: E402

from edx_exams.apps.api.v1.tests.learner import LearnerSession  # noqa: E402
from edx_exams.apps.core.statuses import ExamAttemptStatus  # noqa: E402
from edx_exams.apps.core.tests.factories import (  # noqa: E402
    AllowanceFactory,
    ExamAttemptFactory,
    ExamFactory,
    UserFactory,
)

COURSE = 'course-v1:edX+DemoX+Demo_Course'
EXAMS, OTHER_LEARNERS = 50, 20


def populate():
    """A course with many exams, other learners' attempts and allowances, and one learner mid-exam."""
    exams = ExamFactory.create_batch(EXAMS, course_id=COURSE)
    for user in UserFactory.create_batch(OTHER_LEARNERS):
        for exam in exams:
            ExamAttemptFactory(user=user, exam=exam, status=ExamAttemptStatus.SUBMITTED)
            AllowanceFactory(user=user, exam=exam)
    session = LearnerSession(UserFactory())
    target = exams[-1]
    session.create(target.id)
    return session, target


def measure(name, call, seconds=2.0):
    """Print requests per second, mean latency and queries per request for `call`."""
    queries = []
    with connections['default'].execute_wrapper(lambda execute, sql, *args: queries.append(sql) or execute(sql, *args)):
        assert call().status_code == 200
    count, start = 0, time.perf_counter()
    while time.perf_counter() - start < seconds:
        call()
        count += 1
    elapsed = time.perf_counter() - start
    print(f'{name:3} {count / elapsed:7.0f} req/s  {1000 * elapsed / count:6.2f} ms/req  {len(queries):2d} queries')


def main():
    """Run every endpoint against the populated database."""
    session, exam = populate()
    print(f'{EXAMS} exams, {EXAMS * OTHER_LEARNERS} other attempts and allowances, {connections["default"].vendor}')
    measure('L1', lambda: session.exam(COURSE, exam.content_id))
    measure('L2', lambda: session.latest())
    measure('L3', lambda: session.latest(exam.content_id))
    measure('L7', lambda: session.token(exam.id))


if __name__ == '__main__':
    main()

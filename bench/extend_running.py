"""
Time and SQL statements of one exam-wide extension of 5,000 running attempts, in process.

    .venv/bin/python -m bench.extend_running                      # SQLite in memory
    EDX_EXAMS_TEST_DB=mysql EDX_EXAMS_TEST_DB_NAME=bench_extend \\
        .venv/bin/python -m bench.extend_running                  # MariaDB (database created and dropped)
    .venv/bin/python -m bench.extend_running --attempts 1000 --runs 5

Each run inserts a new exam's attempts in bulk (learners, then attempts started 30
minutes ago; the set-up is not measured): one in ten learners has a personal due date,
one in twenty is paused, and the exam's due date caps about a third of the others. It
then times one call of `core.api.extend_running_attempts` (20 minutes). The runs before
the last are timed without query capture; the last one also counts the statements
(`CaptureQueriesContext`, as the query-count tests do). A replay of its key is timed too.
"""

import argparse
import statistics
import time
from datetime import timedelta

from bench._setup import setup_django


def seed(attempts: int, run: int):
    """Return a new exam with `attempts` running attempts (learners of their own) and a course staff member."""
    from django.utils import timezone

    from edx_exams.apps.core.models import DueDateExtension, ExamAttempt, User
    from edx_exams.apps.core.statuses import ExamAttemptStatus
    from edx_exams.apps.core.tests.factories import CourseStaffRoleFactory, ExamFactory

    now = timezone.now()
    start = now - timedelta(minutes=30)
    course = f'course-v1:edX+Bench+{run}'
    exam = ExamFactory(course_id=course, time_limit_mins=60, due_date=now + timedelta(minutes=65))
    users = User.objects.bulk_create(
        User(username=f'bench{run}-{i}', email=f'bench{run}-{i}@example.com') for i in range(attempts)
    )
    rows = []
    for index, user in enumerate(users):
        paused = index % 20 == 0
        rows.append(
            ExamAttempt(
                user=user,
                exam=exam,
                status=ExamAttemptStatus.STARTED,
                start_time=start,
                expires_at=None if paused else start + timedelta(minutes=60 + index % 3 * 10),
                paused_at=now if paused else None,
                paused_seconds_remaining=1800.0 if paused else None,
                allowed_time_limit_mins=60,
            )
        )
    ExamAttempt.objects.bulk_create(rows, batch_size=1000)
    DueDateExtension.objects.bulk_create(
        DueDateExtension(user=user, exam=exam, due_date=now + timedelta(days=1)) for user in users[::10]
    )
    return exam, CourseStaffRoleFactory(course_id=course).user


def extend(exam, staff, key: str):
    """Run one extension of 20 minutes and return its outcome."""
    from edx_exams.apps.core import api

    return api.extend_running_attempts(
        course_id=exam.course_id,
        exam_id=exam.id,
        minutes=20,
        reason='bench: LMS outage',
        idempotency_key=key,
        staff=staff,
    )


def timed(call, *args):
    """Return `call(*args)`'s result and the seconds it took."""
    start = time.perf_counter()
    result = call(*args)
    return result, time.perf_counter() - start


def main():
    """Seed, extend `--runs` times, print seconds and statements."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[1])
    parser.add_argument('--attempts', type=int, default=5000)
    parser.add_argument('--runs', type=int, default=3)
    options = parser.parse_args()
    setup_django()
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    seconds = []
    for run in range(options.runs - 1):
        exam, staff = seed(options.attempts, run)
        outcome, elapsed = timed(extend, exam, staff, 'timed')
        seconds.append(elapsed)
    exam, staff = seed(options.attempts, options.runs)
    with CaptureQueriesContext(connection) as queries:
        outcome, elapsed = timed(extend, exam, staff, 'counted')
    seconds.append(elapsed)
    _, replay = timed(extend, exam, staff, 'counted')
    statements = [query['sql'].split(' ', 1)[0] for query in queries]
    print(
        f'{connection.vendor}: {options.attempts} running attempts; extended {outcome.extension.extended_count}, '
        f'capped {outcome.extension.capped_count}'
    )
    print(
        f'  seconds per extension: {", ".join(f"{s:.3f}" for s in seconds)} (median {statistics.median(seconds):.3f})'
    )
    print(f'  SQL statements of one extension: {len(queries)} ({dict(_tally(statements))})')
    print(f'  replay of the same key: {replay:.3f} s')
    connection.creation.destroy_test_db(connection.settings_dict['NAME'], verbosity=0)


def _tally(words):
    counts: dict[str, int] = {}
    for word in words:
        counts[word] = counts.get(word, 0) + 1
    return sorted(counts.items())


if __name__ == '__main__':
    main()

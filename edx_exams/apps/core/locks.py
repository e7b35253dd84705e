"""
The row locks of core, and the one order in which every transaction takes them.

A transaction that needs several of these locks takes them top to bottom, never
upwards, so two transactions can wait for each other but never deadlock:

1. a course's configuration row (provider change), then the course's exam rows
   in id order (``exams.lock_course_exams``: publish, provider change); anything
   else that inserts a row pointing at an exam first takes a shared lock on that
   exam row (``share_lock_exam``), because the database's foreign-key check takes
   one anyway and it must not be taken after the learner's row;
2. the learner's user row (``lock_learner``): creating, starting, resuming and
   retaking attempts, changing the learner's allowance or due date, and, taken
   by ``lock_attempt`` itself, every change of one of the learner's attempts;
3. the learner's allowance or due-date extension row on one exam;
4. the attempt row (``lock_attempt``, the only way to lock an attempt, which
   takes step 2 first): every status change, reset, clock change and the sweep;
5. the LTI proctoring session row of the attempt, then its proctoring review row.

Each lock locks one table's rows and nothing else. MySQL and MariaDB lock every
row a ``SELECT ... FOR UPDATE`` joins (MariaDB has no ``FOR UPDATE OF``), so the
locking queries here join nothing; related rows are read apart, without a lock.
On SQLite these are no-ops: it serialises writers on the whole database.
"""

from django.db import connection

from edx_exams.apps.core.exceptions import ExamAttemptDoesNotExist
from edx_exams.apps.core.models import ExamAttempt

# A shared row lock (Django's select_for_update takes only exclusive ones); the table of core.Exam.
SHARE_LOCK_EXAM_SQL = 'SELECT id FROM core_exam WHERE id = %s LOCK IN SHARE MODE'


def share_lock_exam(exam_id: int) -> None:
    """
    Hold a shared lock on exam `exam_id` until the transaction ends (lock order step 1).

    Take it before the learner's row when the transaction inserts rows that point
    at the exam (an attempt, an allowance, a due date extension): a publish that
    replaces the exam waits, instead of deadlocking on the foreign-key check.
    Learners do not wait for each other: shared locks are compatible.
    """
    if connection.vendor != 'mysql':
        return
    with connection.cursor() as cursor:
        cursor.execute(SHARE_LOCK_EXAM_SQL, [exam_id])


# The SQL of the two locks every attempt change takes, written once rather than built per call.
LOCK_LEARNER_SQL = 'SELECT id FROM core_user WHERE id = %s FOR UPDATE'
ATTEMPT_LEARNER_SQL = 'SELECT user_id FROM core_examattempt WHERE id = %s'
# The largest id a row can have (a signed 64-bit column).
MAX_ROW_ID = 2**63 - 1


def lock_learner(user_id: int) -> None:
    """Lock the user row of learner `user_id` until the transaction ends (lock order step 2)."""
    if connection.vendor != 'mysql':
        return  # SQLite serialises writers on the whole database
    with connection.cursor() as cursor:
        cursor.execute(LOCK_LEARNER_SQL, [user_id])


def lock_attempt(attempt_id: int) -> ExamAttempt:
    """
    Lock the learner's user row, then attempt `attempt_id`; return the attempt as it is now.

    Raises ExamAttemptDoesNotExist. The learner comes first (lock order step 2,
    then step 4) on every path, not only on starts: every attempt change writes
    a history row whose acting user the database checks with a shared lock on
    that user's row, which for a learner's own action is the learner. Taking the
    learner's row after the attempt's would deadlock with a start, which takes
    the learner's row first to check that no other exam is running. (An
    attempt's learner never changes, so it is safely read before the locks.)
    The attempt's exam and user are loaded on first use, without a lock.
    """
    if not 0 < attempt_id <= MAX_ROW_ID:
        raise ExamAttemptDoesNotExist(f'Attempt with id {attempt_id} does not exist.')
    with connection.cursor() as cursor:
        cursor.execute(ATTEMPT_LEARNER_SQL, [attempt_id])
        found = cursor.fetchone()
    user_id = found[0] if found else None
    if user_id is None:
        raise ExamAttemptDoesNotExist(f'Attempt with id {attempt_id} does not exist.')
    lock_learner(user_id)
    attempt = ExamAttempt.objects.select_for_update().filter(pk=attempt_id).first()
    if attempt is None:
        raise ExamAttemptDoesNotExist(f'Attempt with id {attempt_id} does not exist.')
    return attempt

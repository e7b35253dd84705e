"""
The reads behind the learner's hot endpoints, each one SQL statement compiled once per process.

The poll, the exam with its attempt and the access token run on every learner's page and every
minute of every exam. Each read here fetches the attempt or exam together with what the response
needs (the exam, its provider, the learner's allowance and personal due date) in one statement,
and is compiled once (``edx_exams/compiled_queries.py``), so a request pays for running its SQL,
not for building it. The rows become ordinary model instances; an attempt's status and clock are
read from the database on every call, never cached.
"""

from typing import Any

from django.db.models import OuterRef, QuerySet

from edx_exams.apps.core import timing
from edx_exams.apps.core.locks import MAX_ROW_ID
from edx_exams.apps.core.models import Exam, ExamAttempt, ProctoringProvider, User
from edx_exams.apps.core.statuses import IN_PROGRESS
from edx_exams.compiled_queries import CompiledQuery, field_names, instance_from_row

_TERMS = (timing.EXTRA_MINS, timing.EXTENDED_DUE)
_EXAM_COLUMNS = (*field_names(Exam), *field_names(ProctoringProvider, 'provider__'))
_ATTEMPT_COLUMNS = (*field_names(ExamAttempt), *field_names(Exam, 'exam__'))

# Marker values of the compiled parameters: never a real id or key, and within every database's column range.
_USER_ID, _EXAM_ID = -7_654_323, -7_654_327
_COURSE_ID, _CONTENT_ID = '\x00course_id\x00', '\x00content_id\x00'


def _attempts_with_terms(**filters: Any) -> QuerySet[Any]:
    attempts = ExamAttempt.objects.filter(is_active=True, **filters)
    return timing.with_learner_terms(attempts, user=OuterRef('user_id'), exam=OuterRef('exam_id'))


_LATEST_AT_CONTENT = CompiledQuery(
    lambda user_id, content_id: (
        _attempts_with_terms(user_id=user_id, exam__content_id=content_id)
        .order_by('-created', '-id')
        .values(*_ATTEMPT_COLUMNS, *_TERMS)[:1]
    ),
    user_id=_USER_ID,
    content_id=_CONTENT_ID,
)

_RUNNING = CompiledQuery(
    lambda user_id: (
        _attempts_with_terms(user_id=user_id, status__in=sorted(IN_PROGRESS))
        .order_by('-start_time', '-id')
        .values(*_ATTEMPT_COLUMNS, *_TERMS)[:1]
    ),
    user_id=_USER_ID,
)

_CURRENT_AT_CONTENT = CompiledQuery(
    lambda user_id, course_id, content_id: (
        ExamAttempt.objects.filter(
            user_id=user_id, exam__course_id=course_id, exam__content_id=content_id, is_active=True
        )
        .order_by('-created', '-id')
        .values(*_ATTEMPT_COLUMNS)[:1]
    ),
    user_id=_USER_ID,
    course_id=_COURSE_ID,
    content_id=_CONTENT_ID,
)


def _exams_with_terms(user_id: int, **filters: Any) -> QuerySet[Any]:
    exams = Exam.objects.filter(**filters).order_by('pk')
    return timing.with_learner_terms(exams, user=user_id, exam=OuterRef('pk')).values(*_EXAM_COLUMNS, *_TERMS)[:1]


_ACTIVE_EXAM_AT_CONTENT = CompiledQuery(
    lambda user_id, course_id, content_id: _exams_with_terms(
        user_id, course_id=course_id, content_id=content_id, is_active=True
    ),
    user_id=_USER_ID,
    course_id=_COURSE_ID,
    content_id=_CONTENT_ID,
)

_EXAM_BY_ID = CompiledQuery(
    lambda user_id, exam_id: _exams_with_terms(user_id, pk=exam_id), user_id=_USER_ID, exam_id=_EXAM_ID
)


def latest_attempt(user: User, content_id: str | None) -> tuple[ExamAttempt | None, timing.LearnerTerms]:
    """Return the learner's latest attempt at `content_id` (or running attempt) and their terms on its exam."""
    if content_id:
        row = _LATEST_AT_CONTENT.first(user_id=user.id, content_id=content_id)
    else:
        row = _RUNNING.first(user_id=user.id)
    if row is None:
        return None, timing.LearnerTerms()
    attempt = _attempt(row, user)
    return attempt, timing.terms_from_row(row, exam_due_date=attempt.exam.due_date)


def current_attempt(user: User, exam: Exam) -> ExamAttempt | None:
    """Return the learner's active attempt at the exam's course and content (any exam row), newest first."""
    row = _CURRENT_AT_CONTENT.first(user_id=user.id, course_id=exam.course_id, content_id=exam.content_id)
    return None if row is None else _attempt(row, user)


def active_exam_at_content(course_id: str, content_id: str, user_id: int) -> tuple[Exam | None, timing.LearnerTerms]:
    """Return the active exam of `content_id` in `course_id` (or None) and the learner's terms on it."""
    row = _ACTIVE_EXAM_AT_CONTENT.first(user_id=user_id, course_id=course_id, content_id=content_id)
    return _exam_and_terms(row)


def exam_by_id(exam_id: int, user_id: int) -> tuple[Exam | None, timing.LearnerTerms]:
    """Return the exam with `exam_id` (or None) and the learner's terms on it."""
    if not 0 < exam_id <= MAX_ROW_ID:  # no such row; the ORM would not send it either
        return None, timing.LearnerTerms()
    return _exam_and_terms(_EXAM_BY_ID.first(user_id=user_id, exam_id=exam_id))


def _attempt(row: dict[str, Any], user: User) -> ExamAttempt:
    attempt: ExamAttempt = instance_from_row(ExamAttempt, row)
    attempt.exam = instance_from_row(Exam, row, 'exam__')
    attempt.user = user
    return attempt


def _exam_and_terms(row: dict[str, Any] | None) -> tuple[Exam | None, timing.LearnerTerms]:
    if row is None:
        return None, timing.LearnerTerms()
    exam: Exam = instance_from_row(Exam, row)
    exam.provider = instance_from_row(ProctoringProvider, row, 'provider__') if exam.provider_id else None
    return exam, timing.terms_from_row(row, exam_due_date=exam.due_date)

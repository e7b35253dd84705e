"""
Read queries behind the instructor attempts list and its CSV export (no writes).

The exams dashboard asks for every attempt of an exam at once (`limit=1000000`),
so the list is built from flat `.values()` rows in a fixed number of queries
whatever the number of attempts: one for the page, one for the count, one for
the staff reviews of the page (and, in the REST layer, one for the proctoring
tool's reviews). The export reads the same rows in keyset chunks by id, so its
memory stays bounded even on MySQL, whose client buffers whole result sets.
"""

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from itertools import batched
from typing import Any

from django.db.models import F, Q, QuerySet

from edx_exams.apps.core.exceptions import ExamDoesNotExist, InvalidAttemptQuery
from edx_exams.apps.core.models import AttemptReview, Exam, ExamAttempt
from edx_exams.apps.core.statuses import ExamAttemptStatus

# Ids per IN (...) list: stays under SQLite's bound-variable limit and MySQL's packet size.
ID_BATCH_SIZE = 10_000

# One attempt of the list: a `.values()` dict of ATTEMPT_ROW_FIELDS.
AttemptRow = dict[str, Any]
AttemptRows = QuerySet[ExamAttempt, AttemptRow]

# The row of one attempt: model fields as `.values()` names them.
ATTEMPT_ROW_FIELDS = (
    'id',
    'attempt_number',
    'status',
    'is_active',
    'taking_as_proctored',
    'allowed_time_limit_mins',
    'start_time',
    'end_time',
    'reset_at',
    'exam_id',
    'exam__exam_name',
    'exam__exam_type',
    'user__lms_user_id',
    'user__username',
    'user__email',
    'reset_by__username',
)
# Public ordering keys (prefix "-" for descending) and the column each sorts on.
ATTEMPT_ORDERING_FIELDS = {
    'attempt_id': 'id',
    'start_time': 'start_time',
    'end_time': 'end_time',
    'username': 'user__username',
    'attempt_status': 'status',
}
ATTEMPT_ORDERINGS = tuple(sorted([*ATTEMPT_ORDERING_FIELDS, *(f'-{key}' for key in ATTEMPT_ORDERING_FIELDS)]))
DEFAULT_ATTEMPT_ORDERING = 'attempt_id'
EXPORT_CHUNK_SIZE = 2000


@dataclass(frozen=True)
class AttemptQuery:
    """
    Which attempts of a course the instructor list shows, and in which order.

    `exam_id` None means every exam of the course. `search` matches usernames and
    emails (case-insensitive substring). `statuses` empty means all. Reset attempts
    are left out unless `include_reset`.
    """

    exam_id: int | None = None
    search: str = ''
    statuses: tuple[str, ...] = ()
    include_reset: bool = False
    ordering: str = DEFAULT_ATTEMPT_ORDERING

    def __post_init__(self) -> None:
        unknown = sorted(set(self.statuses) - set(ExamAttemptStatus.values))
        if unknown:
            raise InvalidAttemptQuery(f'Unknown attempt status: {", ".join(unknown)}.')
        if self.ordering not in ATTEMPT_ORDERINGS:
            raise InvalidAttemptQuery(f'Unknown ordering {self.ordering}; use one of {", ".join(ATTEMPT_ORDERINGS)}.')


def list_course_attempt_rows(course_id: str, *, query: AttemptQuery) -> AttemptRows:
    """
    Return the course's attempts matching `query` as a lazy queryset of flat row dicts.

    Each row holds ATTEMPT_ROW_FIELDS. The caller slices it (one query) and may
    count it (one more). Raises ExamDoesNotExist (404) when `query.exam_id` is not
    an exam of the course, so staff of one course cannot list another's attempts.
    """
    check_exam_in_course(course_id, exam_id=query.exam_id)
    return _ordered(_filtered(course_id, query), query.ordering)


def iter_course_attempt_rows(
    course_id: str, *, query: AttemptQuery, chunk_size: int = EXPORT_CHUNK_SIZE
) -> Iterator[list[AttemptRow]]:
    """
    Return an iterator over the matching rows in chunks of at most `chunk_size`, in attempt id order.

    Each chunk is one keyset query (`id > last id`), so memory holds one chunk,
    not the whole result. The exam is checked now, before the first chunk is read,
    so an unknown exam raises ExamDoesNotExist here rather than mid-stream.
    """
    check_exam_in_course(course_id, exam_id=query.exam_id)
    return _chunks(_filtered(course_id, query).order_by('id'), chunk_size)


def get_latest_staff_reviews(attempt_ids: Iterable[int]) -> dict[int, dict[str, Any]]:
    """
    Return `{attempt_id: {decision, reviewer, comment, created}}`: the latest staff review of each attempt.

    One query per 10,000 attempts; attempts without a staff review are absent.
    `reviewer` is the reviewer's username (None if they were deleted).
    """
    latest: dict[int, dict[str, Any]] = {}
    for ids in batched(attempt_ids, ID_BATCH_SIZE):
        _add_latest_reviews(latest, ids)
    return latest


def _add_latest_reviews(latest: dict[int, dict[str, Any]], ids: tuple[int, ...]) -> None:
    reviews = (
        AttemptReview.objects.filter(attempt_id__in=ids)
        .order_by('attempt_id', '-created', '-id')
        .values('attempt_id', 'decision', 'reviewer__username', 'comment', 'created')
    )
    for review in reviews:
        if review['attempt_id'] not in latest:
            latest[review['attempt_id']] = {
                'decision': review['decision'],
                'reviewer': review['reviewer__username'],
                'comment': review['comment'],
                'created': review['created'],
            }


def check_exam_in_course(course_id: str, *, exam_id: int | None) -> None:
    """Raise ExamDoesNotExist unless `exam_id` is None or an exam (active or not) of `course_id`."""
    if exam_id is not None and not Exam.objects.filter(pk=exam_id, course_id=course_id).exists():
        raise ExamDoesNotExist(f'Exam {exam_id} does not exist in course {course_id}.')


def _filtered(course_id: str, query: AttemptQuery) -> AttemptRows:
    attempts = ExamAttempt.objects.filter(exam__course_id=course_id)
    if query.exam_id is not None:
        attempts = attempts.filter(exam_id=query.exam_id)
    if not query.include_reset:
        attempts = attempts.filter(reset_at__isnull=True)
    if query.statuses:
        attempts = attempts.filter(status__in=query.statuses)
    if query.search:
        attempts = attempts.filter(Q(user__username__icontains=query.search) | Q(user__email__icontains=query.search))
    rows: AttemptRows = attempts.values(*ATTEMPT_ROW_FIELDS)
    return rows


def _ordered(rows: AttemptRows, ordering: str) -> AttemptRows:
    """Sort by the ordering key, NULLs first ascending and last descending on every database, then by id."""
    descending = ordering.startswith('-')
    column = F(ATTEMPT_ORDERING_FIELDS[ordering.lstrip('-')])
    tie_break = '-id' if descending else 'id'
    if descending:
        return rows.order_by(column.desc(nulls_last=True), tie_break)
    return rows.order_by(column.asc(nulls_first=True), tie_break)


def _chunks(rows: AttemptRows, chunk_size: int) -> Iterator[list[AttemptRow]]:
    last_id = 0
    while True:
        chunk = list(rows.filter(id__gt=last_id)[:chunk_size])
        if chunk:
            yield chunk
        if len(chunk) < chunk_size:
            return
        last_id = chunk[-1]['id']

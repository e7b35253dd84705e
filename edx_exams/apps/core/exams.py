"""
The exams of a course: Studio's publish (an upsert of the whole list) and the active exam list.

Studio sends every timed or proctored subsection of a course on each publish. We
apply the list as one transaction that writes only what changed, so publishing an
unchanged course leaves no trace (no UPDATE, no history row).

An exam row is tied to one exam type and one proctoring provider, because
attempts, LTI resource links and reviews refer to it. A change of either retires
the row (`is_active=False`, attempts stay attached) and creates a new one; the
retire always runs first so the one-active-exam-per-content constraint holds on
every database. See docs/decisions/0006-publishing-course-exams.rst.
"""

import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.db import IntegrityError, OperationalError, transaction
from django.db.models import QuerySet
from simple_history.utils import bulk_create_with_history

from edx_exams.apps.core.exam_types import PROCTORED_TYPES, ExamType, normalize_exam_type
from edx_exams.apps.core.exceptions import ExamPublishConflict, InvalidCourseKey, InvalidExamData
from edx_exams.apps.core.models import (
    CourseExamConfiguration,
    DueDateExtension,
    Exam,
    ProctoringProvider,
    StudentAllowance,
)

log = logging.getLogger(__name__)

# A publish that lost a race on a brand-new exam row is retried once: the retry
# locks the winner's rows and, for an identical list, finds nothing to change.
PUBLISH_TRIES = 2
# MySQL / MariaDB errors that mean "another transaction holds what we need".
MYSQL_LOCK_ERRORS = frozenset({1205, 1213})  # lock wait timeout, deadlock
# The fields Studio may change in place on an exam of the same type and provider.
UPDATABLE_FIELDS = ('exam_name', 'time_limit_mins', 'due_date', 'hide_after_due', 'is_active')
# Per-learner rows that follow a subsection to its new exam row, with the fields to copy.
ACCOMMODATIONS = (
    (StudentAllowance, ('extra_time_mins', 'time_multiplier')),
    (DueDateExtension, ('due_date', 'granted_by_id')),
)


@dataclass(frozen=True)
class ExamSpec:
    """One exam as Studio publishes it, already validated (content id canonical, type normalized)."""

    content_id: str
    exam_name: str
    exam_type: str
    time_limit_mins: int | None = None
    due_date: datetime | None = None
    hide_after_due: bool = False
    is_active: bool = True

    def __post_init__(self) -> None:
        exam_type = normalize_exam_type(self.exam_type)
        if exam_type not in ExamType.values:
            raise InvalidExamData(f'Unknown exam type {self.exam_type} for content id {self.content_id}.')
        object.__setattr__(self, 'exam_type', exam_type)


@dataclass
class PublishResult:
    """What a publish changed: ids of created, updated and deactivated exams, and how many were unchanged."""

    created: list[int] = field(default_factory=list)
    updated: list[int] = field(default_factory=list)
    deactivated: list[int] = field(default_factory=list)
    unchanged: int = 0

    @property
    def changed(self) -> bool:
        """Return True if the publish wrote anything."""
        return bool(self.created or self.updated or self.deactivated)


def publish_course_exams(course_id: str, *, exams: Sequence[ExamSpec]) -> PublishResult:
    """
    Make the course's exams match `exams` (Studio's full list) and return what changed.

    Exams are matched by content id. Same type and provider: the fields are updated
    in place if they differ. Otherwise the current row is retired and a new one is
    created. Active exams missing from the list are deactivated; an empty list
    deactivates them all. Everything happens in one transaction under row locks on
    the course's exams; a concurrent publish that still collides raises
    ExamPublishConflict (409).
    """
    check_storable_course_id(course_id)
    _check_unique_content_ids(exams)
    for try_number in range(1, PUBLISH_TRIES + 1):
        try:
            with transaction.atomic():
                result = _publish(course_id, exams)
        except (IntegrityError, OperationalError) as error:
            if not _is_concurrency_error(error):
                raise
            log.warning('Concurrent exam publish course_id=%s try=%s error=%s', course_id, try_number, error)
            continue
        log.info(
            'Published exams course_id=%s created=%s updated=%s deactivated=%s unchanged=%s',
            course_id,
            result.created,
            result.updated,
            result.deactivated,
            result.unchanged,
        )
        return result
    raise ExamPublishConflict()


def check_storable_course_id(course_id: str) -> None:
    """Raise InvalidCourseKey (400) if `course_id` is longer than the course id columns."""
    max_length = Exam._meta.get_field('course_id').max_length
    if max_length is not None and len(course_id) > max_length:
        raise InvalidCourseKey('The course key is too long.')


def list_active_exams(course_id: str) -> QuerySet[Exam]:
    """Return the active exams of `course_id` with their providers, in publish order."""
    return Exam.objects.select_related('provider').filter(course_id=course_id, is_active=True).order_by('id')


def lock_course_exams(course_id: str) -> None:
    """
    Lock every exam row of `course_id` (SELECT ... FOR UPDATE) until the transaction ends.

    Publishing and provider changes both call this first and read the course's
    configuration and exams only afterwards, so they see each other's committed work.
    """
    list(Exam.objects.select_for_update().filter(course_id=course_id).order_by('id').values_list('id', flat=True))


def retire_exam(exam: Exam) -> None:
    """Deactivate `exam`, keeping its attempts and allowances; run before creating its successor."""
    exam.is_active = False
    exam.save(update_fields=['is_active', 'modified'])


def copy_exam_to_provider(exam: Exam, *, provider: ProctoringProvider | None) -> Exam:
    """
    Retire the active `exam` and return its successor proctored by `provider`.

    Attempts stay on the retired row, whose provider proctored them (its late
    reviews still find it); learners' accommodations are copied to the new row.
    """
    fields = _exam_fields(exam)
    retire_exam(exam)
    successor = _create_exam(exam.course_id, exam.content_id, fields, provider=provider)
    copied = copy_accommodations(exam, successor)
    log.info(
        'Exam moved to provider old_exam_id=%s new_exam_id=%s provider=%s accommodations=%s',
        exam.id,
        successor.id,
        provider.name if provider else None,
        copied,
    )
    return successor


def copy_accommodations(source: Exam, target: Exam) -> int:
    """
    Give `target` the extra time and due date extensions learners have on `source`; return how many.

    Accommodations belong to a learner and a subsection, not to one exam row, so
    they follow the subsection when its row is replaced. Existing ones on `target` win.
    """
    copied = 0
    for model, fields in ACCOMMODATIONS:
        present = set(model.objects.filter(exam=target).values_list('user_id', flat=True))
        rows = [
            model(exam=target, **{name: getattr(row, name) for name in ('user_id', *fields)})
            for row in model.objects.filter(exam=source).order_by('id')
            if row.user_id not in present
        ]
        bulk_create_with_history(rows, model)
        copied += len(rows)
    return copied


def _publish(course_id: str, specs: Sequence[ExamSpec]) -> PublishResult:
    lock_course_exams(course_id)
    provider = _course_provider(course_id)
    current = _current_exams_by_content(course_id)
    result = PublishResult()
    for spec in specs:
        _apply_spec(course_id, spec, current.get(spec.content_id), provider=provider, result=result)
    published = {spec.content_id for spec in specs}
    for content_id, exam in current.items():
        if exam.is_active and content_id not in published:
            retire_exam(exam)
            result.deactivated.append(exam.id)
    return result


def _apply_spec(
    course_id: str,
    spec: ExamSpec,
    existing: Exam | None,
    *,
    provider: ProctoringProvider | None,
    result: PublishResult,
) -> None:
    exam_provider = provider if spec.exam_type in PROCTORED_TYPES else None
    provider_id = exam_provider.id if exam_provider else None
    if existing is not None and existing.exam_type == spec.exam_type and existing.provider_id == provider_id:
        changed = [name for name in UPDATABLE_FIELDS if getattr(existing, name) != getattr(spec, name)]
        if not changed:
            result.unchanged += 1
            return
        for name in changed:
            setattr(existing, name, getattr(spec, name))
        existing.save(update_fields=[*changed, 'modified'])
        result.updated.append(existing.id)
        return
    if existing is not None and existing.is_active:
        retire_exam(existing)
    exam = _create_exam(course_id, spec.content_id, _exam_fields(spec), provider=exam_provider)
    if existing is not None:
        copy_accommodations(existing, exam)
    result.created.append(exam.id)


def _exam_fields(source: ExamSpec | Exam) -> dict[str, Any]:
    """Return the type and the updatable fields of `source`."""
    return {name: getattr(source, name) for name in ('exam_type', *UPDATABLE_FIELDS)}


def _create_exam(
    course_id: str, content_id: str, fields: dict[str, Any], *, provider: ProctoringProvider | None
) -> Exam:
    return Exam.objects.create(course_id=course_id, content_id=content_id, provider=provider, **fields)


def _current_exams_by_content(course_id: str) -> dict[str, Exam]:
    """Return, per content id, the active row, or else the newest retired one."""
    current: dict[str, Exam] = {}
    for exam in Exam.objects.filter(course_id=course_id).order_by('id'):
        known = current.get(exam.content_id)
        if known is None or exam.is_active or not known.is_active:
            current[exam.content_id] = exam
    return current


def _course_provider(course_id: str) -> ProctoringProvider | None:
    config = CourseExamConfiguration.objects.select_related('provider').filter(course_id=course_id).first()
    return config.provider if config else None


def _check_unique_content_ids(specs: Sequence[ExamSpec]) -> None:
    seen: set[str] = set()
    for index, spec in enumerate(specs):
        if spec.content_id in seen:
            raise InvalidExamData(f'Exam {index} repeats content id {spec.content_id}.')
        seen.add(spec.content_id)


def _is_concurrency_error(error: Exception) -> bool:
    if isinstance(error, IntegrityError):
        return True
    code = error.args[0] if error.args else None
    return code in MYSQL_LOCK_ERRORS

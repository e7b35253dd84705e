"""
A course's proctoring configuration, as the authoring MFE reads and saves it.

Changing the provider moves the course's active proctored exams to it: each is
retired and copied with the new provider (see `exams.copy_exam_to_provider` and
docs/decisions/0006-publishing-course-exams.rst).
"""

import logging

from django.db import IntegrityError, transaction
from opaque_keys import InvalidKeyError
from opaque_keys.edx.keys import CourseKey

from edx_exams.apps.core.exam_types import PROCTORED_TYPES
from edx_exams.apps.core.exams import check_storable_course_id, copy_exam_to_provider, lock_course_exams
from edx_exams.apps.core.exceptions import ExamBaseException, ExamPublishConflict, InvalidProctoringProvider
from edx_exams.apps.core.models import CourseExamConfiguration, Exam, ProctoringProvider

log = logging.getLogger(__name__)


def get_course_exam_configuration(course_id: str) -> CourseExamConfiguration | None:
    """Return the configuration of `course_id` with its provider, or None if the course has none."""
    return CourseExamConfiguration.objects.select_related('provider').filter(course_id=course_id).first()


def update_course_exam_configuration(
    course_id: str,
    *,
    provider_name: str | None,
    escalation_email: str | None,
    allow_opt_out: bool | None = None,
) -> CourseExamConfiguration:
    """
    Set the proctoring provider, escalation email and (if given) opt-out flag of `course_id`.

    Without a provider the escalation email is cleared; with one it is required.
    Raises InvalidProctoringProvider (400) for an unknown or inactive provider, or
    one offered only to another organization. Nothing is written when nothing
    changes. A provider change moves the active proctored exams to the new provider.
    """
    check_storable_course_id(course_id)
    with transaction.atomic():
        config = _lock_configuration(course_id)
        provider = _resolve_provider(provider_name, course_id=course_id, current=config.provider)
        escalation_email = _checked_escalation_email(provider, escalation_email)
        old_provider_id = config.provider_id
        changes: dict[str, object] = {'provider': provider, 'escalation_email': escalation_email}
        if allow_opt_out is not None:
            changes['allow_opt_out'] = allow_opt_out
        _save_changes(config, changes)
        if config.provider_id != old_provider_id:
            moved = _move_exams_to_provider(course_id, provider)
            log.info('Course provider changed course_id=%s provider=%s exams_moved=%s', course_id, provider, moved)
    return config


def validate_course_exam_configuration(
    course_id: str, *, provider_name: str | None, escalation_email: str | None
) -> None:
    """Raise what `update_course_exam_configuration` would raise for these values; store nothing."""
    check_storable_course_id(course_id)
    current = get_course_exam_configuration(course_id)
    provider = _resolve_provider(provider_name, course_id=course_id, current=current.provider if current else None)
    _checked_escalation_email(provider, escalation_email)


def _checked_escalation_email(provider: ProctoringProvider | None, escalation_email: str | None) -> str | None:
    """Return the email to store: none without a provider; raise if a provider is set without one."""
    if provider is None:
        return None
    if not escalation_email:
        raise ExamBaseException('An escalation email is required when a proctoring provider is set.')
    return escalation_email


def _lock_configuration(course_id: str) -> CourseExamConfiguration:
    """Return the course's configuration locked for update, or a new unsaved one."""
    # Nothing joined: MySQL would lock the provider row too (see `locks`); the provider is read apart.
    config = CourseExamConfiguration.objects.select_for_update().filter(course_id=course_id)
    return config.first() or CourseExamConfiguration(course_id=course_id)


def _resolve_provider(
    name: str | None, *, course_id: str, current: ProctoringProvider | None
) -> ProctoringProvider | None:
    if name is None:
        return None
    provider = ProctoringProvider.objects.filter(name=name).first()
    if provider is None:
        raise InvalidProctoringProvider(f'Proctoring provider {name} does not exist.')
    if provider == current:
        return provider  # keep the course's provider even if it is no longer offered
    if not provider.is_active:
        raise InvalidProctoringProvider(f'Proctoring provider {name} is not active.')
    if provider.org_key and provider.org_key != _course_org(course_id):
        raise InvalidProctoringProvider(f'Proctoring provider {name} is not available to this course.')
    return provider


def _save_changes(config: CourseExamConfiguration, changes: dict[str, object]) -> None:
    changed = [name for name, value in changes.items() if getattr(config, name) != value]
    for name in changed:
        setattr(config, name, changes[name])
    if config.pk is None and changed:
        try:
            with transaction.atomic():
                config.save()
        except IntegrityError as error:  # a concurrent first save of the same course
            raise ExamPublishConflict('The configuration of this course was changed concurrently.') from error
    elif changed:
        config.save(update_fields=[*changed, 'modified'])


def _move_exams_to_provider(course_id: str, provider: ProctoringProvider | None) -> int:
    lock_course_exams(course_id)
    exams = Exam.objects.filter(course_id=course_id, is_active=True, exam_type__in=PROCTORED_TYPES).order_by('id')
    moved = 0
    for exam in exams:
        copy_exam_to_provider(exam, provider=provider)
        moved += 1
    return moved


def _course_org(course_id: str) -> str | None:
    try:
        return CourseKey.from_string(course_id).org
    except InvalidKeyError:
        return None

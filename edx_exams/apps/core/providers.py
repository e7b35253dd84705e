"""Proctoring providers: which ones a course may choose, and what learners see about an exam's provider."""

import logging
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q, QuerySet

from edx_exams.apps.core.exceptions import ExamBaseException, ExamDoesNotExist, InvalidProctoringProvider
from edx_exams.apps.core.models import CourseExamConfiguration, Exam, ProctoringProvider

log = logging.getLogger(__name__)

# What operators may change on a provider. Its `name` is what courses and Studio refer to,
# and `lti_configuration_id` links it to its LTI registration: both are set by registering the tool.
PROVIDER_EDITABLE_FIELDS = (
    'verbose_name',
    'org_key',
    'tech_support_email',
    'tech_support_phone',
    'tech_support_url',
    'learner_notification_from_email',
    'integration_specific_email',
    'instructions',
    'is_active',
)


@dataclass(frozen=True)
class ProviderSettings:
    """The proctoring details frontend-lib-special-exams shows before a proctored exam (L6)."""

    provider_name: str
    provider_tech_support_email: str
    provider_tech_support_phone: str
    provider_tech_support_url: str
    proctoring_escalation_email: str | None
    learner_notification_from_email: str
    integration_specific_email: str
    # The lib reads `exam_proctoring_backend.instructions` as a list of strings.
    instructions: list[str] = field(default_factory=list)


def list_providers(*, org: str | None = None) -> QuerySet[ProctoringProvider]:
    """Return the active providers offered to every organization, plus those of `org` if given."""
    offered = Q(org_key='')
    if org:
        offered |= Q(org_key=org)
    return ProctoringProvider.objects.filter(offered, is_active=True).order_by('name')


def get_provider_settings(*, course_id: str, exam_id: int) -> ProviderSettings | None:
    """
    Return the provider details of exam `exam_id` in `course_id`, or None if it has no provider.

    Raises ExamDoesNotExist (404) if there is no such exam in that course.
    """
    exam = Exam.objects.select_related('provider').filter(pk=exam_id, course_id=course_id).first()
    if exam is None:
        raise ExamDoesNotExist(f'Exam {exam_id} does not exist in course {course_id}.')
    provider = exam.provider
    if provider is None:
        return None
    config = CourseExamConfiguration.objects.filter(course_id=course_id).first()
    return ProviderSettings(
        provider_name=provider.verbose_name,
        provider_tech_support_email=provider.tech_support_email,
        provider_tech_support_phone=provider.tech_support_phone,
        provider_tech_support_url=provider.tech_support_url,
        proctoring_escalation_email=config.escalation_email if config else None,
        learner_notification_from_email=provider.learner_notification_from_email,
        integration_specific_email=provider.integration_specific_email,
        instructions=[line.strip() for line in provider.instructions.splitlines() if line.strip()],
    )


def update_proctoring_provider(name: str, *, changes: dict[str, Any]) -> ProctoringProvider:
    """
    Change the descriptive fields, organization or active flag of provider `name` and return it.

    `changes` maps fields of PROVIDER_EDITABLE_FIELDS to new values. Raises
    InvalidProctoringProvider for an unknown provider, and ExamBaseException for
    another field or an invalid value. A deactivated provider is no longer offered
    to courses; courses that chose it keep it.
    """
    not_editable = sorted(set(changes) - set(PROVIDER_EDITABLE_FIELDS))
    if not_editable:
        raise ExamBaseException(f'These provider fields cannot be changed here: {", ".join(not_editable)}.')
    with transaction.atomic():
        provider = ProctoringProvider.objects.select_for_update().filter(name=name).first()
        if provider is None:
            raise InvalidProctoringProvider(f'Proctoring provider {name} does not exist.')
        changed = [field_name for field_name, value in changes.items() if getattr(provider, field_name) != value]
        for field_name in changed:
            setattr(provider, field_name, changes[field_name])
        _check_provider(provider)
        if changed:
            provider.save(update_fields=[*changed, 'modified'])
    log.info('Proctoring provider updated provider=%s fields=%s', name, ','.join(changed))
    return provider


def _check_provider(provider: ProctoringProvider) -> None:
    try:
        provider.full_clean()
    except ValidationError as error:
        raise ExamBaseException('; '.join(error.messages)) from error

"""Proctoring providers: which ones a course may choose, and what learners see about an exam's provider."""

from dataclasses import dataclass, field

from django.db.models import Q, QuerySet

from edx_exams.apps.core.exceptions import ExamDoesNotExist
from edx_exams.apps.core.models import CourseExamConfiguration, Exam, ProctoringProvider


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

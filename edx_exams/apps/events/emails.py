"""
Emails to the learner when a proctored exam attempt is submitted, verified or rejected.

The transition only queues a Celery task after commit; the task renders and sends
the email and retries when the mail server fails. A learner's request therefore
never waits for, or fails because of, the mail server.
"""

import logging
from typing import Any

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.template.loader import render_to_string
from django.utils.functional import Promise as StrPromise
from django.utils.translation import gettext_lazy as _

from edx_exams.apps.core import api as core_api
from edx_exams.apps.core.api import ExamAttempt, ExamAttemptStatus, ExamType

log = logging.getLogger(__name__)

# The statuses a learner is told about, and the subject of each email.
EMAIL_SUBJECTS: dict[str, StrPromise] = {
    ExamAttemptStatus.SUBMITTED: _('Proctored exam {exam_name}: submitted'),
    ExamAttemptStatus.VERIFIED: _('Proctored exam {exam_name}: results verified'),
    ExamAttemptStatus.REJECTED: _('Proctored exam {exam_name}: results rejected'),
}


def wants_status_email(attempt: ExamAttempt, *, status: str) -> bool:
    """Return True if moving `attempt` into `status` warrants an email to the learner."""
    return (
        status in EMAIL_SUBJECTS
        and attempt.exam.exam_type == ExamType.PROCTORED
        # A learner who opted out of proctoring takes the exam as a timed one: no review follows.
        and attempt.taking_as_proctored
        and bool(attempt.user.email)
    )


def schedule_status_email(attempt: ExamAttempt, *, status: str) -> bool:
    """Queue the email for `attempt` moving into `status` once the transaction commits; return True if queued."""
    if not wants_status_email(attempt, status=status):
        return False
    attempt_id = attempt.id
    transaction.on_commit(lambda: _enqueue_email(attempt_id, status))
    return True


def send_status_email(attempt_id: int, *, status: str) -> bool:
    """
    Render and send the `status` email of attempt `attempt_id`; return False if there is nothing to send.

    Mail server errors propagate so that the Celery task retries.
    """
    attempt = ExamAttempt.objects.select_related('exam', 'exam__provider', 'user').filter(pk=attempt_id).first()
    if attempt is None or not wants_status_email(attempt, status=status):
        log.info('No attempt status email attempt_id=%s status=%s', attempt_id, status)
        return False
    context = _email_context(attempt, status=status)
    message = EmailMultiAlternatives(
        subject=str(EMAIL_SUBJECTS[status]).format(exam_name=attempt.exam.exam_name),
        body=render_to_string(f'events/emails/attempt_{status}.txt', context),
        from_email=_from_email(attempt),
        to=[attempt.user.email],
    )
    message.attach_alternative(render_to_string(f'events/emails/attempt_{status}.html', context), 'text/html')
    message.send(fail_silently=False)
    log.info('Attempt status email sent attempt_id=%s user_id=%s status=%s', attempt.id, attempt.user_id, status)
    return True


def _email_context(attempt: ExamAttempt, *, status: str) -> dict[str, Any]:
    exam = attempt.exam
    config = core_api.get_course_exam_configuration(exam.course_id)
    provider = exam.provider
    return {
        'status': status,
        'learner_name': attempt.user.full_name or attempt.user.username,
        'exam_name': exam.exam_name,
        'course_id': exam.course_id,
        'course_url': core_api.learning_mfe_course_url(exam.course_id),
        'escalation_email': (config.escalation_email if config else None) or '',
        'support_email': provider.tech_support_email if provider else '',
        'support_url': provider.tech_support_url if provider else '',
    }


def _from_email(attempt: ExamAttempt) -> str:
    provider = attempt.exam.provider
    return (provider.learner_notification_from_email if provider else '') or settings.DEFAULT_FROM_EMAIL


def _enqueue_email(attempt_id: int, status: str) -> None:
    from edx_exams.apps.events import tasks  # tasks import this module

    tasks.enqueue(tasks.send_attempt_status_email, attempt_id, status)

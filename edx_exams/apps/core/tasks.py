"""Celery tasks of the core app: thin wrappers around core.api, recorded as a task's changes (edx_exams/celery.py)."""

import logging

from celery import shared_task

from edx_exams.apps.core import api, audit

log = logging.getLogger(__name__)


@shared_task(
    name='edx_exams.apps.core.tasks.expire_overdue_attempts', ignore_result=True, audit_actor=audit.Actor.EXPIRY_SWEEP
)
def expire_overdue_attempts() -> int:
    """Beat task: submit running attempts past their deadline plus the grace period."""
    return api.expire_overdue_attempts()

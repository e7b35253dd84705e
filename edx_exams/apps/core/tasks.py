"""Celery tasks of the core app: thin wrappers around core.api."""

import logging

from celery import shared_task

from edx_exams.apps.core import api

log = logging.getLogger(__name__)


@shared_task(name='edx_exams.apps.core.tasks.expire_overdue_attempts', ignore_result=True)
def expire_overdue_attempts() -> int:
    """Beat task: submit running attempts past their deadline plus the grace period."""
    return api.expire_overdue_attempts()

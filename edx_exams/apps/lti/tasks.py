"""Celery tasks of the LTI app: thin wrappers around lti.api."""

from celery import shared_task

from edx_exams.apps.lti import api


@shared_task(name='edx_exams.apps.lti.tasks.prune_expired_lti_records', ignore_result=True)
def prune_expired_lti_records():
    """Beat task: delete expired message hints and used nonces."""
    return api.prune_expired_records()

"""Receivers of signals from other apps and the event bus; each forwards to core.api."""

from typing import Any

from django.dispatch import receiver
from simple_history.signals import pre_create_historical_record

from edx_exams.apps.core import audit


@receiver(pre_create_historical_record, dispatch_uid='core.audit.stamp_historical_record')
def stamp_history_with_audit_context(sender: Any, history_instance: Any, **kwargs: Any) -> None:
    """Write the current source, actor, user and reason (core/audit.py) onto each history row."""
    audit.stamp_historical_record(history_instance)

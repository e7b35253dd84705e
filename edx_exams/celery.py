"""The Celery application of edx-exams; settings come from Django's CELERY_* block."""

import os

from celery import Celery, Task

os.environ.setdefault('DJANGO_SETTINGS_MODULE', 'edx_exams.settings.local')


class AuditedTask(Task):
    """
    The base of every task: what a task changes is recorded as done by a task (``core/audit.py``).

    The actor is ``system`` unless the task names another (``@shared_task(audit_actor=...)``, as the
    expiry sweep does with ``expiry_sweep``).
    """

    audit_actor = 'system'

    def __call__(self, *args, **kwargs):
        """Run the task inside its audit context: source ``task``, actor `audit_actor`."""
        # Imported here: this module is loaded with the package, before Django's apps are ready.
        from edx_exams.apps.core import api

        with api.acting(source=api.AuditSource.TASK, actor=self.audit_actor):
            return super().__call__(*args, **kwargs)


app = Celery('edx_exams', task_cls=AuditedTask)
app.config_from_object('django.conf:settings', namespace='CELERY')
app.autodiscover_tasks()

"""The Celery application of edx-exams; settings come from Django's CELERY_* block."""

import os

from celery import Celery

os.environ.setdefault('DJANGO_SETTINGS_MODULE', 'edx_exams.settings.local')

app = Celery('edx_exams')
app.config_from_object('django.conf:settings', namespace='CELERY')
app.autodiscover_tasks()

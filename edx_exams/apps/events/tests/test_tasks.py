"""The Celery side: a broker outage never fails a learner's request, and the beat schedule runs the sweeps."""

import time
from datetime import timedelta

import pytest
from django.conf import settings
from django.utils import timezone

from edx_exams.apps.api.v1.tests.learner import LearnerSession
from edx_exams.apps.core import api as core_api
from edx_exams.apps.events import tasks
from edx_exams.apps.events.models import OutboxEvent
from edx_exams.apps.events.tests.redis_helpers import free_port
from edx_exams.celery import app as celery_app

pytestmark = pytest.mark.django_db


def reset_broker_connections():
    # Drop the app's cached pools so the next task connects to the current broker_url.
    celery_app._pool = None
    celery_app.amqp._producer_pool = None


@pytest.fixture
def broker_down():
    """Celery queues to a Redis broker where nothing listens, as when Redis is down in production."""
    old_url = celery_app.conf.broker_url
    celery_app.conf.task_always_eager = False
    celery_app.conf.broker_url = f'redis://127.0.0.1:{free_port()}/0'
    reset_broker_connections()
    yield
    celery_app.conf.task_always_eager = True
    celery_app.conf.broker_url = old_url
    reset_broker_connections()


def test_submit_succeeds_while_the_broker_is_down(broker_down, learner, timed_exam, django_capture_on_commit_callbacks):
    attempt = core_api.create_exam_attempt(user=learner, exam_id=timed_exam.id, start_clock=True)
    started = time.monotonic()
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = LearnerSession(learner).act(attempt.id, 'submit')
    assert response.status_code == 200
    assert time.monotonic() - started < 2
    assert len(callbacks) == 1  # the publish task could not be queued ...
    [event] = OutboxEvent.objects.all()
    assert (event.sent_at, event.tries) == (None, 0)  # ... so the event waits for the sweep


def test_the_sweep_sends_what_the_broker_outage_left(learner, timed_exam):
    attempt = core_api.create_exam_attempt(user=learner, exam_id=timed_exam.id, start_clock=True)
    core_api.update_attempt_with_action(attempt_id=attempt.id, action='submit', actor=learner)  # no on-commit here
    assert tasks.retry_unsent_events.delay().get() == 1
    assert OutboxEvent.objects.get().sent_at is not None


def test_publish_task_takes_the_outbox_id(learner, timed_exam):
    attempt = core_api.create_exam_attempt(user=learner, exam_id=timed_exam.id, start_clock=True)
    core_api.update_attempt_with_action(attempt_id=attempt.id, action='submit', actor=learner)
    event = OutboxEvent.objects.get()
    assert tasks.publish_event.delay(event.id).get() is True
    assert tasks.publish_event.delay(event.id + 1000).get() is False


def test_prune_task(learner, timed_exam):
    attempt = core_api.create_exam_attempt(user=learner, exam_id=timed_exam.id, start_clock=True)
    core_api.update_attempt_with_action(attempt_id=attempt.id, action='submit', actor=learner)
    OutboxEvent.objects.update(sent_at=timezone.now() - timedelta(days=settings.EVENT_OUTBOX_RETENTION_DAYS + 1))
    assert tasks.prune_sent_events.delay().get() == 1


def test_beat_schedule_runs_the_sweeps():
    schedule = {entry['task'] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert {
        'edx_exams.apps.core.tasks.expire_overdue_attempts',
        'edx_exams.apps.events.tasks.retry_unsent_events',
        'edx_exams.apps.events.tasks.prune_sent_events',
    } <= schedule
    assert {name for name in schedule if '.events.' in name} <= set(celery_app.tasks)

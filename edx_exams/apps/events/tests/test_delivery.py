"""
Delivery guarantees of the outbox under the conditions production meets: slow sweeps racing the on-commit
publisher, events that can never be built, and a learner's events spread over several attempts of one exam.
"""

from datetime import timedelta

import pytest
from django.conf import settings
from django.utils import timezone

from edx_exams.apps.core import api as core_api
from edx_exams.apps.core.statuses import ExamAttemptStatus as S
from edx_exams.apps.core.tests.factories import ExamFactory, UserFactory, move_attempt
from edx_exams.apps.events import api, bus
from edx_exams.apps.events.models import OutboxEvent
from edx_exams.apps.events.payloads import exam_attempt_data

pytestmark = pytest.mark.django_db


def started_attempt(user, exam):
    return core_api.create_exam_attempt(user=user, exam_id=exam.id, start_clock=True)


def submit(attempt, user):
    return core_api.update_attempt_with_action(attempt_id=attempt.id, action='submit', actor=user)


@pytest.fixture
def recording_bus(monkeypatch):
    """The event bus as a list of the event ids it accepted; set `.down = True` to refuse everything."""

    class Recorder(list):
        down = False
        during_send = None  # called with the event's metadata while it is being sent

        def send_event(self, signal, *, event_data, metadata):
            if self.down:
                raise bus.EventBusError('ConnectionError: the bus is down')
            if self.during_send:
                self.during_send(metadata)
            self.append(metadata.id)
            return ['learning-exam-attempt-lifecycle']

    recorder = Recorder()
    monkeypatch.setattr(bus, 'send_event', recorder.send_event)
    return recorder


def test_a_slow_sweep_never_lets_the_on_commit_publisher_send_an_event_twice(
    monkeypatch, recording_bus, learner, timed_exam
):
    """
    The sweep claims each event with the clock of the moment it claims it, not of the moment the sweep began.

    Otherwise, once the sweep has run longer than a claim lasts, its claims are already expired
    when made, and the publish task queued on commit takes and sends the same event again.
    """
    other = UserFactory(lms_user_id=5151)
    for user in (learner, other):
        submit(started_attempt(user, timed_exam), user)  # unsent: no on-commit publish in this test
    first, second = OutboxEvent.objects.order_by('id')
    clock = [timezone.now()]
    monkeypatch.setattr(timezone, 'now', lambda: clock[0])
    claim_seconds = settings.EVENT_OUTBOX_CLAIM_SECONDS

    racing_task = []

    def slow_bus_and_a_racing_task(metadata):
        if metadata.id == first.event_id:
            clock[0] += timedelta(seconds=claim_seconds + 30)  # the bus answers slowly
        else:
            recording_bus.during_send = None
            # Meanwhile the publish task queued when `second` committed runs, with the real clock.
            racing_task.append(api.publish_outbox_event(second.id))

    recording_bus.during_send = slow_bus_and_a_racing_task
    assert api.retry_unsent_events() == 2
    assert recording_bus == [first.event_id, second.event_id]
    assert racing_task == [False]


def test_reset_by_a_user_without_an_lms_id_still_resets_the_learner_in_the_lms(
    learner, timed_exam, django_capture_on_commit_callbacks
):
    """
    A Django admin who logged in with a password (no LMS user id) resets an attempt.

    The LMS ignores EXAM_ATTEMPT_RESET unless requesting_user is one of its users, and an event
    naming a user without an id could never be published: the learner is named instead.
    """
    admin = UserFactory(username='local_admin', lms_user_id=None, is_staff=True, is_superuser=True)
    attempt = started_attempt(learner, timed_exam)
    submit(attempt, learner)
    with django_capture_on_commit_callbacks(execute=True):
        core_api.reset_exam_attempt(attempt.id, actor=admin)
    reset = OutboxEvent.objects.get(attempt_id=attempt.id, event_type__endswith='reset.v1')
    assert reset.sent_at is not None, reset.last_error
    data = exam_attempt_data(reset.event_data)
    assert data.requesting_user.id == 4242
    assert data.student_user.id == 4242


def test_events_that_can_never_be_published_do_not_stall_the_sweep(recording_bus, staff, learner, timed_exam):
    """
    Three learners without an LMS user id (their events cannot be built) each have a later event queued
    behind the first; the sweep must still reach everybody else's events instead of taking them for a bus outage.
    """
    for _ in range(3):
        user = UserFactory(lms_user_id=None)
        attempt = started_attempt(user, timed_exam)
        submit(attempt, user)
        move_attempt(attempt.id, S.VERIFIED, actor=staff)
    healthy = started_attempt(learner, timed_exam)
    submit(healthy, learner)
    [healthy_event] = OutboxEvent.objects.filter(attempt_id=healthy.id)

    now = timezone.now()
    for minutes in range(1, 4):  # three beat sweeps
        api.retry_unsent_events(now=now + timedelta(minutes=minutes))

    assert recording_bus == [healthy_event.event_id]
    healthy_event.refresh_from_db()
    assert healthy_event.sent_at is not None
    # The events that cannot be built stay unsent, visible in the admin with their error, and back off.
    stuck = OutboxEvent.objects.filter(sent_at__isnull=True, event_type__endswith='submitted.v1')
    assert stuck.count() == 3
    assert all('has no LMS user id' in event.last_error for event in stuck)
    assert all(event.tries == 2 for event in stuck)  # tried at +1 and +2 minutes; the next try is due at +4


class TestOrderAcrossAttemptsOfOneExam:
    """
    A learner's events about one exam reach the LMS in the order they happened, across attempts.

    The LMS applies them to the same records (credit requirement status, problem state,
    completion), so an event of an earlier attempt arriving late would undo a later one.
    """

    def test_an_errored_event_is_not_overtaken_by_the_resumed_attempts_submit(
        self, recording_bus, learner, staff, timed_exam
    ):
        first = started_attempt(learner, timed_exam)
        recording_bus.down = True
        move_attempt(first.id, S.ERROR, actor=None)
        [errored] = OutboxEvent.objects.filter(attempt_id=first.id)
        assert api.publish_outbox_event(errored.id) is False

        recording_bus.down = False  # the bus is back before the errored event's retry is due
        core_api.update_attempt_with_action(attempt_id=first.id, action='resume', actor=staff)
        resumed = started_attempt(learner, timed_exam)
        assert resumed.id != first.id
        submit(resumed, learner)
        [submitted] = OutboxEvent.objects.filter(attempt_id=resumed.id)
        api.publish_outbox_event(submitted.id)  # the on-commit publish of the submit

        # Otherwise the LMS would set the credit requirement to "failed" after "submitted".
        assert recording_bus == [errored.event_id, submitted.event_id]

    def test_a_reset_is_not_overtaken_by_the_next_attempts_submit(self, recording_bus, learner, staff, timed_exam):
        first = started_attempt(learner, timed_exam)
        submit(first, learner)
        api.publish_attempt_events(first.id)
        recording_bus.down = True
        core_api.reset_exam_attempt(first.id, actor=staff)
        [reset] = OutboxEvent.objects.filter(attempt_id=first.id, event_type__endswith='reset.v1')
        assert api.publish_outbox_event(reset.id) is False

        recording_bus.down = False
        second = started_attempt(learner, timed_exam)
        assert second.id != first.id
        submit(second, learner)
        [submitted] = OutboxEvent.objects.filter(attempt_id=second.id)
        api.publish_outbox_event(submitted.id)

        # Otherwise the LMS would delete the answers of the second attempt when the late reset arrives.
        assert recording_bus[1:] == [reset.event_id, submitted.event_id]

    def test_other_exams_of_the_learner_are_not_held_back(self, recording_bus, learner, timed_exam):
        other_exam = ExamFactory(course_id=timed_exam.course_id)
        first = started_attempt(learner, timed_exam)
        recording_bus.down = True
        move_attempt(first.id, S.ERROR, actor=None)
        api.publish_attempt_events(first.id)
        recording_bus.down = False
        other = started_attempt(learner, other_exam)
        submit(other, learner)
        [submitted] = OutboxEvent.objects.filter(attempt_id=other.id)
        assert api.publish_outbox_event(submitted.id) is True
        assert recording_bus == [submitted.event_id]


def test_migration_keys_existing_rows_by_learner_and_exam(learner, timed_exam):
    from importlib import import_module

    from django.apps import apps

    migration = import_module('edx_exams.apps.events.migrations.0002_outbox_order_key')
    kept = started_attempt(learner, timed_exam)
    submit(kept, learner)
    gone = started_attempt(UserFactory(lms_user_id=6161), timed_exam)
    submit(gone, gone.user)
    gone_id = gone.id
    gone.delete()
    OutboxEvent.objects.update(order_key='')

    migration.fill_order_keys(apps, None)

    assert OutboxEvent.objects.get(attempt_id=kept.id).order_key == f'{learner.id}:{timed_exam.content_id}'
    assert OutboxEvent.objects.get(attempt_id=gone_id).order_key == f'attempt:{gone_id}'

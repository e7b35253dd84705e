"""The outbox without a bus: which transitions write which event, once, and how unsent events are retried."""

from datetime import timedelta

import pytest
from django.db import transaction
from django.utils import timezone

from edx_exams.apps.core import api as core_api
from edx_exams.apps.core.signals.signals import ATTEMPT_RESET
from edx_exams.apps.core.statuses import ExamAttemptStatus as S
from edx_exams.apps.core.tests.factories import ExamAttemptFactory, ExamFactory, UserFactory, move_attempt
from edx_exams.apps.events import api, outbox
from edx_exams.apps.events.models import OutboxEvent
from edx_exams.apps.events.payloads import exam_attempt_data

pytestmark = pytest.mark.django_db
SUBMITTED = 'org.openedx.learning.exam.attempt.submitted.v1'
VERIFIED = 'org.openedx.learning.exam.attempt.verified.v1'
REJECTED = 'org.openedx.learning.exam.attempt.rejected.v1'
ERRORED = 'org.openedx.learning.exam.attempt.errored.v1'
RESET = 'org.openedx.learning.exam.attempt.reset.v1'


def started_attempt(user, exam):
    return core_api.create_exam_attempt(user=user, exam_id=exam.id, start_clock=True)


def submit(attempt, user):
    return core_api.update_attempt_with_action(attempt_id=attempt.id, action='submit', actor=user)


def events_of(attempt):
    return list(OutboxEvent.objects.filter(attempt_id=attempt.id).order_by('id'))


def test_submit_writes_one_submitted_event_with_lms_ids(learner, timed_exam, django_capture_on_commit_callbacks):
    attempt = started_attempt(learner, timed_exam)
    with django_capture_on_commit_callbacks(execute=True):
        submit(attempt, learner)

    [event] = events_of(attempt)
    assert event.event_type == SUBMITTED
    data = exam_attempt_data(event.event_data)
    assert data.student_user.id == 4242
    assert data.student_user.pii.username == 'learner'
    assert data.student_user.pii.email == 'learner@example.com'
    assert data.student_user.pii.name == 'Lea Learner'
    assert data.requesting_user == data.student_user  # the LMS expects the learner as requester of a submit
    assert str(data.course_key) == timed_exam.course_id
    assert str(data.usage_key) == timed_exam.content_id
    assert data.exam_type == 'timed'
    # No bus is configured in tests: the event is logged and marked sent on commit.
    assert event.sent_at is not None
    assert event.tries == 1


def test_repeated_submit_emits_nothing_new(learner, timed_exam, django_capture_on_commit_callbacks):
    attempt = started_attempt(learner, timed_exam)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        submit(attempt, learner)
        submit(attempt, learner)
        submit(attempt, learner)
    assert [event.event_type for event in events_of(attempt)] == [SUBMITTED]
    assert len(callbacks) == 1


@pytest.mark.parametrize(
    ('path', 'expected'),
    [
        ([S.SUBMITTED, S.VERIFIED], [SUBMITTED, VERIFIED]),
        ([S.SUBMITTED, S.REJECTED], [SUBMITTED, REJECTED]),
        ([S.SUBMITTED, S.ERROR], [SUBMITTED, ERRORED]),
        ([S.ERROR], [ERRORED]),
        (
            [S.SUBMITTED, S.SECOND_REVIEW_REQUIRED, S.VERIFIED, S.REJECTED, S.VERIFIED],
            [SUBMITTED, VERIFIED, REJECTED, VERIFIED],
        ),
        ([S.READY_TO_SUBMIT, S.STARTED, S.READY_TO_SUBMIT], []),
    ],
)
def test_one_event_per_transition_into_each_status(path, expected, learner, staff, timed_exam):
    attempt = started_attempt(learner, timed_exam)
    for status in path:
        move_attempt(attempt.id, status, actor=staff)
    events = events_of(attempt)
    assert [event.event_type for event in events] == expected
    for event in events:
        data = exam_attempt_data(event.event_data)
        assert data.student_user.id == 4242
        # Review outcomes and errors name no requesting user; a submit names the learner even when staff did it.
        assert data.requesting_user == (data.student_user if event.event_type == SUBMITTED else None)


def test_event_rolls_back_with_the_status_change(learner, timed_exam):
    attempt = started_attempt(learner, timed_exam)
    with pytest.raises(RuntimeError), transaction.atomic():
        submit(attempt, learner)
        assert len(events_of(attempt)) == 1
        raise RuntimeError('the request failed after the submit')
    attempt.refresh_from_db()
    assert attempt.status == S.STARTED
    assert events_of(attempt) == []


def test_expiry_sweep_writes_the_submitted_event(learner, timed_exam):
    attempt = started_attempt(learner, timed_exam)
    later = attempt.expires_at + timedelta(minutes=5)
    assert core_api.expire_overdue_attempts(now=later) == 1
    [event] = events_of(attempt)
    assert event.event_type == SUBMITTED
    assert exam_attempt_data(event.event_data).requesting_user.id == 4242


def test_reset_signal_writes_reset_event_naming_who_reset(
    learner, staff, timed_exam, django_capture_on_commit_callbacks
):
    attempt = started_attempt(learner, timed_exam)
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        ATTEMPT_RESET.send(sender=None, attempt=attempt, actor=staff)
    [event] = events_of(attempt)
    assert event.event_type == RESET
    data = exam_attempt_data(event.event_data)
    assert data.student_user.id == 4242
    assert data.requesting_user.id == 4343
    assert data.requesting_user.pii.username == 'reviewer'
    assert event.sent_at is not None


def test_reset_by_staff_through_core_api(learner, staff, timed_exam, django_capture_on_commit_callbacks):
    attempt = started_attempt(learner, timed_exam)
    submit(attempt, learner)
    with django_capture_on_commit_callbacks(execute=True):
        core_api.reset_exam_attempt(attempt.id, actor=staff)
        core_api.reset_exam_attempt(attempt.id, actor=staff)  # already reset: nothing new
    assert [event.event_type for event in events_of(attempt)] == [SUBMITTED, RESET]
    reset = events_of(attempt)[1]
    assert exam_attempt_data(reset.event_data).requesting_user.id == 4343
    assert reset.sent_at is not None


def test_reset_event_survives_the_attempt_being_deleted(learner, timed_exam):
    attempt = started_attempt(learner, timed_exam)
    with transaction.atomic():
        ATTEMPT_RESET.send(sender=None, attempt=attempt, actor=learner)
        attempt_id = attempt.id
        attempt.delete()
    [event] = OutboxEvent.objects.filter(attempt_id=attempt_id)
    assert event.event_type == RESET
    assert exam_attempt_data(event.event_data).requesting_user.id == 4242


def test_reset_without_actor_names_the_learner(learner, timed_exam):
    attempt = started_attempt(learner, timed_exam)
    ATTEMPT_RESET.send(sender=None, attempt=attempt, actor=None)
    [event] = events_of(attempt)
    assert exam_attempt_data(event.event_data).requesting_user.id == 4242


@pytest.mark.filterwarnings('ignore:Failed to load')
def test_broken_bus_configuration_keeps_events_unsent(
    settings, learner, timed_exam, django_capture_on_commit_callbacks
):
    settings.EVENT_BUS_PRODUCER = 'no.such.create_producer'
    attempt = started_attempt(learner, timed_exam)
    with django_capture_on_commit_callbacks(execute=True):
        submit(attempt, learner)
    [event] = events_of(attempt)
    assert event.sent_at is None
    assert 'could not be loaded' in event.last_error
    assert event.next_try_at > timezone.now() + timedelta(seconds=50)


def test_user_without_lms_id_keeps_event_unsent_and_visible(timed_exam, django_capture_on_commit_callbacks):
    user = UserFactory(lms_user_id=None)
    attempt = started_attempt(user, timed_exam)
    with django_capture_on_commit_callbacks(execute=True):
        submit(attempt, user)
    [event] = events_of(attempt)
    assert event.sent_at is None
    assert 'has no LMS user id' in event.last_error


@pytest.mark.filterwarnings('ignore:Failed to load')
class TestRetries:
    """Unsent events: backoff, order per attempt, claims, pruning."""

    @pytest.fixture
    def broken_bus(self, settings):
        settings.EVENT_BUS_PRODUCER = 'no.such.create_producer'
        return settings

    def test_backoff_doubles_up_to_the_cap(self, settings):
        settings.EVENT_OUTBOX_RETRY_BASE_SECONDS = 10
        settings.EVENT_OUTBOX_RETRY_MAX_SECONDS = 100
        assert [outbox.retry_delay_seconds(tries) for tries in range(1, 7)] == [10, 20, 40, 80, 100, 100]

    def test_sweep_retries_only_due_events_then_sends_when_the_bus_is_back(self, broken_bus, learner, timed_exam):
        attempt = started_attempt(learner, timed_exam)
        submit(attempt, learner)  # no on-commit publish in this test: the row waits
        [event] = events_of(attempt)
        now = timezone.now()
        assert api.retry_unsent_events(now=now) == 0
        event.refresh_from_db()
        assert (event.tries, event.sent_at) == (1, None)
        # Not due yet: the sweep leaves it alone.
        assert api.retry_unsent_events(now=now + timedelta(seconds=30)) == 0
        event.refresh_from_db()
        assert event.tries == 1
        broken_bus.EVENT_BUS_PRODUCER = None  # "the bus is back" (events only logged)
        assert api.retry_unsent_events(now=now + timedelta(seconds=61)) == 1
        event.refresh_from_db()
        assert event.tries == 2
        assert event.sent_at is not None
        assert event.last_error == ''
        assert api.retry_unsent_events(now=now + timedelta(hours=5)) == 0

    def test_a_later_event_never_overtakes_an_earlier_unsent_one(self, broken_bus, learner, staff, timed_exam):
        attempt = started_attempt(learner, timed_exam)
        submit(attempt, learner)
        submitted = events_of(attempt)[0]
        assert api.publish_outbox_event(submitted.id) is False
        broken_bus.EVENT_BUS_PRODUCER = None
        move_attempt(attempt.id, S.VERIFIED, actor=staff)
        verified = events_of(attempt)[1]
        # Publishing the verified event first publishes the submitted one, then itself.
        assert api.publish_outbox_event(verified.id) is True
        submitted.refresh_from_db()
        verified.refresh_from_db()
        assert submitted.sent_at <= verified.sent_at

    def test_an_event_held_by_another_publisher_holds_back_later_ones(self, learner, staff, timed_exam):
        attempt = started_attempt(learner, timed_exam)
        submit(attempt, learner)
        move_attempt(attempt.id, S.VERIFIED, actor=staff)
        submitted, verified = events_of(attempt)
        now = timezone.now()
        OutboxEvent.objects.filter(pk=submitted.pk).update(claimed_until=now + timedelta(seconds=60))
        assert api.publish_outbox_event(verified.id, now=now) is False
        assert OutboxEvent.objects.filter(sent_at__isnull=True).count() == 2
        # The claim runs out (the publisher crashed): the sweep publishes both, in order.
        assert api.retry_unsent_events(now=now + timedelta(seconds=61)) == 2

    def test_sent_events_are_pruned_after_the_retention_period(self, settings, learner, timed_exam):
        settings.EVENT_OUTBOX_RETENTION_DAYS = 7
        attempt = started_attempt(learner, timed_exam)
        submit(attempt, learner)
        api.publish_attempt_events(attempt.id)
        unsent = ExamAttemptFactory(user=UserFactory(), exam=timed_exam, status=S.SUBMITTED)
        move_attempt(unsent.id, S.VERIFIED, actor=None)
        now = timezone.now()
        assert api.prune_sent_events(now=now + timedelta(days=6)) == 0
        assert api.prune_sent_events(now=now + timedelta(days=8)) == 1
        # Unsent events are never pruned, however old.
        assert list(OutboxEvent.objects.values_list('attempt_id', flat=True)) == [unsent.id]


def test_retiring_a_user_scrubs_their_outbox_events(learner, staff, timed_exam):
    attempt = started_attempt(learner, timed_exam)
    submit(attempt, learner)
    other = started_attempt(staff, ExamFactory(course_id=timed_exam.course_id))
    submit(other, staff)
    with transaction.atomic():
        ATTEMPT_RESET.send(sender=None, attempt=other, actor=learner)  # the learner as requesting user

    result = core_api.retire_user(lms_user_id=4242)

    for event in OutboxEvent.objects.all():
        text = str(event.event_data)
        assert 'learner@example.com' not in text
        assert 'Lea Learner' not in text
        assert "'learner'" not in text
    submitted, _, reset = (exam_attempt_data(event.event_data) for event in OutboxEvent.objects.order_by('id'))
    assert submitted.student_user.id == 4242
    assert submitted.student_user.pii.username == result.retired_username
    assert reset.requesting_user.pii.username == result.retired_username
    assert reset.student_user.pii.username == 'reviewer'

"""Events through the real Redis on this machine, read back with the edx-event-bus-redis consumer."""

import pytest
from django.db import transaction
from opaque_keys.edx.keys import CourseKey, UsageKey
from openedx_events.learning.data import ExamAttemptData, UserData, UserPersonalData
from openedx_events.learning.signals import (
    EXAM_ATTEMPT_ERRORED,
    EXAM_ATTEMPT_REJECTED,
    EXAM_ATTEMPT_RESET,
    EXAM_ATTEMPT_SUBMITTED,
    EXAM_ATTEMPT_VERIFIED,
)

from edx_exams.apps.api.v1.tests.learner import LearnerSession
from edx_exams.apps.core import api as core_api
from edx_exams.apps.core.signals.signals import ATTEMPT_RESET
from edx_exams.apps.core.statuses import ExamAttemptStatus as S
from edx_exams.apps.core.tests.factories import ExamFactory, UserFactory, move_attempt
from edx_exams.apps.events import api as events_api
from edx_exams.apps.events.models import OutboxEvent

pytestmark = pytest.mark.django_db
TOPIC = 'learning-exam-attempt-lifecycle'
EXAM_SIGNALS = [
    EXAM_ATTEMPT_SUBMITTED,
    EXAM_ATTEMPT_VERIFIED,
    EXAM_ATTEMPT_REJECTED,
    EXAM_ATTEMPT_ERRORED,
    EXAM_ATTEMPT_RESET,
]


def user_data(user) -> UserData:
    return UserData(
        id=user.lms_user_id,
        is_active=True,
        pii=UserPersonalData(username=user.username, email=user.email, name=user.full_name),
    )


def expected(user, exam, requesting_user=None) -> ExamAttemptData:
    return ExamAttemptData(
        student_user=user_data(user),
        course_key=CourseKey.from_string(exam.course_id),
        usage_key=UsageKey.from_string(exam.content_id),
        exam_type=exam.exam_type,
        requesting_user=user_data(requesting_user) if requesting_user else None,
    )


def test_each_event_reaches_redis_and_reads_back_as_sent(
    redis_bus, learner, staff, timed_exam, django_capture_on_commit_callbacks
):
    """Submitted, verified, rejected, errored and reset, each through the outbox, on-commit task and Redis."""
    other = UserFactory(username='other', email='other@example.com', full_name='Otto', lms_user_id=777)
    second_exam = ExamFactory(course_id=timed_exam.course_id, exam_type='proctored')
    with django_capture_on_commit_callbacks(execute=True):
        first = core_api.create_exam_attempt(user=learner, exam_id=timed_exam.id, start_clock=True)
        core_api.update_attempt_with_action(attempt_id=first.id, action='submit', actor=learner)
        move_attempt(first.id, S.VERIFIED, actor=staff)
        move_attempt(first.id, S.REJECTED, actor=staff)
        second = core_api.create_exam_attempt(user=other, exam_id=second_exam.id, start_clock=False)
        move_attempt(second.id, S.ERROR, actor=other)
        with transaction.atomic():
            ATTEMPT_RESET.send(sender=None, attempt=second, actor=staff)

    received = redis_bus.consume(TOPIC, EXAM_SIGNALS, count=5)

    assert [item['signal'] for item in received] == [
        EXAM_ATTEMPT_SUBMITTED,
        EXAM_ATTEMPT_VERIFIED,
        EXAM_ATTEMPT_REJECTED,
        EXAM_ATTEMPT_ERRORED,
        EXAM_ATTEMPT_RESET,
    ]
    assert [item['exam_attempt'] for item in received] == [
        expected(learner, timed_exam, requesting_user=learner),
        expected(learner, timed_exam),
        expected(learner, timed_exam),
        expected(other, second_exam),
        expected(other, second_exam, requesting_user=staff),
    ]
    events = list(OutboxEvent.objects.order_by('id'))
    for item, event in zip(received, events, strict=True):
        metadata = item['metadata']
        assert metadata.id == event.event_id
        assert metadata.event_type == event.event_type == item['signal'].event_type
        assert metadata.time == event.created
        assert metadata.source == 'openedx/edx_exams/web'
        assert event.sent_at is not None
    # The stream is named as the LMS consumer expects, and holds exactly these five entries.
    assert len(redis_bus.entries(TOPIC)) == 5
    assert redis_bus.client.exists(f'{redis_bus.prefix}-{TOPIC}')


def test_http_submit_puts_one_event_on_the_stream(redis_bus, learner, timed_exam, django_capture_on_commit_callbacks):
    session = LearnerSession(learner)
    with django_capture_on_commit_callbacks(execute=True):
        attempt_id = session.create(timed_exam.id).json()['exam_attempt_id']
        for _ in range(3):  # a double click and a retry: one transition, one event
            assert session.act(attempt_id, 'submit').status_code == 200

    [(metadata, data)] = redis_bus.decoded(TOPIC)
    assert metadata.event_type == EXAM_ATTEMPT_SUBMITTED.event_type
    assert data == {'exam_attempt': expected(learner, timed_exam, requesting_user=learner)}


def test_redis_down_keeps_the_event_for_the_sweep(settings, redis_bus, learner, timed_exam):
    settings.EVENT_BUS_REDIS_CONNECTION_URL = 'redis://127.0.0.1:1/0'  # nothing listens on port 1
    attempt = core_api.create_exam_attempt(user=learner, exam_id=timed_exam.id, start_clock=True)
    core_api.update_attempt_with_action(attempt_id=attempt.id, action='submit', actor=learner)
    [event] = OutboxEvent.objects.all()
    assert events_api.publish_outbox_event(event.id) is False
    event.refresh_from_db()
    assert event.sent_at is None
    assert 'ConnectionError' in event.last_error
    assert redis_bus.entries(TOPIC) == []


def test_bus_writes_exactly_what_the_redis_producer_writes(redis_bus, learner, timed_exam):
    """
    bus.py re-implements RedisEventProducer.send (which swallows errors) from the library's internals.

    The same event sent both ways must give the same stream entry, so an upgrade of
    edx-event-bus-redis that changes its wire format fails here instead of in the LMS.
    """
    from openedx_events.event_bus import get_producer

    from edx_exams.apps.events import bus

    event_data = {'exam_attempt': expected(learner, timed_exam, requesting_user=learner)}
    metadata = EXAM_ATTEMPT_SUBMITTED.generate_signal_metadata()
    get_producer().send(
        signal=EXAM_ATTEMPT_SUBMITTED,
        topic=TOPIC,
        event_key_field='exam_attempt.course_key',
        event_data=event_data,
        event_metadata=metadata,
    )
    assert bus.send_event(EXAM_ATTEMPT_SUBMITTED, event_data=event_data, metadata=metadata) == [TOPIC]

    library_entry, our_entry = (fields for _, fields in redis_bus.entries(TOPIC))
    assert our_entry == library_entry

"""
A Redis outage while learners submit: requests succeed, and every event is delivered once, in order, when it is back.

The test runs its own redis-server on a spare port (with an append-only file, so
what was delivered before the outage survives the restart), stops it in the
middle of the submissions and starts it again.
"""

import time
from collections import Counter

import pytest
from django.utils import timezone

from edx_exams.apps.api.v1.tests.learner import LearnerSession
from edx_exams.apps.core import api as core_api
from edx_exams.apps.core.statuses import ExamAttemptStatus as S
from edx_exams.apps.core.tests.factories import ExamFactory, UserFactory
from edx_exams.apps.events import api
from edx_exams.apps.events.models import OutboxEvent
from edx_exams.apps.events.payloads import exam_attempt_data
from edx_exams.apps.events.tests.conftest import use_redis_bus
from test_utils.courses import COURSE

pytestmark = pytest.mark.django_db
TOPIC = 'learning-exam-attempt-lifecycle'
LEARNERS = 12


def submit_over_http(user, exam, callbacks) -> tuple[int, float]:
    """Start and submit as the learning MFE does; return the attempt id and the submit's duration."""
    session = LearnerSession(user)
    with callbacks(execute=True):
        attempt_id = session.create(exam.id).json()['exam_attempt_id']
    started = time.monotonic()
    with callbacks(execute=True):
        response = session.act(attempt_id, 'submit')
    assert response.status_code == 200, response.content
    assert response.json() == {'exam_attempt_id': attempt_id}
    return attempt_id, time.monotonic() - started


def test_events_survive_a_redis_outage(settings, own_redis, staff, django_capture_on_commit_callbacks):
    bus = use_redis_bus(settings, own_redis.url)
    callbacks = django_capture_on_commit_callbacks
    exam = ExamFactory(course_id=COURSE)
    users = [UserFactory(lms_user_id=9000 + n) for n in range(LEARNERS)]
    expected = []  # (attempt id, event name) in the order the transitions happened

    # Redis up: the first learners' events go out on commit.
    up_ids = [submit_over_http(user, exam, callbacks)[0] for user in users[:4]]
    expected += [(attempt_id, 'submitted') for attempt_id in up_ids]
    assert len(bus.entries(TOPIC)) == 4

    own_redis.stop()

    # Redis down: submits and reviews still succeed, quickly; their events wait in the outbox.
    down_ids, durations = [], []
    for user in users[4:]:
        attempt_id, duration = submit_over_http(user, exam, callbacks)
        down_ids.append(attempt_id)
        durations.append(duration)
        expected.append((attempt_id, 'submitted'))
    with callbacks(execute=True):
        core_api.transition_attempt(up_ids[0], S.VERIFIED, actor=staff)
        core_api.transition_attempt(down_ids[0], S.REJECTED, actor=staff)  # submitted and rejected while down
        core_api.transition_attempt(down_ids[0], S.VERIFIED, actor=staff)
        core_api.transition_attempt(down_ids[1], S.ERROR, actor=staff)
    expected += [(up_ids[0], 'verified'), (down_ids[0], 'rejected'), (down_ids[0], 'verified')]
    expected += [(down_ids[1], 'errored')]
    unsent = OutboxEvent.objects.filter(sent_at__isnull=True)
    assert unsent.count() == len(expected) - 4
    # Each was tried and failed, except those queued behind an earlier unsent event of their attempt.
    blocked = unsent.filter(attempt_id__in=down_ids[:2]).exclude(event_type__endswith='submitted.v1')
    assert all('ConnectionError' in event.last_error for event in unsent.exclude(pk__in=blocked))
    assert [event.tries for event in blocked] == [0, 0, 0]
    assert max(durations) < 1.0, durations
    # A sweep during the outage sends nothing and gives up early.
    assert api.retry_unsent_events(now=timezone.now() + timezone.timedelta(hours=2)) == 0

    own_redis.start()  # same port, same append-only file

    # The beat sweep, once the backoff elapsed, delivers everything; a second sweep has nothing left.
    later = timezone.now() + timezone.timedelta(hours=3)
    assert api.retry_unsent_events(now=later) == len(expected) - 4
    assert api.retry_unsent_events(now=later) == 0
    assert not OutboxEvent.objects.filter(sent_at__isnull=True).exists()

    delivered = [
        (OutboxEvent.objects.get(event_id=metadata.id).attempt_id, metadata.event_type.split('.')[-2])
        for metadata, _ in bus.decoded(TOPIC)
    ]
    # Every event exactly once ...
    assert Counter(delivered) == Counter(expected)
    assert len({metadata.id for metadata, _ in bus.decoded(TOPIC)}) == len(expected)
    # ... and, for each attempt, in the order its transitions happened.
    for attempt_id in {attempt_id for attempt_id, _ in expected}:
        assert [e for a, e in delivered if a == attempt_id] == [e for a, e in expected if a == attempt_id]
    # ... carrying what the outbox recorded.
    for metadata, data in bus.decoded(TOPIC):
        event = OutboxEvent.objects.get(event_id=metadata.id)
        assert data == {'exam_attempt': exam_attempt_data(event.event_data)}
        assert metadata.event_type == event.event_type

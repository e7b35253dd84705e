"""Fixtures of the events tests: a real Redis event bus, exams and learners."""

import uuid

import pytest

from edx_exams.apps.core.exam_types import ExamType
from edx_exams.apps.core.tests.factories import (
    CourseExamConfigurationFactory,
    ExamFactory,
    ProviderFactory,
    UserFactory,
)
from edx_exams.apps.events.tests.redis_helpers import REDIS_URL, RedisBus, RedisServer, require_redis
from test_utils.courses import COURSE


def use_redis_bus(settings, url: str) -> RedisBus:
    """Point the event bus settings at `url` with a topic prefix of this test alone."""
    bus = RedisBus(url, prefix=f'test-{uuid.uuid4().hex[:12]}')
    settings.EVENT_BUS_PRODUCER = 'edx_event_bus_redis.create_producer'
    settings.EVENT_BUS_CONSUMER = 'edx_event_bus_redis.RedisEventConsumer'
    settings.EVENT_BUS_REDIS_CONNECTION_URL = url
    settings.EVENT_BUS_TOPIC_PREFIX = bus.prefix
    return bus


@pytest.fixture
def redis_bus(settings):
    """The machine's Redis (127.0.0.1:6379) as the event bus, under a unique topic prefix."""
    require_redis()
    bus = use_redis_bus(settings, REDIS_URL)
    yield bus
    bus.cleanup()


@pytest.fixture
def own_redis(tmp_path):
    """A redis-server of this test's own, on a spare port; the test may stop and restart it."""
    server = RedisServer(tmp_path)
    server.start()
    yield server
    server.stop()


@pytest.fixture
def learner():
    return UserFactory(username='learner', email='learner@example.com', full_name='Lea Learner', lms_user_id=4242)


@pytest.fixture
def staff():
    return UserFactory(username='reviewer', email='reviewer@example.com', lms_user_id=4343, is_staff=True)


@pytest.fixture
def timed_exam():
    return ExamFactory(course_id=COURSE, exam_type=ExamType.TIMED)


@pytest.fixture
def proctored_exam():
    config = CourseExamConfigurationFactory(course_id=COURSE, escalation_email='escalate@example.com')
    return ExamFactory(course_id=COURSE, exam_type=ExamType.PROCTORED, provider=config.provider)


@pytest.fixture
def provider():
    return ProviderFactory()

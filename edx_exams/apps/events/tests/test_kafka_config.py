"""
Kafka by settings only (docs/how-tos/event-bus.rst): the documented settings load the Kafka producer and consumer,
the producer configuration validates, and an unreachable Kafka leaves events unsent. No Kafka server is needed.
"""

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.apps import apps
from openedx_events.event_bus import get_producer, make_single_consumer
from openedx_events.event_bus.avro.serializer import AvroSignalSerializer
from openedx_events.tooling import OpenEdxPublicSignal

from edx_exams.apps.core import api as core_api
from edx_exams.apps.events import api
from edx_exams.apps.events.models import OutboxEvent
from edx_exams.apps.events.payloads import EXAM_ATTEMPT_EVENT_TYPES
from edx_exams.apps.events.tests.redis_helpers import free_port

pytest.importorskip('confluent_kafka', reason='edx-event-bus-kafka needs confluent-kafka (requirements/test.txt)')
from edx_event_bus_kafka.internal.consumer import KafkaEventConsumer
from edx_event_bus_kafka.internal.producer import KafkaEventProducer, extract_key_schema

pytestmark = pytest.mark.django_db


class SchemaRegistryStub(BaseHTTPRequestHandler):
    """Accepts every schema registration, as Confluent Schema Registry does for a new subject."""

    registered: list[str] = []

    def do_POST(self):
        self.registered.append(self.path.split('?')[0])
        body = json.dumps({'id': len(self.registered)}).encode()
        self.send_response(200)
        self.send_header('Content-Type', 'application/vnd.schemaregistry.v1+json')
        self.send_header('Content-Length', str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.fixture
def schema_registry():
    server = ThreadingHTTPServer(('127.0.0.1', 0), SchemaRegistryStub)
    SchemaRegistryStub.registered = []
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f'http://127.0.0.1:{server.server_address[1]}'
    server.shutdown()
    server.server_close()


@pytest.fixture
def kafka_settings(settings, schema_registry):
    """The settings docs/how-tos/event-bus.rst lists; no Kafka broker listens on the bootstrap port."""
    settings.EVENT_BUS_PRODUCER = 'edx_event_bus_kafka.create_producer'
    settings.EVENT_BUS_CONSUMER = 'edx_event_bus_kafka.KafkaEventConsumer'
    settings.EVENT_BUS_KAFKA_BOOTSTRAP_SERVERS = f'127.0.0.1:{free_port()}'
    settings.EVENT_BUS_KAFKA_SCHEMA_REGISTRY_URL = schema_registry
    settings.EVENT_BUS_TOPIC_PREFIX = 'stage'
    settings.EVENT_BUS_SEND_TIMEOUT_SECONDS = 1
    yield settings
    producer = get_producer()
    if isinstance(producer, KafkaEventProducer):
        # Drop the undeliverable message rather than have librdkafka complain about it at exit.
        producer.producer.purge()
        producer.producer.flush(0)


def test_producer_config_validates_for_every_exam_event(settings):
    config = settings.EVENT_BUS_PRODUCER_CONFIG
    assert set(config) == EXAM_ATTEMPT_EVENT_TYPES
    openedx_events_app = apps.get_app_config('openedx_events')
    for event_type, topics in config.items():
        signal = openedx_events_app._get_validated_signal_config(event_type, topics)
        topic_config = {'event_key_field': 'exam_attempt.course_key', 'enabled': True}
        assert topics == {'learning-exam-attempt-lifecycle': topic_config}
        # The key field exists in the event's Avro schema and is a string (Kafka message keys).
        key_schema = json.loads(extract_key_schema(AvroSignalSerializer(signal), 'exam_attempt.course_key'))
        assert key_schema == {'name': 'course_key', 'type': 'string'}


def test_kafka_producer_and_consumer_load_from_settings(kafka_settings):
    producer = get_producer()
    assert isinstance(producer, KafkaEventProducer)
    assert producer.producer is not None
    consumer = make_single_consumer(topic='learning-course-access-role-lifecycle', group_id='edx_exams')
    assert isinstance(consumer, KafkaEventConsumer)
    assert (consumer.topic, consumer.group_id) == ('learning-course-access-role-lifecycle', 'edx_exams')
    consumer.consumer.close()


def test_unreachable_kafka_leaves_the_event_unsent(kafka_settings, learner, timed_exam):
    attempt = core_api.create_exam_attempt(user=learner, exam_id=timed_exam.id, start_clock=True)
    core_api.update_attempt_with_action(attempt_id=attempt.id, action='submit', actor=learner)
    [event] = OutboxEvent.objects.all()
    assert OpenEdxPublicSignal.get_signal_by_type(event.event_type)
    assert api.publish_outbox_event(event.id) is False
    event.refresh_from_db()
    assert event.sent_at is None
    # The event was serialized (key and value schemas registered under the prefixed topic), then not acknowledged.
    topic = 'stage-learning-exam-attempt-lifecycle'
    assert SchemaRegistryStub.registered == [
        f'/subjects/{topic}-string/versions',
        f'/subjects/{topic}-org.openedx.learning.exam.attempt.submitted.v1.CloudEvent/versions',
    ]
    assert 'Kafka did not acknowledge the event on stage-learning-exam-attempt-lifecycle' in event.last_error


class RecordingConfluentProducer:
    """Stands in for confluent_kafka.Producer: records what is produced and acknowledges it on flush."""

    def __init__(self):
        self.produced = []
        self._callbacks = []

    def produce(self, topic, *, key, value, headers, on_delivery):
        self.produced.append({'topic': topic, 'key': key, 'value': value, 'headers': headers})
        self._callbacks.append(on_delivery)

    def poll(self, timeout=None):
        return self.flush(timeout)

    def flush(self, timeout=None):
        callbacks, self._callbacks = self._callbacks, []
        for callback in callbacks:
            callback(None, None)
        return 0


def test_bus_produces_exactly_what_the_kafka_producer_produces(kafka_settings, monkeypatch, learner, timed_exam):
    """
    bus.py re-implements KafkaEventProducer.send (which swallows errors) from the library's internals.

    The same event sent both ways must give the same topic, key, value and headers, so an
    upgrade of edx-event-bus-kafka that changes its wire format fails here instead of in the LMS.
    """
    from openedx_events.learning.signals import EXAM_ATTEMPT_SUBMITTED

    from edx_exams.apps.events import bus
    from edx_exams.apps.events.payloads import exam_attempt_data, exam_attempt_payload

    attempt = core_api.create_exam_attempt(user=learner, exam_id=timed_exam.id, start_clock=True)
    event_data = {'exam_attempt': exam_attempt_data(exam_attempt_payload(attempt, requesting_user=learner))}
    metadata = EXAM_ATTEMPT_SUBMITTED.generate_signal_metadata()
    confluent = RecordingConfluentProducer()
    producer = KafkaEventProducer(confluent)
    monkeypatch.setattr(bus, 'get_producer', lambda: producer)

    producer.send(
        signal=EXAM_ATTEMPT_SUBMITTED,
        topic='learning-exam-attempt-lifecycle',
        event_key_field='exam_attempt.course_key',
        event_data=event_data,
        event_metadata=metadata,
    )
    assert bus.send_event(EXAM_ATTEMPT_SUBMITTED, event_data=event_data, metadata=metadata) == [
        'learning-exam-attempt-lifecycle'
    ]

    library_message, our_message = confluent.produced
    assert our_message == library_message
    assert our_message['topic'] == 'stage-learning-exam-attempt-lifecycle'

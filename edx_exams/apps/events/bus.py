"""
Sending one event to the event bus, and knowing whether it arrived.

openedx-events routes an event to the topics `EVENT_BUS_PRODUCER_CONFIG` enables and
hands it to the producer `EVENT_BUS_PRODUCER` loads. Both bus libraries' `send()`
log and swallow every error (Kafka even reports delivery later, on another thread),
so an outbox that trusted `send()` would mark lost events as sent. `send_event`
therefore drives the two producers this service supports itself, with the
libraries' own serializers and wire format, and raises `EventBusError` unless the
bus acknowledged the event: the outbox row then stays unsent and is retried.
"""

import logging
from typing import Any

from django.conf import settings
from edx_event_bus_redis.internal.config import get_full_topic as redis_full_topic
from edx_event_bus_redis.internal.message import RedisMessage
from edx_event_bus_redis.internal.producer import STREAM_MAX_LEN, RedisEventProducer
from openedx_events.data import EventsMetadata
from openedx_events.event_bus import EventBusProducer, NoEventBusProducer, get_producer
from openedx_events.event_bus.avro.serializer import serialize_event_data_to_bytes
from openedx_events.tooling import OpenEdxPublicSignal

log = logging.getLogger(__name__)


class EventBusError(Exception):
    """The event bus did not accept an event (down, misconfigured, or the event cannot be serialized)."""


def enabled_topics(event_type: str) -> list[tuple[str, str]]:
    """Return `(topic, event_key_field)` of every topic `EVENT_BUS_PRODUCER_CONFIG` enables for `event_type`."""
    config = getattr(settings, 'EVENT_BUS_PRODUCER_CONFIG', {}).get(event_type, {})
    return [(topic, conf['event_key_field']) for topic, conf in config.items() if conf.get('enabled') is True]


def send_event(signal: OpenEdxPublicSignal, *, event_data: dict[str, Any], metadata: EventsMetadata) -> list[str]:
    """
    Send one event to every enabled topic and return the topics it went to.

    Returns an empty list when no bus is configured (`EVENT_BUS_PRODUCER` unset: the
    event is only logged) or no topic is enabled. Raises EventBusError when a bus
    is configured but did not acknowledge the event.
    """
    topics = enabled_topics(signal.event_type)
    producer = _configured_producer() if topics else None
    if producer is None:
        log.info(
            'Event logged only (no event bus configured or no topic enabled) event_type=%s event_id=%s topics=%s',
            signal.event_type,
            metadata.id,
            topics,
        )
        return []
    for topic, event_key_field in topics:
        try:
            _send(producer, signal=signal, topic=topic, key_field=event_key_field, data=event_data, metadata=metadata)
        except EventBusError:
            raise
        except Exception as error:  # any failure to hand over the event means "not sent"
            raise EventBusError(f'{type(error).__name__}: {error}') from error
    return [topic for topic, _ in topics]


def _configured_producer() -> EventBusProducer | None:
    """Return the producer, or None without a bus; raise EventBusError if a configured one cannot load."""
    if not getattr(settings, 'EVENT_BUS_PRODUCER', None):
        return None
    producer = get_producer()
    if isinstance(producer, NoEventBusProducer):
        # openedx-events fell back to a producer that drops everything: never mark events sent through it.
        raise EventBusError(f'EVENT_BUS_PRODUCER {settings.EVENT_BUS_PRODUCER} could not be loaded (see warnings).')
    return producer


def _send(
    producer: EventBusProducer,
    *,
    signal: OpenEdxPublicSignal,
    topic: str,
    key_field: str,
    data: dict[str, Any],
    metadata: EventsMetadata,
) -> None:
    if isinstance(producer, RedisEventProducer):
        _send_redis(producer, signal=signal, topic=topic, data=data, metadata=metadata)
    elif _is_kafka_producer(producer):
        _send_kafka(producer, signal=signal, topic=topic, key_field=key_field, data=data, metadata=metadata)
    else:
        # A producer we do not know: it may swallow errors, so a lost event would go unnoticed.
        log.warning('Event bus producer %s cannot confirm delivery', type(producer).__name__)
        producer.send(signal=signal, topic=topic, event_key_field=key_field, event_data=data, event_metadata=metadata)


def _send_redis(
    producer: RedisEventProducer,
    *,
    signal: OpenEdxPublicSignal,
    topic: str,
    data: dict[str, Any],
    metadata: EventsMetadata,
) -> None:
    """Do what RedisEventProducer.send does (same stream, same fields), letting errors through."""
    full_topic = redis_full_topic(topic)
    message = RedisMessage(
        topic=full_topic, event_data=serialize_event_data_to_bytes(data, signal), event_metadata=metadata
    )
    message_id = producer.client.Stream(full_topic).add(
        message.to_binary_dict(), maxlen=STREAM_MAX_LEN, approximate=True
    )
    log.info('Event sent to Redis stream=%s event_id=%s redis_msg_id=%s', full_topic, metadata.id, message_id)


def _is_kafka_producer(producer: EventBusProducer) -> bool:
    try:
        from edx_event_bus_kafka.internal.producer import KafkaEventProducer  # optional library
    except ImportError:
        return False
    return isinstance(producer, KafkaEventProducer)


def _send_kafka(
    producer: Any,  # a KafkaEventProducer; the Kafka library is optional
    *,
    signal: OpenEdxPublicSignal,
    topic: str,
    key_field: str,
    data: dict[str, Any],
    metadata: EventsMetadata,
) -> None:
    """Do what KafkaEventProducer.send does, then wait for the broker's acknowledgement."""
    from confluent_kafka.serialization import MessageField, SerializationContext
    from edx_event_bus_kafka.internal.config import get_full_topic
    from edx_event_bus_kafka.internal.producer import extract_event_key, get_serializers
    from edx_event_bus_kafka.internal.utils import _get_headers_from_metadata

    full_topic = get_full_topic(topic)
    headers = _get_headers_from_metadata(event_metadata=metadata)
    key_serializer, value_serializer = get_serializers(signal, key_field)
    key_context = SerializationContext(full_topic, MessageField.KEY, headers)
    key = key_serializer(extract_event_key(data, key_field), key_context)
    value = value_serializer(data, SerializationContext(full_topic, MessageField.VALUE, headers))
    outcome: dict[str, Any] = {}

    def on_delivery(error: Any, message: Any) -> None:
        outcome['error'] = error
        outcome['delivered'] = error is None

    producer.producer.produce(full_topic, key=key, value=value, headers=headers, on_delivery=on_delivery)
    producer.producer.flush(settings.EVENT_BUS_SEND_TIMEOUT_SECONDS)
    if not outcome.get('delivered'):
        raise EventBusError(f'Kafka did not acknowledge the event on {full_topic}: {outcome.get("error", "timeout")}')
    log.info('Event sent to Kafka topic=%s event_id=%s', full_topic, metadata.id)

"""Event bus settings per environment: production publishes to Redis, make run and the tests only log."""

import importlib
import runpy

import yaml
from django.conf import settings

from edx_exams.apps.events.payloads import EXAM_ATTEMPT_EVENT_TYPES
from test_utils.production import required_production_config

TOPIC = 'learning-exam-attempt-lifecycle'


def production_settings(monkeypatch, tmp_path, yaml_text: str = '', **env) -> dict:
    """Load production settings from the required settings followed by `yaml_text`, then `env`."""
    config = tmp_path / 'edx_exams.yml'
    config.write_text(yaml.safe_dump(required_production_config()) + yaml_text)
    monkeypatch.setenv('EDX_EXAMS_CFG', str(config))
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    return runpy.run_module('edx_exams.settings.production')


def test_production_defaults_to_redis(monkeypatch, tmp_path):
    prod = production_settings(monkeypatch, tmp_path)
    assert prod['EVENT_BUS_PRODUCER'] == 'edx_event_bus_redis.create_producer'
    assert prod['EVENT_BUS_CONSUMER'] == 'edx_event_bus_redis.RedisEventConsumer'
    assert prod['EVENT_BUS_REDIS_CONNECTION_URL'] == 'redis://127.0.0.1:6379/0'
    assert prod['EVENT_BUS_TOPIC_PREFIX'] == ''
    assert set(prod['EVENT_BUS_PRODUCER_CONFIG']) == EXAM_ATTEMPT_EVENT_TYPES
    for topics in prod['EVENT_BUS_PRODUCER_CONFIG'].values():
        assert topics == {TOPIC: {'event_key_field': 'exam_attempt.course_key', 'enabled': True}}


def test_production_reads_url_and_prefix_from_the_environment(monkeypatch, tmp_path):
    prod = production_settings(
        monkeypatch,
        tmp_path,
        EDX_EXAMS_EVENT_BUS_REDIS_URL='redis://bus:6380/2',
        EDX_EXAMS_EVENT_BUS_TOPIC_PREFIX='prod',
    )
    assert prod['EVENT_BUS_REDIS_CONNECTION_URL'] == 'redis://bus:6380/2'
    assert prod['EVENT_BUS_TOPIC_PREFIX'] == 'prod'


def test_production_yaml_switches_to_kafka_and_merges_the_producer_config(monkeypatch, tmp_path):
    errored = 'org.openedx.learning.exam.attempt.errored.v1'
    prod = production_settings(
        monkeypatch,
        tmp_path,
        f"""
EVENT_BUS_PRODUCER: edx_event_bus_kafka.create_producer
EVENT_BUS_CONSUMER: edx_event_bus_kafka.KafkaEventConsumer
EVENT_BUS_KAFKA_BOOTSTRAP_SERVERS: kafka:9092
EVENT_BUS_KAFKA_SCHEMA_REGISTRY_URL: http://schema-registry:8081
EVENT_BUS_PRODUCER_CONFIG:
  {errored}:
    {TOPIC}: {{enabled: false}}
""",
    )
    assert prod['EVENT_BUS_PRODUCER'] == 'edx_event_bus_kafka.create_producer'
    assert prod['EVENT_BUS_CONSUMER'] == 'edx_event_bus_kafka.KafkaEventConsumer'
    assert prod['EVENT_BUS_PRODUCER_CONFIG'][errored][TOPIC] == {
        'event_key_field': 'exam_attempt.course_key',
        'enabled': False,
    }
    enabled = [t for t, topics in prod['EVENT_BUS_PRODUCER_CONFIG'].items() if topics[TOPIC]['enabled']]
    assert len(enabled) == 4
    # The defaults shared with the other environments are left untouched.
    assert settings.EVENT_BUS_PRODUCER_CONFIG[errored][TOPIC]['enabled'] is True


def test_local_and_full_settings():
    local = vars(importlib.import_module('edx_exams.settings.local'))
    assert local['EVENT_BUS_PRODUCER'] is None  # make run: events only logged
    full = vars(importlib.import_module('edx_exams.settings.full'))
    assert full['EVENT_BUS_PRODUCER'] == 'edx_event_bus_redis.create_producer'
    assert full['EVENT_BUS_TOPIC_PREFIX'] == 'dev'
    assert full['CELERY_TASK_ALWAYS_EAGER'] is False
    assert full['DATABASES']['default']['NAME'] == 'edx_exams'
    assert 'retry-unsent-events' in full['CELERY_BEAT_SCHEDULE']
    assert settings.EVENT_BUS_PRODUCER is None  # the tests: no bus unless a test enables one

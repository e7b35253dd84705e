"""Real Redis for the event bus tests: the shared server, a private server that can be stopped, and readers."""

import os
import shutil
import socket
import subprocess
import threading
import time
import uuid
from pathlib import Path
from typing import Any

import pytest
import redis
from edx_event_bus_redis.internal.message import RedisMessage
from openedx_events.event_bus import make_single_consumer
from openedx_events.event_bus.avro.deserializer import deserialize_bytes_to_event_data
from openedx_events.tooling import OpenEdxPublicSignal

REDIS_URL = os.environ.get('EDX_EXAMS_TEST_REDIS_URL', 'redis://127.0.0.1:6379/0')


def redis_is_up(url: str) -> bool:
    try:
        return bool(redis.Redis.from_url(url, socket_connect_timeout=1).ping())
    except redis.RedisError:
        return False


def require_redis(url: str = REDIS_URL) -> None:
    """Skip without Redis, unless CI (.ci/run) says Redis must be there."""
    if redis_is_up(url):
        return
    message = f'Redis is not running at {url} (start it, or run .ci/run)'
    if os.environ.get('EDX_EXAMS_REQUIRE_REDIS'):
        pytest.fail(message)
    pytest.skip(message)


class RedisBus:
    """The event bus as a test sees it: a Redis server and a topic prefix unique to the test."""

    def __init__(self, url: str, prefix: str):
        self.url = url
        self.prefix = prefix
        self.client = redis.Redis.from_url(url)

    def stream(self, topic: str) -> str:
        return f'{self.prefix}-{topic}'

    def entries(self, topic: str) -> list[Any]:
        return list(self.client.xrange(self.stream(topic)) or [])

    def decoded(self, topic: str) -> list[tuple]:
        """(metadata, event data) of every entry, decoded with openedx-events' Avro deserializer."""
        result = []
        for raw in self.entries(topic):
            message = RedisMessage.parse(raw, self.stream(topic))
            signal = OpenEdxPublicSignal.get_signal_by_type(message.event_metadata.event_type)
            result.append((message.event_metadata, deserialize_bytes_to_event_data(message.event_data, signal)))
        return result

    def consume(self, topic: str, signals: list, *, count: int, timeout: float = 15) -> list[dict]:
        """
        Run the edx-event-bus-redis consumer (as `manage.py consume_events` does) until `count` events came in.

        Returns the keyword arguments each receiver got. The consumer re-sends each
        event as its Django signal, so every connected receiver (ours included) runs.
        """
        received = []
        consumer = make_single_consumer(
            topic=topic, group_id=f'group-{uuid.uuid4().hex[:8]}', consumer_name='test', check_backlog=True
        )

        def collect(sender, signal, **kwargs):
            received.append({'signal': signal, **kwargs})
            if len(received) >= count:
                consumer._shut_down()

        for signal in signals:
            signal.connect(collect, dispatch_uid=f'test-collect-{id(received)}')
        guard = threading.Timer(timeout, consumer._shut_down)
        guard.start()
        try:
            consumer.consume_indefinitely()
        finally:
            guard.cancel()
            for signal in signals:
                signal.disconnect(dispatch_uid=f'test-collect-{id(received)}')
        return received

    def cleanup(self) -> None:
        keys = list(self.client.scan_iter(f'{self.prefix}-*'))
        if keys:
            self.client.delete(*keys)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(('127.0.0.1', 0))
        return sock.getsockname()[1]


class RedisServer:
    """A redis-server of the test's own, on a spare port, that survives restarts (append-only file)."""

    def __init__(self, directory: Path):
        self.directory = directory
        self.port = free_port()
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f'redis://127.0.0.1:{self.port}/0'

    def start(self) -> None:
        binary = shutil.which('redis-server')
        if binary is None:
            (pytest.fail if os.environ.get('EDX_EXAMS_REQUIRE_REDIS') else pytest.skip)('redis-server is not installed')
        command = [
            binary,
            '--port',
            str(self.port),
            '--bind',
            '127.0.0.1',
            '--dir',
            str(self.directory),
            '--save',
            '',
            '--appendonly',
            'yes',
            '--appendfsync',
            'always',
            '--logfile',
            str(self.directory / 'redis.log'),
        ]
        self.process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # noqa: S603
        deadline = time.monotonic() + 10
        while not redis_is_up(self.url):
            if time.monotonic() > deadline or self.process.poll() is not None:
                raise RuntimeError(f'redis-server did not start on port {self.port}')
            time.sleep(0.05)

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()  # SIGTERM: Redis flushes the append-only file and exits
            self.process.wait(timeout=10)
        self.process = None

"""
Health checks for load balancers and orchestrators.

- `/health/` (kept for existing probes): 200 when the database answers, else 503.
- `/health/live`: liveness, 200 whenever the process serves requests; it checks nothing else,
  so an outage of a dependency never gets healthy processes restarted.
- `/health/ready`: readiness, 200 when the database, the Celery broker and the event bus Redis
  answer within `HEALTH_CHECK_TIMEOUT_SECONDS`, else 503 naming each one that is down.
"""

import logging
from collections.abc import Callable

import redis
from django.conf import settings
from django.db import DatabaseError, connection
from drf_spectacular.utils import OpenApiResponse, extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from edx_exams.http.db_errors import close_broken_connections

log = logging.getLogger(__name__)
HEALTH = inline_serializer('Health', {'status': serializers.CharField(), 'database': serializers.CharField()})
READINESS = inline_serializer(
    'Readiness',
    {
        'status': serializers.CharField(),
        'checks': serializers.DictField(child=serializers.CharField()),
        'down': serializers.ListField(child=serializers.CharField()),
    },
)

OK = 'OK'
UNAVAILABLE = 'UNAVAILABLE'
REDIS_EVENT_BUS_PRODUCER = 'edx_event_bus_redis.create_producer'


class HealthView(APIView):
    """GET /health/: 200 `{"status": "OK"}` when the database answers, else 503."""

    authentication_classes = []
    permission_classes = [AllowAny]

    @extend_schema(
        responses={
            200: HEALTH,
            503: OpenApiResponse(HEALTH, description='The database does not answer: `UNAVAILABLE` in both fields.'),
        }
    )
    def get(self, request):
        """Check the database with a trivial query."""
        if check_database() != OK:
            return Response({'status': UNAVAILABLE, 'database': UNAVAILABLE}, status.HTTP_503_SERVICE_UNAVAILABLE)
        return Response({'status': OK, 'database': OK})


class LivenessView(APIView):
    """GET /health/live: 200 while the process answers; checks no dependency."""

    authentication_classes = []
    permission_classes = [AllowAny]

    @extend_schema(responses=inline_serializer('Liveness', {'status': serializers.CharField()}))
    def get(self, request):
        """Answer OK."""
        return Response({'status': OK})


class ReadinessView(APIView):
    """GET /health/ready: 200 when every dependency answers, else 503 with `down` naming the ones that did not."""

    authentication_classes = []
    permission_classes = [AllowAny]

    @extend_schema(
        responses={
            200: READINESS,
            503: OpenApiResponse(READINESS, description='A dependency does not answer: `down` names each one.'),
        }
    )
    def get(self, request):
        """Check each dependency with a short timeout."""
        results = {name: check() for name, check in readiness_checks().items()}
        down = sorted(name for name, result in results.items() if result == UNAVAILABLE)
        body = {'status': UNAVAILABLE if down else OK, 'checks': results, 'down': down}
        return Response(body, status.HTTP_503_SERVICE_UNAVAILABLE if down else status.HTTP_200_OK)


def readiness_checks() -> dict[str, Callable[[], str]]:
    """Return the dependencies readiness waits for: the database, the Celery broker, the Redis event bus."""
    return {
        'database': check_database,
        'celery_broker': lambda: check_redis_url(settings.CELERY_BROKER_URL, 'celery_broker'),
        'event_bus': check_event_bus,
    }


def check_database() -> str:
    """Return OK when the database answers a trivial query."""
    try:
        with connection.cursor() as cursor:
            cursor.execute('SELECT 1')
            cursor.fetchone()
    except DatabaseError:
        log.exception('Health check failed: database unavailable')
        close_broken_connections()
        return UNAVAILABLE
    return OK


def check_event_bus() -> str:
    """Return OK when the Redis event bus answers; `not used` when events do not go to Redis."""
    if getattr(settings, 'EVENT_BUS_PRODUCER', None) != REDIS_EVENT_BUS_PRODUCER:
        return 'not used'
    return check_redis_url(getattr(settings, 'EVENT_BUS_REDIS_CONNECTION_URL', ''), 'event_bus')


def check_redis_url(url: str, name: str) -> str:
    """Return OK when Redis at `url` answers PING in time; `not used` for a non-Redis URL (memory:// in dev)."""
    if not url or not url.startswith(('redis://', 'rediss://', 'unix://')):
        return 'not used'
    timeout = settings.HEALTH_CHECK_TIMEOUT_SECONDS
    try:
        client = redis.Redis.from_url(url, socket_timeout=timeout, socket_connect_timeout=timeout)
        try:
            client.ping()
        finally:
            client.close()
    except (redis.RedisError, OSError):
        log.warning('Readiness check failed: %s unavailable', name, exc_info=True)
        return UNAVAILABLE
    return OK

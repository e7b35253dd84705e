"""The health check used by load balancers and `make run`."""

import logging

from django.db import DatabaseError, connection
from drf_spectacular.utils import OpenApiResponse, extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

log = logging.getLogger(__name__)
HEALTH = inline_serializer('Health', {'status': serializers.CharField(), 'database': serializers.CharField()})


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
        try:
            with connection.cursor() as cursor:
                cursor.execute('SELECT 1')
                cursor.fetchone()
        except DatabaseError:
            log.exception('Health check failed: database unavailable')
            return Response({'status': 'UNAVAILABLE', 'database': 'UNAVAILABLE'}, status.HTTP_503_SERVICE_UNAVAILABLE)
        return Response({'status': 'OK', 'database': 'OK'})

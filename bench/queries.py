"""
SQL statements per request, counted in process the way the test suite counts them.

Run as `python -m bench.queries < requests.json` with the benchmark's production settings and
database (DJANGO_SETTINGS_MODULE, EDX_EXAMS_CFG). Each request goes through the whole Django stack
(middleware, JWT authentication, view, renderer) with Django's test client, inside
`CaptureQueriesContext`; a request marked `warm` is sent once before it is counted, so a
connection's set-up and a learner's first login are not counted. Prints one JSON object:
`{name: {"status": ..., "queries": ..., "writes": ..., "bytes": ...}}`.
"""

import json
import sys

WRITES = ('INSERT', 'UPDATE', 'DELETE', 'REPLACE')


def count_queries(requests: list[dict]) -> dict:
    """Send every request and return its status, SQL statement count and body size by name."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client(HTTP_HOST='127.0.0.1')
    counts = {}
    for spec in requests:
        send = _sender(client, spec)
        if spec.get('warm'):
            send()
        with CaptureQueriesContext(connection) as captured:
            response = send()
        counts[spec['name']] = {
            'status': response.status_code,
            'queries': len(captured),
            'writes': sum(1 for query in captured if query['sql'].lstrip().upper().startswith(WRITES)),
            'bytes': len(response.content),
        }
    return counts


def _sender(client, spec: dict):
    headers = {'HTTP_AUTHORIZATION': f'JWT {spec["token"]}'}
    method = getattr(client, spec.get('method', 'GET').lower())
    if spec.get('body') is None:
        return lambda: method(spec['path'], **headers)
    body = json.dumps(spec['body'])
    return lambda: method(spec['path'], body, content_type='application/json', **headers)


def main():
    """Read the requests from stdin, print the counts to stdout."""
    import django

    django.setup()
    print(json.dumps(count_queries(json.load(sys.stdin))))


if __name__ == '__main__':
    main()

"""
Hostile input on every endpoint, REST and LTI alike: never a 5xx, and a JSON body with every 4xx.

The endpoints are read from the URL resolver (test_utils/endpoints.py), so a new
route is covered as soon as it exists. Each test sends one family of bad input
to every endpoint, as global staff with real objects in the path (so the body
reaches the code that reads it): bodies (not JSON, arrays and scalars, deep
nesting, lone surrogates, NUL bytes, huge strings and integers, impossible
dates, latin-1 text declared as UTF-8, forms, CSV dialects), path keys
(malformed course and usage keys, integers beyond 64 bits), query parameters,
and JWTs whose claims have the wrong types.
"""

import base64
import hashlib
import hmac
import json
from datetime import timedelta
from typing import Any, cast

import pytest
from django.conf import settings
from django.utils import timezone

from edx_exams.apps.core.dev_tokens import build_lms_jwt_payload
from edx_exams.apps.core.models import DueDateExtension
from edx_exams.apps.core.tests.factories import AllowanceFactory, ExamAttemptFactory, ExamFactory, UserFactory
from test_utils.auth import JwtClient
from test_utils.endpoints import all_endpoints

pytestmark = pytest.mark.django_db

COURSE = 'course-v1:edX+Hostile+2026'
ENDPOINTS = all_endpoints()
WRITE_METHODS = ('post', 'put', 'patch')
BEYOND_64_BITS = str(2**64 + 1)

# Field names the endpoints read (serializers, LTI messages); each hostile body sets all of them.
FIELDS = (
    'username',
    'email',
    'lms_user_id',
    'user_id',
    'exam_id',
    'attempt_id',
    'attempt_number',
    'course_id',
    'content_id',
    'exam_name',
    'exam_type',
    'time_limit_mins',
    'due_date',
    'hide_after_due',
    'is_active',
    'extra_time_mins',
    'time_multiplier',
    'action',
    'detail',
    'provider',
    'escalation_email',
    'start_clock',
    'comment',
    'decision',
    'status',
    'statuses',
    'minutes',
    'reason',
    'idempotency_key',
    'reopen_expired_within_mins',
    'dry_run',
    'since',
    'attempt_ids',
    'include_reset',
    'exams',
    'user',
    'resource_link',
    'incident_time',
    'incident_severity',
    'extra_time',
    'reason_code',
    'reason_msg',
    'JWT',
    'id_token',
    'state',
)
HOSTILE_VALUES = {
    'lone surrogate': '\ud800',
    'NUL byte': 'a\x00b',
    'huge string': 'x' * 200_000,
    'integer beyond 64 bits': 2**70,
    'negative integer': -(2**63) - 1,
    'huge float': 1e308,
    'list': [1, 'a', None],
    'object': {'a': {'b': ['c']}},
    'year 0': '0000-01-01T00:00:00Z',
    'year 10000': '10000-01-01T00:00:00Z',
    'offset of 25 hours': '2026-06-01T10:00:00+25:00',
    'last instant with a negative offset': '9999-12-31T23:59:59-23:59',
    'first instant with a positive offset': '0001-01-01T00:00:00+23:59',
    'February 30th': '2026-02-30T10:00:00Z',
    'empty string': '',
    'boolean': True,
    'null': None,
}


def _json_bodies():
    for label, value in HOSTILE_VALUES.items():
        item = dict.fromkeys(FIELDS, value)
        yield f'object with {label}', json.dumps(item), 'application/json'
        yield f'list of objects with {label}', json.dumps([item]), 'application/json'
    yield 'not JSON', '{nope', 'application/json'
    yield 'empty JSON body', '', 'application/json'
    yield 'JSON scalar', '42', 'application/json'
    yield 'JSON string', '"text"', 'application/json'
    yield 'JSON null', 'null', 'application/json'
    yield 'JSON array of scalars', '[1, 2, 3]', 'application/json'
    yield 'NaN', '{"exam_id": NaN, "extra_time_mins": Infinity}', 'application/json'
    yield 'nested 8,000 levels', '[' * 8000 + ']' * 8000, 'application/json'
    yield 'object nested 5,000 levels', '{"a":' * 5000 + '1' + '}' * 5000, 'application/json'
    yield 'escaped lone surrogates', '{"username": "\\ud800", "email": "\\udfff@x.org"}', 'application/json'
    yield 'latin-1 body declared UTF-8', '{"username": "élève"}'.encode('latin-1'), 'application/json; charset=utf-8'
    yield 'unknown charset', '{"username": "a"}', 'application/json; charset=no-such-charset'
    yield (
        'form with raw bytes',
        b'JWT=%FF%FE&grant_type=%ED%A0%80&client_assertion=' + b'a' * 50_000,
        ('application/x-www-form-urlencoded'),
    )
    yield 'form with a NUL', b'JWT=%00&username=%00&id_token=%00&state=%00', 'application/x-www-form-urlencoded'
    yield (
        'broken multipart',
        b'--x\r\nContent-Disposition: form-data; name="file"\r\n\r\nabc',
        ('multipart/form-data; boundary=x'),
    )
    yield 'multipart without boundary', b'abc', 'multipart/form-data'
    yield 'CSV with CR line endings', b'username,exam_id\ra,1\r', 'text/csv'
    yield 'CSV with a huge cell', b'username,exam_id\n' + b'a' * 140_000 + b',1\n', 'text/csv'
    yield 'CSV in UTF-16 with tabs', 'username\texam_id\na\t1\n'.encode('utf-16'), 'text/csv'
    yield 'CSV with NUL bytes', b'username,exam_id\na\x00,1\n', 'text/csv'
    yield 'XML', b'<?xml version="1.0"?><a>1</a>', 'application/xml'


JSON_BODIES = list(_json_bodies())


@pytest.fixture
def world():
    """Global staff with an exam, an attempt, an allowance and a personal due date in one course."""
    staff = UserFactory(username='hostile_admin', is_staff=True, lms_user_id=424242)
    exam = ExamFactory(course_id=COURSE, content_id='block-v1:edX+Hostile+2026+type@sequential+block@x')
    attempt = ExamAttemptFactory(user=staff, exam=exam)
    allowance = AllowanceFactory(user=UserFactory(), exam=exam, extra_time_mins=5)
    extension = DueDateExtension.objects.create(
        user=allowance.user, exam=exam, due_date=timezone.now() + timedelta(days=3)
    )
    values = {
        'course_id': COURSE,
        'content_id': exam.content_id,
        'attempt_id': str(attempt.id),
        'exam_id': str(exam.id),
        'allowance_id': str(allowance.id),
        'extension_id': str(extension.id),
        'registration_id': '1',
    }
    return staff, values


def _check(response, what: str) -> str | None:
    """Return a description of what is wrong with `response`, or None."""
    if response.status_code >= 500:
        return f'{what}: {response.status_code} {response.content[:200]!r}'
    if 400 <= response.status_code < 500 and 'json' not in response.get('Content-Type', ''):
        return f'{what}: {response.status_code} without a JSON body ({response.get("Content-Type")})'
    return None


def _failures(checks) -> list[str]:
    return [problem for problem in checks if problem]


@pytest.mark.parametrize('endpoint', ENDPOINTS, ids=lambda e: e.name)
def test_hostile_bodies(world, endpoint):
    staff, values = world
    client = JwtClient().as_user(staff)
    path = endpoint.path(values)
    problems = _failures(
        _check(client.generic(method.upper(), path, body, content_type=content_type), f'{method} {label}')
        for label, body, content_type in JSON_BODIES
        for method in WRITE_METHODS
    )
    problems += _failures([_check(client.delete(path, '{nope', content_type='application/json'), 'delete not JSON')])
    assert problems == []


@pytest.mark.parametrize('endpoint', ENDPOINTS, ids=lambda e: e.name)
def test_every_method_anonymous_and_signed_in(world, endpoint):
    """OPTIONS (a CORS preflight), HEAD, TRACE and unknown methods, with and without credentials."""
    staff, values = world
    path = endpoint.path(values)
    problems = []
    for client in (JwtClient(), JwtClient().as_user(staff)):
        for method in ('GET', 'HEAD', 'OPTIONS', 'TRACE', 'PROPFIND', 'DELETE'):
            problems.append(_check(client.generic(method, path), method))
    assert _failures(problems) == []


HOSTILE_KEYS = {
    'course_id': [
        'course-v1:edX+Only+Two',
        'course-v1:' + 'x' * 5000 + '+a+b',
        'a+b+c\x00',
        'a+b+%ED%A0%80',
        'course-v1:edX+%FF%FE+run',
        'course-v1:edX+Demo+Run+extra+parts',
        'edX/Demo/Run',
        'course-v1:edX+Demo+\N{PILE OF POO}',
    ],
    'content_id': [
        'not-a-usage-key',
        'block-v1:edX+Hostile+2026+type@sequential+block@' + 'y' * 5000,
        'block-v1:edX+Other+Course+type@sequential+block@x',
        'i4x://edX/Hostile/sequential/x',
        'block-v1:%ED%A0%80',
        'block-v1:edX+Hostile+2026+type@sequential+block@x%00',
    ],
    'id': ['0', BEYOND_64_BITS, '9223372036854775808', '99999999999999999999999999999999', '-1', '1.5', '00000001'],
}


def _hostile_paths(endpoint, values):
    for parameter in endpoint.parameters:
        for bad in HOSTILE_KEYS.get(parameter, HOSTILE_KEYS['id']):
            yield parameter, bad, endpoint.path({**values, parameter: bad})


@pytest.mark.parametrize('endpoint', [e for e in ENDPOINTS if e.parameters], ids=lambda e: e.name)
def test_hostile_path_keys(world, endpoint):
    staff, values = world
    client = JwtClient().as_user(staff)
    problems = []
    for parameter, bad, path in _hostile_paths(endpoint, values):
        for method in ('get', 'post', 'patch', 'delete'):
            response = client.generic(method.upper(), path, '{}', content_type='application/json')
            problems.append(_check(response, f'{method} {parameter}={bad[:40]!r}'))
    assert _failures(problems) == []


QUERY_NAMES = (
    'limit',
    'offset',
    'exam_id',
    'user_id',
    'attempt_id',
    'username',
    'content_id',
    'course_id',
    'include_reset',
    'search',
    'ordering',
    'status',
    'org',
    'format',
    'page',
    'page_size',
    'is_learning_mfe',
    # The LTI OIDC login answer.
    'scope',
    'response_type',
    'client_id',
    'redirect_uri',
    'login_hint',
    'lti_message_hint',
    'state',
    'nonce',
    'response_mode',
    'prompt',
)
QUERY_VALUES = (
    BEYOND_64_BITS,
    '-1',
    '-' + BEYOND_64_BITS,
    'abc',
    '%00',
    '%ED%A0%80',
    '%FF',
    '',
    '1e309',
    '\N{ARABIC-INDIC DIGIT THREE}',
    'x' * 5000,
    '0000-01-01T00:00:00Z',
    '2026-06-01T10:00:00+25:00',
)


@pytest.mark.parametrize('endpoint', ENDPOINTS, ids=lambda e: e.name)
def test_hostile_query_parameters(world, endpoint):
    staff, values = world
    client = JwtClient().as_user(staff)
    path = endpoint.path(values)
    problems = []
    for value in QUERY_VALUES:
        query = '&'.join(f'{name}={value}' for name in QUERY_NAMES)
        problems.append(_check(client.get(f'{path}?{query}'), f'all parameters={value[:40]!r}'))
    for name in ('limit', 'offset', 'exam_id', 'user_id', 'attempt_id', 'page', 'page_size'):
        for value in (BEYOND_64_BITS, '-1', 'abc', '1.5', ' 7', '%00'):
            problems.append(_check(client.get(f'{path}?{name}={value}'), f'{name}={value!r}'))
    problems.append(_check(client.get(f'{path}?format=csv&format=json&limit=1&limit=2'), 'repeated parameters'))
    assert _failures(problems) == []


BAD_CLAIMS = (
    {'user_id': 'abc'},
    {'user_id': ''},
    {'user_id': [1]},
    {'user_id': 2**70},
    {'preferred_username': 7},
    {'preferred_username': ['a']},
    {'preferred_username': '\ud800'},
    {'administrator': 'true'},
    {'email': ['a@example.com']},
    {'name': {'first': 'x'}},
    {'exp': 'tomorrow'},
    {'iat': [1]},
    {'aud': 7},
    {'iss': ['http://localhost:18000/oauth2']},
    {'scopes': 'read'},
    {'filters': 'content_org:edX'},
    {'version': 7},
    {'is_restricted': 'no'},
)


@pytest.mark.parametrize('endpoint', ENDPOINTS, ids=lambda e: e.name)
def test_jwt_claims_of_the_wrong_type(world, endpoint):
    staff, values = world
    path = endpoint.path(values)
    problems = []
    for claims in BAD_CLAIMS:
        token = _sign_by_hand(build_lms_jwt_payload(staff, **claims))
        for method in ('get', 'post'):
            response = getattr(JwtClient(), method)(path, HTTP_AUTHORIZATION=f'JWT {token}')
            problems.append(_check(response, f'{method} {claims}'))
        assert staff.username == 'hostile_admin'
    assert _failures(problems) == []


def _sign_by_hand(payload: dict) -> str:
    """HS256-sign `payload` as the LMS would, without PyJWT's checks of claim types (which refuse some of these)."""

    def part(data: bytes) -> str:
        return base64.urlsafe_b64encode(data).rstrip(b'=').decode()

    signing_input = part(b'{"alg":"HS256","typ":"JWT"}') + '.' + part(json.dumps(payload).encode())
    secret = cast(dict[str, Any], settings.JWT_AUTH)['JWT_ISSUERS'][0]['SECRET_KEY'].encode()
    signature = hmac.new(secret, signing_input.encode(), hashlib.sha256).digest()
    return f'{signing_input}.{part(signature)}'

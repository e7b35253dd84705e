"""
Seeding over the HTTP API, exactly as the real clients do it, and the JWTs of the load.

Studio publishes a course's exams with `PATCH /api/v1/exams/course_id/{course}/` as the global-staff
service user; the learner library starts a timed exam with `POST /api/v1/exams/attempt` and
`start_clock` "true". Every call goes through a `Transport`, so the same functions seed the
service under gunicorn (`HttpTransport`) and, in the harness's own test, the Django test client.
"""

import http.client
import json
import math
import statistics
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Protocol
from urllib.parse import quote, urlsplit

import jwt

COURSE_ID = 'course-v1:BenchX+Load101+2026'
SERVICE_USERNAME = 'edx_exams_worker'
SERVICE_LMS_USER_ID = 1
FIRST_LEARNER_LMS_USER_ID = 100_000
EXAM_TIME_LIMIT_MINS = 600  # long enough that no attempt ends while the benchmark runs


@dataclass(frozen=True)
class Reply:
    """One HTTP response: its status, body and how long it took."""

    status: int
    body: bytes
    seconds: float

    def json(self):
        """The body decoded as JSON."""
        return json.loads(self.body or b'null')


class Transport(Protocol):
    """Sends one request as the holder of `token` (an LMS JWT)."""

    def __call__(self, method: str, path: str, *, token: str, body=None) -> Reply: ...


class HttpTransport:
    """Requests to a running service, one connection per request (gunicorn sync workers close it anyway)."""

    def __init__(self, base_url: str, *, timeout: float = 60.0):
        parts = urlsplit(base_url)
        self.host, self.port, self.timeout = parts.hostname, parts.port or 80, timeout

    def __call__(self, method: str, path: str, *, token: str, body=None) -> Reply:
        """Send the request and read the whole response."""
        headers = {'Authorization': f'JWT {token}', 'Accept': 'application/json'}
        data = None
        if body is not None:
            data = json.dumps(body).encode()
            headers['Content-Type'] = 'application/json'
        connection = http.client.HTTPConnection(self.host, self.port, timeout=self.timeout)
        start = time.perf_counter()
        try:
            connection.request(method, path, body=data, headers=headers)
            response = connection.getresponse()
            payload = response.read()
        finally:
            connection.close()
        return Reply(response.status, payload, time.perf_counter() - start)


@dataclass(frozen=True)
class JwtIssuer:
    """Signs LMS-style JWTs the way the LMS does, with the issuer secret of the service's configuration."""

    issuer: str
    audience: str
    secret: str
    lifetime_seconds: int = 4 * 3600

    def token(self, *, username: str, lms_user_id: int, administrator: bool = False) -> str:
        """Return a signed JWT for one user."""
        now = int(time.time())
        payload = {
            'iss': self.issuer,
            'aud': self.audience,
            'iat': now,
            'exp': now + self.lifetime_seconds,
            'preferred_username': username,
            'user_id': lms_user_id,
            'email': f'{username}@bench.invalid',
            'name': username.replace('_', ' ').title(),
            'administrator': administrator,
            'email_verified': True,
            'version': '1.2.0',
            'scopes': ['read', 'write', 'email', 'profile'],
            'filters': [],
            'is_restricted': False,
        }
        return jwt.encode(payload, self.secret, algorithm='HS256')

    def service_user_token(self) -> str:
        """The global-staff service user Studio publishes as."""
        return self.token(username=SERVICE_USERNAME, lms_user_id=SERVICE_LMS_USER_ID, administrator=True)

    def learner_tokens(self, count: int) -> list[str]:
        """One token per learner, learners numbered from 0."""
        return [self.learner_token(number) for number in range(count)]

    def learner_token(self, number: int) -> str:
        """The token of learner `number`."""
        return self.token(username=learner_username(number), lms_user_id=FIRST_LEARNER_LMS_USER_ID + number)


def learner_username(number: int) -> str:
    """The username of learner `number`."""
    return f'bench_learner_{number:05d}'


def content_id(course_id: str, number: int) -> str:
    """The usage key of the course's exam subsection `number`."""
    course = course_id.removeprefix('course-v1:')
    return f'block-v1:{course}+type@sequential+block@bench_exam_{number:04d}'


def studio_payload(course_id: str, exam_count: int) -> list[dict]:
    """The list Studio sends on publish: one timed subsection per exam, no due date."""
    return [
        {
            'course_id': course_id,
            'content_id': content_id(course_id, number),
            'exam_name': f'Timed exam {number}',
            'time_limit_mins': EXAM_TIME_LIMIT_MINS,
            'due_date': None,
            'exam_type': 'timed',
            'is_active': True,
            'hide_after_due': False,
            'backend': 'lti_external',
        }
        for number in range(exam_count)
    ]


def course_exams_path(course_id: str) -> str:
    """Studio's publish URL and the dashboard's exam list (raw key, trailing slash, as Studio sends it)."""
    return f'/api/v1/exams/course_id/{course_id}/'


def publish(transport: Transport, token: str, course_id: str, exams: list[dict]) -> Reply:
    """PATCH the course's exams as Studio does; raise unless the service answers 200."""
    reply = transport('PATCH', course_exams_path(course_id), token=token, body=exams)
    _expect(reply, 200, 'publish')
    return reply


def active_exams(transport: Transport, token: str, course_id: str) -> dict[str, int]:
    """Return the course's active exam ids by content id (the dashboard's list)."""
    reply = transport('GET', course_exams_path(course_id), token=token)
    _expect(reply, 200, 'exam list')
    return {exam['content_id']: exam['id'] for exam in reply.json()}


def start_attempt(transport: Transport, token: str, exam_id: int) -> Reply:
    """POST a started timed attempt exactly as the learner library sends it (booleans as strings)."""
    body = {'exam_id': exam_id, 'start_clock': 'true', 'attempt_proctored': 'false'}
    return transport('POST', '/api/v1/exams/attempt', token=token, body=body)


@dataclass(frozen=True)
class BurstReport:
    """What a burst of requests got: statuses, latencies and the wall time of the whole burst."""

    statuses: Sequence[int]
    latencies: Sequence[float]
    wall_seconds: float

    @property
    def server_errors(self) -> int:
        """How many answers were 5xx."""
        return sum(1 for status in self.statuses if status >= 500)

    @property
    def failures(self) -> int:
        """How many answers were not 200."""
        return sum(1 for status in self.statuses if status != 200)

    def percentile_ms(self, percent: float) -> float:
        """The latency below which `percent` of the requests completed, in milliseconds."""
        return 1000 * percentile(self.latencies, percent)


def start_burst(transport: Transport, tokens: Sequence[str], exam_id: int, *, concurrency: int = 32) -> BurstReport:
    """Every learner starts the same exam at once (a scheduled exam's first minute), `concurrency` in flight."""
    return burst([lambda token=token: start_attempt(transport, token, exam_id) for token in tokens], concurrency)


def burst(calls: Sequence[Callable[[], Reply]], concurrency: int) -> BurstReport:
    """Run every call, `concurrency` at a time, and report what they got."""
    start = time.perf_counter()
    if concurrency == 1:  # in the caller's thread (and database connection)
        replies = [call() for call in calls]
    else:
        with ThreadPoolExecutor(max_workers=concurrency) as pool:
            replies = list(pool.map(lambda call: call(), calls))
    wall = time.perf_counter() - start
    return BurstReport([r.status for r in replies], [r.seconds for r in replies], wall)


def percentile(values: Sequence[float], percent: float) -> float:
    """The `percent` percentile of `values` (nearest rank); 0 for no values."""
    if not values:
        return 0.0
    ordered = sorted(values)
    rank = max(1, math.ceil(percent / 100 * len(ordered)))
    return ordered[rank - 1]


def median_seconds(replies: Sequence[Reply]) -> float:
    """The median time of `replies`."""
    return statistics.median(reply.seconds for reply in replies)


def hot_paths(course_id: str, exam_content_id: str, exam_id: int) -> dict[str, str]:
    """The learner endpoints under load, with the URLs the learner library and learning MFE use."""
    return {
        'poll': f'/api/v1/exams/attempt/latest?content_id={quote(exam_content_id, safe="")}',
        'exam with attempt': f'/api/v1/student/exam/attempt/course_id/{course_id}/content_id/{exam_content_id}',
        'access token': f'/api/v1/access_tokens/exam_id/{exam_id}/',
    }


def attempts_list_path(course_id: str, exam_id: int) -> str:
    """The exams dashboard's attempt list of one exam, as it asks for it (limit=1000000)."""
    return f'/api/v1/instructor_view/course_id/{course_id}/attempts?exam_id={exam_id}&limit=1000000'


def _expect(reply: Reply, status: int, what: str):
    if reply.status != status:
        raise RuntimeError(f'{what}: HTTP {reply.status}: {reply.body[:300]!r}')

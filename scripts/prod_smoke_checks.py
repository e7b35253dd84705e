"""
The checks of `make prod.smoke`, run inside the production virtualenv (see scripts/prod_smoke.py).

Every call goes over HTTP to one of the two web servers in turn, as a balancer would send it.
"""

import gzip
import itertools
import json
import re
import signal
import sys
import time
import urllib.error
import urllib.request
from datetime import UTC, datetime, timedelta
from pathlib import Path

import django
import jwt
import redis
from django.conf import settings

# This process decodes the service's events and produces role events as the LMS would (hence the LMS's
# service name); the services it checks run with their own production settings.
settings.configure(
    INSTALLED_APPS=['openedx_events'], EVENT_BUS_REDIS_CONSUMER_POLL_TIMEOUT=1, EVENTS_SERVICE_NAME='lms'
)
django.setup()

from edx_event_bus_redis.internal.message import RedisMessage  # noqa: E402
from edx_event_bus_redis.internal.producer import RedisEventProducer  # noqa: E402
from opaque_keys.edx.keys import CourseKey  # noqa: E402
from openedx_events.event_bus.avro.deserializer import deserialize_bytes_to_event_data  # noqa: E402
from openedx_events.learning.data import CourseAccessRoleData, UserData, UserPersonalData  # noqa: E402
from openedx_events.learning.signals import COURSE_ACCESS_ROLE_ADDED, COURSE_ACCESS_ROLE_REMOVED  # noqa: E402
from openedx_events.tooling import OpenEdxPublicSignal  # noqa: E402
from walrus import Database  # noqa: E402

from edx_exams import processes  # noqa: E402
from scripts.prod_smoke_stack import Stack, json_dumps, wait_until  # noqa: E402

COURSE_ID = 'course-v1:SmokeX+Prod101+2026'
SERVICE_USERNAME = 'edx_exams_worker'
EVENT_TOPIC = 'learning-exam-attempt-lifecycle'
# Every entry point a production process imports, with the Redis transport Celery loads on connect.
IMPORT_CHECK = """
from edx_exams.wsgi import application
from edx_exams.celery import app
import kombu.transport.redis, edx_event_bus_redis, edx_event_bus_kafka, confluent_kafka, gunicorn.app.wsgiapp
import sentry_sdk.integrations.django, sentry_sdk.integrations.celery
app.loader.import_default_modules()
assert app.connection_for_write().transport.driver_type == 'redis'
from django.core.management import load_command_class
load_command_class('openedx_events', 'consume_events')
from edx_event_bus_redis import RedisEventConsumer, create_producer
print('imports OK:', type(application).__name__, app.main, sorted(n for n in app.tasks if n.startswith('edx_exams')))
"""


class CheckFailed(Exception):
    """A check of the smoke test did not hold."""


def expect(condition, message):
    """Raise CheckFailed with `message` unless `condition` holds (asserts would vanish under python -O)."""
    if not condition:
        raise CheckFailed(message)


def usage_key(block: str) -> str:
    """Return a usage key of a subsection of the smoke course."""
    return f'block-v1:SmokeX+Prod101+2026+type@sequential+block@{block}'


class Client:
    """Calls the two web servers in turn, as users the LMS issued JWTs to."""

    def __init__(self, stack: Stack):
        self.stack = stack
        self.servers = itertools.cycle(stack.web_urls)
        self.answered_by: dict[str, int] = {url: 0 for url in stack.web_urls}

    def token(self, username: str, lms_user_id: int, *, administrator: bool = False) -> str:
        """Return an LMS access token (HS256 with the issuer secret of the configuration)."""
        issuer, now = self.stack.jwt_issuer, int(time.time())
        payload = {
            'iss': issuer['ISSUER'], 'aud': issuer['AUDIENCE'], 'iat': now, 'exp': now + 3600,
            'preferred_username': username, 'user_id': lms_user_id, 'email': f'{username}@example.com',
            'name': username, 'administrator': administrator, 'email_verified': True, 'version': '1.2.0',
            'scopes': ['read', 'write', 'email', 'profile'], 'filters': [], 'is_restricted': False,
        }  # fmt: skip
        return jwt.encode(payload, issuer['SECRET_KEY'], algorithm='HS256')

    def call(self, method: str, path: str, token: str | None = None, body=None, *, expect: int = 200):
        """Send one request to the next server; return the decoded JSON body."""
        status, data, _ = self.raw(method, path, token, body)
        if status != expect:
            raise AssertionError(f'{method} {path}: expected {expect}, got {status}: {data[:500]!r}')
        return json.loads(data or b'{}')

    def raw(self, method: str, path: str, token: str | None = None, body=None, headers: dict | None = None):
        """Send one request to the next server; return (status, body bytes, headers)."""
        server = next(self.servers)
        request = urllib.request.Request(  # noqa: S310 - local URLs
            server + path,
            data=json_dumps(body) if body is not None else None,
            method=method,
            headers={'Content-Type': 'application/json', **(headers or {})},
        )
        if token:
            request.add_header('Authorization', f'JWT {token}')
        try:
            with urllib.request.urlopen(request, timeout=15) as response:  # noqa: S310
                result = response.status, response.read(), response.headers
        except urllib.error.HTTPError as error:
            result = error.code, error.read(), error.headers
        self.answered_by[server] += 1
        return result


class EventStream:
    """The exam attempt events on this run's Redis stream, decoded as the LMS decodes them."""

    def __init__(self, stack: Stack):
        self.name = f'{stack.topic_prefix}-{EVENT_TOPIC}'
        self.client = redis.Redis.from_url(stack.redis_url, socket_connect_timeout=2)

    def events(self) -> list[tuple[str, dict]]:
        """(event type, exam_attempt data) of every event on the stream."""
        decoded = []
        for raw in self.client.xrange(self.name):
            message = RedisMessage.parse(raw, self.name)
            signal_ = OpenEdxPublicSignal.get_signal_by_type(message.event_metadata.event_type)
            data = deserialize_bytes_to_event_data(message.event_data, signal_)['exam_attempt']
            decoded.append((message.event_metadata.event_type, data))
        return decoded

    def wait_for(self, what: str, lms_user_id: int, content_id: str, timeout: float):
        """Wait for exactly one `submitted` event of the learner on the exam; fail on any other."""

        def matching():
            return [
                event_type
                for event_type, data in self.events()
                if data.student_user.id == lms_user_id and str(data.usage_key) == content_id
            ]

        wait_until(f'{what} is on {self.name}', matching, timeout=timeout)
        time.sleep(1)  # a duplicate would follow right behind
        found = matching()
        expect(found == ['org.openedx.learning.exam.attempt.submitted.v1'], f'{what}: events {found}')
        print(f'OK   {what}: one submitted event for user {lms_user_id} on {self.name}')


def produce_role_event(stack: Stack, signal_):
    """Send a course role event of the user smoke_staff to the bus, as the LMS does."""
    settings.EVENT_BUS_TOPIC_PREFIX = stack.topic_prefix
    pii = UserPersonalData(username='smoke_staff', email='smoke_staff@example.com', name='')
    data = CourseAccessRoleData(
        user=UserData(id=1010, is_active=True, pii=pii),
        org_key='SmokeX',
        course_key=CourseKey.from_string(COURSE_ID),
        role='staff',
    )
    RedisEventProducer(Database.from_url(stack.redis_url)).send(
        signal=signal_,
        topic=processes.ROLE_EVENTS_TOPIC,
        event_key_field='course_access_role_data.course_key',
        event_data={'course_access_role_data': data},
        event_metadata=signal_.generate_signal_metadata(),
    )


def wait_for_course_access(client: Client, signal_, *, expect_status: int):
    """Wait until the consumer applied the role event: the course exams list answers smoke_staff `expect_status`."""
    token, path = client.token('smoke_staff', 1010), f'/api/v1/exams/course_id/{COURSE_ID}/'
    answered = lambda: client.raw('GET', path, token)[0] == expect_status  # noqa: E731
    wait_until(f'{path} answers smoke_staff {expect_status}', answered, timeout=30)
    print(f'OK   {signal_.event_type} consumed: the course exams list answers smoke_staff {expect_status}')


STARTED = time.monotonic()


def step(text: str):
    """Announce a step, with the seconds since the checks began."""
    print(f'\n=== [{time.monotonic() - STARTED:5.1f}s] {text}', flush=True)


def prepare(stack: Stack):
    """Redis, database, configuration, imports, migrations and static files."""
    step(f'Redis on port {stack.redis_port}, database {stack.database}, configuration {stack.config_file}')
    stack.start_redis()
    stack.create_database()
    stack.write_config()
    step('pip check, check_production_settings and importing every entry point with production settings')
    stack.run(('python', '-m', 'pip', 'check', '--disable-pip-version-check'))
    print(stack.run(('python', 'manage.py', 'check_production_settings'), capture=True).strip())
    print(stack.run(('python', '-c', IMPORT_CHECK), capture=True).strip())
    step(' '.join(processes.MIGRATE))
    stack.run(processes.MIGRATE)
    step(' '.join(processes.COLLECTSTATIC))
    stack.run(processes.COLLECTSTATIC)


def check_publish_submit_and_expiry(client: Client, events: EventStream) -> dict:
    """Studio publishes; learner 1 submits; learner 2's attempt is expired by the beat sweep."""
    step('Studio publishes the course; learner 1 submits; the beat sweep expires learner 2')
    studio = client.token(SERVICE_USERNAME, 1, administrator=True)
    due = datetime.now(UTC) + timedelta(seconds=12)
    exams = [
        {'course_id': COURSE_ID, 'content_id': usage_key('final'), 'exam_name': 'Final', 'time_limit_mins': 30,
         'due_date': None, 'exam_type': 'timed', 'is_active': True, 'hide_after_due': False, 'backend': None},
        {'course_id': COURSE_ID, 'content_id': usage_key('quiz'), 'exam_name': 'Quiz', 'time_limit_mins': 30,
         'due_date': due.isoformat(), 'exam_type': 'timed', 'is_active': True, 'hide_after_due': False},
    ]  # fmt: skip
    published = client.call('PATCH', f'/api/v1/exams/course_id/{COURSE_ID}/', studio, exams)
    expect(len(published['created']) == 2, published)
    print(f'OK   Studio publish (PATCH as {SERVICE_USERNAME}): {published}')

    learner2 = client.token('smoke_learner_2', 1002)
    quiz = exam_id(client, learner2, usage_key('quiz'))
    expiring = client.call('POST', '/api/v1/exams/attempt', learner2, {'exam_id': quiz, 'start_clock': 'true'})
    print(f'OK   learner 2 started attempt {expiring["exam_attempt_id"]}; the exam is due at {due:%H:%M:%S}')

    learner1 = client.token('smoke_learner_1', 1001)
    final = exam_id(client, learner1, usage_key('final'))
    submit_attempt(client, learner1, final, check_access_token=True)
    events.wait_for('learner 1 submit', 1001, usage_key('final'), timeout=30)
    events.wait_for('expiry of learner 2 by the beat sweep', 1002, usage_key('quiz'), timeout=60)
    return {'final': final}


def exam_id(client: Client, token: str, content_id: str) -> int:
    """Return the exam id of a subsection, asked for as the learning MFE does."""
    return client.call('GET', f'/api/v1/student/exam/attempt/course_id/{COURSE_ID}/content_id/{content_id}', token)[
        'exam'
    ]['id']


def submit_attempt(client: Client, token: str, exam: int, *, check_access_token: bool = False) -> int:
    """Create, start and submit an attempt over HTTP; return its id."""
    attempt = client.call('POST', '/api/v1/exams/attempt', token, {'exam_id': exam})['exam_attempt_id']
    client.call('PUT', f'/api/v1/exams/attempt/{attempt}', token, {'action': 'start'})
    if check_access_token:
        check_exam_access_token(client, token, exam)
    client.call('PUT', f'/api/v1/exams/attempt/{attempt}', token, {'action': 'submit'})
    print(f'OK   attempt {attempt}: created, started and submitted')
    return attempt


def check_exam_access_token(client: Client, token: str, exam: int):
    """Check that the exam access token verifies with the public key set generate_signing_keys printed."""
    granted = client.call('GET', f'/api/v1/access_tokens/exam_id/{exam}/', token)
    keys = jwt.PyJWKSet.from_json(client.stack.token_signing['JWT_PUBLIC_SIGNING_JWK_SET'])
    claims = jwt.decode(granted['exam_access_token'], keys.keys[0].key, algorithms=['RS512'])
    expect(claims['iss'] == client.stack.token_signing['JWT_ISSUER'], claims)
    print('OK   exam access token verifies with the generated public key set')


def check_static_files_and_health(client: Client):
    """Admin CSS and Swagger UI assets are served, compressed and hashed; /health/ and readiness are 200."""
    step('static files and health checks')
    for page, pattern in (
        ('/admin/login/', r'/static/admin/css/base\.[0-9a-f]{12}\.css'),
        ('/api-docs/', r'/static/drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle\.[0-9a-f]{12}\.js'),
    ):
        status, html, _ = client.raw('GET', page)
        expect(status == 200, f'{page}: {status}')
        match = re.search(pattern, html.decode())
        expect(match, f'{page} links no hashed asset matching {pattern}')
        status, body, headers = client.raw('GET', match.group(0), headers={'Accept-Encoding': 'gzip'})
        expect(status == 200, f'{match.group(0)}: {status}')
        expect(headers.get('Content-Encoding') == 'gzip', dict(headers))
        expect('immutable' in headers.get('Cache-Control', ''), dict(headers))
        print(f'OK   {page} links {match.group(0)}: 200, {len(gzip.decompress(body))} bytes gzipped, immutable')
    for port in client.stack.web_ports:
        client.stack.run(processes.HEALTHCHECK, env=client.stack.environment(GUNICORN_BIND=f'127.0.0.1:{port}'))
        print(f'OK   the container health check ({" ".join(processes.HEALTHCHECK)}) passes on port {port}')
    for path in ('/health/', '/health/ready'):
        status, body, _ = client.raw('GET', path)
        expect(status == 200, f'{path}: {status} {body!r}')
        print(f'OK   {path}: 200 {body.decode()}')


def check_redis_outage(stack: Stack, client: Client, events: EventStream, final: int):
    """With Redis down the API answers and the event waits in the outbox; once Redis is back it is delivered."""
    step('Redis stopped: the API answers, readiness reports the broker down, the event waits in the outbox')
    stack.stop_redis()
    learner3 = client.token('smoke_learner_3', 1003)
    attempt = submit_attempt(client, learner3, final)
    for _ in stack.web_urls:
        status, body, _ = client.raw('GET', '/health/ready')
        expect(status == 503 and 'celery_broker' in json.loads(body)['down'], f'/health/ready: {status} {body!r}')
        print(f'OK   /health/ready: 503 {body.decode()}')
        status, _, _ = client.raw('GET', '/health/')
        expect(status == 200, f'/health/ with Redis down: {status}')
    time.sleep(2 * 2)  # two sweeps: nothing may deliver it
    pending = unsent_events(stack, attempt)
    expect(pending == 1, f'expected the event of attempt {attempt} unsent in the outbox, found {pending}')
    print(f'OK   the event of attempt {attempt} waits in the outbox')
    step('Redis back: the retry sweep delivers the waiting event')
    stack.start_redis()
    # The role event consumer exits when it loses Redis; production runs it under a supervisor
    # that restarts it whatever its exit status (docker-compose.yml: restart: always).
    status = stack.restart_if_exited('consumer')
    if status is not None:
        print(f'OK   the role event consumer exited ({status}) in the outage; restarted as a supervisor would')
    # Sent while the consumer is still starting: it must not skip it (checked at the end).
    produce_role_event(stack, COURSE_ACCESS_ROLE_REMOVED)
    events.wait_for('the waiting event after the outage', 1003, usage_key('final'), timeout=90)
    expect(unsent_events(stack, attempt) == 0, f'the event of attempt {attempt} is still unsent')
    wait_until('/health/ready is 200 again', lambda: client.raw('GET', '/health/ready')[0] == 200, timeout=30)
    print('OK   the outbox is empty and /health/ready is 200 again')


def unsent_events(stack: Stack, attempt: int) -> int:
    """Return the number of unsent outbox rows of an attempt."""
    rows = stack.sql(
        'SELECT COUNT(*) FROM events_outboxevent WHERE attempt_id = %s AND sent_at IS NULL',
        attempt,
        database=stack.database,
    )
    return rows[0][0]


def run_smoke_test(bin_dir: Path) -> int:
    """Run every check; return the exit status. Everything started is stopped whatever happens."""
    stack = Stack(bin_dir=bin_dir)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    signal.signal(signal.SIGHUP, lambda *_: sys.exit(129))
    started = time.monotonic()
    status = 1
    try:
        prepare(stack)
        step(f'starting web on ports {stack.web_ports}, two workers, beat and the role event consumer')
        stack.start_services()
        client, events = Client(stack), EventStream(stack)
        exams = check_publish_submit_and_expiry(client, events)
        step('the LMS grants a course role on the bus; the consumer applies it')
        client.call('GET', f'/api/v1/exams/course_id/{COURSE_ID}/', client.token('smoke_staff', 1010), expect=403)
        produce_role_event(stack, COURSE_ACCESS_ROLE_ADDED)
        wait_for_course_access(client, COURSE_ACCESS_ROLE_ADDED, expect_status=200)
        check_static_files_and_health(client)
        check_redis_outage(stack, client, events, exams['final'])
        step('the role removal sent while the consumer restarted is applied')
        wait_for_course_access(client, COURSE_ACCESS_ROLE_REMOVED, expect_status=403)
        stack.check_alive()
        print(f'OK   every process is still running; requests per server: {client.answered_by}')
        status = 0
    except Exception as error:  # noqa: BLE001 - any failure is reported with the logs, then everything stops
        print(f'\nFAIL {type(error).__name__}: {error}', file=sys.stderr)
        stack.print_logs()
    finally:
        step('stopping everything, dropping the database, removing the temporary directory')
        stack.stop()
    print(f'\n{"PASSED" if status == 0 else "FAILED"}: prod.smoke checks ran in {time.monotonic() - started:.0f}s')
    return status

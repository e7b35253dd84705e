"""
Check a running `make run.full`: a learner's submit and an expiry by the beat sweep each put one event on Redis.

Run it in a second terminal while `make run.full` is up:

    .venv/bin/python scripts/check_run_full.py

It creates a fresh learner and two timed exams in the demo course, then
1. starts and submits the first exam over HTTP, as the learning MFE does, and
2. starts the second one, moves its deadline into the past in the database and
   makes no further request: the beat sweep must submit it.
Each must add exactly one `submitted` event for that attempt to the stream
dev-learning-exam-attempt-lifecycle, which is read back and decoded with
openedx-events' Avro deserializer. Exit status 0 when both checks pass.
"""

import json
import os
import sys
import time
import urllib.request
import uuid
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault('DJANGO_SETTINGS_MODULE', 'edx_exams.settings.full')

import django

django.setup()

import redis  # noqa: E402
from django.conf import settings  # noqa: E402
from edx_event_bus_redis.internal.message import RedisMessage  # noqa: E402
from openedx_events.event_bus.avro.deserializer import deserialize_bytes_to_event_data  # noqa: E402
from openedx_events.tooling import OpenEdxPublicSignal  # noqa: E402

from edx_exams.apps.core.dev_tokens import build_lms_jwt  # noqa: E402
from edx_exams.apps.core.models import Exam, ExamAttempt, User  # noqa: E402

BASE_URL = f'http://127.0.0.1:{os.environ.get("PORT", "18740")}'
COURSE_ID = 'course-v1:edX+DemoX+Demo_Course'
STREAM = f'{settings.EVENT_BUS_TOPIC_PREFIX}-learning-exam-attempt-lifecycle'
SWEEP_WAIT_SECONDS = settings.EXAM_ATTEMPT_EXPIRY_SWEEP_SECONDS * 2 + 10


def call(method: str, path: str, token: str, body: dict | None = None) -> dict:
    """Call the exams API as the learning MFE does and return the JSON answer."""
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(  # noqa: S310 - a fixed local URL
        BASE_URL + path,
        data=data,
        method=method,
        headers={'Authorization': f'JWT {token}', 'Content-Type': 'application/json'},
    )
    with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310
        return json.loads(response.read() or b'{}')


def new_events(client: redis.Redis, after: bytes) -> list[tuple]:
    """(metadata, data) of the stream entries after id `after`, decoded as the LMS consumer decodes them."""
    decoded = []
    for raw in client.xrange(STREAM, min=b'(' + after):
        message = RedisMessage.parse(raw, STREAM)
        signal = OpenEdxPublicSignal.get_signal_by_type(message.event_metadata.event_type)
        decoded.append((raw[0], message.event_metadata, deserialize_bytes_to_event_data(message.event_data, signal)))
    return decoded


def events_for(client: redis.Redis, after: bytes, lms_user_id: int, exam: Exam, timeout: float) -> list:
    """Wait up to `timeout` seconds for events of the learner on `exam`; return all of them."""

    def matching():
        return [
            event
            for event in new_events(client, after)
            if event[2]['exam_attempt'].student_user.id == lms_user_id
            and str(event[2]['exam_attempt'].usage_key) == exam.content_id
        ]

    deadline = time.monotonic() + timeout
    while not matching() and time.monotonic() < deadline:
        time.sleep(0.5)
    time.sleep(2)  # a duplicate would show up right behind the first event
    return matching()


def check(name: str, events: list, attempt_id: int) -> bool:
    """Print and return whether the attempt is submitted with exactly one submitted event."""
    status = ExamAttempt.objects.get(pk=attempt_id).status
    types = [metadata.event_type.rsplit('.', 2)[-2] for _, metadata, _ in events]
    ok = types == ['submitted'] and status == 'submitted'
    print(f'{"OK  " if ok else "FAIL"} {name}: attempt {attempt_id} is {status}; events on {STREAM}: {types}')
    for redis_id, metadata, data in events:
        attempt = data['exam_attempt']
        print(
            f'     {redis_id.decode()} {metadata.event_type} id={metadata.id} student={attempt.student_user.id} '
            f'requesting={attempt.requesting_user.id if attempt.requesting_user else None} '
            f'course={attempt.course_key} usage={attempt.usage_key} type={attempt.exam_type}'
        )
    return ok


def main() -> int:
    """Run both checks; return the exit status."""
    client = redis.Redis.from_url(settings.EVENT_BUS_REDIS_CONNECTION_URL)
    with urllib.request.urlopen(f'{BASE_URL}/health/', timeout=5) as response:  # noqa: S310
        if response.status != 200:
            print(f'The web server at {BASE_URL} is not healthy; is make run.full up?')
            return 2
    last = client.xrevrange(STREAM, count=1)
    after = last[0][0] if last else b'0-0'

    run = uuid.uuid4().hex[:8]
    learner = User.objects.create(
        username=f'check_{run}', email=f'check_{run}@example.com', lms_user_id=int(time.time() * 1000) % 2_000_000_000
    )
    token = build_lms_jwt(learner)
    exams = [
        Exam.objects.create(
            course_id=COURSE_ID,
            content_id=f'block-v1:edX+DemoX+Demo_Course+type@sequential+block@check_{run}_{n}',
            exam_name=f'run.full check {run} {n}',
            exam_type='timed',
            time_limit_mins=30,
        )
        for n in (1, 2)
    ]

    # 1. The learner submits.
    attempt_id = call('POST', '/api/v1/exams/attempt', token, {'exam_id': exams[0].id, 'start_clock': 'true'})[
        'exam_attempt_id'
    ]
    call('PUT', f'/api/v1/exams/attempt/{attempt_id}', token, {'action': 'submit'})
    submitted_ok = check(
        'learner submit', events_for(client, after, learner.lms_user_id, exams[0], timeout=15), attempt_id
    )

    # 2. The deadline passes without a request; the beat sweep submits.
    expired_id = call('POST', '/api/v1/exams/attempt', token, {'exam_id': exams[1].id, 'start_clock': 'true'})[
        'exam_attempt_id'
    ]
    past = timedelta(minutes=31, seconds=settings.EXAM_ATTEMPT_EXPIRY_GRACE_SECONDS)
    attempt = ExamAttempt.objects.get(pk=expired_id)
    ExamAttempt.objects.filter(pk=expired_id).update(
        start_time=attempt.start_time - past, expires_at=attempt.expires_at - past
    )
    print(f'     attempt {expired_id} deadline moved into the past; waiting up to {SWEEP_WAIT_SECONDS}s for beat')
    expired_ok = check(
        'expiry by the beat sweep',
        events_for(client, after, learner.lms_user_id, exams[1], timeout=SWEEP_WAIT_SECONDS),
        expired_id,
    )
    return 0 if submitted_ok and expired_ok else 1


if __name__ == '__main__':
    sys.exit(main())

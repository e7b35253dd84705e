"""
The benchmark's own parts keep working: seeding over the API, the JWTs, the wrk script and its figures.

`make bench` is not part of the suite (it takes minutes and gives figures); these tests run its
helpers against the test client and, where wrk is installed, against a live server.
"""

import json
import shutil
import time

import jwt
import pytest
import yaml
from django.conf import settings
from rest_framework.test import APIClient

from bench import seed
from bench.config import BenchConfig, BenchDatabase, generate_token_signing_keys
from bench.wrk import parse_wrk_output, run_wrk

COURSE = seed.COURSE_ID


class DjangoClientTransport:
    """A seed.Transport over DRF's test client: the same requests, without a server."""

    def __init__(self):
        self.client = APIClient()

    def __call__(self, method, path, *, token, body=None):
        start = time.perf_counter()
        response = getattr(self.client, method.lower())(
            path, body, format='json' if body is not None else None, HTTP_AUTHORIZATION=f'JWT {token}'
        )
        return seed.Reply(response.status_code, response.content, time.perf_counter() - start)


def settings_issuer():
    issuer = settings.JWT_AUTH['JWT_ISSUERS'][0]
    return seed.JwtIssuer(issuer['ISSUER'], issuer['AUDIENCE'], issuer['SECRET_KEY'])


def seed_course(transport, issuer, *, exams=3, learners=4):
    staff = issuer.service_user_token()
    seed.publish(transport, staff, COURSE, seed.studio_payload(COURSE, exams))
    exam_ids = seed.active_exams(transport, staff, COURSE)
    content_id = seed.content_id(COURSE, 0)
    tokens = issuer.learner_tokens(learners)
    starts = seed.start_burst(transport, tokens, exam_ids[content_id], concurrency=1)
    return staff, tokens, exam_ids, content_id, starts


@pytest.mark.django_db
def test_seeding_publishes_like_studio_and_starts_every_learner():
    transport = DjangoClientTransport()
    staff, tokens, exam_ids, content_id, starts = seed_course(transport, settings_issuer())

    assert sorted(exam_ids) == [seed.content_id(COURSE, n) for n in range(3)]
    assert list(starts.statuses) == [200] * 4
    assert (starts.failures, starts.server_errors) == (0, 0)
    unchanged = seed.publish(transport, staff, COURSE, seed.studio_payload(COURSE, 3)).json()
    assert (unchanged['created'], unchanged['updated'], unchanged['unchanged']) == ([], [], 3)

    paths = seed.hot_paths(COURSE, content_id, exam_ids[content_id])
    poll = transport('GET', paths['poll'], token=tokens[1]).json()
    assert poll['attempt_status'] == 'started'
    exam = transport('GET', paths['exam with attempt'], token=tokens[2]).json()['exam']
    assert exam['attempt']['attempt_status'] == 'started'
    assert transport('GET', paths['access token'], token=tokens[3]).status == 200
    listing = transport('GET', seed.attempts_list_path(COURSE, exam_ids[content_id]), token=staff).json()
    assert sorted(row['username'] for row in listing['results']) == [seed.learner_username(n) for n in range(4)]


def test_learner_tokens_are_one_per_learner():
    tokens = seed.JwtIssuer('iss', 'aud', 'secret').learner_tokens(3)
    claims = [jwt.decode(token, 'secret', algorithms=['HS256'], audience='aud') for token in tokens]
    assert [c['preferred_username'] for c in claims] == [seed.learner_username(n) for n in range(3)]
    assert len({c['user_id'] for c in claims}) == 3
    assert not any(c['administrator'] for c in claims)


def test_generated_config_has_its_own_secrets_and_a_working_token_key(tmp_path):
    config = BenchConfig(database=BenchDatabase('sqlite', str(tmp_path / 'db.sqlite3')), workdir=tmp_path, port=1)
    values = yaml.safe_load(config.write().read_text())
    assert values['JWT_AUTH']['JWT_ISSUERS'][0]['SECRET_KEY'] == config.jwt_secret != 'lms-secret'
    assert values['SECRET_KEY'] not in ('', settings.SECRET_KEY)
    assert values['LTI_KEY_ENCRYPTION_SECRET'] not in ('', values['SECRET_KEY'])
    assert config.environment()['DJANGO_SETTINGS_MODULE'] == 'bench.sqlite_settings'
    mariadb = BenchConfig(database=BenchDatabase('mysql', 'edx_exams_bench'), workdir=tmp_path, port=1)
    assert mariadb.environment()['DJANGO_SETTINGS_MODULE'] == 'edx_exams.settings.production'
    assert mariadb.environment()['EDX_EXAMS_DATABASE_NAME'] == 'edx_exams_bench'

    private_jwk, public_jwks = generate_token_signing_keys()
    private = jwt.PyJWK.from_json(private_jwk)
    token = jwt.encode({'lms_user_id': 1}, private.key, algorithm='RS512', headers={'kid': private.key_id})
    public = jwt.PyJWKSet.from_json(public_jwks)[private.key_id]
    assert jwt.decode(token, public.key, algorithms=['RS512']) == {'lms_user_id': 1}


def test_wrk_figures_are_read_from_the_lua_summary():
    figures = {
        'requests': 600,
        'duration_us': 2_000_000,
        'bytes': 1,
        'p50_us': 1500,
        'p95_us': 4000,
        'p99_us': 9000,
        'max_us': 12000,
        'non_2xx_3xx': 2,
        'connect_errors': 0,
        'read_errors': 1,
        'write_errors': 0,
        'timeouts': 0,
    }
    result = parse_wrk_output(f'Running 2s test\nBENCH_JSON {json.dumps(figures)}\n')
    assert (result.requests_per_second, result.p50_ms, result.p99_ms, result.failures) == (300, 1.5, 9, 3)


@pytest.mark.skipif(shutil.which('wrk') is None, reason='wrk is not installed (apt-get install -y wrk)')
@pytest.mark.django_db(transaction=True)
def test_wrk_script_sends_every_learners_jwt(live_server, tmp_path):
    _, tokens, exam_ids, content_id, _ = seed_course(DjangoClientTransport(), settings_issuer(), exams=1, learners=3)
    tokens_file = tmp_path / 'learners.jwt'
    tokens_file.write_text('\n'.join(tokens) + '\n')
    poll = seed.hot_paths(COURSE, content_id, exam_ids[content_id])['poll']

    # One connection: on the in-memory SQLite of the tests, the live server's threads share one
    # database connection, which two requests at once can break ("API misuse"); production gives each
    # thread its own connection. The rotation of the JWTs is the same with one connection or many.
    result = run_wrk(live_server.url + poll, tokens_file, seconds=1, connections=1, threads=1)
    assert result.requests > 0
    assert result.failures == 0

    tokens_file.write_text('not-a-jwt\n')
    refused = run_wrk(live_server.url + poll, tokens_file, seconds=1, connections=1, threads=1)
    assert refused.failures == refused.requests > 0

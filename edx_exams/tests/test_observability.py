"""Request ids in responses, log lines and Celery tasks; JSON logs; the gunicorn access log; Sentry by setting."""

import io
import json
import logging
import logging.config
import os
import runpy
import subprocess
import sys
import time

import pytest
import yaml
from celery.contrib.testing.worker import start_worker
from django.core.exceptions import ImproperlyConfigured
from django.http import HttpResponse
from django.test import RequestFactory

from edx_exams import celery_app
from edx_exams.log_formatting import JsonFormatter
from edx_exams.request_id import RequestIdFilter, RequestIdMiddleware
from edx_exams.settings import base
from edx_exams.tests.test_settings import production

pytestmark = pytest.mark.django_db

DEAD_REDIS = 'redis://127.0.0.1:1/0'  # nothing listens on port 1


@celery_app.task(name='edx_exams.tests.test_observability.log_in_task')
def log_in_task():
    """A task that logs one line, as every task of the service may."""
    logging.getLogger('edx_exams.tests.task').warning('task ran')


@pytest.fixture
def log_lines():
    """
    The lines the service's logs get, formatted and filtered as the configured console handler does.

    The copy hangs on the `edx_exams` logger, which a logging reconfiguration (a Celery worker's) leaves alone.
    """
    console = next(h for h in logging.getLogger().handlers if h.name == 'console')
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(console.formatter)
    for log_filter in console.filters:
        handler.addFilter(log_filter)
    logger = logging.getLogger('edx_exams')
    logger.addHandler(handler)
    yield lambda: stream.getvalue().splitlines()
    logger.removeHandler(handler)


def test_a_sane_incoming_request_id_is_echoed(api_client):
    response = api_client.get('/health/live', HTTP_X_REQUEST_ID='lb-1234.abc:5')
    assert response['X-Request-ID'] == 'lb-1234.abc:5'


@pytest.mark.parametrize('incoming', [None, 'has spaces', 'x' * 129, 'semi;colon', '<script>'])
def test_a_missing_or_insane_request_id_is_replaced_by_a_fresh_one(api_client, incoming):
    headers = {'HTTP_X_REQUEST_ID': incoming} if incoming is not None else {}
    first = api_client.get('/health/live', **headers)['X-Request-ID']
    second = api_client.get('/health/live', **headers)['X-Request-ID']
    assert len(first) == 32 and int(first, 16) is not None
    assert first != second


def test_every_log_line_of_a_request_carries_its_id(api_client, settings, log_lines):
    settings.CELERY_BROKER_URL = DEAD_REDIS
    response = api_client.get('/health/ready', HTTP_X_REQUEST_ID='req-42')
    assert response.status_code == 503
    lines = [line for line in log_lines() if 'Readiness check failed' in line]
    assert lines
    assert all('[request_id=req-42]' in line for line in lines)


def test_a_task_sent_during_a_request_logs_the_request_id(log_lines):
    """The id travels as a message header through a real broker to a real worker, which logs with it."""

    def view(request):
        log_in_task.delay()
        return HttpResponse('sent')

    request = RequestFactory().get('/anything', HTTP_X_REQUEST_ID='from-the-mfe-7')
    celery_app.conf.task_always_eager = False
    try:
        with start_worker(celery_app, perform_ping_check=False, pool='solo', loglevel='WARNING'):
            assert RequestIdMiddleware(view)(request)['X-Request-ID'] == 'from-the-mfe-7'
            wait_for(lambda: any('task ran' in line for line in log_lines()))
    finally:
        celery_app.conf.task_always_eager = True
    task_lines = [line for line in log_lines() if 'task ran' in line]
    assert len(task_lines) == 1
    assert '[request_id=from-the-mfe-7]' in task_lines[0]


def wait_for(condition, seconds=10.0):
    """Poll `condition` until it holds or `seconds` pass."""
    deadline = time.monotonic() + seconds
    while not condition() and time.monotonic() < deadline:
        time.sleep(0.05)


def test_log_format_json_writes_one_object_per_line(monkeypatch, tmp_path, complete_config):
    prod = production(monkeypatch, tmp_path, {**complete_config, 'LOG_FORMAT': 'json'})
    stream = io.StringIO()
    logging.config.dictConfig({**prod['LOGGING'], 'loggers': {}, 'root': {'handlers': []}})
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter())
    handler.addFilter(RequestIdFilter())
    assert prod['LOGGING']['formatters']['standard'] == {'()': 'edx_exams.log_formatting.JsonFormatter'}
    record = logging.LogRecord('edx_exams.x', logging.WARNING, __file__, 1, 'hello %s', ('world',), None)
    record.userid, record.remoteip = 7, '10.0.0.1'
    handler.handle(record)
    line = json.loads(stream.getvalue())
    assert (line['message'], line['request_id'], line['user_id'], line['level']) == ('hello world', '-', 7, 'WARNING')


def test_an_unknown_log_format_is_refused(monkeypatch, tmp_path, complete_config):
    with pytest.raises(ImproperlyConfigured, match='LOG_FORMAT'):
        production(monkeypatch, tmp_path, {**complete_config, 'LOG_FORMAT': 'xml'})


def test_gunicorn_access_log_carries_the_request_id():
    conf = runpy.run_path(str(base.BASE_DIR / 'gunicorn.conf.py'))
    assert conf['accesslog'] == '-'
    assert '%({x-request-id}o)s' in conf['access_log_format']
    assert conf['wsgi_app'] == 'edx_exams.wsgi:application'


def test_sentry_is_not_imported_without_a_dsn(tmp_path, complete_config):
    script = 'import sys, runpy; runpy.run_module("edx_exams.settings.production"); print("sentry_sdk" in sys.modules)'
    config = tmp_path / 'edx_exams.yml'
    config.write_text(yaml.safe_dump(complete_config))
    env = {key: value for key, value in os.environ.items() if not key.startswith('EDX_EXAMS_')}
    env['EDX_EXAMS_CFG'] = str(config)
    result = subprocess.run(  # noqa: S603 - our own interpreter and script
        [sys.executable, '-c', script], env=env, capture_output=True, text=True, check=True, cwd=base.REPO_ROOT
    )
    assert result.stdout.strip() == 'False'


def test_sentry_is_initialised_with_a_dsn(monkeypatch, tmp_path, complete_config):
    sentry_sdk = pytest.importorskip('sentry_sdk')
    try:
        production(monkeypatch, tmp_path, {**complete_config, 'SENTRY_DSN': 'https://key@sentry.example.com/1'})
        client = sentry_sdk.get_client()
        assert client.is_active()
        assert client.dsn == 'https://key@sentry.example.com/1'
        assert client.options['send_default_pii'] is False
    finally:
        sentry_sdk.init()  # back to no DSN: nothing is sent from the rest of the run

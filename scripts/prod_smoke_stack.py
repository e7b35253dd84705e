"""
The services `make prod.smoke` starts and always stops: a Redis server, a database, the edx-exams processes.

Runs inside the production virtualenv (scripts/prod_smoke.py); see that module for the whole test.
"""

import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

import MySQLdb
import redis
import yaml

from edx_exams import processes

REPO_ROOT = Path(__file__).resolve().parent.parent
# The exact command the operator guide gives for a secret.
SECRET_COMMAND = ('python', '-c', 'import secrets; print(secrets.token_urlsafe(64))')
SWEEP_SECONDS = 2


def free_port() -> int:
    """Return a TCP port nothing listens on right now."""
    with socket.socket() as sock:
        sock.bind(('127.0.0.1', 0))
        return sock.getsockname()[1]


@dataclass
class Started:
    """A process this test started, with its log file."""

    name: str
    popen: subprocess.Popen
    log: Path
    command: tuple = ()
    extra_env: dict = field(default_factory=dict)


@dataclass
class Stack:
    """Everything one smoke run creates; `stop()` undoes all of it."""

    bin_dir: Path
    run_id: str = field(default_factory=lambda: secrets.token_hex(4))
    temp_dir: Path = field(default_factory=lambda: Path(tempfile.mkdtemp(prefix='edx-exams-smoke-')))
    started: list[Started] = field(default_factory=list)
    redis_process: subprocess.Popen | None = None
    database_created: bool = False

    def __post_init__(self):
        self.web_ports = [free_port(), free_port()]
        self.redis_port = free_port()
        self.database = f'edx_exams_smoke_{self.run_id}'
        self.topic_prefix = f'smoke-{self.run_id}'
        self.config_file = self.temp_dir / 'edx_exams.yml'
        self.db = {
            'host': os.environ.get('EDX_EXAMS_SMOKE_DB_HOST', '127.0.0.1'),
            'port': int(os.environ.get('EDX_EXAMS_SMOKE_DB_PORT', '3306')),
            'user': os.environ.get('EDX_EXAMS_SMOKE_DB_USER', 'root'),
            'password': os.environ.get('EDX_EXAMS_SMOKE_DB_PASSWORD', ''),
        }

    # --- environment ---------------------------------------------------------------------------
    @property
    def redis_url(self) -> str:
        """The URL of this run's Redis server (broker and event bus)."""
        return f'redis://127.0.0.1:{self.redis_port}/0'

    @property
    def web_urls(self) -> list[str]:
        """The base URLs of the two web servers."""
        return [f'http://127.0.0.1:{port}' for port in self.web_ports]

    def environment(self, **extra) -> dict:
        """Return the environment of every production process: the venv first on PATH, production settings."""
        env = {
            key: value
            for key, value in os.environ.items()
            if not key.startswith(('EDX_EXAMS_', 'DJANGO_', 'PYTHON', 'VIRTUAL_ENV', 'CELERY_'))
        }
        env.update(
            PATH=f'{self.bin_dir}{os.pathsep}{env.get("PATH", "")}',
            VIRTUAL_ENV=str(self.bin_dir.parent),
            DJANGO_SETTINGS_MODULE=processes.SETTINGS_MODULE,
            EDX_EXAMS_CFG=str(self.config_file),
            PYTHONUNBUFFERED='1',
        )
        env.update(extra)
        return env

    def run(self, command, *, env: dict | None = None, capture: bool = False) -> str:
        """Run a one-shot command from the repository root; raise with its output if it fails."""
        result = subprocess.run(  # noqa: S603 - fixed commands
            list(command), cwd=REPO_ROOT, env=env or self.environment(), capture_output=True, text=True, check=False
        )
        if result.returncode != 0:
            raise RuntimeError(f'{" ".join(command)} failed ({result.returncode}):\n{result.stdout}{result.stderr}')
        return result.stdout if capture else ''

    # --- Redis and the database ------------------------------------------------------------------
    def start_redis(self):
        """Start (or restart, keeping its append-only file) this run's Redis server."""
        data_dir = self.temp_dir / 'redis'
        data_dir.mkdir(exist_ok=True)
        server = shutil.which('redis-server')
        if server is None:
            raise RuntimeError('redis-server is not installed (CI installs it: .ci/run)')
        command = [server, '--port', str(self.redis_port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'yes']
        command += ['--dir', str(data_dir), '--logfile', str(data_dir / 'redis.log')]
        self.redis_process = subprocess.Popen(command, start_new_session=True)  # noqa: S603 - fixed arguments
        client = redis.Redis(port=self.redis_port, socket_connect_timeout=1)
        wait_until('Redis answers', client.ping, timeout=20)

    def stop_redis(self):
        """Stop this run's Redis server (it writes its append-only file first)."""
        if self.redis_process and self.redis_process.poll() is None:
            self.redis_process.terminate()
            self.redis_process.wait(timeout=20)
        self.redis_process = None

    def sql(self, statement: str, *args, database: str | None = None) -> list[tuple]:
        """Run one SQL statement on this run's database (or the server) and return its rows."""
        connection = MySQLdb.connect(**self.db, database=database or '', connect_timeout=5, autocommit=True)
        try:
            cursor = connection.cursor()
            cursor.execute(statement, args or None)
            return list(cursor.fetchall())
        finally:
            connection.close()

    def create_database(self):
        """Create this run's empty database."""
        self.sql(f'CREATE DATABASE `{self.database}` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci')
        self.database_created = True

    # --- configuration ---------------------------------------------------------------------------
    def write_config(self):
        """Generate the secrets and keys with the guide's commands and write the YAML configuration."""
        build_env = self.environment(DJANGO_SETTINGS_MODULE='edx_exams.settings.build')
        exams_url = self.web_urls[0]
        signing = yaml.safe_load(
            self.run(
                ('python', 'manage.py', 'generate_signing_keys', '--issuer', exams_url), env=build_env, capture=True
            )
        )['TOKEN_SIGNING']
        jwt_secret, secret_key, lti_secret = (self.run(SECRET_COMMAND, capture=True).strip() for _ in range(3))
        self.jwt_issuer = {'ISSUER': 'https://lms.smoke.invalid/oauth2', 'AUDIENCE': 'smoke', 'SECRET_KEY': jwt_secret}
        self.token_signing = signing
        config = {
            'SECRET_KEY': secret_key,
            'ALLOWED_HOSTS': ['127.0.0.1', 'localhost'],
            'DATABASES': {
                'default': {
                    'ENGINE': 'django.db.backends.mysql',
                    'NAME': self.database,
                    'USER': self.db['user'],
                    'PASSWORD': self.db['password'],
                    'HOST': self.db['host'],
                    'PORT': str(self.db['port']),
                    'ATOMIC_REQUESTS': False,
                    'CONN_MAX_AGE': 60,
                    'OPTIONS': {'charset': 'utf8mb4', 'isolation_level': 'read committed'},
                }
            },
            'JWT_AUTH': {
                'JWT_ISSUERS': [self.jwt_issuer],
                'JWT_ISSUER': self.jwt_issuer['ISSUER'],
                'JWT_AUDIENCE': self.jwt_issuer['AUDIENCE'],
                'JWT_SECRET_KEY': jwt_secret,
            },
            'TOKEN_SIGNING': signing,
            'LTI_KEY_ENCRYPTION_SECRET': lti_secret,
            'CELERY_BROKER_URL': self.redis_url,
            'EVENT_BUS_REDIS_CONNECTION_URL': self.redis_url,
            'EVENT_BUS_TOPIC_PREFIX': self.topic_prefix,
            'EXAMS_BASE_URL': exams_url,
            'LMS_ROOT_URL': 'https://lms.smoke.invalid',
            'CORS_ALLOWED_ORIGINS': ['https://learning.smoke.invalid'],
            'STATIC_ROOT': str(self.temp_dir / 'static'),
            'CELERY_BEAT_SCHEDULE_FILENAME': str(self.temp_dir / 'state' / 'celerybeat-schedule'),
            'EMAIL_BACKEND': 'django.core.mail.backends.console.EmailBackend',
            # Quick sweeps so the test takes seconds, not minutes.
            'EXAM_ATTEMPT_EXPIRY_GRACE_SECONDS': 1,
            'EVENT_OUTBOX_RETRY_BASE_SECONDS': 1,
            'EVENT_OUTBOX_RETRY_MAX_SECONDS': SWEEP_SECONDS,
            'CELERY_BEAT_SCHEDULE': {
                'expire-overdue-attempts': {
                    'task': 'edx_exams.apps.core.tasks.expire_overdue_attempts',
                    'schedule': SWEEP_SECONDS,
                },
                'retry-unsent-events': {
                    'task': 'edx_exams.apps.events.tasks.retry_unsent_events',
                    'schedule': SWEEP_SECONDS,
                },
            },
        }
        (self.temp_dir / 'state').mkdir()
        self.config_file.write_text(yaml.safe_dump(config, sort_keys=False))

    # --- processes -------------------------------------------------------------------------------
    def start(self, name: str, command, **extra_env):
        """Start a long-running process in its own process group, output to a log file."""
        log = self.temp_dir / f'{name}.log'
        with log.open('ab') as output:
            popen = subprocess.Popen(  # noqa: S603 - commands from edx_exams.processes
                list(command),
                cwd=REPO_ROOT,
                env=self.environment(**extra_env),
                stdout=output,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        self.started.append(Started(name, popen, log, tuple(command), extra_env))

    def start_services(self):
        """Start two web servers, two workers, one beat and the role event consumer."""
        for number, port in enumerate(self.web_ports, 1):
            self.start(f'web{number}', processes.WEB, GUNICORN_BIND=f'127.0.0.1:{port}', GUNICORN_WORKERS='2')
        self.start('worker1', processes.WORKER)
        self.start('worker2', processes.WORKER)
        self.start('beat', processes.BEAT)
        self.start('consumer', processes.CONSUMER)
        for url in self.web_urls:
            wait_until(f'{url}/health/ answers', lambda url=url: http_status(f'{url}/health/') == 200, timeout=60)
        self.check_alive()

    def restart_if_exited(self, name: str) -> int | None:
        """Restart process `name` as a supervisor would if it has exited; return its exit status, else None."""
        (process,) = [process for process in self.started if process.name == name]
        status = process.popen.poll()
        if status is not None:
            self.started.remove(process)
            self.start(name, process.command, **process.extra_env)
        return status

    def check_alive(self):
        """Raise if a started process has exited."""
        dead = [process for process in self.started if process.popen.poll() is not None]
        if dead:
            raise RuntimeError('exited: ' + ', '.join(f'{p.name} ({p.popen.returncode})' for p in dead))

    def stop(self):
        """Stop every process, Redis, drop the database, remove the temporary directory."""
        for process in self.started:
            signal_group(process.popen, signal.SIGTERM)
        deadline = time.monotonic() + 20
        for process in self.started:
            try:
                process.popen.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                signal_group(process.popen, signal.SIGKILL)
                process.popen.wait()
            signal_group(process.popen, signal.SIGKILL)  # a child the leader left behind
        self.stop_redis()
        if self.database_created:
            self.sql(f'DROP DATABASE IF EXISTS `{self.database}`')
        shutil.rmtree(self.temp_dir, ignore_errors=True)

    def print_logs(self, lines: int = 40):
        """Print the end of every process log (on failure)."""
        for process in self.started:
            if process.log.exists():
                tail = process.log.read_text(errors='replace').splitlines()[-lines:]
                print(f'--- last {len(tail)} lines of {process.name} ---', *tail, sep='\n', file=sys.stderr)


def signal_group(popen: subprocess.Popen, signum: int):
    """Send `signum` to the process group this test started `popen` in, if it still exists."""
    try:
        os.killpg(popen.pid, signum)
    except ProcessLookupError:
        pass


def wait_until(what: str, condition, *, timeout: float, interval: float = 0.5):
    """Poll `condition` until it returns a true value and return that, or raise after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            value = condition()
        except (OSError, redis.RedisError):
            value = None
        if value:
            return value
        if time.monotonic() > deadline:
            raise TimeoutError(f'timed out after {timeout}s waiting until {what}')
        time.sleep(interval)


def http_status(url: str) -> int:
    """Return the HTTP status of a GET of `url`."""
    try:
        with urllib.request.urlopen(url, timeout=5) as response:  # noqa: S310 - local URLs
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


def json_dumps(value) -> bytes:
    """Encode a request body."""
    return json.dumps(value).encode()

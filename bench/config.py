"""
An operator's production configuration for the benchmark: a YAML file with freshly generated secrets.

Nothing here reuses a development secret: the LMS JWT issuer secret, Django's SECRET_KEY and the
RSA key pair that signs exam access tokens are generated for every run, the way an operator would
generate them for a new deployment.
"""

import json
import os
import secrets
from dataclasses import dataclass, field
from pathlib import Path

import yaml
from cryptography.hazmat.primitives.asymmetric import rsa
from jwt.algorithms import RSAAlgorithm

JWT_ISSUER = 'https://lms.bench.invalid/oauth2'
JWT_AUDIENCE = 'bench-lms-audience'
SERVICE_URL_HOST = '127.0.0.1'


@dataclass
class BenchDatabase:
    """Where the service under test keeps its data: a SQLite file or a MariaDB database of its own."""

    vendor: str  # 'sqlite' or 'mysql'
    name: str  # SQLite: the file path; MariaDB: the database name
    host: str = '127.0.0.1'
    port: str = '3306'
    user: str = 'root'
    password: str = ''

    def environment(self) -> dict:
        """
        Return the environment variables production settings read the database from.

        For SQLite, production is still given a MariaDB database (never connected to) so that it
        loads as it would for an operator; bench/sqlite_settings.py then swaps in the SQLite file.
        """
        if self.vendor == 'sqlite':
            return {
                'DJANGO_SETTINGS_MODULE': 'bench.sqlite_settings',
                'BENCH_SQLITE_PATH': self.name,
                'EDX_EXAMS_DATABASE_HOST': self.host,
                'EDX_EXAMS_DATABASE_NAME': 'edx_exams_bench_unused',
            }
        return {
            'EDX_EXAMS_DATABASE_HOST': self.host,
            'EDX_EXAMS_DATABASE_PORT': self.port,
            'EDX_EXAMS_DATABASE_NAME': self.name,
            'EDX_EXAMS_DATABASE_USER': self.user,
            'EDX_EXAMS_DATABASE_PASSWORD': self.password,
        }


@dataclass
class BenchConfig:
    """The generated secrets and the YAML settings file of one benchmark run."""

    database: BenchDatabase
    workdir: Path
    port: int
    # gunicorn's worker model: 'sync' (one request at a time, no keep-alive) or 'gthread' with `threads`.
    worker_class: str = 'sync'
    threads: int = 1
    run_id: str = field(default_factory=lambda: secrets.token_hex(4))
    jwt_secret: str = field(default_factory=lambda: secrets.token_urlsafe(48))
    secret_key: str = field(default_factory=lambda: secrets.token_urlsafe(50))
    lti_key_secret: str = field(default_factory=lambda: secrets.token_urlsafe(50))

    @property
    def path(self) -> Path:
        """The YAML file named by EDX_EXAMS_CFG."""
        return self.workdir / 'edx_exams.yml'

    @property
    def base_url(self) -> str:
        """The service's address."""
        return f'http://{SERVICE_URL_HOST}:{self.port}'

    @property
    def redis_prefix(self) -> str:
        """The prefix of every Redis name this run may create (Celery queue, event streams)."""
        return f'edx-exams-bench-{self.run_id}'

    def settings(self) -> dict:
        """Return the settings the YAML file holds."""
        private_jwk, public_jwks = generate_token_signing_keys()
        values = {
            'SECRET_KEY': self.secret_key,
            'LTI_KEY_ENCRYPTION_SECRET': self.lti_key_secret,
            'ALLOWED_HOSTS': [SERVICE_URL_HOST, 'localhost'],
            'EXAMS_BASE_URL': self.base_url,
            'JWT_AUTH': {
                'JWT_ISSUER': JWT_ISSUER,
                'JWT_AUDIENCE': JWT_AUDIENCE,
                'JWT_SECRET_KEY': self.jwt_secret,
                'JWT_ISSUERS': [{'ISSUER': JWT_ISSUER, 'AUDIENCE': JWT_AUDIENCE, 'SECRET_KEY': self.jwt_secret}],
            },
            'TOKEN_SIGNING': {
                'JWT_ISSUER': self.base_url,
                'JWT_SIGNING_ALGORITHM': 'RS512',
                'JWT_SUPPORTED_VERSION': '1.2.0',
                'JWT_PRIVATE_SIGNING_JWK': private_jwk,
                'JWT_PUBLIC_SIGNING_JWK_SET': public_jwks,
            },
            # Tasks and events go to names of this run only: the Redis server may be shared.
            'CELERY_TASK_DEFAULT_QUEUE': f'{self.redis_prefix}.default',
            'EVENT_BUS_TOPIC_PREFIX': self.redis_prefix,
            'STATIC_ROOT': str(self.workdir / 'static'),
        }
        return values

    def write(self) -> Path:
        """Write the YAML file (readable by its owner only) and return its path."""
        self.workdir.mkdir(parents=True, exist_ok=True)
        self.path.write_text(yaml.safe_dump(self.settings(), sort_keys=True), encoding='utf-8')
        self.path.chmod(0o600)
        return self.path

    def environment(self) -> dict:
        """Return the environment of every process that runs the service with this configuration."""
        env = {key: value for key, value in os.environ.items() if not key.startswith('EDX_EXAMS_')}
        env.pop('DJANGO_SETTINGS_MODULE', None)
        env.update(DJANGO_SETTINGS_MODULE='edx_exams.settings.production', EDX_EXAMS_CFG=str(self.path))
        env.update(self.database.environment())
        return env


def generate_token_signing_keys() -> tuple[str, str]:
    """Return a new RSA private JWK and the public JWK set the LMS would hold, both as JSON text."""
    private_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    kid = secrets.token_hex(8)
    private_jwk = {**json.loads(RSAAlgorithm.to_jwk(private_key)), 'kid': kid, 'key_ops': ['sign']}
    public_jwk = {**json.loads(RSAAlgorithm.to_jwk(private_key.public_key())), 'kid': kid, 'key_ops': ['verify']}
    return json.dumps(private_jwk), json.dumps({'keys': [public_jwk]})


def sqlite_database(path: str) -> dict:
    """
    Django's settings for a SQLite file shared by several gunicorn workers.

    With Django's defaults, a transaction starts as a reader and fails at once with "database is
    locked" when it tries to write while the other worker writes: a burst of concurrent starts got
    HTTP 500 for half its requests. IMMEDIATE transactions wait for the write lock instead (up to
    `timeout` seconds), and WAL lets readers go on while one worker writes.
    """
    return {
        'ENGINE': 'django.db.backends.sqlite3',
        'NAME': path,
        # As production does for MariaDB (settings/production.py): one connection per worker, kept.
        'CONN_MAX_AGE': 300,
        'CONN_HEALTH_CHECKS': True,
        'OPTIONS': {
            'transaction_mode': 'IMMEDIATE',
            'timeout': 20,
            'init_command': 'PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;',
        },
    }

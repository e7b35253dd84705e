"""
The service under test, run as production runs it: migrations, then gunicorn with 2 sync workers.

Also creates and drops the benchmark's own MariaDB database, reads the peak memory of the
gunicorn workers from /proc and removes the Redis names of the run.
"""

import http.client
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

from bench.config import BenchConfig, BenchDatabase

REPO_ROOT = Path(__file__).resolve().parent.parent
GUNICORN_WORKERS = 2


def create_database(database: BenchDatabase):
    """Create an empty MariaDB database (dropping a leftover of an interrupted run); nothing for SQLite."""
    if database.vendor == 'mysql':
        _mysql(database, f'DROP DATABASE IF EXISTS `{database.name}`')
        _mysql(database, f'CREATE DATABASE `{database.name}` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci')


def drop_database(database: BenchDatabase):
    """Drop the benchmark's MariaDB database; the SQLite file goes with the work directory."""
    if database.vendor == 'mysql':
        _mysql(database, f'DROP DATABASE IF EXISTS `{database.name}`')


def _mysql(database: BenchDatabase, statement: str):
    import MySQLdb

    connection = MySQLdb.connect(
        host=database.host, port=int(database.port), user=database.user, password=database.password
    )
    try:
        connection.cursor().execute(statement)
    finally:
        connection.close()


def manage(config: BenchConfig, *arguments: str, stdin: str | None = None) -> str:
    """Run a manage.py command (or `-m module`) with the benchmark's production settings; return its output."""
    command = [sys.executable, *arguments] if arguments[0] == '-m' else [sys.executable, 'manage.py', *arguments]
    result = subprocess.run(  # noqa: S603 - our own command line
        command, cwd=REPO_ROOT, env=config.environment(), input=stdin, capture_output=True, text=True, check=False
    )
    if result.returncode:
        raise RuntimeError(f'{" ".join(arguments)} failed:\n{result.stdout}\n{result.stderr}')
    return result.stdout


def free_port() -> int:
    """A TCP port nobody listens on now."""
    with socket.socket() as probe:
        probe.bind(('127.0.0.1', 0))
        return probe.getsockname()[1]


class Gunicorn:
    """gunicorn serving the WSGI application: 2 sync workers, --preload, production settings."""

    def __init__(self, config: BenchConfig):
        self.config = config
        self.log_path = config.workdir / 'gunicorn.log'
        self.process = None

    def command(self) -> list[str]:
        """The gunicorn command line."""
        return [
            str(Path(sys.executable).parent / 'gunicorn'),
            f'--workers={GUNICORN_WORKERS}',
            f'--worker-class={self.config.worker_class}',
            f'--threads={self.config.threads}',
            '--preload',
            f'--bind=127.0.0.1:{self.config.port}',
            '--timeout=60',
            'edx_exams.wsgi:application',
        ]

    def start(self, *, wait_seconds: float = 60):
        """Start gunicorn and wait until /health/ answers 200 and every worker is up."""
        with open(self.log_path, 'ab') as log:
            self.process = subprocess.Popen(  # noqa: S603 - our own command line
                self.command(), cwd=REPO_ROOT, env=self.config.environment(), stdout=log, stderr=log
            )
        deadline = time.monotonic() + wait_seconds
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f'gunicorn exited with {self.process.returncode}; see {self.log_path}')
            if self._healthy() and len(self.worker_pids()) == GUNICORN_WORKERS:
                return
            time.sleep(0.2)
        raise RuntimeError(f'gunicorn did not become healthy in {wait_seconds} s; see {self.log_path}')

    def _healthy(self) -> bool:
        connection = http.client.HTTPConnection('127.0.0.1', self.config.port, timeout=2)
        try:
            connection.request('GET', '/health/')
            return connection.getresponse().status == 200
        except OSError:
            return False
        finally:
            connection.close()

    def stop(self):
        """Stop gunicorn gracefully (SIGTERM to the master), killing it if it lingers."""
        if self.process is None or self.process.poll() is not None:
            return
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()

    def log_excerpt(self, lines: int = 40) -> str:
        """The last error lines of gunicorn's log (tracebacks of failed requests)."""
        text = self.log_path.read_text(errors='replace').splitlines()
        errors = [line for line in text if 'Error' in line or 'Exception' in line or 'error' in line]
        return '\n'.join(errors[-lines:])

    def worker_pids(self) -> list[int]:
        """The pids of the master's worker processes."""
        children = Path(f'/proc/{self.process.pid}/task/{self.process.pid}/children')
        try:
            return [int(pid) for pid in children.read_text().split()]
        except OSError:
            return []

    def peak_memory_mb(self) -> float:
        """The largest peak resident set (VmHWM) of the workers, in MiB."""
        return max((_vm_hwm_kb(pid) for pid in self.worker_pids()), default=0) / 1024

    def reset_peak_memory(self) -> bool:
        """Reset the workers' VmHWM to their current RSS (clear_refs 5); False where the kernel refuses."""
        try:
            for pid in self.worker_pids():
                Path(f'/proc/{pid}/clear_refs').write_text('5')
        except OSError:
            return False
        return True


def _vm_hwm_kb(pid: int) -> int:
    try:
        for line in Path(f'/proc/{pid}/status').read_text().splitlines():
            if line.startswith('VmHWM:'):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


def remove_redis_names(prefix: str, url: str = 'redis://127.0.0.1:6379/0') -> int:
    """Delete the Redis keys the run created (its Celery queue, its event streams); 0 when Redis is down."""
    try:
        import redis

        client = redis.Redis.from_url(url, socket_timeout=5)
        names = list(client.scan_iter(match=f'{prefix}*', count=1000))
        return client.delete(*names) if names else 0
    except Exception:  # noqa: BLE001 - cleaning up is best effort
        return 0


def machine_description() -> dict:
    """The machine and software the figures were taken on."""
    import django
    import gunicorn

    return {
        'cpus': os.cpu_count(),
        'memory_gib': round(os.sysconf('SC_PAGE_SIZE') * os.sysconf('SC_PHYS_PAGES') / 2**30, 1),
        'load_average': ' '.join(f'{value:.2f}' for value in os.getloadavg()),
        'kernel': os.uname().release,
        'python': sys.version.split()[0],
        'django': django.get_version(),
        'gunicorn': gunicorn.__version__,
        'wrk': _command_output(['wrk', '-v']).split('\n')[0],
        'mariadb': _mariadb_version(),
    }


def _command_output(command: list[str]) -> str:
    try:
        result = subprocess.run(command, capture_output=True, text=True, check=False, timeout=10)  # noqa: S603
    except OSError:
        return 'not installed'
    return (result.stdout or result.stderr).strip()


def _mariadb_version() -> str:
    try:
        import MySQLdb

        connection = MySQLdb.connect(host='127.0.0.1', user='root', password='')
        cursor = connection.cursor()
        cursor.execute('SELECT VERSION()')
        version = cursor.fetchone()[0]
        connection.close()
        return version
    except Exception:  # noqa: BLE001 - only a description
        return 'not reachable'

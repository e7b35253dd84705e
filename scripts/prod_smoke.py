"""
`make prod.smoke`: run edx-exams as production runs it, from requirements/production.txt alone, and check it.

1. Builds (or reuses) a virtualenv holding requirements/production.txt and nothing else, under
   .venv-prod/<hash of the requirement files and the Python version>, then re-runs itself in it.
2. Starts a Redis server of its own on a free port (broker and event bus), creates a MariaDB/MySQL
   database of its own, generates every secret and the access-token key pair, and writes the YAML
   configuration production settings read (EDX_EXAMS_CFG).
3. Imports every entry point, migrates, collects static files, then starts two gunicorn servers
   (two free ports, as two hosts behind a balancer), two Celery workers, one Celery beat and the
   LMS role event consumer with the commands of edx_exams/processes.py, which the Dockerfile and
   docker-compose.yml also run.
4. Over HTTP, alternating between the two servers: Studio publishes a course, a learner creates,
   starts and submits an attempt, a second learner's attempt is expired by the beat sweep, and both
   `submitted` events are read back from the Redis stream; static files, /health/ and the readiness
   check answer; with Redis stopped the API still answers, readiness reports the broker down and a
   new event waits in the outbox until Redis is back, then is delivered.
5. Stops everything it started and removes the database and its temporary directory, on success,
   failure or Ctrl-C.

Database server: EDX_EXAMS_SMOKE_DB_HOST / _PORT / _USER / _PASSWORD (127.0.0.1, 3306, root, empty).
Exit status 0 when every check passes.
"""

import hashlib
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
REQUIREMENT_FILES = ('requirements/production.txt', 'requirements/constraints.txt')
VENV_ROOT = REPO_ROOT / '.venv-prod'
IN_VENV_FLAG = '--in-production-venv'


def production_venv_path() -> Path:
    """Return the virtualenv directory for the current requirement files and Python version."""
    digest = hashlib.sha256(sys.version.encode())
    for name in REQUIREMENT_FILES:
        digest.update((REPO_ROOT / name).read_bytes())
    return VENV_ROOT / digest.hexdigest()[:16]


def ensure_production_venv() -> Path:
    """Create the virtualenv from production.txt unless a complete one exists; drop outdated ones."""
    venv = production_venv_path()
    if not (venv / '.complete').exists():
        print(f'=== building {venv.relative_to(REPO_ROOT)} from requirements/production.txt', flush=True)
        shutil.rmtree(venv, ignore_errors=True)
        subprocess.run([sys.executable, '-m', 'venv', str(venv)], check=True)  # noqa: S603
        pip = [str(venv / 'bin' / 'python'), '-m', 'pip', 'install', '-q', '--disable-pip-version-check']
        subprocess.run([*pip, '-r', str(REPO_ROOT / 'requirements/production.txt')], check=True)  # noqa: S603
        (venv / '.complete').touch()
    for old in VENV_ROOT.iterdir():
        if old.is_dir() and old != venv:
            shutil.rmtree(old, ignore_errors=True)
    return venv


def run_in_venv(python: Path) -> int:
    """Run the checks with the venv's Python and return their exit status, letting them clean up on a signal."""
    child = subprocess.Popen([str(python), __file__, IN_VENV_FLAG])  # noqa: S603
    # Ctrl-C reaches the child too (same process group): it stops what it started, this process waits.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    for signum in (signal.SIGTERM, signal.SIGHUP):
        signal.signal(signum, lambda number, _frame: child.send_signal(number))
    return child.wait()


def main() -> int:
    """Build the virtualenv, then run the smoke test inside it."""
    started = time.monotonic()
    if IN_VENV_FLAG not in sys.argv:
        venv = ensure_production_venv()
        status = run_in_venv(venv / 'bin' / 'python')
        print(f'=== make prod.smoke took {time.monotonic() - started:.0f}s', flush=True)
        return status
    sys.path.insert(0, str(REPO_ROOT))
    from scripts.prod_smoke_checks import run_smoke_test

    return run_smoke_test(Path(sys.executable).parent)


if __name__ == '__main__':
    sys.exit(main())

"""`make run.full` (scripts/run_full.sh): refusing a busy port before it starts anything."""

import os
import shutil
import socket
import subprocess
import time
from pathlib import Path

SCRIPT = Path(__file__).resolve().parents[4] / 'scripts' / 'run_full.sh'


def test_a_port_already_in_use_stops_run_full_before_anything_starts(tmp_path):
    with socket.socket() as busy:
        busy.bind(('127.0.0.1', 0))
        busy.listen()
        port = busy.getsockname()[1]
        env = {
            **os.environ,
            'PORT': str(port),
            # Nothing may be touched: a database and a Redis that do not exist.
            'EDX_EXAMS_DATABASE_PORT': '1',
            'EDX_EXAMS_REDIS_URL': 'redis://127.0.0.1:1/0',
            'TMPDIR': str(tmp_path),
        }
        started = time.monotonic()
        result = subprocess.run(  # noqa: S603
            [shutil.which('bash'), str(SCRIPT)], env=env, capture_output=True, text=True, timeout=60, check=False
        )

    assert result.returncode != 0
    output = result.stdout + result.stderr
    assert f'127.0.0.1:{port} is already in use' in output
    assert 'migrating' not in output
    assert time.monotonic() - started < 30
    assert list(tmp_path.iterdir()) == []  # no state directory left behind

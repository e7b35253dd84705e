"""Drive load with wrk (Debian's `wrk` package) and read the figures its Lua script prints."""

import json
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

LUA_SCRIPT = Path(__file__).resolve().parent / 'jwt_rotation.lua'
RESULT_PREFIX = 'BENCH_JSON '


@dataclass(frozen=True)
class LoadResult:
    """What wrk measured for one endpoint."""

    requests: int
    seconds: float
    p50_ms: float
    p95_ms: float
    p99_ms: float
    failures: int  # non-2xx/3xx answers, socket errors and timeouts

    @property
    def requests_per_second(self) -> float:
        """Completed requests per second."""
        return self.requests / self.seconds if self.seconds else 0.0


def wrk_binary() -> str:
    """The path of wrk; a clear error when it is missing."""
    path = shutil.which('wrk')
    if path is None:
        raise SystemExit('wrk is not installed: apt-get install -y wrk')
    return path


def wrk_command(url: str, tokens_file: Path, *, seconds: int, connections: int, threads: int = 2) -> list[str]:
    """The wrk command line for `url`, every request with the next JWT of `tokens_file`."""
    return [
        wrk_binary(),
        f'-t{threads}',
        f'-c{connections}',
        f'-d{seconds}s',
        '--timeout',
        '30s',
        '-s',
        str(LUA_SCRIPT),
        url,
        '--',
        str(tokens_file),
    ]


def run_wrk(url: str, tokens_file: Path, *, seconds: int, connections: int, threads: int = 2) -> LoadResult:
    """Run wrk against `url` and return its figures."""
    command = wrk_command(url, tokens_file, seconds=seconds, connections=connections, threads=threads)
    completed = subprocess.run(command, check=True, capture_output=True, text=True, timeout=seconds + 120)  # noqa: S603
    output = completed.stdout
    return parse_wrk_output(output)


def parse_wrk_output(output: str) -> LoadResult:
    """Read the BENCH_JSON line of the Lua script's `done` hook."""
    for line in output.splitlines():
        if line.startswith(RESULT_PREFIX):
            figures = json.loads(line.removeprefix(RESULT_PREFIX))
            break
    else:
        raise RuntimeError(f'wrk printed no figures:\n{output}')
    failures = sum(figures[key] for key in ('non_2xx_3xx', 'connect_errors', 'read_errors', 'write_errors', 'timeouts'))
    return LoadResult(
        requests=figures['requests'],
        seconds=figures['duration_us'] / 1e6,
        p50_ms=figures['p50_us'] / 1000,
        p95_ms=figures['p95_us'] / 1000,
        p99_ms=figures['p99_us'] / 1000,
        failures=failures,
    )

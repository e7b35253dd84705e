"""
CPU time per request of the hot endpoints, in process, with an optional profile.

Where the time of a request goes, measured without a load tool: each request runs through the WSGI
handler gunicorn calls (every middleware, JWT authentication, view, renderer), every one with the
next learner's JWT, and the process's CPU time is divided by the number of requests. CPU time does
not grow when other programs share the machine, so two versions of the code can be compared on a
busy machine, which wall-clock figures under wrk cannot. ``make bench`` remains the measure of
record.

Run it on the work directory a benchmark run kept (``python -m bench.run --keep-logs``)::

    python -m bench.profile /tmp/edx-exams-bench-sqlite-XXXX [--requests 2000] [--profile poll]
"""

import argparse
import cProfile
import io
import os
import pstats
import sys
import time
from pathlib import Path


def configure(workdir: Path):
    """Point Django at the kept run's production settings and database (the SQLite file, else MariaDB)."""
    from bench.config import BenchDatabase
    from bench.run import MYSQL_DATABASE

    database = workdir / 'bench.sqlite3'
    bench_database = (
        BenchDatabase('sqlite', str(database)) if database.exists() else BenchDatabase('mysql', MYSQL_DATABASE)
    )
    os.environ.update(
        DJANGO_SETTINGS_MODULE='edx_exams.settings.production', EDX_EXAMS_CFG=str(workdir / 'edx_exams.yml')
    )
    os.environ.update(bench_database.environment())


def environ(path: str, token: str) -> dict:
    """The WSGI environment of a GET request as gunicorn builds it."""
    route, _, query = path.partition('?')
    return {
        'REQUEST_METHOD': 'GET',
        'PATH_INFO': route,
        'QUERY_STRING': query,
        'SERVER_NAME': '127.0.0.1',
        'SERVER_PORT': '8000',
        'HTTP_HOST': '127.0.0.1',
        'HTTP_AUTHORIZATION': f'JWT {token}',
        'wsgi.url_scheme': 'http',
        'wsgi.input': io.BytesIO(b''),
        'wsgi.errors': sys.stderr,
        'SERVER_PROTOCOL': 'HTTP/1.1',
    }


def run(application, path: str, tokens: list[str], count: int) -> float:
    """Send `count` GETs of `path`, rotating the tokens; return CPU milliseconds per request."""
    statuses = set()

    def start_response(status, headers, exc_info=None):
        statuses.add(status)

    started = time.process_time()
    for number in range(count):
        body = application(environ(path, tokens[number % len(tokens)]), start_response)
        b''.join(body)
        if hasattr(body, 'close'):
            body.close()
    elapsed = time.process_time() - started
    if statuses != {'200 OK'}:
        raise RuntimeError(f'{path}: answers {sorted(statuses)}')
    return 1000 * elapsed / count


def main(argv=None):
    """Print CPU ms per request of each hot path, and a profile of one if asked."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument('workdir', type=Path)
    parser.add_argument('--requests', type=int, default=2000)
    parser.add_argument('--profile', help='the name of one path to profile (poll, exam with attempt, access token)')
    parser.add_argument('--sort', default='tottime')
    arguments = parser.parse_args(argv)
    configure(arguments.workdir)

    import django

    django.setup()
    from django.core.handlers.wsgi import WSGIHandler

    from bench import seed

    tokens = (arguments.workdir / 'learners.jwt').read_text().split()
    application = WSGIHandler()
    exam_id, content_id = _first_exam()
    paths = seed.hot_paths(seed.COURSE_ID, content_id, exam_id)
    for name, path in paths.items():
        run(application, path, tokens, min(200, len(tokens)))  # warm: every learner has logged in once
        cpu_ms = run(application, path, tokens, arguments.requests)
        calls = python_calls(application, path, tokens)
        print(f'{name:20} {cpu_ms:7.2f} CPU ms/request {calls:9,.0f} Python calls/request')
    if arguments.profile:
        profiler = cProfile.Profile()
        profiler.enable()
        run(application, paths[arguments.profile], tokens, arguments.requests)
        profiler.disable()
        pstats.Stats(profiler).sort_stats(arguments.sort).print_stats(40)


def python_calls(application, path: str, tokens: list[str], count: int = 100) -> float:
    """Return the Python function calls per request: a measure of work that does not vary with the machine's load."""
    profiler = cProfile.Profile()
    profiler.enable()
    run(application, path, tokens, count)
    profiler.disable()
    return pstats.Stats(profiler).total_calls / count


def _first_exam() -> tuple[int, str]:
    from django.db import connection

    from bench import seed

    content_id = seed.content_id(seed.COURSE_ID, 0)
    with connection.cursor() as cursor:
        cursor.execute('SELECT id FROM core_exam WHERE content_id = %s AND is_active', [content_id])
        return cursor.fetchone()[0], content_id


if __name__ == '__main__':
    main()

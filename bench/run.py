"""
`make bench`: the service under gunicorn with production settings, seeded over HTTP, loaded with wrk.

    .venv/bin/python -m bench.run [--db sqlite|mysql|both] [--seconds 20] [--learners 2000] [--exams 200]

For each database it writes a production YAML configuration with generated secrets, migrates a
database of its own (a temporary SQLite file, or MariaDB `edx_exams_bench`), starts gunicorn
(2 sync workers, --preload, DEBUG off), publishes the course's exams as Studio does, has every
learner start the same exam at once as the learner library does, then drives each endpoint with
wrk (every request a different learner's JWT), counts SQL statements per request in process and
reads the workers' peak memory. It prints one table and removes everything it created.
"""

import argparse
import json
import os
import shutil
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from bench import seed
from bench.config import JWT_AUDIENCE, JWT_ISSUER, BenchConfig, BenchDatabase
from bench.service import (
    Gunicorn,
    create_database,
    drop_database,
    free_port,
    machine_description,
    manage,
    remove_redis_names,
)
from bench.wrk import run_wrk, wrk_binary, wrk_command

MYSQL_DATABASE = 'edx_exams_bench'
LOAD_CONNECTIONS = 32
LIST_CONNECTIONS = 2  # the list is a staff page: one request per worker gives its service time
UNCHANGED_PUBLISHES = 5
SINGLE_STARTS = 100  # learners who create and start an attempt one request at a time


@dataclass
class Row:
    """One line of the table."""

    endpoint: str
    requests_per_second: float | None = None
    p50_ms: float | None = None
    p95_ms: float | None = None
    p99_ms: float | None = None
    failures: int | None = None
    queries: int | None = None
    writes: int | None = None
    body_bytes: int | None = None
    peak_mb: float | None = None
    load_average: float = field(default_factory=lambda: os.getloadavg()[0])
    note: str = ''


def parse_arguments(argv=None):
    """The command line."""
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    parser.add_argument('--db', choices=('sqlite', 'mysql', 'both'), default='both')
    parser.add_argument('--seconds', type=int, default=20, help='wrk duration per endpoint (default 20)')
    parser.add_argument('--learners', type=int, default=2000)
    parser.add_argument('--exams', type=int, default=200)
    parser.add_argument('--connections', type=int, default=LOAD_CONNECTIONS)
    parser.add_argument('--worker-class', choices=('sync', 'gthread'), default='sync', help="gunicorn's (default sync)")
    parser.add_argument('--threads', type=int, default=1, help='threads per gthread worker (default 1)')
    parser.add_argument('--json', type=Path, help='also write the figures to this JSON file')
    parser.add_argument('--keep-logs', action='store_true', help="keep each run's work directory (gunicorn.log)")
    return parser.parse_args(argv)


def main(argv=None):
    """Run the benchmark on the chosen databases and print the table."""
    arguments = parse_arguments(argv)
    wrk_binary()
    vendors = ('sqlite', 'mysql') if arguments.db == 'both' else (arguments.db,)
    machine = machine_description()
    results, failed = {}, []
    for vendor in vendors:
        try:
            results[vendor] = run_on(vendor, arguments)
        except Exception as error:  # noqa: BLE001 - one database failing still reports the other
            _say(f'{vendor}: the benchmark failed: {error}')
            failed.append(vendor)
    if results:
        print_report(machine, arguments, results)
    if arguments.json:
        rows = {vendor: [row.__dict__ for row in rows] for vendor, rows in results.items()}
        arguments.json.write_text(json.dumps({'machine': machine, 'rows': rows}, indent=2))
    if failed:
        raise SystemExit(f'failed on: {", ".join(failed)}')


def run_on(vendor: str, arguments) -> list[Row]:
    """Set up, seed, load and tear down the service on one database."""
    workdir = Path(tempfile.mkdtemp(prefix=f'edx-exams-bench-{vendor}-'))
    database = BenchDatabase('sqlite', str(workdir / 'bench.sqlite3'))
    if vendor == 'mysql':
        database = BenchDatabase('mysql', MYSQL_DATABASE)
    config = BenchConfig(
        database=database,
        workdir=workdir,
        port=free_port(),
        worker_class=arguments.worker_class,
        threads=arguments.threads,
    )
    server = Gunicorn(config)
    try:
        config.write()
        create_database(database)
        _say(f'{vendor}: migrating')
        manage(config, 'migrate', '--noinput')
        server.start()
        return measure(config, server, arguments)
    finally:
        clean_up(server, config)
        if arguments.keep_logs:
            _say(f'{vendor}: kept {workdir} (the configuration in it holds secrets)')
        else:
            shutil.rmtree(workdir, ignore_errors=True)


def clean_up(server: Gunicorn, config: BenchConfig):
    """Stop gunicorn, drop the database and the run's Redis keys; a failure here must not hide the first one."""
    server.stop()
    try:
        drop_database(config.database)
    except Exception as error:  # noqa: BLE001 - reported, and the run's own error still surfaces
        _say(f'could not drop the benchmark database {config.database.name}: {error}')
    remove_redis_names(config.redis_prefix)


@dataclass(frozen=True)
class Load:
    """One endpoint driven by wrk: its URL path, the JWTs its requests carry and how many connections."""

    name: str
    path: str
    tokens_file: Path
    connections: int
    as_staff: bool = False


@dataclass
class Seeded:
    """What seeding left behind: the tokens, the exam every learner started and the Studio list."""

    staff: str
    learners: list[str]
    exam_id: int
    exam_content_id: str
    payload: list[dict]


def measure(config: BenchConfig, server: Gunicorn, arguments) -> list[Row]:
    """Seed over HTTP, then load every endpoint; return the rows of the table."""
    http = seed.HttpTransport(config.base_url)
    issuer = seed.JwtIssuer(JWT_ISSUER, JWT_AUDIENCE, config.jwt_secret)
    rows, seeded = seed_service(config, server, http, issuer, arguments)
    loads = load_plan(config, seeded, arguments)
    for load in loads:
        _say(f'{config.database.vendor}: wrk {arguments.seconds} s on {load.name}')
        server.reset_peak_memory()
        result = run_wrk(
            config.base_url + load.path, load.tokens_file, seconds=arguments.seconds, connections=load.connections
        )
        rows.append(load_row(load.name, result, server.peak_memory_mb()))
    add_query_counts(config, rows, query_requests(rows, issuer, seeded, loads))
    return rows


def load_row(name: str, result, peak_mb: float) -> Row:
    """The row of one wrk run; no latencies when not one request completed within the run."""
    if not result.requests:
        return Row(name, 0, failures=result.failures, peak_mb=peak_mb, note='no request completed within the run')
    return Row(
        name, result.requests_per_second, result.p50_ms, result.p95_ms, result.p99_ms, result.failures, peak_mb=peak_mb
    )


def seed_service(config: BenchConfig, server: Gunicorn, http, issuer, arguments) -> tuple[list[Row], Seeded]:
    """Publish the exams as Studio, then every learner starts the first exam at once; time both."""
    vendor, course = config.database.vendor, seed.COURSE_ID
    staff = issuer.service_user_token()
    payload = seed.studio_payload(course, arguments.exams)
    _say(f'{vendor}: publishing {arguments.exams} exams as Studio')
    server.reset_peak_memory()
    first = seed.publish(http, staff, course, payload)
    unchanged = [seed.publish(http, staff, course, payload) for _ in range(UNCHANGED_PUBLISHES)]
    exam_content_id = seed.content_id(course, 0)
    exam_id = seed.active_exams(http, staff, course)[exam_content_id]
    publish_peak = server.peak_memory_mb()

    _say(f'{vendor}: {arguments.learners} learners start exam {exam_id} at once')
    learners = issuer.learner_tokens(arguments.learners)
    server.reset_peak_memory()
    starts = seed.start_burst(http, learners, exam_id, concurrency=arguments.connections)
    if starts.failures:
        _say(f'{vendor}: {starts.failures} starts failed (statuses {sorted(set(starts.statuses))})')
        _say(server.log_excerpt())
    # A learner whose start failed clicks again, one at a time: the load needs every learner's attempt.
    failed = [token for token, status in zip(learners, starts.statuses, strict=True) if status != 200]
    retried = seed.start_burst(http, failed, exam_id, concurrency=1)
    if failed:
        _say(f'{vendor}: retried {len(failed)} failed starts one at a time: {retried.failures} failed again')
    started = [token for token, status in zip(learners, starts.statuses, strict=True) if status == 200]
    started += [token for token, status in zip(failed, retried.statuses, strict=True) if status == 200]
    if not started:
        raise RuntimeError('no learner could start the exam')
    one_at_a_time = single_starts(http, issuer, seed.active_exams(http, staff, course), arguments)
    rows = [
        Row(f'publish {arguments.exams} exams, first', p50_ms=1000 * first.seconds, peak_mb=publish_peak),
        Row(f'publish {arguments.exams} exams, unchanged', p50_ms=1000 * seed.median_seconds(unchanged)),
        burst_row(
            f'{arguments.learners} learners create+start at once',
            starts,
            note=f'{starts.server_errors} answers 5xx, {starts.failures} not 200 '
            f'(statuses {sorted(set(starts.statuses))}); {len(starts.statuses)} starts took '
            f'{starts.wall_seconds:.1f} s; {len(failed)} retried one at a time, {retried.failures} failed again',
            peak_mb=server.peak_memory_mb(),
        ),
        burst_row(f'{len(one_at_a_time.statuses)} learners create+start one at a time', one_at_a_time),
    ]
    return rows, Seeded(staff, started, exam_id, exam_content_id, payload)


def burst_row(name: str, report: seed.BurstReport, **extra) -> Row:
    """The row of a burst of requests: their rate over the burst's wall time, latency percentiles, failures."""
    return Row(
        name,
        requests_per_second=len(report.statuses) / report.wall_seconds,
        p50_ms=report.percentile_ms(50),
        p95_ms=report.percentile_ms(95),
        p99_ms=report.percentile_ms(99),
        failures=report.failures,
        **extra,
    )


def single_starts(http, issuer, exam_ids: dict[str, int], arguments) -> seed.BurstReport:
    """
    New learners, one request at a time, each start the second exam: the latency of one create+start.

    They are numbered after the learners of the burst and take another exam, so the burst's exam
    and its attempt list keep exactly `--learners` attempts.
    """
    exam_id = exam_ids[seed.content_id(seed.COURSE_ID, 1)]
    tokens = [issuer.learner_token(arguments.learners + number) for number in range(SINGLE_STARTS)]
    return seed.start_burst(http, tokens, exam_id, concurrency=1)


def load_plan(config: BenchConfig, seeded: Seeded, arguments) -> list[Load]:
    """The endpoints wrk drives: the learner hot paths with every learner's JWT, the list as staff."""
    tokens_file, staff_file = config.workdir / 'learners.jwt', config.workdir / 'staff.jwt'
    tokens_file.write_text('\n'.join(seeded.learners) + '\n')
    staff_file.write_text(seeded.staff + '\n')
    course = seed.COURSE_ID
    loads = [
        Load(name, path, tokens_file, arguments.connections)
        for name, path in seed.hot_paths(course, seeded.exam_content_id, seeded.exam_id).items()
    ]
    list_path = seed.attempts_list_path(course, seeded.exam_id)
    loads.append(Load(f'attempts list, {len(seeded.learners)} rows', list_path, staff_file, LIST_CONNECTIONS, True))
    return loads


def query_requests(rows: list[Row], issuer, seeded: Seeded, loads: list[Load]) -> list[dict]:
    """The requests bench/queries.py counts: one per row, the same as the measured ones."""
    fresh_course = 'course-v1:BenchX+Queries+2026'
    fresh_payload = seed.studio_payload(fresh_course, len(seeded.payload))
    publish_path = seed.course_exams_path(fresh_course)
    newcomer = issuer.token(username='bench_newcomer', lms_user_id=seed.FIRST_LEARNER_LMS_USER_ID - 1)
    start_body = {'exam_id': seeded.exam_id, 'start_clock': 'true', 'attempt_proctored': 'false'}
    requests = [
        {
            'name': rows[0].endpoint,
            'method': 'PATCH',
            'path': publish_path,
            'token': seeded.staff,
            'body': fresh_payload,
        },
        {
            'name': rows[1].endpoint,
            'method': 'PATCH',
            'path': publish_path,
            'token': seeded.staff,
            'body': fresh_payload,
        },
        {
            'name': rows[2].endpoint,
            'method': 'POST',
            'path': '/api/v1/exams/attempt',
            'token': newcomer,
            'body': start_body,
        },
        {
            'name': rows[3].endpoint,
            'method': 'POST',
            'path': '/api/v1/exams/attempt',
            'token': issuer.token(username='bench_newcomer_2', lms_user_id=seed.FIRST_LEARNER_LMS_USER_ID - 2),
            'body': start_body,
        },
    ]
    learner = seeded.learners[0]
    requests += [
        {'name': load.name, 'path': load.path, 'warm': True, 'token': seeded.staff if load.as_staff else learner}
        for load in loads
    ]
    return requests


def add_query_counts(config: BenchConfig, rows: list[Row], requests: list[dict]):
    """Count SQL statements and body bytes per request in process (bench/queries.py) and fill them in."""
    counts = json.loads(manage(config, '-m', 'bench.queries', stdin=json.dumps(requests)))
    for row in rows:
        row.queries = counts[row.endpoint]['queries']
        row.writes = counts[row.endpoint]['writes']
        row.body_bytes = counts[row.endpoint]['bytes']


LEGEND = """\
publish rows: the time of one request in the p50 column. failed: answers other than 200 (the start
burst) or than 2xx/3xx (wrk), and socket errors. SQL/req, writes (INSERT, UPDATE, DELETE) and body B:
counted in process (CaptureQueriesContext around one warm request through the whole Django stack).
MiB/worker: the largest gunicorn worker's peak resident memory (VmHWM). load: the machine's 1-minute
load average after the row was measured ({cpus} CPUs); above the CPU count the figures are not comparable."""

COLUMNS = (
    'endpoint',
    'req/s',
    'p50 ms',
    'p95 ms',
    'p99 ms',
    'failed',
    'SQL/req',
    'writes',
    'body B',
    'MiB/worker',
    'load',
)


def format_table(results: dict[str, list[Row]]) -> str:
    """The figures as one reStructuredText grid table, one section per database."""
    lines = []
    for vendor, rows in results.items():
        for row in rows:
            lines.append(
                (
                    f'{vendor}: {row.endpoint}',
                    _number(row.requests_per_second, 0),
                    _number(row.p50_ms, 1),
                    _number(row.p95_ms, 1),
                    _number(row.p99_ms, 1),
                    _number(row.failures, 0),
                    _number(row.queries, 0),
                    _number(row.writes, 0),
                    _number(row.body_bytes, 0),
                    _number(row.peak_mb, 1),
                    _number(row.load_average, 1),
                )
            )
    widths = [max(len(column), *(len(line[i]) for line in lines)) for i, column in enumerate(COLUMNS)]
    rule = '  '.join('=' * width for width in widths)

    def render(cells):
        return '  '.join(
            cell.ljust(width) if i == 0 else cell.rjust(width)
            for i, (cell, width) in enumerate(zip(cells, widths, strict=True))
        )

    return '\n'.join([rule, render(COLUMNS), rule, *(render(line) for line in lines), rule])


def _number(value, decimals: int) -> str:
    return '-' if value is None else f'{value:,.{decimals}f}'


def print_report(machine: dict, arguments, results: dict[str, list[Row]]):
    """Print the machine, the command and the table."""
    print()
    print('Machine: ' + ', '.join(f'{key} {value}' for key, value in machine.items()))
    sample = wrk_command('URL', Path('TOKENS'), seconds=arguments.seconds, connections=arguments.connections)
    print(
        f'Load: {" ".join(Path(sample[0]).name if i == 0 else part for i, part in enumerate(sample))}'
        f' ({LIST_CONNECTIONS} connections for the attempts list)'
    )
    print(
        f'Server: gunicorn --workers=2 --worker-class={arguments.worker_class} --threads={arguments.threads} --preload'
    )
    print(f'Command: python -m bench.run {" ".join(sys.argv[1:])}'.rstrip())
    print()
    print(format_table(results))
    print()
    for vendor, rows in results.items():
        for row in rows:
            if row.note:
                print(f'{vendor}: {row.endpoint}: {row.note}')
    print(LEGEND.format(cpus=os.cpu_count()))


def _say(message: str):
    print(f'[{time.strftime("%H:%M:%S")}] {message}', file=sys.stderr, flush=True)


if __name__ == '__main__':
    main()

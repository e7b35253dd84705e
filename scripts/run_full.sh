#!/usr/bin/env bash
# `make run.full`: the `make run` demo, run the way production runs it.
#
# MariaDB/MySQL on 127.0.0.1:3306 (database edx_exams, created if missing), Redis on 127.0.0.1:6379 as the
# Celery broker and the event bus (topic prefix "dev"), and four processes started here and stopped together
# on Ctrl-C (or when any of them dies): the web server on localhost:$PORT, a Celery worker, Celery beat, and the
# consumer of the LMS course role events. Settings: edx_exams/settings/full.py.
set -euo pipefail
cd "$(dirname "$0")/.."

BIN=.venv/bin
PORT=${PORT:-18740}
export EDX_EXAMS_PORT=$PORT  # settings/local.py builds its URLs on http://localhost:$PORT
export DJANGO_SETTINGS_MODULE=edx_exams.settings.full
export PYTHONUNBUFFERED=1
DB_HOST=${EDX_EXAMS_DATABASE_HOST:-127.0.0.1}
DB_PORT=${EDX_EXAMS_DATABASE_PORT:-3306}
DB_NAME=${EDX_EXAMS_DATABASE_NAME:-edx_exams}
REDIS_URL=${EDX_EXAMS_REDIS_URL:-redis://127.0.0.1:6379/0}
TOPIC_PREFIX=${EDX_EXAMS_EVENT_BUS_TOPIC_PREFIX:-dev}
STATE_DIR=''

log() { printf '\n=== %s\n' "$*"; }

check_port() {  # before anything starts: a busy port would only show up among the other processes' logs
  "$BIN/python" - "$PORT" <<'EOF'
import socket, sys
port = int(sys.argv[1])
with socket.socket() as sock:
    try:
        sock.bind(('127.0.0.1', port))
    except OSError as error:
        sys.exit(f'127.0.0.1:{port} is already in use ({error.strerror}); stop what listens there or run PORT=<port> make run.full')
EOF
}

check_services() {
  "$BIN/python" - "$DB_HOST" "$DB_PORT" "$DB_NAME" "$REDIS_URL" <<'EOF'
import os, sys
import MySQLdb, redis
host, port, name, redis_url = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4]
try:
    redis.Redis.from_url(redis_url, socket_connect_timeout=2).ping()
except redis.RedisError as error:
    sys.exit(f'Redis is not reachable at {redis_url}: {error}')
try:
    connection = MySQLdb.connect(
        host=host, port=port, user=os.environ.get('EDX_EXAMS_DATABASE_USER', 'root'),
        password=os.environ.get('EDX_EXAMS_DATABASE_PASSWORD', ''), connect_timeout=5,
    )
except MySQLdb.Error as error:
    sys.exit(f'MariaDB/MySQL is not reachable at {host}:{port}: {error}')
connection.cursor().execute(
    f'CREATE DATABASE IF NOT EXISTS `{name}` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci'
)
print(f'MariaDB {host}:{port} database {name} ready; Redis {redis_url} ready')
EOF
}

PIDS=()
declare -A NAMES=()
stop_all() {
  trap - INT TERM HUP EXIT
  log 'stopping'
  for pid in "${PIDS[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  for pid in "${PIDS[@]}"; do wait "$pid" 2>/dev/null || true; done
  if [[ -n $STATE_DIR ]]; then rm -rf "$STATE_DIR"; fi
  echo 'all stopped'
}

start() {  # start NAME COMMAND...: run in the background, each output line prefixed with NAME
  local name=$1; shift
  "$@" > >(sed -u "s/^/[$name] /") 2>&1 &
  PIDS+=("$!")
  NAMES[$!]=$name
}

log "checking port $PORT, MariaDB and Redis"
check_port
check_services
log 'migrating'
"$BIN/python" manage.py migrate --noinput -v 0
log 'loading the demo data'
"$BIN/python" manage.py load_demo_data
for user in demo_learner demo_course_staff edx_exams_worker; do
  echo ""; echo "JWT for $user:"; "$BIN/python" manage.py dev_jwt "$user"
done

trap stop_all INT TERM HUP EXIT
STATE_DIR=$(mktemp -d -t edx-exams-run-full.XXXXXX)
log "starting web (http://localhost:$PORT), worker, beat and the role event consumer; Ctrl-C stops them all"
start web "$BIN/python" manage.py runserver "localhost:$PORT" --noreload
start worker "$BIN/celery" -A edx_exams worker --loglevel INFO --concurrency 2 --without-gossip --without-mingle
start beat "$BIN/celery" -A edx_exams beat --loglevel INFO --schedule "$STATE_DIR/celerybeat-schedule"
start roles "$BIN/python" manage.py consume_events -t learning-course-access-role-lifecycle -g edx_exams_dev \
  --extra '{"consumer_name": "run-full", "check_backlog": true}'  # resume after the last delivered event
echo "Events: redis-cli XRANGE $TOPIC_PREFIX-learning-exam-attempt-lifecycle - +    Check: $BIN/python scripts/check_run_full.py"
# Stop everything as soon as one process exits, and exit with its status: a process that failed on its
# own (a crash, a port taken meanwhile) fails `make run.full`. Ctrl-C reaches the processes too; Celery
# then exits with 0, or the trap above runs first and `wait` returns 130.
status=0
exited=''
wait -n -p exited "${PIDS[@]}" || status=$?
if [[ -n $exited && $status -ne 0 ]]; then
  echo "${NAMES[$exited]} exited with status $status; stopping the others" >&2
elif [[ -n $exited ]]; then
  echo "${NAMES[$exited]} stopped; stopping the others"
fi
exit "$status"

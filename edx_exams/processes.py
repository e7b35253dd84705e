"""
The commands that run edx-exams in production, defined once.

The container image (Dockerfile), docker-compose.yml, the operator guide
(docs/operations/running.rst) and `make prod.smoke` (scripts/prod_smoke.py) run exactly these
argument lists; edx_exams/tests/test_processes.py fails when the Dockerfile or docker-compose.yml
drifts from them. This module imports nothing: the smoke test reads it before any dependency is
installed.

Every command runs from the repository root (the image's working directory) with the virtualenv's
bin directory first on PATH and this environment:

- DJANGO_SETTINGS_MODULE=edx_exams.settings.production
- EDX_EXAMS_CFG: the YAML configuration file (docs/operations/configuration.rst)
- GUNICORN_BIND: the address gunicorn listens on, e.g. 0.0.0.0:18740 (web only; the other GUNICORN_*
  variables of edx_exams/gunicorn.conf.py are optional)
"""

SETTINGS_MODULE = 'edx_exams.settings.production'
# Studio, the LMS and the MFEs reach the web process here unless GUNICORN_BIND says otherwise.
DEFAULT_WEB_PORT = 18740
DEFAULT_WEB_BIND = f'0.0.0.0:{DEFAULT_WEB_PORT}'
# The LMS course role events the consumer applies, and its group and consumer name on the bus. With
# check_backlog a restarted consumer resumes after the group's last delivered event; without it, it
# starts at the end of the stream and silently skips every event sent while it was down.
ROLE_EVENTS_TOPIC = 'learning-course-access-role-lifecycle'
ROLE_EVENTS_GROUP = 'edx_exams'

MIGRATE = ('python', 'manage.py', 'migrate', '--noinput')
COLLECTSTATIC = ('python', 'manage.py', 'collectstatic', '--noinput')
# No control socket: it lives in the user's home by default, where two servers on one host collide.
WEB = ('gunicorn', '--config', 'edx_exams/gunicorn.conf.py', '--no-control-socket', 'edx_exams.wsgi:application')
WORKER = ('celery', '--app', 'edx_exams', 'worker', '--loglevel', 'INFO', '--without-gossip', '--without-mingle')
BEAT = ('celery', '--app', 'edx_exams', 'beat', '--loglevel', 'INFO')
CONSUMER = (
    'python',
    'manage.py',
    'consume_events',
    '--topic',
    ROLE_EVENTS_TOPIC,
    '--group_id',
    ROLE_EVENTS_GROUP,
    '--extra',
    '{"consumer_name": "edx_exams-1", "check_backlog": true}',
)

# The container health check of a web host: GET /health/ on the port of GUNICORN_BIND, Host: localhost.
HEALTHCHECK = ('python', 'scripts/healthcheck.py')

# The long-running processes by role, as docker-compose.yml names its services.
SERVICES = {'web': WEB, 'worker': WORKER, 'beat': BEAT, 'consumer': CONSUMER}
# The one-shot step every deployment runs before starting new code.
ONE_SHOT = {'migrate': MIGRATE}

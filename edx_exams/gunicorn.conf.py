"""
gunicorn configuration of edx-exams: `gunicorn -c edx_exams/gunicorn.conf.py`.

Every value can be changed through the environment (GUNICORN_BIND, GUNICORN_WORKERS, ...).
The access log goes to stdout, one line a request, ending with the request id the
service echoes in `X-Request-ID`, so an access line matches the application's log
lines of the same request (`[request_id=...]`).
"""

import os

wsgi_app = 'edx_exams.wsgi:application'
bind = os.environ.get('GUNICORN_BIND', '0.0.0.0:18740')
workers = int(os.environ.get('GUNICORN_WORKERS', '2'))
threads = int(os.environ.get('GUNICORN_THREADS', '1'))
timeout = int(os.environ.get('GUNICORN_TIMEOUT', '60'))
graceful_timeout = int(os.environ.get('GUNICORN_GRACEFUL_TIMEOUT', '30'))
keepalive = int(os.environ.get('GUNICORN_KEEPALIVE', '5'))
# Behind a load balancer: trust its X-Forwarded-* headers (set FORWARDED_ALLOW_IPS to restrict).
forwarded_allow_ips = os.environ.get('FORWARDED_ALLOW_IPS', '*')

accesslog = os.environ.get('GUNICORN_ACCESSLOG', '-')
errorlog = os.environ.get('GUNICORN_ERRORLOG', '-')
loglevel = os.environ.get('GUNICORN_LOGLEVEL', 'info')
# remote address, request line, status, bytes, duration in microseconds, user agent, request id.
access_log_format = '%(h)s "%(r)s" %(s)s %(B)s %(D)sus "%(a)s" request_id=%({x-request-id}o)s'

"""Helpers used only while settings load."""

import os

TEXT_LOG_FORMAT = (
    '%(asctime)s %(levelname)s %(process)d [%(name)s] [request_id=%(request_id)s] [user_id=%(userid)s] '
    '[ip=%(remoteip)s] %(filename)s:%(lineno)d - %(message)s'
)
LOG_FORMATS = ('text', 'json')


def get_logger_config(*, level: str = 'INFO', log_format: str = 'text') -> dict:
    """
    Return a LOGGING dict writing to stderr with the request id, user id and remote ip on every line.

    `log_format` is `text` (key=value lines) or `json` (one JSON object a line, for log shippers).
    """
    if log_format not in LOG_FORMATS:
        raise ValueError(f'LOG_FORMAT must be one of {", ".join(LOG_FORMATS)}, not {log_format!r}.')
    formatter = (
        {'()': 'edx_exams.log_formatting.JsonFormatter'} if log_format == 'json' else {'format': TEXT_LOG_FORMAT}
    )
    return {
        'version': 1,
        'disable_existing_loggers': False,
        'formatters': {'standard': formatter},
        'filters': {
            'request_id': {'()': 'edx_exams.request_id.RequestIdFilter'},
            'userid': {'()': 'edx_django_utils.logging.UserIdFilter'},
            'remoteip': {'()': 'edx_django_utils.logging.RemoteIpFilter'},
        },
        'handlers': {
            'console': {
                'class': 'logging.StreamHandler',
                'formatter': 'standard',
                'filters': ['request_id', 'userid', 'remoteip'],
            },
        },
        'loggers': {
            'django': {'handlers': ['console'], 'level': 'INFO', 'propagate': False},
            'django.request': {'handlers': ['console'], 'level': 'WARNING', 'propagate': False},
            'celery': {'handlers': ['console'], 'level': 'INFO', 'propagate': False},
            '': {'handlers': ['console'], 'level': level},
        },
    }


def env_bool(name: str, default: bool = False) -> bool:
    """Read a boolean from the environment ('1', 'true', 'yes', 'on' are true)."""
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {'1', 'true', 'yes', 'on'}

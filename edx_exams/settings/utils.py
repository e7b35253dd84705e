"""Helpers used only while settings load."""

import os

LOG_FORMAT = (
    '%(asctime)s %(levelname)s %(process)d [%(name)s] [user_id=%(userid)s] [ip=%(remoteip)s] '
    '%(filename)s:%(lineno)d - %(message)s'
)


def get_logger_config(*, level: str = 'INFO') -> dict:
    """Return a LOGGING dict that writes key=value lines with the user id and remote ip to stderr."""
    return {
        'version': 1,
        'disable_existing_loggers': False,
        'formatters': {'standard': {'format': LOG_FORMAT}},
        'filters': {
            'userid': {'()': 'edx_exams.log_filters.LoadedUserIdFilter'},
            'remoteip': {'()': 'edx_django_utils.logging.RemoteIpFilter'},
        },
        'handlers': {
            'console': {
                'class': 'logging.StreamHandler',
                'formatter': 'standard',
                'filters': ['userid', 'remoteip'],
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

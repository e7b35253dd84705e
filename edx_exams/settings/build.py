"""
Settings for `manage.py collectstatic` while the container image is built.

The build has no configuration file and no secrets, and needs none: collecting static files reads
only the installed apps and writes STATIC_ROOT with production's storage (hashed, compressed names),
so the image serves exactly what `collectstatic` under production settings would have written.
Never serve requests with these settings.
"""

from edx_exams.settings.base import *  # noqa: F403

STORAGES = PRODUCTION_STORAGES

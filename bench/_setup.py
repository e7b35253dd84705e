"""Django set-up for the benchmark scripts: test settings, a migrated database."""

import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault('DJANGO_SETTINGS_MODULE', 'edx_exams.settings.test')


def setup_django(*, migrate: bool = True):
    """Configure Django and create the test database (kept in memory on SQLite)."""
    import django
    from django.test.utils import setup_test_environment

    django.setup()
    setup_test_environment()
    if migrate:
        from django.db import connection

        connection.creation.create_test_db(verbosity=0, keepdb=False)

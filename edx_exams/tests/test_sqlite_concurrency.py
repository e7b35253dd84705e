"""
The embedded SQLite database of `make run` holds concurrent writers.

The learner library sends the `click_download_software` update and navigates to
the LTI launch at the same moment: two requests read, then write, the same
attempt. With SQLite's default deferred transactions the second writer cannot
upgrade its read lock and fails at once with "database is locked" (a 500).
The settings open every transaction with BEGIN IMMEDIATE and wait up to the busy
timeout, in WAL mode so readers never wait for the writer.
"""

import threading
import time

import pytest
from django.db import connections, transaction

from edx_exams.settings import base

ALIAS = 'embedded_sqlite_under_test'
WRITERS = 6


@pytest.fixture
def embedded_database(tmp_path, django_db_blocker):
    """A file SQLite database configured exactly as settings/base.py configures `make run`'s."""
    database = {**base.DATABASES['default'], 'NAME': str(tmp_path / 'embedded.sqlite3')}
    connections.settings[ALIAS] = connections.configure_settings({'default': database})['default']
    with django_db_blocker.unblock():
        with connections[ALIAS].cursor() as cursor:
            cursor.execute('CREATE TABLE attempt (id INTEGER PRIMARY KEY, clicks INTEGER NOT NULL)')
            cursor.execute('INSERT INTO attempt (id, clicks) VALUES (1, 0)')
        connections[ALIAS].close()
        yield ALIAS
        connections[ALIAS].close()
    del connections.settings[ALIAS]


def _read_then_write(errors):
    """One request: read the attempt, then update it, in one transaction (as the attempt views do)."""
    try:
        with transaction.atomic(using=ALIAS), connections[ALIAS].cursor() as cursor:
            cursor.execute('SELECT clicks FROM attempt WHERE id = 1')
            clicks = cursor.fetchone()[0]
            time.sleep(0.05)  # the other request reads the same row meanwhile
            cursor.execute('UPDATE attempt SET clicks = %s WHERE id = 1', [clicks + 1])
    except Exception as error:  # noqa: BLE001 - collected and asserted on
        errors.append(error)
    finally:
        connections[ALIAS].close()


def test_concurrent_read_then_write_transactions_wait_instead_of_failing(embedded_database, django_db_blocker):
    errors = []
    with django_db_blocker.unblock():
        threads = [threading.Thread(target=_read_then_write, args=(errors,)) for _ in range(WRITERS)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        with connections[embedded_database].cursor() as cursor:
            cursor.execute('SELECT clicks FROM attempt WHERE id = 1')
            clicks = cursor.fetchone()[0]
            cursor.execute('PRAGMA journal_mode')
            journal_mode = cursor.fetchone()[0]
    assert errors == []
    assert clicks == WRITERS  # each writer saw the previous one's update: none lost
    assert journal_mode == 'wal'

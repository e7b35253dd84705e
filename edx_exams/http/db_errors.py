"""
Telling a database outage from other database errors, and recovering from it.

An unreachable server (refused or dropped connection, server gone away) raises
OperationalError or InterfaceError. Such a request is answered 503 (retry
later), not 500, and the broken connection is closed so that the next request
connects afresh: the process recovers without a restart.
"""

import logging

from django.db import InterfaceError, OperationalError, connections
from django.db.backends.base.base import BaseDatabaseWrapper

log = logging.getLogger(__name__)

# SQLite's answer when another writer holds the database past the busy timeout: retryable, like an outage.
SQLITE_BUSY_MESSAGES = ('database is locked', 'database table is locked')


def is_database_unavailable(error: BaseException | None) -> bool:
    """
    Return True if `error` means the database cannot be used right now (a retry later may succeed).

    InterfaceError always does; OperationalError does when a connection is now
    unusable (never opened, dropped, server gone away) or SQLite is busy. Other
    OperationalErrors (a bad query, say) are bugs and stay 500s.
    """
    if isinstance(error, InterfaceError):
        return True
    if not isinstance(error, OperationalError):
        return False
    if any(text in str(error).lower() for text in SQLITE_BUSY_MESSAGES):
        return True
    return any(_is_broken(connection) for connection in connections.all(initialized_only=True))


def close_broken_connections() -> None:
    """Close every connection that no longer works, so that the next query reconnects."""
    for connection in connections.all(initialized_only=True):
        if connection.connection is not None and _is_broken(connection):
            log.warning('Closing a broken database connection alias=%s', connection.alias)
            connection.close()


def _is_broken(connection: BaseDatabaseWrapper) -> bool:
    if connection.connection is None:
        return connection.vendor != 'sqlite'  # a server we could not connect to; SQLite opens lazily
    try:
        return not bool(connection.is_usable())
    except Exception:  # noqa: BLE001 - a ping that fails in any way means the connection is gone
        return True

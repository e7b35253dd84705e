"""
Logging filters that never touch the database.

edx-django-utils' UserIdFilter reads `request.user`, and a user Django has not
loaded yet is loaded then, from the session table. While the database is down
that raised inside the logging call itself, so even logging the outage failed
and the 503 became a 500. This filter names a user only if the request has
already loaded it.
"""

from logging import Filter

from crum import get_current_user
from django.utils.functional import LazyObject, empty


class LoadedUserIdFilter(Filter):
    """Add `userid` to the record: the current request's user id if already loaded, else None."""

    def filter(self, record):
        """Set record.userid without any query; always keep the record."""
        record.userid = loaded_user_id(get_current_user())
        return True


def loaded_user_id(user) -> int | None:
    """Return the primary key of `user`, or None when it is anonymous or still an unevaluated lazy object."""
    if user is None or (isinstance(user, LazyObject) and user._wrapped is empty):
        return None
    try:
        return user.pk
    except Exception:  # noqa: BLE001 - a log line must never fail because of its context
        return None

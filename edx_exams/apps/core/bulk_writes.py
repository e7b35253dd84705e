"""
Moving the clocks of many locked attempts at once, with their history rows, in a few statements.

Django's ``bulk_update`` (and simple-history's ``bulk_update_with_history`` on top of
it) builds a ``Case(When(pk=...))`` per row and field in Python and its history rows
one model instance at a time: 12 s for 5,000 attempts here. These functions let the
database do the per-row work instead:

- `add_to_deadlines` and `add_to_paused_time`: one ``UPDATE`` with ``col = col + x``
  for every attempt that gets the same amount (the usual case of an exam-wide extension);
- `set_deadlines`: one ``UPDATE ... CASE id WHEN ...`` per ROWS_PER_STATEMENT attempts
  whose new deadlines differ (capped by their due dates), values adapted by the model
  fields as the ORM does;
- `copy_to_history`: one ``INSERT INTO <history> SELECT ... FROM core_examattempt``
  per ROWS_PER_STATEMENT attempts, the history row simple-history would write after
  the change, stamped with the current audit context (`audit.bulk_history_kwargs`).

The callers hold the attempts' row locks (`locks` order) and run inside their transaction.
"""

from collections.abc import Iterator, Sequence
from datetime import datetime, timedelta
from typing import Any

from django.db import connection
from django.db.models import F

from edx_exams.apps.core import audit
from edx_exams.apps.core.models import ExamAttempt

# Attempts per statement: at most 5 parameters an attempt, under SQLite's 32,766 (3.32+) and MySQL's 65,535.
ROWS_PER_STATEMENT = 5000


def add_to_deadlines(ids: Sequence[int], *, seconds: float, minutes: int, now: datetime) -> None:
    """Move the deadline of running attempts `ids` `seconds` later and their allowed time `minutes` up."""
    for chunk in _chunks(ids):
        ExamAttempt.objects.filter(pk__in=chunk).update(
            expires_at=F('expires_at') + timedelta(seconds=seconds),
            allowed_time_limit_mins=F('allowed_time_limit_mins') + minutes,
            modified=now,
        )


def add_to_paused_time(ids: Sequence[int], *, seconds: float, minutes: int, now: datetime) -> None:
    """Give paused attempts `ids` `seconds` more on the time they have left, and `minutes` more allowed time."""
    for chunk in _chunks(ids):
        ExamAttempt.objects.filter(pk__in=chunk).update(
            paused_seconds_remaining=F('paused_seconds_remaining') + seconds,
            allowed_time_limit_mins=F('allowed_time_limit_mins') + minutes,
            modified=now,
        )


def set_deadlines(rows: Sequence[tuple[int, datetime, int | None]], *, now: datetime) -> None:
    """Set each `(attempt id, deadline, allowed minutes)` of `rows`: one CASE statement per chunk."""
    for start in range(0, len(rows), ROWS_PER_STATEMENT):
        _set_deadlines(rows[start : start + ROWS_PER_STATEMENT], now=now)


def copy_to_history(ids: Sequence[int], *, now: datetime) -> None:
    """Write one history row (`~`, at `now`, with the audit context) per attempt of `ids`, as it is now."""
    history = ExamAttempt.history.model
    stamp = audit.bulk_history_kwargs()
    user = stamp['default_user']
    values = {
        'history_date': now,
        'history_change_reason': stamp['default_change_reason'],
        'history_type': '~',
        'history_user_id': user.pk if user is not None else None,
        **stamp['custom_historical_attrs'],
    }
    tracked = [field.column for field in history.tracked_fields]
    quote = connection.ops.quote_name
    prepared = [history._meta.get_field(name).get_db_prep_value(value, connection) for name, value in values.items()]
    columns = ', '.join(quote(column) for column in [*tracked, *values])
    selected = ', '.join([*(quote(column) for column in tracked), *(['%s'] * len(values))])
    for chunk in _chunks(ids):
        sql = (  # quoted names and placeholders only; every value is a parameter
            f'INSERT INTO {quote(history._meta.db_table)} ({columns}) SELECT {selected} '  # noqa: S608
            f'FROM {quote(ExamAttempt._meta.db_table)} WHERE {quote("id")} IN ({", ".join(["%s"] * len(chunk))})'
        )
        with connection.cursor() as cursor:
            cursor.execute(sql, [*prepared, *chunk])


def _set_deadlines(rows: Sequence[tuple[int, datetime, int | None]], *, now: datetime) -> None:
    meta = ExamAttempt._meta
    quote = connection.ops.quote_name
    expires, modified = meta.get_field('expires_at'), meta.get_field('modified')
    whens = ' '.join(['WHEN %s THEN %s'] * len(rows))
    params: list[Any] = []
    for attempt_id, deadline, _ in rows:
        params += [attempt_id, expires.get_db_prep_value(deadline, connection)]
    for attempt_id, _, minutes in rows:
        params += [attempt_id, minutes]
    params.append(modified.get_db_prep_value(now, connection))
    params += [attempt_id for attempt_id, _, _ in rows]
    sql = (  # quoted names and placeholders only; every value is a parameter
        f'UPDATE {quote(meta.db_table)} SET '  # noqa: S608
        f'{quote("expires_at")} = CASE {quote("id")} {whens} END, '
        f'{quote("allowed_time_limit_mins")} = CASE {quote("id")} {whens} END, '
        f'{quote("modified")} = %s '
        f'WHERE {quote("id")} IN ({", ".join(["%s"] * len(rows))})'
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


def _chunks(ids: Sequence[int]) -> Iterator[Sequence[int]]:
    for start in range(0, len(ids), ROWS_PER_STATEMENT):
        yield ids[start : start + ROWS_PER_STATEMENT]

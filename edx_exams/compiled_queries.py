"""
Querysets compiled to SQL once per process, for the few reads every learner request makes.

Building and compiling a Django queryset costs more CPU than running it: on the learner's poll,
compiling two small queries took most of the request's time while the database answered in a
fraction of a millisecond. A ``CompiledQuery`` is written as an ordinary ``values()`` queryset; the
first call compiles it for the connection's database with marker values in place of its
parameters, remembers where the markers landed among the SQL parameters, and every later call
runs the same SQL text with the real values. The rows come back as dicts with Django's own
converters applied (aware datetimes, booleans, decimals), exactly as ``values()`` returns them.

Only the parameters named as markers change between calls; everything else in the queryset must
be fixed when the module is loaded (status lists, flags). The SQL runs through the connection's
cursor, so ``CaptureQueriesContext`` and the query-count tests see it like any other query.
"""

from collections.abc import Callable
from dataclasses import dataclass
from threading import Lock
from typing import Any

from django.db import DEFAULT_DB_ALIAS, connections
from django.db.models import QuerySet


@dataclass(frozen=True)
class _Compiled:
    sql: str
    params: tuple[Any, ...]
    slots: tuple[tuple[int, str], ...]  # (position among the parameters, marker name)
    columns: tuple[str, ...]
    converters: dict[int, tuple[list[Any], Any]]


class CompiledQuery:
    """
    A ``values()`` queryset compiled once per database vendor and run with new parameters.

    ``build`` receives one keyword argument per marker and returns the queryset; ``markers`` gives
    each parameter a value that cannot occur otherwise in the query (it is looked up among the
    compiled parameters, and must appear there at least once). A marker must be a valid value of
    its column on every database: the ORM drops a comparison with an integer out of the column's
    range (MySQL's INT is 32-bit) instead of compiling it, and compiling then fails loudly.
    """

    def __init__(self, build: Callable[..., QuerySet[Any]], **markers: Any) -> None:
        self._build = build
        self._markers = markers
        self._compiled: dict[str, _Compiled] = {}
        self._lock = Lock()

    def rows(self, using: str = DEFAULT_DB_ALIAS, **values: Any) -> list[dict[str, Any]]:
        """Run the query with `values` for its markers; return its rows as dicts."""
        connection = connections[using]
        compiled = self._compiled.get(connection.vendor) or self._compile(using)
        params = list(compiled.params)
        for position, name in compiled.slots:
            params[position] = values[name]
        with connection.cursor() as cursor:
            cursor.execute(compiled.sql, params)
            fetched = cursor.fetchall()
        return [self._convert(row, compiled, connection) for row in fetched]

    def first(self, using: str = DEFAULT_DB_ALIAS, **values: Any) -> dict[str, Any] | None:
        """Run the query and return its first row, or None."""
        rows = self.rows(using, **values)
        return rows[0] if rows else None

    def _compile(self, using: str) -> _Compiled:
        connection = connections[using]
        with self._lock:
            if connection.vendor not in self._compiled:
                self._compiled[connection.vendor] = self._compile_for(using)
        return self._compiled[connection.vendor]

    def _compile_for(self, using: str) -> _Compiled:
        queryset = self._build(**self._markers)
        query = queryset.query
        compiler = query.get_compiler(using=using)
        sql, params = compiler.as_sql()
        slots = tuple(
            (position, name)
            for position, param in enumerate(params)
            for name, marker in self._markers.items()
            if type(param) is type(marker) and param == marker
        )
        missing = set(self._markers) - {name for _, name in slots}
        if missing:
            raise ValueError(f'markers not found among the compiled parameters: {sorted(missing)}')
        columns = (*query.extra_select, *query.values_select, *query.annotation_select)
        if not query.values_select:
            raise ValueError('a CompiledQuery must be a values() queryset naming its fields')
        converters = compiler.get_converters([expression for expression, *_ in compiler.select])
        return _Compiled(sql, tuple(params), slots, columns, converters)

    @staticmethod
    def _convert(row: tuple[Any, ...], compiled: _Compiled, connection: Any) -> dict[str, Any]:
        values = list(row)
        for position, (functions, expression) in compiled.converters.items():
            value = values[position]
            for function in functions:
                value = function(value, expression, connection)
            values[position] = value
        return dict(zip(compiled.columns, values, strict=True))


def field_names(model: Any, prefix: str = '') -> list[str]:
    """Return the `values()` names of every column of `model`, behind `prefix` (``'exam__'``) for a related row."""
    return [f'{prefix}{field.attname}' for field in model._meta.concrete_fields]


def instance_from_row(model: Any, row: dict[str, Any], prefix: str = '', using: str = DEFAULT_DB_ALIAS) -> Any:
    """Return the `model` instance whose columns `row` holds under `prefix`, as if a queryset had loaded it."""
    names = [field.attname for field in model._meta.concrete_fields]
    return model.from_db(using, names, [row[f'{prefix}{name}'] for name in names])

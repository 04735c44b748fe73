"""Querysets whose SQL is built once per process, then run with new values.

Django builds a queryset's SQL afresh each time it is evaluated. For a query with many
subqueries (an article page's: five arrays and a story's neighbours) building it costs more
than PostgreSQL's planning and running it. ``Compiled`` builds the SQL of a queryset once per
database, with stand-in values for what changes from one call to the next, and afterwards
runs that SQL with the values it is given, turning the rows into model instances as the
queryset itself would: the same columns, the same converters, the objects of
``select_related`` and the annotations.

Only for querysets whose SQL depends on nothing but the stand-ins: a clock read in the
database (``Now()``) is fine; one read in Python, or a setting that may change, is not.
Each stand-in must be a value no other parameter of the query has (a string no slug could
be, say): it is found among the query's parameters by equality, and must be found.

``prepared`` runs a statement as a server-side **prepared statement**: PostgreSQL plans it
once per connection rather than on every run (an article page's query takes 1.4 ms to plan
and 0.3 ms to run). Django leaves them off so that transaction-mode connection poolers work;
they are used only here, for statements run on every uncached reader page, and only while
``DATABASE_PREPARED_STATEMENTS`` is on (the default; turn it off behind a pooler that does not
keep prepared statements, such as PgBouncer before 1.21). A statement with positional
parameters is numbered (``$1``, ``$2``…) once per process and sent as it is: psycopg otherwise
parses a statement's ``%s`` on every run, and remembers the parse only for statements shorter
than 4,096 characters (an article page's is 5,500).
"""

import functools
import re

import psycopg
from django.conf import settings
from django.db import connections, router
from django.db.models.query import get_related_populators

# Django's own cursors bind on the client's side and never prepare; with this threshold
# psycopg prepares only what is asked to be (``prepare=True``).
ONLY_WHEN_ASKED = 2**31


class _PreparingCursor(psycopg.Cursor):
    """Server-side binding, every statement prepared (psycopg keeps the connection's
    prepared statements, up to 100, and prepares each once)."""

    def execute(self, query, params=None, *, prepare=None, binary=None):
        return super().execute(query, params, prepare=True, binary=binary)


class _PreparingRawCursor(psycopg.RawCursor):
    """The same, for a statement already numbered (``$1``…): psycopg sends it as it is."""

    def execute(self, query, params=None, *, prepare=None, binary=None):
        return super().execute(query, params, prepare=True, binary=binary)


_PLACEHOLDER = re.compile(r"%(.)", re.DOTALL)


@functools.lru_cache(maxsize=64)
def numbered(sql: str) -> str | None:
    """``sql`` with its ``%s`` numbered ``$1``, ``$2``… and ``%%`` made ``%``; None when it
    holds any other ``%`` sequence (psycopg's own parsing then decides)."""
    count = 0

    def number(match):
        nonlocal count
        if match[1] == "%":
            return "%"
        count += 1
        return f"${count}"

    if any(match[1] not in "s%" for match in _PLACEHOLDER.finditer(sql)):
        return None
    return _PLACEHOLDER.sub(number, sql)


def prepared(connection, sql, params) -> list:
    """The rows of ``sql`` run on ``connection`` (a Django connection) with ``params``, as a
    prepared statement when ``DATABASE_PREPARED_STATEMENTS`` is on. Through Django's cursor
    wrapper all the same: errors become Django's, tests count the query, the deadline
    watchdog sees the wait."""
    if not settings.DATABASE_PREPARED_STATEMENTS:
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            return cursor.fetchall()
    connection.ensure_connection()
    connection.validate_thread_sharing()
    with connection.wrap_database_errors:
        if connection.connection.prepare_threshold is None:  # Django's: none prepared at all
            connection.connection.prepare_threshold = ONLY_WHEN_ASKED
        as_sent = numbered(sql) if isinstance(params, list | tuple) else None
        if as_sent is not None:
            sql, raw = as_sent, _PreparingRawCursor(connection.connection)
        else:
            raw = _PreparingCursor(connection.connection)
    if connection.queries_logged:
        cursor = connection.make_debug_cursor(raw)
    else:
        cursor = connection.make_cursor(raw)
    with cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


class Compiled:
    """``Compiled(build, slug="\\x00slug")(slug="a-slug")`` is ``list(build(slug="a-slug"))``,
    without building the SQL again. ``build`` takes the stand-ins as keyword arguments and
    returns a queryset of model instances (not ``values()``)."""

    def __init__(self, build, **stand_ins):
        self.build = build
        self.stand_ins = stand_ins
        self.model = None
        self._plans = {}  # database alias -> _Plan; a race only builds the same plan twice

    def __call__(self, **values) -> list:
        if values.keys() != self.stand_ins.keys():
            raise TypeError(f"expected values for {sorted(self.stand_ins)}, got {sorted(values)}")
        if self.model is None:
            self.model = self.build(**self.stand_ins).model
        alias = router.db_for_read(self.model)
        plan = self._plans.get(alias)
        if plan is None:
            plan = self._plans[alias] = _Plan(self.build(**self.stand_ins), alias, self.stand_ins)
        return plan.run(values)


class _Plan:
    def __init__(self, queryset, alias, stand_ins):
        compiler = queryset.query.get_compiler(using=alias)
        self.sql, params = compiler.as_sql()
        self.params = list(params)
        self.positions = {}
        for name, stand_in in stand_ins.items():
            found = [i for i, param in enumerate(self.params) if param == stand_in]
            if not found:
                raise ValueError(f"the stand-in for {name!r} is not among the query's parameters")
            self.positions[name] = found
        self.alias = alias
        select, klass_info = compiler.select, compiler.klass_info
        self.converters = list(
            compiler.get_converters([column[0] for column in select[: compiler.col_count]]).items()
        )
        fields = klass_info["select_fields"]
        self.start, self.end = fields[0], fields[-1] + 1
        self.init_list = [column[0].target.attname for column in select[self.start : self.end]]
        self.populators = get_related_populators(klass_info, select, alias)
        self.annotations = list(compiler.annotation_col_map.items())
        self.model = klass_info["model"]

    def run(self, values) -> list:
        params = list(self.params)
        for name, positions in self.positions.items():
            for position in positions:
                params[position] = values[name]
        connection = connections[self.alias]
        rows = prepared(connection, self.sql, params)
        objects = []
        for row in rows:
            row = list(row)
            for position, (converters, expression) in self.converters:
                value = row[position]
                for converter in converters:
                    value = converter(value, expression, connection)
                row[position] = value
            instance = self.model.from_db(self.alias, self.init_list, row[self.start : self.end])
            for populator in self.populators:
                populator.populate(row, instance)
            for name, position in self.annotations:
                setattr(instance, name, row[position])
            objects.append(instance)
        return objects

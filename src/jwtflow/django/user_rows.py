"""One user row by its id field in one hand-assembled SELECT: the query of every request.

Composing and compiling ``Model._default_manager.get(...)`` costs about ten times what running
its SQL does. :class:`UserRowQuery` assembles the SELECT once per database from the model's
concrete fields, prepares the id as the ORM's exact lookup would, passes every value read
through the converters the ORM applies, and builds the instance with ``Model.from_db`` (so
``post_init`` fires as usual). It is only used for a plain default manager (see
:func:`is_plain`): a manager that filters rows, joins or defers keeps the ORM's query, so no user
that manager hides is ever found.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, cast

from django.core.exceptions import ValidationError
from django.db import DataError, connections
from django.db.models import Field, Manager, Model, QuerySet

#: What a claim that does not fit the id field raises ("abc" for an integer, a malformed UUID,
#: an integer past the column's range): it identifies nobody, it is not a server error.
ILL_FITTING_ID = (ValueError, TypeError, OverflowError, ValidationError, DataError)
#: A converter as the ORM calls it: ``converter(value, expression, connection)``.
Converter = Callable[[Any, Any, Any], Any]


def is_plain(manager: Manager[Any]) -> bool:
    """Whether ``manager``'s queryset selects every row and every column of its model as is,
    from one table (not a child of multi-table inheritance, whose parent's columns need a join).
    """
    queryset = manager.all()
    query = queryset.query
    meta = queryset.model._meta
    return (
        type(queryset) is QuerySet
        and all(field.model._meta.db_table == meta.db_table for field in meta.concrete_fields)
        and not query.where
        and not query.select_related
        and not query.annotations
        and not query.extra
        and query.deferred_loading == (frozenset(), True)
        and not queryset._prefetch_related_lookups  # type: ignore[attr-defined]
    )


@dataclass(frozen=True)
class _Shape:
    """The parts of the SELECT that depend only on the model and the database."""

    field: Field[Any, Any]
    columns: str
    source: str
    select: str
    converters: tuple[tuple[tuple[Converter, ...], Any], ...]


class UserRowQuery:
    """Loads the user whose ``id_field`` equals a value, with an optional extra column."""

    def __init__(self, model: type[Model], id_field: str) -> None:
        self.model = model
        self.id_field = id_field
        self.fields = tuple(model._meta.concrete_fields)
        self.names = [field.attname for field in self.fields]
        self._shapes: dict[str, _Shape] = {}

    def fetch(
        self, using: str, user_id: object, column: tuple[str, Sequence[Any]] | None = None
    ) -> tuple[Model | None, Any]:
        """The user (or None) and the value of ``column`` (``(sql, params)``) for that row.

        None when no row or more than one row matches, or when ``user_id`` does not fit the
        id field (see :data:`ILL_FITTING_ID`).

        Raises:
            DatabaseError: the query failed.
        """
        connection = connections[using]
        shape = self._shapes.get(using) or self._shape(using)
        if column is None:
            sql, params = shape.select, []
        else:
            sql, params = f"SELECT {shape.columns}, ({column[0]}) {shape.source}", list(column[1])
        try:
            field = shape.field
            value = field.get_prep_value(user_id)
            value = field.get_db_prep_value(value, connection, prepared=True)
            with connection.cursor() as cursor:
                cursor.execute(sql, [*params, value])
                rows = cursor.fetchmany(2)
        except ILL_FITTING_ID:
            return None, None
        if len(rows) != 1:
            return None, None
        row = rows[0]
        values = [
            _convert(item, converters, expression, connection)
            for item, (converters, expression) in zip(row, shape.converters, strict=False)
        ]
        user = self.model.from_db(using, self.names, values)
        return user, (row[-1] if column is not None else None)

    def _shape(self, using: str) -> _Shape:
        connection = connections[using]
        quote = connection.ops.quote_name
        meta = self.model._meta
        # Resolved on first use: a missing field is the start-up check's to report (E002).
        found_field = meta.pk if self.id_field == "pk" else meta.get_field(self.id_field)
        id_field = cast("Field[Any, Any]", found_field)
        table = quote(meta.db_table)
        columns = ", ".join(f"{table}.{quote(cast(str, field.column))}" for field in self.fields)
        source = f"FROM {table} WHERE {table}.{quote(cast(str, id_field.column))} = %s"
        converters = []
        for field in self.fields:
            expression = field.get_col(self.model._meta.db_table)
            found = connection.ops.get_db_converters(expression)
            found += expression.get_db_converters(connection)
            converters.append((tuple(found), expression))
        select = f"SELECT {columns} {source}"
        shape = _Shape(id_field, columns, source, select, tuple(converters))
        self._shapes[using] = shape
        return shape


def _convert(
    value: Any, converters: tuple[Converter, ...], expression: Any, connection: Any
) -> Any:
    for converter in converters:
        value = converter(value, expression, connection)
    return value

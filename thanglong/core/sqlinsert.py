"""Several dependent rows in one PostgreSQL statement, with the values ``Model.save()`` would write.

The hot write paths (a citizen's report, with its first event and its triage job) spend most of their
time in the ORM's per-row ``INSERT`` machinery and in one round trip per row. Data-modifying CTEs let
PostgreSQL insert a parent and the rows that point at it in one statement: the children take the
parent's id from the parent's ``RETURNING``. The values are still the models' own: defaults, ``auto_now``
fields and every field's ``get_db_prep_save`` are applied to an unsaved instance, and the ``pre_save`` /
``post_save`` signals are sent, as ``save()`` does.
Only PostgreSQL is served (SQLite has no ``INSERT`` in a ``WITH``); callers keep the ORM path there.
"""

from __future__ import annotations

import datetime
import json
import uuid
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cache
from typing import Any

from django.db import models
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models.signals import post_save, pre_save

from thanglong.core.prepared import prepared_cursor


@dataclass
class Child:
    """A row to insert with the parent: ``link`` is the field (attname) that receives the parent's id
    (``None`` for a row that points at the parent otherwise, e.g. through ``wrap``).

    ``wrap`` optionally rewrites one column's value (e.g. to put the parent's id into a JSON value):
    a format string with ``{value}`` (the column's typed value) and ``{parent_id}``.
    """

    instance: models.Model
    link: str | None
    wrap: dict[str, str] = field(default_factory=dict)


@cache
def _columns(model: type[models.Model], alias: str) -> tuple[tuple[models.Field[Any, Any], str], ...]:
    """Each concrete field with its quoted column."""
    from django.db import connections

    quote = connections[alias].ops.quote_name
    fields = model._meta.local_concrete_fields
    return tuple((model_field, quote(str(model_field.column))) for model_field in fields)


def _column(model: type[models.Model], name: str) -> str:
    model_field = model._meta.get_field(name)
    assert isinstance(model_field, models.Field)  # a concrete field, by the callers' contract
    return str(model_field.column)


def _json_default(value: Any) -> Any:
    if isinstance(value, datetime.datetime | datetime.date | datetime.time):
        return value.isoformat()  # full precision (DjangoJSONEncoder would cut to milliseconds)
    if isinstance(value, Decimal | uuid.UUID):
        return str(value)
    raise TypeError(f"{type(value).__name__} cannot be sent as a column value")


def _row(
    instance: models.Model, connection: BaseDatabaseWrapper, *, skip: set[str]
) -> tuple[list[str], list[str], str]:
    """Columns, their attnames, and the row as one JSON object for ``jsonb_populate_record``.

    One parameter per row instead of one per column: psycopg parses (and caches) statements of up
    to 50 parameters only, and dumps one JSON text faster than forty literals. PostgreSQL casts each
    key to its column's type as an INSERT would.
    """
    columns: list[str] = []
    attnames: list[str] = []
    row: dict[str, Any] = {}
    for model_field, column in _columns(type(instance), connection.alias):
        if model_field.attname in skip:
            continue
        if model_field.primary_key and getattr(instance, model_field.attname) is None:
            continue  # a serial key: the database's sequence gives it
        value = model_field.pre_save(instance, True)
        if value is not None and not isinstance(model_field, models.JSONField):
            value = model_field.get_prep_value(value)
        columns.append(column)
        attnames.append(model_field.attname)
        row[str(model_field.column)] = value
    return columns, attnames, json.dumps(row, default=_json_default, ensure_ascii=False)


def insert_with_children(
    connection: BaseDatabaseWrapper, parent: models.Model, children: list[Child]
) -> None:
    """Insert ``parent`` and ``children`` in one statement; ``parent`` gets its id (and so do the links).

    The caller runs this inside its transaction.
    """
    quote = connection.ops.quote_name
    alias = connection.alias
    instances = [parent, *(child.instance for child in children)]
    for instance in instances:  # as save() does: receivers may fill in values (django-tasks does)
        pre_save.send(type(instance), instance=instance, raw=False, using=alias, update_fields=None)
    pk_column = quote(_column(type(parent), parent._meta.pk.name))
    columns, _, parent_row = _row(parent, connection, skip=set())
    table = quote(str(parent._meta.db_table))
    expressions = ", ".join(f"row.{column}" for column in columns)
    sql_parts = [
        f"parent AS (INSERT INTO {table} ({', '.join(columns)}) "  # noqa: S608
        f"SELECT {expressions} FROM jsonb_populate_record(NULL::{table}, %s::jsonb) AS row "
        f"RETURNING {pk_column})"
    ]
    statement_params: list[Any] = [parent_row]
    for number, child in enumerate(children):
        child_columns, child_attnames, child_row = _row(
            child.instance, connection, skip={child.link} if child.link else set()
        )
        child_expressions = [
            child.wrap[attname].format(value=f"row.{column}", parent_id=f"parent.{pk_column}")
            if attname in child.wrap
            else f"row.{column}"
            for attname, column in zip(child_attnames, child_columns, strict=True)
        ]
        if child.link:
            child_columns.insert(0, quote(_column(type(child.instance), child.link)))
            child_expressions.insert(0, f"parent.{pk_column}")
        child_table = quote(str(child.instance._meta.db_table))
        sql_parts.append(
            f"child{number} AS (INSERT INTO {child_table} ({', '.join(child_columns)}) "  # noqa: S608
            f"SELECT {', '.join(child_expressions)} "
            f"FROM parent, jsonb_populate_record(NULL::{child_table}, %s::jsonb) AS row)"
        )
        statement_params.append(child_row)
    # Only the models' own table and column names, quoted by the backend, are put into the text; every
    # value is a parameter.
    sql = "WITH " + ", ".join(sql_parts) + f" SELECT {pk_column} FROM parent"  # noqa: S608
    # Prepared after a couple of runs: the statement's text repeats for every report of a shape.
    with prepared_cursor(connection) as cursor:
        cursor.execute(sql, statement_params)
        row = cursor.fetchone()
    if row is None:  # pragma: no cover - an INSERT … SELECT from a one-row CTE returns one row
        raise RuntimeError("the insert returned no row")
    parent.pk = row[0]
    parent._state.adding = False
    parent._state.db = connection.alias
    for child in children:
        if child.link:
            setattr(child.instance, child.link, row[0])
        if child.instance.pk is not None:  # a key given in Python (a UUID): the row now exists
            child.instance._state.adding = False
            child.instance._state.db = connection.alias
    for instance in instances:
        post_save.send(
            type(instance), instance=instance, created=True, raw=False, using=alias, update_fields=None
        )

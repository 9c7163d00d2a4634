"""Server-side prepared statements for the few statements every citizen's report runs.

Django binds parameters on the client and sends each statement as new text, so PostgreSQL parses and
plans it every time. For the intake's three statements (the idempotency probe, the tracking-number
increment, the one-statement insert of a report with its event and job) that planning was about a
third of the database's CPU per report. A server-binding cursor lets psycopg prepare a statement after
``THANGLONG_DB_PREPARE_THRESHOLD`` runs on a connection and then send only its parameters.

Everything else keeps Django's client-side binding: prepared statements are per connection, and a
pooler in transaction mode that predates PgBouncer 1.21 cannot carry them, so they can be switched off
(``THANGLONG_DB_PREPARE_THRESHOLD=0``); the statements then still run, unprepared.
"""

from __future__ import annotations

from typing import Any

from django.db import connection as default_connection
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.backends.utils import CursorWrapper


def prepared_cursor(connection: BaseDatabaseWrapper | None = None) -> CursorWrapper:
    """A cursor whose statements PostgreSQL may prepare; elsewhere an ordinary cursor.

    The cursor is Django's wrapper (query logging, error translation, execute wrappers all apply);
    only the psycopg cursor under it binds on the server.
    """
    connection = connection or default_connection
    if connection.vendor != "postgresql":
        return connection.cursor()
    from django.db.backends.postgresql.base import ServerBindingCursor

    connection.ensure_connection()
    connection.validate_thread_sharing()
    cursor_class: Any = ServerBindingCursor  # psycopg's Cursor(connection); the stubs know no arguments
    raw = cursor_class(connection.connection)
    # As BaseDatabaseWrapper.cursor() wraps its own cursors: logged where queries are logged.
    if connection.queries_logged:
        return connection.make_debug_cursor(raw)
    return connection.make_cursor(raw)

"""The PostgreSQL run of the suite really runs on PostgreSQL, on a version we support."""

from __future__ import annotations

import os

import pytest
from django.db import connection

POSTGRES_URL = os.environ.get("THANGLONG_TEST_POSTGRES_URL", "")

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(not POSTGRES_URL, reason="THANGLONG_TEST_POSTGRES_URL is not set"),
]


def test_the_server_is_reachable_and_recent_enough() -> None:
    import psycopg

    with psycopg.connect(POSTGRES_URL, connect_timeout=5) as server:
        row = server.execute("SHOW server_version_num").fetchone()
    assert row is not None
    assert int(row[0]) >= 150000, f"PostgreSQL 15 or later is required, the server runs {row[0]}"


@pytest.mark.django_db
def test_the_suite_uses_postgresql_when_database_url_says_so() -> None:
    """GIVEN DATABASE_URL naming PostgreSQL (the second run of `make test`)
    THEN the tests run against a throw-away `test_` database on PostgreSQL, not silently on SQLite."""
    if not os.environ.get("DATABASE_URL", "").startswith(("postgres://", "postgresql://")):
        pytest.skip("this run uses the default database, not PostgreSQL")
    assert connection.vendor == "postgresql"
    assert connection.settings_dict["NAME"].startswith("test_")
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_database()")
        (database,) = cursor.fetchone()
    assert database == connection.settings_dict["NAME"]

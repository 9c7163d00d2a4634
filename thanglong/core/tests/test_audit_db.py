"""The audit log is append-only in the database itself, on whichever engine the suite runs on.

The ORM already refuses to change an entry; these tests go around it with raw SQL, as a script or
a compromised account with database access would, and expect the triggers to stop them.
"""

from __future__ import annotations

import pytest
from django.db import DatabaseError, connection, transaction

from thanglong.core.models import AuditAction, AuditEntry
from thanglong.core.services import record_audit

pytestmark = pytest.mark.django_db

TABLE = connection.ops.quote_name(AuditEntry._meta.db_table)
TRIGGERS = {
    "sqlite": {"core_auditentry_no_update", "core_auditentry_no_delete"},
    "postgresql": {"core_auditentry_no_change"},
}


@pytest.fixture
def entry() -> AuditEntry:
    return record_audit(
        actor=None,
        action=AuditAction.READ,
        object_type="resident",
        object_id="001090000005",
        object_repr="Nguyễn Văn A",
        fields=["id_number", "phone"],
        reason="xác minh hồ sơ cư trú",
    )


def installed_triggers() -> set[str]:
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT tgname FROM pg_trigger WHERE tgrelid = %s::regclass AND NOT tgisinternal",
                [AuditEntry._meta.db_table],
            )
        else:
            cursor.execute(
                "SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name = %s",
                [AuditEntry._meta.db_table],
            )
        return {name for (name,) in cursor.fetchall()}


def test_the_migration_installed_the_append_only_triggers() -> None:
    if connection.vendor not in TRIGGERS:
        pytest.skip(f"no audit triggers are defined for {connection.vendor}")
    assert TRIGGERS[connection.vendor] <= installed_triggers()


def test_a_raw_update_of_an_entry_is_refused(entry: AuditEntry) -> None:
    """GIVEN an audit entry
    WHEN raw SQL tries to rewrite it
    THEN the database refuses and the entry keeps its original reason."""
    # The savepoint keeps the test's transaction usable after the error on PostgreSQL.
    with (
        pytest.raises(DatabaseError, match="append-only"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute(f"UPDATE {TABLE} SET reason = %s WHERE id = %s", ["x", entry.pk])  # noqa: S608

    entry.refresh_from_db()
    assert entry.reason == "xác minh hồ sơ cư trú"


def test_a_queryset_update_is_refused(entry: AuditEntry) -> None:
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        AuditEntry.objects.filter(pk=entry.pk).update(actor_username="someone-else")

    assert AuditEntry.objects.get(pk=entry.pk).actor_username == ""


def test_a_raw_delete_of_an_entry_is_refused(entry: AuditEntry) -> None:
    with (
        pytest.raises(DatabaseError, match="append-only"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute(f"DELETE FROM {TABLE} WHERE id = %s", [entry.pk])  # noqa: S608

    assert AuditEntry.objects.filter(pk=entry.pk).exists()


def test_new_entries_can_still_be_added(entry: AuditEntry) -> None:
    later = record_audit(actor=None, action=AuditAction.SEARCH, object_type="resident", reason="tra cứu")

    assert list(AuditEntry.objects.filter(pk__in=[entry.pk, later.pk]).order_by("id")) == [entry, later]

"""Shared pytest fixtures: reference data loaded once per test database, and a small Hanoi force."""

from __future__ import annotations

import importlib
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

os.environ.setdefault("THANGLONG_ENV", "test")

SHARED_DATA = Path(
    os.environ.get("THANGLONG_DATA_DIR", Path(__file__).resolve().parent.parent / "shared" / "data")
)


def load_reference_data() -> None:
    """Administrative units and the holiday calendar: reference data every test may rely on."""
    from thanglong.core import holidays
    from thanglong.core.importers import import_divisions

    import_divisions()
    holidays.seed_calendar()


def set_audit_triggers(*, installed: bool) -> None:
    """Install or lift SQLite's append-only triggers on the audit log (see core migration 0002).

    A transactional test ends with a flush, which on SQLite is a DELETE the trigger refuses once the
    test wrote audit entries (signing in does). PostgreSQL flushes with TRUNCATE, which it does not see.
    """
    from django.db import connection

    if connection.vendor != "sqlite":
        return
    migration = importlib.import_module("thanglong.core.migrations.0002_audit_append_only")
    with connection.cursor() as cursor:
        for statement in migration.SQLITE_REVERSE:
            cursor.execute(statement)
        if installed:
            for statement in migration.SQLITE:
                cursor.execute(statement)


@pytest.fixture(scope="session")
def django_db_modify_db_settings(
    django_db_modify_db_settings_parallel_suffix: None, tmp_path_factory: pytest.TempPathFactory
) -> None:
    """Keep the SQLite test database in a file, not in memory, so worker processes started by tests see it."""
    from django.conf import settings

    database = settings.DATABASES["default"]
    if database["ENGINE"] == "django.db.backends.sqlite3":
        database.setdefault("TEST", {})["NAME"] = str(
            tmp_path_factory.mktemp("database") / "test_thanglong.sqlite3"
        )


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup: None, django_db_blocker: Any) -> Iterator[None]:
    with django_db_blocker.unblock():
        load_reference_data()
    yield


@pytest.fixture(scope="module")
def restore_reference_data(django_db_blocker: Any) -> Iterator[None]:
    """For modules with transactional tests: they empty every table when they end, so reload after."""
    yield
    with django_db_blocker.unblock():
        set_audit_triggers(installed=True)
        load_reference_data()


@pytest.fixture
def reference_data(transactional_db: None) -> None:
    """Reference data loaded inside a transactional test (which starts from empty tables)."""
    load_reference_data()


@pytest.fixture
def lifted_audit_triggers(transactional_db: None) -> Iterator[None]:
    """For a transactional test that writes audit entries: lets its closing flush empty the log."""
    set_audit_triggers(installed=True)
    yield
    set_audit_triggers(installed=False)


@pytest.fixture
def shared_data() -> Path:
    if not SHARED_DATA.is_dir():
        pytest.skip(f"shared data not found at {SHARED_DATA}")
    return SHARED_DATA


@pytest.fixture
def hanoi_force(db: None) -> dict[str, Any]:
    """City directorate, PC06, two ward stations (Cầu Giấy, Hoàn Kiếm) and one person per role."""
    from thanglong.core import services
    from thanglong.core.models import OrganisationUnit, Province, Role, UnitKind, Ward

    hanoi = Province.objects.get(code="01")
    city = OrganisationUnit.objects.create(
        code="CAHN", name="Công an Thành phố Hà Nội", kind=UnitKind.DIRECTORATE, province=hanoi
    )
    pc06 = OrganisationUnit.objects.create(
        code="PC06", name="Phòng PC06", kind=UnitKind.DEPARTMENT, parent=city, province=hanoi
    )
    cau_giay = OrganisationUnit.objects.create(
        code="CAP-00166",
        name="Công an phường Cầu Giấy",
        kind=UnitKind.WARD_STATION,
        parent=city,
        province=hanoi,
        ward=Ward.objects.get(code="00166"),
    )
    hoan_kiem = OrganisationUnit.objects.create(
        code="CAP-00070",
        name="Công an phường Hoàn Kiếm",
        kind=UnitKind.WARD_STATION,
        parent=city,
        province=hanoi,
        ward=Ward.objects.get(code="00070"),
    )
    people = {}
    for username, unit, role, id_number in [
        ("admin", city, Role.ADMINISTRATOR, "001090000001"),
        ("chihuy", city, Role.COMMAND_CENTRE, "001090000002"),
        ("giamdoc", city, Role.UNIT_LEADER, "001090000003"),
        ("lanhdao.caugiay", cau_giay, Role.UNIT_LEADER, "001090000004"),
        ("canbo.caugiay", cau_giay, Role.OFFICER, "001090000005"),
        ("canbo.hoankiem", hoan_kiem, Role.OFFICER, "001090000006"),
        ("canbo.pc06", pc06, Role.OFFICER, "001090000007"),
    ]:
        user = services.create_user(
            username=username,
            password="Test-password-123",  # noqa: S106
            full_name=username.title(),
            phone="0912345678",
            id_number=id_number,
        )
        services.add_member(user, unit, role)
        people[username] = user
    return {"city": city, "pc06": pc06, "cau_giay": cau_giay, "hoan_kiem": hoan_kiem, **people}


@pytest.fixture(autouse=True)
def _fresh_calendar_cache() -> Iterator[None]:
    """Rows a test adds are rolled back without a delete signal: never let a cached year leak."""
    from thanglong.core import calendar

    calendar.clear_cache()
    yield
    calendar.clear_cache()

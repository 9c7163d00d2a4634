"""``--every`` loops: a failed round is logged and the loop goes on; each round starts on a working
database connection, even after the database ended the one the previous round used."""

from __future__ import annotations

import logging

import pytest
from django.db import connection

from thanglong.core.periodic import run_every


class Stop(BaseException):
    """Raised by the test's sleep to leave the loop (the loop itself only ever catches Exception)."""


def sleeps(rounds: int) -> tuple[list[float], object]:
    slept: list[float] = []

    def sleep(seconds: float) -> None:
        slept.append(seconds)
        if len(slept) == rounds:
            raise Stop

    return slept, sleep


def test_a_single_run_lets_its_error_through() -> None:
    def fails() -> None:
        raise RuntimeError("disk full")

    with pytest.raises(RuntimeError, match="disk full"):
        run_every(0, fails, name="single")


@pytest.mark.django_db  # the loop closes stale connections before each round: it touches the database
def test_a_failed_round_is_logged_and_the_next_round_still_runs(caplog: pytest.LogCaptureFixture) -> None:
    outcomes = iter([RuntimeError("database restarting"), None, None])
    ran: list[int] = []

    def round_() -> None:
        ran.append(1)
        error = next(outcomes)
        if error is not None:
            raise error

    slept, sleep = sleeps(3)
    with caplog.at_level(logging.ERROR, logger="thanglong.periodic"), pytest.raises(Stop):
        run_every(300, round_, name="feedback-sla", sleep=sleep)  # type: ignore[arg-type]
    assert len(ran) == 3
    assert slept == [300, 300, 300]
    assert "feedback-sla: this round failed" in caplog.text
    assert "database restarting" in caplog.text


@pytest.mark.django_db(transaction=True)
def test_a_connection_the_database_ended_between_rounds_is_replaced() -> None:
    if connection.vendor != "postgresql":
        pytest.skip("ending a session from the server side needs PostgreSQL")
    import psycopg

    backends: list[int] = []

    def round_() -> None:
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_backend_pid()")
            backends.append(cursor.fetchone()[0])
        if len(backends) == 1:
            # What a database restart does to an idle connection: the server ends the session.
            settings = connection.settings_dict
            with psycopg.connect(
                host=settings["HOST"] or "localhost",
                port=settings["PORT"] or 5432,
                user=settings["USER"],
                password=settings["PASSWORD"],
                dbname=settings["NAME"],
                autocommit=True,
            ) as other:
                other.execute("SELECT pg_terminate_backend(%s)", (backends[0],))

    _slept, sleep = sleeps(2)
    with pytest.raises(Stop):
        run_every(60, round_, name="rollup", sleep=sleep)  # type: ignore[arg-type]
    assert len(backends) == 2  # the second round ran, on a new session
    assert backends[1] != backends[0]

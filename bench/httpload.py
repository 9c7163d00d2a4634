"""A load harness for benchmarks through the real HTTP server: a throwaway database, gunicorn, clients.

The database is PostgreSQL when ``THANGLONG_BENCH_POSTGRES_URL`` names a server the bench may create
databases on, else a SQLite file; it is migrated and given the administrative units (plus whatever
``setup_code`` loads). gunicorn serves it in production mode. Clients are threads on the same machine:
they take part of its CPU, so the figures are a floor for a separate client machine.
"""

from __future__ import annotations

import http.client
import os
import shutil
import signal
import socket
import sqlite3
import statistics
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

PROJECT_DIR = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class Database:
    """A throwaway database: created, migrated and filled with reference data; dropped afterwards."""

    def __init__(self, workdir: Path, setup_code: str = "") -> None:
        admin_url = os.environ.get("THANGLONG_BENCH_POSTGRES_URL", "")
        self.admin_url = admin_url
        if admin_url:
            import psycopg

            self.name = f"thanglong_bench_{os.getpid()}"
            with psycopg.connect(admin_url, autocommit=True) as server:
                server.execute(f'DROP DATABASE IF EXISTS "{self.name}"')
                server.execute(f'CREATE DATABASE "{self.name}"')
            parts = urlsplit(admin_url)
            self.url = urlunsplit(parts._replace(path=f"/{self.name}"))
            self.engine = "PostgreSQL"
        else:
            self.path = workdir / "bench.sqlite3"
            self.url = f"sqlite:///{self.path}"
            self.engine = "SQLite (WAL)"
        code = "from thanglong.core.importers import import_divisions; import_divisions(); " + setup_code
        env = {**os.environ, "DATABASE_URL": self.url, "DJANGO_SETTINGS_MODULE": "thanglong.settings"}
        subprocess.run(
            [sys.executable, "-m", "thanglong.cli", "migrate", "--noinput", "-v", "0"],
            cwd=PROJECT_DIR,
            env=env,
            check=True,
        )
        subprocess.run(  # noqa: S603
            [sys.executable, "-c", f"import django; django.setup(); {code}"],
            cwd=PROJECT_DIR,
            env=env,
            check=True,
            capture_output=True,
        )

    def stored(self, codes: list[str]) -> tuple[set[str], int]:
        """Which of ``codes`` are in the database, and how many attachment rows they have."""
        if not codes:
            return set(), 0
        if self.admin_url:
            import psycopg

            with psycopg.connect(self.url) as connection:
                found = {
                    row[0]
                    for row in connection.execute(
                        "SELECT tracking_code FROM feedback_report WHERE tracking_code = ANY(%s)", (codes,)
                    )
                }
                row = connection.execute(
                    "SELECT count(*) FROM feedback_attachment a JOIN feedback_report r ON r.id = a.report_id "
                    "WHERE r.tracking_code = ANY(%s)",
                    (codes,),
                ).fetchone()
                return found, int(row[0]) if row else 0
        with sqlite3.connect(self.path) as connection:
            connection.execute("CREATE TEMP TABLE wanted (code TEXT PRIMARY KEY)")
            connection.executemany("INSERT INTO wanted VALUES (?)", [(code,) for code in codes])
            found = {
                row[0]
                for row in connection.execute(
                    "SELECT tracking_code FROM feedback_report JOIN wanted ON code = tracking_code"
                )
            }
            (attachments,) = connection.execute(
                "SELECT count(*) FROM feedback_attachment a JOIN feedback_report r ON r.id = a.report_id "
                "JOIN wanted ON code = r.tracking_code"
            ).fetchone()
            return found, int(attachments)

    def drop(self) -> None:
        if self.admin_url:
            import psycopg

            # An autovacuum worker still busy with the bench's tables belongs to the superuser: FORCE may
            # not end it for a non-superuser role, so wait for it to finish instead of leaving the database.
            for attempt in range(30):
                try:
                    with psycopg.connect(self.admin_url, autocommit=True) as server:
                        server.execute(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')
                    return
                except (psycopg.errors.InsufficientPrivilege, psycopg.errors.ObjectInUse):
                    if attempt == 29:
                        raise
                    time.sleep(1)


class Server:
    def __init__(self, workdir: Path, database: Database, *, workers: int = 2, threads: int = 4) -> None:
        shim = workdir / "shim"
        shim.mkdir(exist_ok=True)
        # One client address sends everything: per-IP rate limiting would measure the limiter.
        (shim / "bench_settings.py").write_text(
            "from thanglong.settings import *  # noqa: F403\n"
            "THANGLONG_FEEDBACK_RATE_PER_MINUTE = 0\n"
            "THANGLONG_ASSISTANT_ASK_PER_MINUTE = 0\n"
        )
        self.workers, self.threads = workers, threads
        self.port = free_port()
        self.log = workdir / "gunicorn.log"
        env = {
            **os.environ,
            "PYTHONPATH": os.pathsep.join([str(shim), str(PROJECT_DIR)]),
            "DJANGO_SETTINGS_MODULE": "bench_settings",
            "DATABASE_URL": database.url,
            "THANGLONG_MEDIA_ROOT": str(workdir / "media"),
            "THANGLONG_ENV": "production",
            "THANGLONG_SECRET_KEY": uuid.uuid4().hex * 2,
            "THANGLONG_SSL_REDIRECT": "false",
            "THANGLONG_TASKS_BACKEND": "database",
            "THANGLONG_LOG_LEVEL": "WARNING",
        }
        with self.log.open("wb") as log:
            self.process = subprocess.Popen(  # noqa: S603
                [
                    sys.executable,
                    "-m",
                    "gunicorn",
                    "thanglong.wsgi:application",
                    "--bind",
                    f"127.0.0.1:{self.port}",
                    "--workers",
                    str(workers),
                    "--threads",
                    str(threads),
                    "--reuse-port",  # one socket per worker, as `thanglong serve` does
                    "--backlog",
                    "2048",
                ],
                cwd=PROJECT_DIR,
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )

    def ready(self, timeout: float = 40) -> bool:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline and self.process.poll() is None:
            try:
                connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=2)
                connection.request("GET", "/api/v1/core/health")
                if connection.getresponse().status == 200:
                    return True
            except OSError:
                time.sleep(0.2)
        return False

    def stop(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)


Request = Callable[[int], tuple[str, str, bytes, dict[str, str]]]


def load(
    port: int, clients: int, total: int, make: Request, collect: Callable[[bytes], str] | None = None
) -> dict[str, Any]:
    """Send ``total`` requests from ``clients`` threads with keep-alive connections.

    ``collect`` picks an identifier out of each 201 body (returned under ``codes``) for loss checks."""
    counter = iter(range(total))
    lock = threading.Lock()
    latencies: list[float] = []
    statuses: dict[int, int] = {}
    codes: list[str] = []

    def client() -> None:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        while True:
            with lock:
                number = next(counter, None)
            if number is None:
                break
            method, path, body, headers = make(number)
            started = time.perf_counter()
            try:
                connection.request(method, path, body=body or None, headers=headers)
                response = connection.getresponse()
                payload = response.read()
                status = response.status
                if response.getheader("Connection", "").lower() == "close":
                    connection.close()
            except (OSError, http.client.HTTPException):
                connection.close()
                connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
                status, payload = 0, b""
            elapsed = time.perf_counter() - started
            with lock:
                latencies.append(elapsed)
                statuses[status] = statuses.get(status, 0) + 1
                if status == 201 and collect is not None:
                    codes.append(collect(payload))
        connection.close()

    threads = [threading.Thread(target=client) for _ in range(clients)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    wall = time.perf_counter() - started
    ok = sum(count for status, count in statuses.items() if 200 <= status < 300)
    ordered = sorted(latencies)
    return {
        "clients": clients,
        "requests": total,
        "ok": ok,
        "statuses": {str(status): count for status, count in sorted(statuses.items())},
        "wall_s": round(wall, 3),
        "per_s": round(ok / wall, 1) if wall else 0.0,
        "p50_ms": round(statistics.median(ordered) * 1000, 1) if ordered else None,
        "p99_ms": round(ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))] * 1000, 1)
        if ordered
        else None,
        "codes": codes,
    }


# --- wrk: a load generator in C, so that the clients take little of the server's CPU ---------------
WRK_SCRIPT = r"""
local threads = {}
local next_id = 1
function setup(thread)
  thread:set("thread_id", next_id)
  next_id = next_id + 1
  table.insert(threads, thread)
end

function init(args)
  run = args[1]
  sent, codes, statuses = 0, "", ""
  counts = {}
end

function request()
  sent = sent + 1
  return make_request(run .. "-" .. thread_id .. "-" .. sent, thread_id * 10000000 + sent)
end

function response(status, headers, body)
  counts[status] = (counts[status] or 0) + 1
  statuses = ""
  for code, count in pairs(counts) do statuses = statuses .. code .. "=" .. count .. "," end
  if status == 201 then
    local code = string.match(body, '"tracking_code": *"([^"]+)"')
    if code then codes = codes .. code .. "\n" end
  end
end

function done(summary, latency, requests)
  local out = io.open(os.getenv("WRK_OUT"), "w")
  out:write("duration_us=" .. summary.duration .. "\n")
  out:write("p50_us=" .. latency:percentile(50) .. "\n")
  out:write("p99_us=" .. latency:percentile(99) .. "\n")
  for _, thread in ipairs(threads) do
    out:write("statuses=" .. (thread:get("statuses") or "") .. "\n")
    for code in string.gmatch(thread:get("codes") or "", "[^\n]+") do out:write("code=" .. code .. "\n") end
  end
  out:close()
end
"""


def wrk_available() -> bool:
    return shutil.which("wrk") is not None


def load_wrk(port: int, clients: int, seconds: int, make_request_lua: str, workdir: Path) -> dict[str, Any]:
    """Like :func:`load`, with wrk (one thread, ``clients`` keep-alive connections) sending requests for
    ``seconds`` (wrk runs for a time, not a count).

    ``make_request_lua`` defines ``make_request(unique_text, unique_number)`` returning
    ``wrk.format(...)``. Latency percentiles are wrk's own (per request, from send to response)."""
    script = workdir / f"wrk-{uuid.uuid4().hex}.lua"
    output = workdir / f"wrk-{uuid.uuid4().hex}.txt"
    script.write_text(make_request_lua + WRK_SCRIPT, encoding="utf-8")
    started = time.perf_counter()
    subprocess.run(  # noqa: S603
        [
            shutil.which("wrk") or "wrk",
            "--threads",
            "1",
            "--connections",
            str(clients),
            "--duration",
            f"{seconds}s",
            "--timeout",
            "60s",
            "--script",
            str(script),
            f"http://127.0.0.1:{port}",
            "--",
            uuid.uuid4().hex[:8],
        ],
        env={**os.environ, "WRK_OUT": str(output)},
        check=True,
        capture_output=True,
        timeout=seconds + 90,
    )
    wall = time.perf_counter() - started
    values: dict[str, str] = {}
    codes: list[str] = []
    statuses: dict[str, int] = {}
    for line in output.read_text(encoding="utf-8").splitlines():
        key, _, value = line.partition("=")
        if key == "code":
            codes.append(value)
        elif key == "statuses":
            for item in filter(None, value.split(",")):
                status, _, count = item.partition("=")
                statuses[status] = statuses.get(status, 0) + int(count)
        else:
            values[key] = value
    duration = int(values["duration_us"]) / 1e6 or wall
    ok = sum(count for status, count in statuses.items() if status.startswith("2"))
    return {
        "clients": clients,
        "requests": sum(statuses.values()),
        "ok": ok,
        "statuses": dict(sorted(statuses.items())),
        "wall_s": round(duration, 3),
        "per_s": round(ok / duration, 1) if duration else 0.0,
        "p50_ms": round(float(values["p50_us"]) / 1000, 1),
        "p99_ms": round(float(values["p99_us"]) / 1000, 1),
        "codes": codes,
    }

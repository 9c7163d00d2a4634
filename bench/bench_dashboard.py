"""Command dashboards at city scale: server-side render time of every page beside the raw SQL time of
the same queries, the background median job, and the monthly PDF report of a unit.

Needs ``DATABASE_URL`` pointing at a PostgreSQL database loaded with ``thanglong demo --scale city``
(a million reports by default; ``--reports N`` for fewer); otherwise it reports why it skipped.
Each page is rendered through Django's test client (URL routing, middleware, session, templates: all
but the socket) ``THANGLONG_BENCH_DASHBOARD_RUNS`` times (default 20) after two warm-up renders. The
baseline is the SQL the page ran — captured on one render and replayed verbatim through the same
connection the same number of times — so "render ÷ SQL" is what Python and templates add on top of the
database. The public statistics page is measured with its cache off (the cold path every few minutes).
"""

from __future__ import annotations

import os
import statistics
import time
from collections.abc import Callable
from typing import Any

RUNS = int(os.environ.get("THANGLONG_BENCH_DASHBOARD_RUNS", "20"))
PDF_RUNS = int(os.environ.get("THANGLONG_BENCH_PDF_RUNS", "3"))
MIN_REPORTS = int(os.environ.get("THANGLONG_BENCH_MIN_REPORTS", "100000"))


def _camera_events() -> int:
    try:
        from thanglong.cameras.models import CameraEvent
    except ImportError:  # a deployment without the camera app
        return 0
    return CameraEvent.objects.count()


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(share * (len(ordered) - 1))))
    return ordered[index]


def _ms(values: list[float]) -> tuple[float, float]:
    return round(1000 * statistics.median(values), 1), round(1000 * _percentile(values, 0.95), 1)


def _time(action: Callable[[], Any], runs: int) -> list[float]:
    timings = []
    for _index in range(runs):
        started = time.perf_counter()
        action()
        timings.append(time.perf_counter() - started)
    return timings


def _plain(sql: str) -> str:
    """A server-side cursor's ``DECLARE … FOR <query>`` (from ``.iterator()``) replayed as the query."""
    if sql.startswith("DECLARE "):
        return sql.split(" FOR ", 1)[1]
    return sql


def _reads(captured: list[dict[str, Any]]) -> list[str]:
    """The page's reads, replayable as they are (its rare writes — a queued job's row, the hourly
    snapshot — would fail or duplicate on a second run)."""
    queries = [_plain(query["sql"]) for query in captured]
    return [sql for sql in queries if sql.lstrip().upper().startswith(("SELECT", "WITH"))]


def _replay(queries: list[str], runs: int) -> list[float]:
    from django.db import connection

    def execute() -> None:
        with connection.cursor() as cursor:
            for sql in queries:
                cursor.execute(sql)
                if cursor.description is not None:
                    cursor.fetchall()

    return _time(execute, runs)


def run() -> dict[str, Any]:
    from django.contrib.auth.models import User
    from django.core.cache import cache
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext, override_settings
    from django.urls import reverse
    from django.utils import timezone

    from thanglong.command import performance, periods, render, report_data
    from thanglong.command.models import MedianRun
    from thanglong.core.models import OrganisationUnit
    from thanglong.feedback.models import Report

    if connection.vendor != "postgresql":
        return {"skipped": "needs DATABASE_URL on PostgreSQL loaded with `thanglong demo --scale city`"}
    total = Report.objects.count()
    if total < MIN_REPORTS:
        return {"skipped": f"{total} reports < {MIN_REPORTS}: run `thanglong demo --scale city` first"}
    users = {
        name: User.objects.filter(username=name).first() for name in ("chihuy", "giamdoc", "lanhdao.caugiay")
    }
    if not all(users.values()):
        return {"skipped": "demo accounts missing: run `thanglong demo --scale city`"}
    station = OrganisationUnit.objects.get(code__startswith="CAP-", ward__name="Cầu Giấy")
    month = periods.containing(periods.MONTH, timezone.localdate()).previous()
    quarter = periods.containing(periods.QUARTER, timezone.localdate()).previous()
    performance_url = reverse("command:performance")
    monthly = {"period": "month", "key": month.key}
    quarterly = {"period": "quarter", "key": quarter.key}
    pages: list[tuple[str, str, str, dict[str, str], dict[str, str]]] = [
        ("overview (all units)", "chihuy", reverse("command:overview"), {}, {}),
        ("overview refresh (htmx)", "chihuy", reverse("command:overview"), {}, {"HX-Request": "true"}),
        ("overview (ward leader)", "lanhdao.caugiay", reverse("command:overview"), {}, {}),
        ("performance month (all)", "chihuy", performance_url, monthly, {}),
        ("performance month (directorate)", "giamdoc", performance_url, monthly, {}),
        ("performance quarter (all)", "chihuy", performance_url, quarterly, {}),
        ("performance month (ward)", "lanhdao.caugiay", performance_url, monthly, {}),
        ("targets", "chihuy", reverse("command:targets"), {}, {}),
        ("reports", "chihuy", reverse("command:reports"), {}, {}),
        ("public statistics (uncached)", "", reverse("command_public:statistics"), {}, {}),
    ]
    table: list[list[Any]] = [["page", "reader", "queries", "cold render ms", "cold SQL ms", "render p50 ms",
                               "render p95 ms", "SQL p50 ms", "SQL p95 ms", "render/SQL p50"]]  # fmt: skip
    figures: dict[str, Any] = {}
    page_periods = {
        "performance month (all)": month,
        "performance month (directorate)": month,
        "performance quarter (all)": quarter,
        "performance month (ward)": month,
    }
    jobs: dict[str, tuple[str, int, int]] = {}
    MedianRun.objects.all().delete()
    with override_settings(THANGLONG_PUBLIC_STATS_CACHE_SECONDS=0):
        for label, username, url, params, headers in pages:
            client = Client()
            if username:
                client.force_login(users[username])

            def get(client: Client = client, url: str = url, params: dict[str, str] = params,
                    headers: dict[str, str] = headers) -> None:  # fmt: skip
                response = client.get(url, params, headers=headers)
                if response.status_code != 200:
                    raise RuntimeError(f"{url} answered {response.status_code}")

            _time(get, 2)
            # Cold: caches empty and no stored medians (the page queues their job and shows counts).
            cache.clear()
            with CaptureQueriesContext(connection) as captured:
                cold_render = _time(get, 1)[0]
            cold_sql = _replay(_reads(captured.captured_queries), 1)[0]
            period = page_periods.get(label)
            if period is not None and period.key not in jobs:
                # What the queued job does (a worker runs it); timed here, then the page reads its rows.
                started = time.perf_counter()
                units = performance.store_medians(period).medians.count()
                jobs[period.key] = (period.label, units, round(1000 * (time.perf_counter() - started)))
            with CaptureQueriesContext(connection) as captured:
                get()
            queries = _reads(captured.captured_queries)
            render_p50, render_p95 = _ms(_time(get, RUNS))
            sql_p50, sql_p95 = _ms(_replay(queries, RUNS))
            ratio = round(render_p50 / sql_p50, 2) if sql_p50 else None
            cold = (round(1000 * cold_render, 1), round(1000 * cold_sql, 1))
            table.append(
                [label, username or "—", len(queries), *cold, render_p50, render_p95, sql_p50, sql_p95, ratio]
            )
            figures[label] = {"render_p50_ms": render_p50, "render_p95_ms": render_p95, "sql_p50_ms": sql_p50,
                              "sql_p95_ms": sql_p95, "queries": len(queries), "cold_render_ms": cold[0],
                              "cold_sql_ms": cold[1]}  # fmt: skip

    pdf_rows: list[list[Any]] = [
        ["monthly PDF report", "gather p50 ms", "render PDF p50 ms", "total max ms", "bytes"]
    ]
    city = OrganisationUnit.objects.get(code="CAHN")
    for unit in (station, city):
        gathered: list[float] = []
        rendered: list[float] = []
        size = 0
        for _index in range(PDF_RUNS):
            started = time.perf_counter()
            data = report_data.gather(unit, month, 1)
            middle = time.perf_counter()
            size = len(render.pdf_bytes(data))
            gathered.append(middle - started)
            rendered.append(time.perf_counter() - middle)
        totals = [first + second for first, second in zip(gathered, rendered, strict=True)]
        gather_ms, render_ms = (
            round(1000 * statistics.median(gathered)),
            round(1000 * statistics.median(rendered)),
        )
        pdf_rows.append([unit.name, gather_ms, render_ms, round(1000 * max(totals)), size])
    notes = [
        f"{total:,} reports, {month.label} / {quarter.label}; {RUNS} renders per page after 2 warm-ups; "
        f"PDF {PDF_RUNS} runs per unit",
        "render = Django test client GET (routing, middleware, session, ORM, templates; no socket); "
        "SQL = the page's own captured queries replayed on the same connection",
        "cold = first render with caches empty and no stored medians (the performance pages queue the "
        "median job and show counts at once); p50/p95 = the renders after the job has run",
        f"{_camera_events():,} camera events in the same database (the overview's camera panel reads them)",
    ]
    notes += [
        f"median job (background, every unit), {label}: {units} units in {elapsed} ms"
        for label, units, elapsed in jobs.values()
    ]
    notes += [
        f"monthly PDF, {name}: gather {gather} ms + render {render_ms} ms (p50), "
        f"slowest total {worst} ms, {size} bytes"
        for name, gather, render_ms, worst, size in pdf_rows[1:]
    ]
    return {"table": table, "pdf": pdf_rows, "notes": notes, "pages": figures, "reports": total}

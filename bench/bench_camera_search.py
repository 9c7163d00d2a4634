"""Camera event search at city scale: partial-plate search, camera + time-window search and a vehicle's
route through the services (permission check, unit scope, audit entry included) beside the raw SQL of
the same queries, and the ingest rate of ``record_event``.

Needs ``DATABASE_URL`` on PostgreSQL with the demo loaded (``thanglong demo``; ``--scale city`` adds the
events too). The event table is topped up to ``THANGLONG_BENCH_CAMERA_EVENTS`` rows (default
5,000,000; e.g. 500000 for a quick run) with ``thanglong.cameras.scale`` (COPY) before measuring.
Each query runs ``THANGLONG_BENCH_CAMERA_RUNS`` times (default 30) over different plates/cameras after
three warm-ups; the baseline is the service's own captured SQL replayed on the same connection.
"""

from __future__ import annotations

import os
import random
import statistics
import time
from collections.abc import Callable
from datetime import timedelta
from typing import Any

EVENTS = int(os.environ.get("THANGLONG_BENCH_CAMERA_EVENTS", "5000000"))
RUNS = int(os.environ.get("THANGLONG_BENCH_CAMERA_RUNS", "30"))
INGEST = int(os.environ.get("THANGLONG_BENCH_CAMERA_INGEST", "500"))
REASON = "Đo hiệu năng tra cứu (benchmark)"


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(share * (len(ordered) - 1))))]


def _ms(values: list[float]) -> tuple[float, float]:
    return round(1000 * statistics.median(values), 2), round(1000 * _percentile(values, 0.95), 2)


def _measure(actions: list[Callable[[], Any]]) -> tuple[list[float], list[list[str]]]:
    """Time each action (after three warm-ups) and capture its SQL for the replay."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    for action in actions[:3]:
        action()
    timings: list[float] = []
    captured: list[list[str]] = []
    for action in actions:
        with CaptureQueriesContext(connection) as queries:
            started = time.perf_counter()
            action()
            timings.append(time.perf_counter() - started)
        reads = [q["sql"] for q in queries.captured_queries if q["sql"].lstrip().upper().startswith("SELECT")]
        captured.append(reads)
    return timings, captured


def _replay(captured: list[list[str]]) -> list[float]:
    from django.db import connection

    timings = []
    with connection.cursor() as cursor:
        for queries in captured:
            started = time.perf_counter()
            for sql in queries:
                cursor.execute(sql)
                cursor.fetchall()
            timings.append(time.perf_counter() - started)
    return timings


def run() -> dict[str, Any]:
    from django.contrib.auth.models import User
    from django.db import connection
    from django.utils import timezone

    from thanglong.cameras import scale
    from thanglong.cameras.models import Camera, CameraEvent
    from thanglong.cameras.services import record_event, search

    if connection.vendor != "postgresql":
        return {"skipped": "needs DATABASE_URL on PostgreSQL loaded with `thanglong demo`"}
    user = User.objects.filter(username="chihuy").first()
    if user is None or not Camera.objects.exists():
        return {"skipped": "demo accounts or cameras missing: run `thanglong demo` first"}
    scale.generate(EVENTS, out=print, progress=True)
    total = CameraEvent.objects.count()
    rng = random.Random(7)
    now = timezone.now()
    # Plates that exist, drawn from a sample of the table (TABLESAMPLE: no full scan).
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT plate_folded FROM cameras_cameraevent TABLESAMPLE SYSTEM (1) "
            "WHERE plate_folded <> '' LIMIT 2000"
        )
        plates = [row[0] for row in cursor.fetchall()]
    if len(plates) < RUNS:
        plates = list(
            CameraEvent.objects.exclude(plate_folded="").values_list("plate_folded", flat=True)[:2000]
        )
    cameras = list(Camera.objects.values_list("code", flat=True))

    def prefix_search(plate: str) -> Callable[[], Any]:
        pattern = plate[:5] + "*"  # "30A12*": province, series and the first digits
        return lambda: search.search_events(user, search.EventQuery(plate=pattern, reason=REASON), limit=200)

    def camera_window(code: str) -> Callable[[], Any]:
        query = search.EventQuery(camera=code, since=now - timedelta(hours=2), until=now, reason=REASON)
        return lambda: search.search_events(user, query, limit=200)

    def route(plate: str) -> Callable[[], Any]:
        return lambda: search.route(user, plate, since=now - timedelta(days=60), until=now, reason=REASON)

    table: list[list[Any]] = [
        ["query", "service p50 ms", "service p95 ms", "SQL p50 ms", "SQL p95 ms", "ratio p50"]
    ]
    for label, make, inputs in [
        ("partial plate 30A12* (200 newest)", prefix_search, rng.sample(plates, min(RUNS, len(plates)))),
        ("camera + 2 h window", camera_window, [rng.choice(cameras) for _ in range(RUNS)]),
        ("route, 60 days", route, rng.sample(plates, min(RUNS, len(plates)))),
    ]:
        timings, captured = _measure([make(value) for value in inputs])
        sql = _replay(captured)
        service_p50, service_p95 = _ms(timings)
        sql_p50, sql_p95 = _ms(sql)
        table.append(
            [label, service_p50, service_p95, sql_p50, sql_p95, round(service_p50 / max(sql_p50, 0.001), 2)]
        )

    # Ingest: record_event one at a time (each its own transaction, as the worker calls it), against
    # the ORM's bare insert of the same rows as the baseline; both removed afterwards.
    camera_objects = list(Camera.objects.all()[:20])
    started = time.perf_counter()
    made = [
        record_event(
            camera=rng.choice(camera_objects),
            kind="plate",
            observed_at=now,
            confidence=0.9,
            plate_text=plates[i % len(plates)],
            source="worker",
        )
        for i in range(INGEST)
    ]
    ingest_s = time.perf_counter() - started
    started = time.perf_counter()
    bare = [
        CameraEvent.objects.create(
            camera=camera,
            kind="plate",
            observed_at=now,
            ward_id=camera.ward_id,
            plate_text="30A-000.00",
            plate_folded="30A00000",
            confidence=0.9,
        )
        for camera in (rng.choice(camera_objects) for _ in range(INGEST))
    ]
    bare_s = time.perf_counter() - started
    CameraEvent.objects.filter(pk__in=[event.pk for event in made + bare]).delete()
    table.append(
        [
            "record_event ingest (events/s)",
            round(INGEST / ingest_s),
            "",
            round(INGEST / bare_s),
            "",
            round((INGEST / bare_s) / (INGEST / ingest_s), 2),
        ]
    )
    return {
        "table": table,
        "notes": [
            f"{total:,} events on PostgreSQL; {RUNS} runs per query after 3 warm-ups, "
            "different plates/cameras",
            "service = permission check + unit scope + query + audit entry (as chihuy, who sees every unit); "
            "SQL = the service's captured SELECTs replayed on the same connection",
            f"ingest: {INGEST} record_event calls (watch-list check included) vs the ORM's bare insert; "
            "the last row's ratio is bare ÷ record_event",
            "measured on a shared machine: compare the ratios, not the absolute figures",
        ],
        "events": total,
    }

"""Report intake through the real HTTP server: throughput, p50/p99 latency, and zero loss, beside a baseline.

A throwaway database (PostgreSQL when ``THANGLONG_BENCH_POSTGRES_URL`` names a server the bench may
create databases on, else a SQLite file) is migrated and given the administrative units; gunicorn then
serves it with 2 workers × 4 threads, each worker on its own ``SO_REUSEPORT`` socket, as ``thanglong serve``
does (``THANGLONG_BENCH_WORKERS`` / ``THANGLONG_BENCH_THREADS`` try others: on 2 cores 3 × 2 and 4 × 2 keep
the cores busier but spend more CPU per report, and measured no faster). With one shared socket instead, a
worker could take every kept-alive connection of a run and leave the other idle: 243 reports/s against
420–490 when they were split.
N client threads (8, then 32) send a fixed number of requests each:

* baseline — ``GET /api/v1/core/health`` (one ``SELECT 1``): the framework's floor on this machine;
* ``POST /api/v1/feedback`` as JSON (text, address, phone, consent): validation, address normalisation,
  one transaction (timeline event, triage job's queue row, tracking number, report);
* the same as multipart with one distinct ~200 KB photo: also decoded, re-encoded, hashed, written and
  fsynced before the transaction.

Zero loss: every tracking code answered with 201 is looked up in the database afterwards. Clients run on
the same machine as the server and take part of its CPU: Python client threads spend about as much CPU
per request as the server's health check does. Where ``wrk`` (Debian package) is installed, the baseline
and JSON runs are repeated with it — one C thread on epoll — which leaves the server nearly both cores.
Counts: ``THANGLONG_BENCH_INTAKE_REQUESTS`` (default 1200 per JSON/baseline run, a third of that with
photos); wrk runs for ``THANGLONG_BENCH_WRK_SECONDS`` (default 6) each, baseline and JSON taking turns
``THANGLONG_BENCH_WRK_ROUNDS`` times (default 3). The cores of a shared machine do not keep one speed —
the same code measured 300 and 520 reports/s a minute apart, the baseline moving with it — so the wrk
rows give the median of the rounds and the median of each round's ratio to the baseline run just before.
"""

from __future__ import annotations

import io
import json
import os
import random
import shutil
import statistics
import tempfile
import uuid
from pathlib import Path
from typing import Any

from bench.httpload import Database, Server, load, load_wrk, wrk_available

WORKERS = int(os.environ.get("THANGLONG_BENCH_WORKERS", "2"))
THREADS = int(os.environ.get("THANGLONG_BENCH_THREADS", "4"))
CLIENT_COUNTS = (8, 32)
WRK_SECONDS = int(os.environ.get("THANGLONG_BENCH_WRK_SECONDS", "6"))
WRK_ROUNDS = max(1, int(os.environ.get("THANGLONG_BENCH_WRK_ROUNDS", "3")))
ADDRESSES = [
    "12 Trần Thái Tông, Dịch Vọng, Cầu Giấy",
    "ngõ 5 Hàng Bạc, Hoàn Kiếm",
    "số 2 Nguyễn Chí Thanh, Láng Thượng, Đống Đa",
    "Chung cư mini ngõ 29 Khương Hạ, Thanh Xuân",
]


def _photos(count: int) -> list[bytes]:
    """Distinct ~200 KB camera-like JPEGs (noise compresses as badly as a real scene)."""
    from PIL import Image

    generator = random.Random(2026)
    base = Image.frombytes("RGB", (640, 480), generator.randbytes(640 * 480 * 3))
    photos = []
    for number in range(count):
        image = base.copy()
        image.paste((number % 256, (number * 7) % 256, 90), (0, 0, 24, 24))
        output = io.BytesIO()
        image.save(output, format="JPEG", quality=70)
        photos.append(output.getvalue())
    return photos


def _report_fields(number: int) -> dict[str, str]:
    return {
        "text": f"Phản ánh {number}: ô tô đỗ chắn lối vào ngõ từ sáng đến tối, xe cứu thương không vào được.",
        "category_hint": "traffic",
        "address": ADDRESSES[number % len(ADDRESSES)],
        "phone": f"09{number % 100_000_000:08d}",
        "consent": "true",
    }


def _multipart(fields: dict[str, str], photo: bytes) -> tuple[bytes, str]:
    boundary = uuid.uuid4().hex
    parts = [
        f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode()
        for name, value in fields.items()
    ]
    parts.append(
        f'--{boundary}\r\nContent-Disposition: form-data; name="files[]"; filename="anh.jpg"\r\n'
        f"Content-Type: image/jpeg\r\n\r\n".encode()
        + photo
        + b"\r\n"
    )
    parts.append(f"--{boundary}--\r\n".encode())
    return b"".join(parts), f"multipart/form-data; boundary={boundary}"


WRK_HEALTH = """
function make_request(text, number)
  return wrk.format("GET", "/api/v1/core/health")
end
"""

WRK_REPORT = (
    "local addresses = {"
    + ", ".join(json.dumps(address, ensure_ascii=False) for address in ADDRESSES)
    + """}
function make_request(text, number)
  local body = string.format(
    '{"text": "Phản ánh %s: ô tô đỗ chắn lối vào ngõ từ sáng đến tối, xe cứu thương không vào được.", '
    .. '"category_hint": "traffic", "address": "%s", "phone": "09%08d", "consent": true}',
    text, addresses[number % #addresses + 1], number % 100000000)
  return wrk.format("POST", "/api/v1/feedback", {["Content-Type"] = "application/json"}, body)
end
"""
)


def _median_of_rounds(runs: list[dict[str, Any]]) -> dict[str, Any]:
    """One row for several runs of a scenario: medians of rate and latencies, every request counted."""
    return {
        "clients": runs[0]["clients"],
        "requests": sum(run["requests"] for run in runs),
        "ok": sum(run["ok"] for run in runs),
        "per_s": statistics.median(run["per_s"] for run in runs),
        "p50_ms": statistics.median(run["p50_ms"] for run in runs),
        "p99_ms": statistics.median(run["p99_ms"] for run in runs),
        "statuses": {
            status: sum(run["statuses"].get(status, 0) for run in runs)
            for status in sorted({status for run in runs for status in run["statuses"]})
        },
        "round_per_s": [run["per_s"] for run in runs],
        "codes": [code for run in runs for code in run["codes"]],
    }


def _ratio(outcome: dict[str, Any], baseline: dict[str, Any]) -> float | None:
    """Rate against the baseline: round by round (each against the baseline run just before it) where
    both were run in rounds, the median of those; else the one ratio."""
    pairs = list(zip(outcome.get("round_per_s", []), baseline.get("round_per_s", []), strict=False))
    if not pairs:
        pairs = [(outcome["per_s"], baseline["per_s"])]
    ratios = [value / base for value, base in pairs if base]
    return round(statistics.median(ratios), 3) if ratios else None


def _tracking_code(payload: bytes) -> str:
    return str(json.loads(payload)["tracking_code"])


def run() -> dict[str, Any]:
    try:
        import gunicorn  # noqa: F401
    except ImportError:
        return {"skipped": "gunicorn is not installed"}
    total = int(os.environ.get("THANGLONG_BENCH_INTAKE_REQUESTS", "1200"))
    photo_total = max(total // 3, 50)
    workdir = Path(tempfile.mkdtemp(prefix="thanglong-bench-intake-"))
    database: Database | None = None
    server: Server | None = None
    try:
        try:
            database = Database(workdir)
        except Exception as error:  # no PostgreSQL reachable, migrations failing…: say so, do not crash
            return {"skipped": f"could not prepare the bench database: {error!r}"}
        server = Server(workdir, database, workers=WORKERS, threads=THREADS)
        if not server.ready():
            return {"skipped": f"gunicorn did not start: {server.log.read_text(errors='replace')[-500:]}"}
        photos = _photos(min(photo_total, 300))
        sequence = iter(range(10**9))

        def health(number: int) -> tuple[str, str, bytes, dict[str, str]]:
            return "GET", "/api/v1/core/health", b"", {}

        def json_report(number: int) -> tuple[str, str, bytes, dict[str, str]]:
            unique = next(sequence)
            body = json.dumps({**_report_fields(unique), "consent": True}).encode()
            return "POST", "/api/v1/feedback", body, {"Content-Type": "application/json"}

        def photo_report(number: int) -> tuple[str, str, bytes, dict[str, str]]:
            unique = next(sequence)
            body, content_type = _multipart(_report_fields(unique), photos[unique % len(photos)])
            return "POST", "/api/v1/feedback", body, {"Content-Type": content_type}

        # Warm every worker: imports, the address index, the calendar and Pillow, before timing.
        load(server.port, WORKERS * THREADS * 2, WORKERS * THREADS * 4, json_report)
        load(server.port, WORKERS * THREADS, WORKERS * THREADS * 2, photo_report)

        results: dict[str, list[dict[str, Any]]] = {
            "baseline": [],
            "json": [],
            "photo": [],
            "wrk_baseline": [],
            "wrk_json": [],
        }
        for clients in CLIENT_COUNTS:
            results["baseline"].append(load(server.port, clients, total, health))
            results["json"].append(load(server.port, clients, total, json_report, _tracking_code))
            results["photo"].append(load(server.port, clients, photo_total, photo_report, _tracking_code))
            if wrk_available():
                # The same requests from wrk: its clients cost the shared cores far less than Python's.
                rounds: dict[str, list[dict[str, Any]]] = {"wrk_baseline": [], "wrk_json": []}
                for _round in range(WRK_ROUNDS):
                    for name, script in (("wrk_baseline", WRK_HEALTH), ("wrk_json", WRK_REPORT)):
                        rounds[name].append(load_wrk(server.port, clients, WRK_SECONDS, script, workdir))
                for name, runs in rounds.items():
                    results[name].append(_median_of_rounds(runs))

        lost_total = 0
        table: list[list[Any]] = [
            ["scenario", "clients", "requests", "ok", "req/s", "p50 ms", "p99 ms", "vs baseline", "lost"]
        ]
        for name, label in (
            ("baseline", "GET /health (baseline)"),
            ("json", "POST report, JSON"),
            ("photo", "POST report + 200 KB photo"),
            ("wrk_baseline", "wrk: GET /health (baseline)"),
            ("wrk_json", "wrk: POST report, JSON"),
        ):
            for index, outcome in enumerate(results[name]):
                codes = outcome.pop("codes")
                lost: int | str = ""
                if not name.endswith("baseline"):
                    found, attachments = database.stored(codes)
                    lost = len(set(codes) - found) + (len(codes) - attachments if name == "photo" else 0)
                    lost_total += lost
                    outcome["lost"] = lost
                baseline_name = "wrk_baseline" if name.startswith("wrk") else "baseline"
                ratio = ""
                if name != baseline_name:
                    outcome["vs_baseline"] = _ratio(outcome, results[baseline_name][index])
                    ratio = f"{outcome['vs_baseline']:.2f}×" if outcome["vs_baseline"] else ""
                table.append(
                    [
                        label,
                        outcome["clients"],
                        outcome["requests"],
                        outcome["ok"],
                        outcome["per_s"],
                        outcome["p50_ms"],
                        outcome["p99_ms"],
                        ratio,
                        lost,
                    ]
                )
        cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
        # The headline: the most clients, from wrk where it ran (its clients leave the server the cores).
        headline = (results["wrk_json"] or results["json"])[-1]
        spread = headline.get("round_per_s", [headline["per_s"]])
        return {
            "database": database.engine,
            "cores": cores,
            "server": f"gunicorn {WORKERS} workers × {THREADS} threads",
            "results": results,
            "lost": lost_total,
            "table": table,
            "notes": [
                f"{database.engine}, {cores} CPU cores shared by server, database and the clients "
                "(Python threads; wrk rows: one wrk thread, when wrk is installed)",
                f"JSON intake with {headline['clients']} clients: {headline['per_s']:.0f} reports/s "
                f"(median of {len(spread)}: {min(spread):.0f}–{max(spread):.0f}; "
                f"issue goal: ≥ 300/s on 2 cores, zero loss); "
                f"reports acknowledged but not found in the database: {lost_total}",
                "every 201 is one committed transaction: tracking number, report, attachments, timeline "
                "event and the triage job's queue row",
            ],
        }
    finally:
        if server is not None:
            server.stop()
        if database is not None:
            database.drop()
        shutil.rmtree(workdir, ignore_errors=True)

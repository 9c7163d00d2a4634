"""Run the benchmarks: every ``bench/bench_*.py`` module exposing ``run() -> dict``.

Each result dict holds a ``table`` (rows of cells, the first row the header) that is printed, and is
written whole to ``bench/results/<name>.json``. A module that cannot run (its data is missing) returns
``{"skipped": "why"}``. ``python -m bench address`` runs only ``bench_address``.
"""

from __future__ import annotations

import importlib
import json
import os
import pkgutil
import sys
import time
from pathlib import Path
from typing import Any

RESULTS_DIR = Path(__file__).resolve().parent / "results"


def discover() -> list[str]:
    package_dir = Path(__file__).resolve().parent
    return sorted(
        info.name.removeprefix("bench_")
        for info in pkgutil.iter_modules([str(package_dir)])
        if info.name.startswith("bench_")
    )


def format_table(rows: list[list[Any]]) -> str:
    cells = [[str(cell) for cell in row] for row in rows]
    widths = [max(len(row[i]) for row in cells if i < len(row)) for i in range(max(map(len, cells)))]
    lines = ["  ".join(cell.ljust(widths[i]) for i, cell in enumerate(row)).rstrip() for row in cells]
    if len(lines) > 1:
        lines.insert(1, "  ".join("-" * width for width in widths))
    return "\n".join(lines)


def main(argv: list[str]) -> int:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "thanglong.settings")
    import django

    django.setup()
    names = argv or discover()
    RESULTS_DIR.mkdir(parents=True, exist_ok=True)
    failed = False
    for name in names:
        print(f"== {name}")
        started = time.perf_counter()
        try:
            module = importlib.import_module(f"bench.bench_{name}")
            result: dict[str, Any] = module.run()
        except Exception as error:  # one broken benchmark must not hide the others' figures
            print(f"   failed: {error!r}")
            failed = True
            continue
        if "skipped" in result:
            print(f"   skipped: {result['skipped']}")
            continue
        print(format_table(result.get("table", [])))
        for note in result.get("notes", []):
            print(f"   {note}")
        result["elapsed_s"] = round(time.perf_counter() - started, 2)
        path = RESULTS_DIR / f"{name}.json"
        path.write_text(json.dumps(result, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
        print(f"   → {path.relative_to(Path.cwd()) if path.is_relative_to(Path.cwd()) else path}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

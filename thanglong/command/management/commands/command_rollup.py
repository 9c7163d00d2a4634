"""``thanglong command-rollup``: refresh the daily rollup behind the period pages (cron-friendly)."""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from thanglong.command import performance, rollup


class Command(BaseCommand):
    help = (
        "Cập nhật bảng tổng hợp theo ngày cho trang thống kê (refresh the daily rollup: recent days, "
        "or every day with --full, and warm the cached medians; pages also refresh the rollup themselves)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--full", action="store_true", help="recompute every day (nightly)")
        parser.add_argument(
            "--every", type=int, default=0, metavar="SECONDS", help="keep running, once every SECONDS"
        )

    def handle(self, *args: Any, full: bool = False, every: int = 0, **options: Any) -> None:
        while True:
            started = time.perf_counter()
            rows = rollup.refresh(full=full)
            units = performance.warm_medians()
            elapsed = time.perf_counter() - started
            self.stdout.write(f"rollup: {rows} rows, medians of {units} unit-periods in {elapsed:.1f} s")
            if every <= 0:
                return
            time.sleep(every)

"""``thanglong command-rollup``: refresh the daily rollup behind the period pages (cron-friendly).

With ``--every`` it keeps running (``thanglong serve`` starts it so): the recent days every few minutes,
and once a night every day (``--full``) plus the periodic unit reports of the weeks, months and quarters
that have just ended — so a single server needs no cron at all.
"""

from __future__ import annotations

import time
from datetime import date
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser
from django.utils import timezone

from thanglong.command import performance, periods, reports, rollup
from thanglong.core.periodic import run_every

NIGHTLY_HOUR = 1  # local time: after the day's last reports have settled, before the morning briefing


class Command(BaseCommand):
    help = (
        "Cập nhật bảng tổng hợp theo ngày cho trang thống kê (refresh the daily rollup: recent days, "
        "or every day with --full, and warm the cached medians; pages also refresh the rollup themselves; "
        "with --every it also runs the nightly full refresh and the periodic unit reports)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--full", action="store_true", help="recompute every day (nightly)")
        parser.add_argument(
            "--every", type=int, default=0, metavar="SECONDS", help="keep running, once every SECONDS"
        )

    def handle(self, *args: Any, full: bool = False, every: int = 0, **options: Any) -> None:
        last_night = self._initial_last_night()

        def refresh() -> None:
            nonlocal last_night
            nightly = every > 0 and self._night_due(last_night)
            self._refresh(full=full or nightly)
            if nightly:
                last_night = timezone.localdate()
                self._schedule_reports()

        run_every(every, refresh, name="command-rollup")

    @staticmethod
    def _initial_last_night() -> date | None:
        """A server started during the day waits for the next night; one started before 01:00 runs tonight."""
        now = timezone.localtime()
        return now.date() if now.hour >= NIGHTLY_HOUR else None

    @staticmethod
    def _night_due(last_night: date | None) -> bool:
        now = timezone.localtime()
        return now.hour >= NIGHTLY_HOUR and last_night != now.date()

    def _refresh(self, *, full: bool) -> None:
        started = time.perf_counter()
        rows = rollup.refresh(full=full)
        units = performance.warm_medians()
        elapsed = time.perf_counter() - started
        kind = "full" if full else "recent days"
        self.stdout.write(f"rollup ({kind}): {rows} rows, medians of {units} unit-periods in {elapsed:.1f} s")

    def _schedule_reports(self) -> None:
        # Idempotent per unit and period: a restart the same night queues nothing twice.
        email = bool(getattr(settings, "THANGLONG_COMMAND_REPORTS_EMAIL", False))
        for kind in periods.KINDS:
            created = reports.schedule(kind, email=email)
            if created:
                self.stdout.write(f"queued {len(created)} {kind} report(s)")

"""``thanglong housekeeping``: every retention purge in turn, once, or once every ``--every`` seconds.

One process for all the daily clean-ups (``thanglong serve`` runs it once a day) instead of one
sleeping process per app. A purge is a zero-argument function, named here by dotted path so an app
that is not installed is reported and skipped; it returns what it deleted (a count, or a result with
``total``). A purge that fails is logged and the next one runs all the same; a single run then exits
non-zero (cron sees it), a ``--every`` loop goes on and tries again next time.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.module_loading import import_string

from thanglong.core.periodic import run_every

logger = logging.getLogger("thanglong.housekeeping")

# name → the purge's dotted path; every registered retention purge of the platform.
PURGES: dict[str, str] = {
    "cameras": "thanglong.cameras.services.retention.purge",  # plate/face events and their images
    "voice": "thanglong.voice.services.purge_expired",  # calls, transcripts and recordings
    "alerts": "thanglong.core.alerts.purge_expired",  # live console alerts
}


def _count(result: Any) -> int:
    total = getattr(result, "total", result)
    return int(total) if isinstance(total, int) else 0


def run_purges(
    purges: dict[str, str] | None = None, *, report: Callable[[str], None] = lambda line: None
) -> dict[str, int | None]:
    """Run each purge; name → how many rows it deleted, ``None`` for one that failed."""
    outcome: dict[str, int | None] = {}
    for name, path in (purges or PURGES).items():
        started = time.perf_counter()
        try:
            purge: Callable[[], Any] = import_string(path)
            deleted = _count(purge())
        except Exception as error:
            logger.exception("housekeeping: purge %s (%s) failed", name, path)
            report(f"{name}: FAILED ({type(error).__name__}: {error})")
            outcome[name] = None
            continue
        outcome[name] = deleted
        report(f"{name}: deleted {deleted} in {time.perf_counter() - started:.1f} s")
    return outcome


class Command(BaseCommand):
    help = (
        "Dọn dữ liệu quá hạn lưu trữ (run every retention purge: camera events, call recordings, "
        "console alerts; --every SECONDS keeps running)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--every", type=int, default=0, metavar="SECONDS", help="keep running, once every SECONDS"
        )

    def handle(self, *args: Any, every: int = 0, **options: Any) -> None:
        def purge_all() -> None:
            outcome = run_purges(report=self.stdout.write)
            failed = [name for name, deleted in outcome.items() if deleted is None]
            # run_purges has logged each failure; only a single run needs them as its exit status.
            if failed and every <= 0:
                raise CommandError(f"purge failed: {', '.join(failed)} (the others ran)")

        run_every(every, purge_all, name="housekeeping")

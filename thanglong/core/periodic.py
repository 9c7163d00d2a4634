"""One loop for the commands that keep running with ``--every SECONDS``.

``thanglong serve`` starts several of them beside the web server (deadline sweeps, the dashboard rollup,
housekeeping, the scanner's consume folder) and stops the whole server when any of its processes exits.
So a round that fails — the database restarting, a disk full for a minute — is logged and the loop
waits for the next round instead of ending, and every round begins by closing the database connections
that the sleep before it may have left broken or stale, so a restarted database is met with a fresh one.
A single run (``every`` 0) lets its error through: cron and the operator see the failure and the status.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable

from django.db import close_old_connections, connection

logger = logging.getLogger("thanglong.periodic")


def run_every(
    every: float,
    round_: Callable[[], object],
    *,
    name: str,
    sleep: Callable[[float], object] | None = None,
) -> None:
    """Run ``round_`` once, or for ever once every ``every`` seconds (``every`` > 0)."""
    sleep = sleep or time.sleep  # looked up now, so a test that patches time.sleep is obeyed
    if every <= 0:
        round_()
        return
    while True:
        if not connection.in_atomic_block:  # a test's transaction is not ours to close
            close_old_connections()
        try:
            round_()
        except Exception:
            logger.exception("%s: this round failed; the next one starts in %s s", name, every)
        sleep(every)

"""``thanglong feedback-sla``: SLA alerts for overdue / nearly due reports, and outbox retries."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from thanglong.core.periodic import run_every
from thanglong.feedback.tasks import feedback_periodic, run_periodic


class Command(BaseCommand):
    help = (
        "Cảnh báo phản ánh quá hạn / sắp đến hạn và gửi lại thông báo đến hạn thử lại "
        "(SLA alerts and notification retries; idempotent, safe to run from cron)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--every", type=int, default=0, metavar="SECONDS", help="keep running, once every SECONDS"
        )
        parser.add_argument(
            "--enqueue", action="store_true", help="queue the sweep for a background worker instead"
        )

    def handle(self, *args: Any, every: int = 0, enqueue: bool = False, **options: Any) -> None:
        def sweep() -> None:
            if enqueue:
                result = feedback_periodic.enqueue()
                self.stdout.write(f"queued {result.id}")
                return
            outcome = run_periodic()
            alerts = outcome["alerts"]
            self.stdout.write(
                f"overdue alerts: {alerts['overdue']}, near-deadline alerts: {alerts['near_deadline']}, "
                f"notifications re-queued: {outcome['notifications_requeued']}"
            )

        run_every(every, sweep, name="feedback-sla")

"""``thanglong command-reports``: the scheduler's run (cron), last complete period's unit reports."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from thanglong.command import periods, reports


class Command(BaseCommand):
    help = (
        "Tạo báo cáo định kỳ (kỳ vừa kết thúc) cho mọi đơn vị có lãnh đạo, gửi thư nếu có --email "
        "(periodic unit reports for the last complete week/month/quarter; idempotent, for cron)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--period", choices=periods.KINDS, default=periods.MONTH)
        parser.add_argument("--email", action="store_true", help="e-mail each report to the unit's leaders")

    def handle(self, *args: Any, period: str = periods.MONTH, email: bool = False, **options: Any) -> None:
        created = reports.schedule(period, email=email)
        self.stdout.write(f"queued {len(created)} report(s) for the last {period}")

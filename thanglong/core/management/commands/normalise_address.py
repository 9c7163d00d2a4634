"""`thanglong normalise-address "…"`: resolve a free-text address to its pre-2025 and 2025 units."""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from thanglong.core.address import normalise_address


class Command(BaseCommand):
    help = "Turn a free-text Vietnamese address into province + ward (2025) and the pre-2025 units it names."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("address", nargs="+", help="the address (quote it, or pass it as several words)")
        parser.add_argument("--json", action="store_true", help="print the whole result as JSON")

    def handle(self, *args: Any, **options: Any) -> None:
        text = " ".join(options["address"]).strip()
        if not text:
            raise CommandError("empty address")
        result = normalise_address(text)
        if options["json"]:
            self.stdout.write(json.dumps(result.as_dict(), ensure_ascii=False, indent=2))
            return
        rows = [
            ("Tỉnh/thành 2025", result.province.name if result.province else "—"),
            ("Phường/xã 2025", f"{result.ward.name} ({result.ward.code})" if result.ward else "—"),
            ("Tỉnh cũ", result.legacy_province or "—"),
            ("Quận/huyện cũ", result.legacy_district or "—"),
            ("Phường/xã cũ", result.legacy_ward or "—"),
            ("Số nhà, đường", result.street or "—"),
            ("Độ tin cậy", f"{result.confidence:.2f}"),
        ]
        width = max(len(label) for label, _ in rows)
        for label, value in rows:
            self.stdout.write(f"{label.ljust(width)}  {value}")
        for alternative in result.alternatives:
            names = ", ".join(
                str(alternative[key])
                for key in ("legacy_ward", "legacy_district", "legacy_province")
                if alternative[key]
            )
            self.stdout.write(f"{'hoặc'.ljust(width)}  {names}")

"""`thanglong import-divisions`: load the 2025 administrative units and the pre-2025 units mapped to them."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand
from tqdm import tqdm

from thanglong.core.divisions_data import load_dataset
from thanglong.core.importers import import_divisions


class Command(BaseCommand):
    help = "Load 34 provinces, 3,321 wards/communes and the pre-2025 wards mapped to them (idempotent)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--background", action="store_true", help="enqueue as a background job instead")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["background"]:
            from thanglong.core.tasks import import_divisions_task

            result = import_divisions_task.enqueue()
            self.stdout.write(f"enqueued job {result.id} (status: {result.status})")
            return
        dataset = load_dataset()
        self.stdout.write(f"source: {dataset.source}")
        bars: dict[str, tqdm] = {}

        def progress(stage: str, done: int, total: int) -> None:
            bar = bars.get(stage) or bars.setdefault(stage, tqdm(total=total, desc=stage, unit="rows"))
            bar.n = done
            bar.refresh()

        counts = import_divisions(dataset, progress=progress)
        for bar in bars.values():
            bar.close()
        self.stdout.write(self.style.SUCCESS(", ".join(f"{k}: {v}" for k, v in counts.items())))

"""`thanglong cameras`: retention purge, integration keys for external systems, health, city-scale data."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from thanglong.core.periodic import run_every


class Command(BaseCommand):
    help = (
        "Camera AI: purge (retention), add-key <name> --unit <code> (an external system's key), "
        "health (cameras by status), scale [--events N] (city-scale events for benchmarks)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        purge = sub.add_parser("purge", help="delete events (and their files) past their retention")
        purge.add_argument("--dry-run", action="store_true", help="only count what would be deleted")
        purge.add_argument("--every", type=int, default=0, help="run again every N seconds (a service)")
        key = sub.add_parser("add-key", help="create an integration key for an external system")
        key.add_argument("name")
        key.add_argument("--unit", required=True, help="code of the unit whose cameras it may post for")
        sub.add_parser("health", help="cameras by status, and the offline ones with their last error")
        scale = sub.add_parser("scale", help="generate city-scale events (PostgreSQL COPY)")
        scale.add_argument("--events", type=int, default=None, help="target number of events (5,000,000)")

    def handle(self, *args: Any, **options: Any) -> None:
        action = options["action"]
        if action == "purge":
            every = 0 if options["dry_run"] else options["every"]
            run_every(every, lambda: self._purge(dry_run=options["dry_run"]), name="cameras purge")
        elif action == "add-key":
            self._add_key(options["name"], options["unit"])
        elif action == "health":
            self._health()
        elif action == "scale":
            from thanglong.cameras import scale

            scale.generate(options.get("events") or scale.CITY_EVENTS, out=self.stdout.write)

    def _purge(self, *, dry_run: bool) -> None:
        from tqdm import tqdm

        from thanglong.cameras.services import retention

        limits = retention.cutoffs()
        self.stdout.write(
            "Retention cut-offs: " + ", ".join(f"{k} < {v:%Y-%m-%d}" for k, v in limits.items())
        )
        if dry_run:
            result = retention.purge(dry_run=True)
            self.stdout.write(f"Would delete: {result.events}")
            return
        bar = tqdm(unit=" events", desc="purge", disable=not self.stdout.isatty())

        def progress(done: int, total: int) -> None:
            bar.total = total
            bar.n = done
            bar.refresh()

        result = retention.purge(progress=progress)
        bar.close()
        self.stdout.write(
            self.style.SUCCESS(
                f"Deleted {result.total} events ({result.events}), {result.files} files, "
                f"{result.uploads} uploads."
            )
        )

    def _add_key(self, name: str, unit_code: str) -> None:
        from thanglong.cameras import keys
        from thanglong.core.models import OrganisationUnit

        unit = OrganisationUnit.objects.filter(code=unit_code).first()
        if unit is None:
            raise CommandError(f"no unit with code {unit_code}")
        record, key = keys.create(name, unit)
        self.stdout.write(f"Key for {record.name} ({unit.code}) — shown once, store it now:")
        self.stdout.write(key)

    def _health(self) -> None:
        from thanglong.cameras.models import Camera, CameraStatus
        from thanglong.cameras.services import registry

        summary = registry.health(Camera.objects.all())
        self.stdout.write(f"{summary['total']} cameras: {summary['counts']}")
        for camera in Camera.objects.filter(status=CameraStatus.OFFLINE).order_by("code")[:50]:
            self.stdout.write(f"  {camera.code:<12} {camera.last_seen_at or '—'}  {camera.last_error}")

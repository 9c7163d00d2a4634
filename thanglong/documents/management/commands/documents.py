"""`thanglong documents …`: bulk import, the watched consume folder, reindexing, the stale-job sweep.

``import <dir>`` walks a folder (a unit's scanned archive), takes in every file with a progress bar
and writes a JSON-lines report beside it: one line per file with its outcome and, for failures, why.
Run it again and files already taken in are skipped, so an interrupted import resumes where it
stopped and a fixed file is retried. ``--inline`` also OCRs in this process (no worker needed).

``consume`` watches ``THANGLONG_CONSUME_DIR``: a file is taken in once its size has stopped
changing (a scanner may still be writing it), then moved to ``done/`` or ``failed/`` (with a
``.reason.txt`` beside it). It also sweeps documents whose worker died.
"""

from __future__ import annotations

import json
import shutil
import time
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from tqdm import tqdm

from thanglong.core.models import OrganisationUnit
from thanglong.core.periodic import run_every
from thanglong.documents.models import Document, Status
from thanglong.documents.services import archive, intake, processing

REPORT_NAME = ".thanglong-import.jsonl"
SUFFIXES = {".pdf", ".tif", ".tiff", ".jpg", ".jpeg", ".png"}
_SKIP_DIRS = {"done", "failed"}


def _unit(code: str | None) -> OrganisationUnit:
    unit = (
        OrganisationUnit.objects.filter(code=code).first()
        if code
        else OrganisationUnit.objects.filter(parent__isnull=True).order_by("pk").first()
    )
    if unit is None:
        raise CommandError(f"unit {code!r} not found" if code else "no organisation unit exists yet")
    return unit


def _fingerprint(path: Path) -> str:
    stat = path.stat()
    return f"{stat.st_size}:{int(stat.st_mtime)}"


class Command(BaseCommand):
    help = "Digitised documents: import a folder, watch the consume folder, rebuild the index, sweep."

    def add_arguments(self, parser: Any) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        imp = sub.add_parser("import", help="take in every scan under a folder (resumable)")
        imp.add_argument("directory")
        imp.add_argument("--unit", help="code of the unit the documents belong to (default: the top unit)")
        imp.add_argument("--report", help=f"JSON-lines report (default: <directory>/{REPORT_NAME})")
        imp.add_argument("--inline", action="store_true", help="OCR here too, not in the background")
        consume = sub.add_parser("consume", help="watch THANGLONG_CONSUME_DIR for scanner output")
        consume.add_argument("--directory", help="overrides THANGLONG_CONSUME_DIR")
        consume.add_argument("--unit")
        consume.add_argument("--every", type=float, default=0, help="poll every N seconds (0: once)")
        sub.add_parser("reindex", help="rebuild the search index from the database")
        sub.add_parser("sweep", help="re-queue documents whose worker died")
        run = sub.add_parser("process", help="OCR queued documents in this process")
        run.add_argument("ids", nargs="*", type=int)

    def handle(self, *args: Any, **options: Any) -> None:
        action = options["action"]
        if action == "import":
            self._import(Path(options["directory"]), options)
        elif action == "consume":
            self._consume(options)
        elif action == "reindex":
            with tqdm(total=Document.objects.filter(status=Status.DONE).count(), unit="doc") as bar:
                pages = archive.reindex_all(progress=bar.update)
            self.stdout.write(f"indexed {pages} pages")
        elif action == "sweep":
            self.stdout.write(json.dumps(processing.requeue_stale()))
        elif action == "process":
            ids = options["ids"] or list(
                Document.objects.filter(status=Status.QUEUED).values_list("pk", flat=True)
            )
            for document_id in tqdm(ids, unit="doc"):
                processing.process_document(document_id)

    # --- bulk import ------------------------------------------------------------------------------

    def _import(self, directory: Path, options: dict[str, Any]) -> None:
        if not directory.is_dir():
            raise CommandError(f"{directory} is not a folder")
        unit = _unit(options.get("unit"))
        report_path = Path(options["report"]) if options.get("report") else directory / REPORT_NAME
        done: dict[str, str] = {}
        if report_path.exists():
            for line in report_path.read_text(encoding="utf-8").splitlines():
                entry = json.loads(line)
                if entry.get("outcome") in {"queued", "duplicate", "done"}:
                    done[entry["path"]] = entry.get("fingerprint", "")
        files = sorted(p for p in directory.rglob("*") if p.is_file() and p.name != report_path.name)
        counts = {"queued": 0, "duplicate": 0, "failed": 0, "skipped": 0}
        with report_path.open("a", encoding="utf-8") as report, tqdm(total=len(files), unit="file") as bar:
            for path in files:
                relative = str(path.relative_to(directory))
                bar.set_postfix_str(relative[-40:])
                if done.get(relative) == _fingerprint(path):
                    counts["skipped"] += 1
                    bar.update(1)
                    continue
                entry = self._take_in(path, relative, unit, "import", options.get("inline", False))
                counts[entry["outcome"] if entry["outcome"] in counts else "queued"] += 1
                report.write(json.dumps(entry, ensure_ascii=False) + "\n")
                report.flush()
                bar.update(1)
        self.stdout.write(json.dumps(counts))
        self.stdout.write(f"report: {report_path}")

    def _take_in(
        self, path: Path, relative: str, unit: OrganisationUnit, source: str, inline: bool
    ) -> dict[str, Any]:
        entry: dict[str, Any] = {
            "path": relative,
            "fingerprint": _fingerprint(path),
            "at": timezone.now().isoformat(),
        }
        try:
            with path.open("rb") as handle:
                document = intake.ingest(handle, path.name, unit=unit, source=source)
        except intake.IntakeError as error:
            entry.update(
                outcome="failed", error=error.code, message_vi=error.message_vi, message_en=error.message_en
            )
            return entry
        except OSError as error:
            entry.update(outcome="failed", error="unreadable", message_en=str(error))
            return entry
        entry.update(document=document.pk, outcome=document.status)
        if inline and document.status == Status.QUEUED:
            processing.process_document(document.pk)
            document.refresh_from_db()
            entry["outcome"] = "done" if document.status == Status.DONE else "failed"
            if document.status == Status.FAILED:
                entry.update(error=document.failure, message_en=document.failure_detail)
        return entry

    # --- consume folder ---------------------------------------------------------------------------

    def _consume(self, options: dict[str, Any]) -> None:
        folder = options.get("directory") or settings.THANGLONG_CONSUME_DIR
        if not folder:
            raise CommandError("set THANGLONG_CONSUME_DIR or pass --directory")
        directory = Path(folder)
        directory.mkdir(parents=True, exist_ok=True)
        unit = _unit(options.get("unit"))
        seen: dict[Path, str] = {}

        def consume() -> None:
            self._consume_once(directory, unit, seen)
            processing.requeue_stale()

        run_every(options["every"], consume, name="documents consume")

    def _consume_once(self, directory: Path, unit: OrganisationUnit, seen: dict[Path, str]) -> None:
        for path in sorted(directory.rglob("*")):
            if (
                not path.is_file()
                or path.name.startswith(".")
                or _SKIP_DIRS & set(path.relative_to(directory).parts)
            ):
                continue
            fingerprint = _fingerprint(path)
            settled = time.time() - path.stat().st_mtime > 5
            if seen.get(path) != fingerprint and not settled:
                seen[path] = fingerprint  # not stable yet: look again next round
                continue
            seen.pop(path, None)
            entry = self._take_in(path, path.name, unit, "consume", inline=False)
            target = directory / ("failed" if entry["outcome"] == "failed" else "done")
            target.mkdir(exist_ok=True)
            destination = target / path.name
            if destination.exists():
                destination = target / f"{int(time.time())}-{path.name}"
            shutil.move(str(path), destination)
            if entry["outcome"] == "failed":
                destination.with_name(destination.name + ".reason.txt").write_text(
                    f"{entry.get('message_vi', '')}\n{entry.get('message_en', '')}\n", encoding="utf-8"
                )
            self.stdout.write(json.dumps(entry, ensure_ascii=False))

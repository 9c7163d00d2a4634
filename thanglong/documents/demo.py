"""Demo archive: the benchmark's official-document specimens, rendered as scans and queued for OCR.

The background worker started by ``thanglong serve`` reads them within a minute or two, so a fresh
``make run`` shows documents being digitised, then searchable.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from pathlib import Path

from thanglong.core.models import OrganisationUnit
from thanglong.documents.models import Document
from thanglong.documents.services import intake
from thanglong.documents.specimens import FONT_DIR, Specimen, degrade, render_pages

Out = Callable[[str], None]
SPECIMENS = Path(__file__).resolve().parents[2] / "bench" / "data" / "documents"


def load(out: Out) -> list[Document]:
    if Document.objects.exists():
        out("Văn bản mẫu: đã có dữ liệu, bỏ qua.")
        return []
    files = sorted(SPECIMENS.glob("*.json"))
    unit = OrganisationUnit.objects.filter(parent__isnull=True).order_by("pk").first()
    if not files or unit is None or not FONT_DIR.is_dir():
        out("Văn bản mẫu: thiếu mẫu, đơn vị hoặc phông chữ Noto, bỏ qua.")
        return []
    created = []
    for index, path in enumerate(files):
        pages, _ = render_pages(Specimen.load(path), dpi=200)
        scanned = [degrade(page, seed=index, strength=0.6) for page in pages]
        buffer = io.BytesIO()
        scanned[0].save(buffer, "PDF", resolution=200.0, save_all=True, append_images=scanned[1:])
        buffer.seek(0)
        created.append(intake.ingest(buffer, f"{path.stem}.pdf", unit=unit, source="import"))
    out(f"Văn bản mẫu: {len(created)} bản quét đã xếp hàng chờ nhận dạng (OCR).")
    return created

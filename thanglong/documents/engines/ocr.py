"""OCR engines: turn a scan, a photo or a PDF into per-page text with word boxes and a PDF/A.

The default runs OCRmyPDF in two halves (``pdf_to_hocr`` then ``hocr_to_ocr_pdf``) in a work folder
we own: the hOCR Tesseract writes in between carries every word's box and confidence, so per-page
confidence and hit highlighting cost no second OCR pass. Each Tesseract gets one thread
(``OMP_THREAD_LIMIT=1``, see docs/engines.md: threaded Tesseract is 8x slower on two cores); speed
comes from running pages (``jobs``) and documents (more workers) in parallel.
"""

from __future__ import annotations

import logging
import os
import shutil
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from PIL import Image

from thanglong.documents.engines import hocr, images

os.environ.setdefault("OMP_THREAD_LIMIT", "1")
logger = logging.getLogger(__name__)
# OCRmyPDF and fontTools log every step at INFO: a worker's log would be nothing else.
for _noisy in ("ocrmypdf", "fontTools"):
    logging.getLogger(_noisy).setLevel(logging.WARNING)

PREVIEW_WIDTH = 1240


class OcrError(Exception):
    """The input cannot be digitised; ``code`` is a :class:`~thanglong.documents.models.Failure`."""

    def __init__(self, code: str, detail: str = "") -> None:
        super().__init__(f"{code}: {detail}")
        self.code = code
        self.detail = detail


@dataclass
class OcrOptions:
    language: str = "vie"
    jobs: int = 1
    max_pages: int = 500
    max_megapixels: float = 120.0
    page_timeout_s: float = 180.0
    deskew: bool = True
    clean: bool = True
    rotate: bool = True
    # Tesseract's orientation detection is trained on Latin script without Vietnamese tone marks: on our
    # pages it finds an upside-down page but reports ~13 confidence, under OCRmyPDF's default of 14.
    rotate_threshold: float = 6.0
    pdfa: bool = True


@dataclass
class PageResult:
    number: int
    text: str
    confidence: float | None
    words: list[list[object]]
    lines: list[hocr.Line]
    width: int  # preview pixels (word boxes are in these)
    height: int
    preview_png: bytes = b""
    ocr_width: int = 0  # OCR image pixels (line boxes are in these)


@dataclass
class OcrResult:
    pages: list[PageResult]
    archive_pdf: Path
    content_type: str
    notes: list[str] = field(default_factory=list)

    @property
    def text(self) -> str:
        return "\n\f".join(page.text for page in self.pages)


class OcrEngine(Protocol):
    def process(self, source: Path, work_dir: Path, options: OcrOptions) -> OcrResult: ...


def sniff(head: bytes) -> str:
    """The content type from the first bytes: the file name's extension is not evidence."""
    if head.startswith(b"%PDF-") or b"%PDF-" in head[:1024]:
        return "application/pdf"
    if head.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if head.startswith((b"II*\x00", b"MM\x00*")):
        return "image/tiff"
    return ""


class OcrmypdfEngine:
    """OCRmyPDF + Tesseract; images go through perspective correction and cropping first."""

    def process(self, source: Path, work_dir: Path, options: OcrOptions) -> OcrResult:
        import ocrmypdf.exceptions as ocr_errors
        from ocrmypdf.api import _hocr_to_ocr_pdf, _pdf_to_hocr

        with source.open("rb") as handle:
            head = handle.read(2048)
        if not head:
            raise OcrError("empty", "0 bytes")
        content_type = sniff(head)
        if not content_type:
            raise OcrError("unsupported", "not a PDF, TIFF, JPEG or PNG")
        work_dir.mkdir(parents=True, exist_ok=True)
        pdf_in = work_dir / "input.pdf"
        notes: list[str] = []
        if content_type == "application/pdf":
            page_count = _check_pdf(source, options)
            shutil.copyfile(source, pdf_in)  # OCRmyPDF reads a copy: the original stays untouched
        else:
            page_count, notes = images.images_to_pdf(
                source, pdf_in, options.max_pages, options.max_megapixels
            )
        hocr_dir = work_dir / "hocr"
        hocr_dir.mkdir()
        common: dict[str, Any] = {"jobs": options.jobs, "progress_bar": False, "use_threads": True}
        try:
            _pdf_to_hocr(
                pdf_in,
                hocr_dir,
                language=[options.language],
                deskew=options.deskew,
                clean=options.clean,
                rotate_pages=options.rotate,
                rotate_pages_threshold=options.rotate_threshold,
                mode="skip",  # born-digital pages keep their text layer
                tesseract_timeout=options.page_timeout_s,
                max_image_mpixels=options.max_megapixels,
                **common,
            )
            archive = work_dir / "archive.pdf"
            _hocr_to_ocr_pdf(hocr_dir, archive, output_type="pdfa" if options.pdfa else "pdf", **common)
        except ocr_errors.EncryptedPdfError as exc:
            raise OcrError("encrypted", str(exc)[:300]) from exc
        except (ocr_errors.InputFileError, ocr_errors.UnsupportedImageFormatError) as exc:
            raise OcrError("corrupt", str(exc)[:300]) from exc
        except ocr_errors.DpiError as exc:
            raise OcrError("too_large_image", str(exc)[:300]) from exc
        except Image.DecompressionBombError as exc:
            raise OcrError("too_large_image", str(exc)[:300]) from exc
        pages = [_read_page(hocr_dir, number, archive) for number in range(1, page_count + 1)]
        return OcrResult(pages=pages, archive_pdf=archive, content_type=content_type, notes=notes)


def _check_pdf(source: Path, options: OcrOptions) -> int:
    import pikepdf

    try:
        with pikepdf.open(source) as pdf:
            if pdf.is_encrypted:
                raise OcrError("encrypted", "the PDF is encrypted")
            count = len(pdf.pages)
    except pikepdf.PasswordError as exc:
        raise OcrError("encrypted", "the PDF needs a password") from exc
    except pikepdf.PdfError as exc:
        raise OcrError("corrupt", str(exc)[:300]) from exc
    if count == 0:
        raise OcrError("corrupt", "the PDF has no pages")
    if count > options.max_pages:
        raise OcrError("too_many_pages", f"{count} > {options.max_pages}")
    return count


def _read_page(hocr_dir: Path, number: int, archive: Path) -> PageResult:
    hocr_file = hocr_dir / f"{number:06d}_ocr_hocr.hocr"
    image_file = hocr_dir / f"{number:06d}_ocr.png"
    if hocr_file.exists() and image_file.exists():
        parsed = hocr.parse(hocr_file.read_text(encoding="utf-8"))
        with Image.open(image_file) as image:
            scale = min(1.0, PREVIEW_WIDTH / image.width)
            preview = image.convert("L").resize((round(image.width * scale), round(image.height * scale)))
        return _page_result(number, parsed, scale, preview)
    # A page that already had text (mode="skip"): read its text layer and render a preview.
    import pypdfium2

    document = pypdfium2.PdfDocument(str(archive))
    try:
        pdf_page = document[number - 1]
        text = pdf_page.get_textpage().get_text_range()
        width_pt = pdf_page.get_width()
        rendered = pdf_page.render(scale=PREVIEW_WIDTH / width_pt).to_pil().convert("L")
    finally:
        document.close()
    parsed = hocr.Parsed(text=text, lines=[], words=[], confidence=None)
    return _page_result(number, parsed, 1.0, rendered)


def _page_result(number: int, parsed: hocr.Parsed, scale: float, preview: Image.Image) -> PageResult:
    import io

    buffer = io.BytesIO()
    preview.save(buffer, "PNG", optimize=False)
    words = [
        [
            w.text,
            round(w.x0 * scale),
            round(w.y0 * scale),
            round(w.x1 * scale),
            round(w.y1 * scale),
            w.confidence,
        ]
        for w in parsed.words
    ]
    return PageResult(
        number=number,
        text=parsed.text,
        confidence=parsed.confidence,
        words=words,
        lines=parsed.lines,
        width=preview.width,
        height=preview.height,
        preview_png=buffer.getvalue(),
        ocr_width=parsed.width or preview.width,
    )


_ENGINES: dict[str, type[OcrEngine]] = {"ocrmypdf": OcrmypdfEngine}


def get_engine(name: str = "ocrmypdf") -> OcrEngine:
    try:
        return _ENGINES[name]()
    except KeyError as exc:
        raise ValueError(f"unknown OCR engine {name!r}; known: {', '.join(_ENGINES)}") from exc

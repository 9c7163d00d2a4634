"""Small input files for tests: a rendered scan, and the bad inputs the pipeline must survive."""

from __future__ import annotations

import io
import struct
import zlib

from thanglong.documents.specimens import SAMPLE_DECISION, degrade, photograph, render_pages


def scanned_decision_pdf(dpi: int = 150) -> bytes:
    pages, _ = render_pages(SAMPLE_DECISION, dpi=dpi)
    buffer = io.BytesIO()
    degrade(pages[0], seed=7, strength=0.6).save(buffer, "PDF", resolution=float(dpi))
    return buffer.getvalue()


def upside_down_decision_pdf(dpi: int = 150) -> bytes:
    pages, _ = render_pages(SAMPLE_DECISION, dpi=dpi)
    buffer = io.BytesIO()
    degrade(pages[0], seed=7, strength=0.6).rotate(180, expand=True).save(
        buffer, "PDF", resolution=float(dpi)
    )
    return buffer.getvalue()


def illegible_decision_pdf(dpi: int = 150) -> bytes:
    """A third-resolution fax of a fax: Tesseract still reads something, with little confidence."""
    from PIL import ImageFilter

    page = render_pages(SAMPLE_DECISION, dpi=dpi)[0][0]
    small = page.resize((page.width // 3, page.height // 3)).filter(ImageFilter.GaussianBlur(1.2))
    buffer = io.BytesIO()
    degrade(small.resize(page.size), seed=3, strength=1.5).save(buffer, "PDF", resolution=float(dpi))
    return buffer.getvalue()


def photographed_decision_jpeg(dpi: int = 150) -> bytes:
    pages, _ = render_pages(SAMPLE_DECISION, dpi=dpi)
    buffer = io.BytesIO()
    photograph(pages[0], seed=3).save(buffer, "JPEG", quality=85)
    return buffer.getvalue()


def png_bytes(size: tuple[int, int] = (40, 30)) -> bytes:
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("L", size, 255).save(buffer, "PNG")
    return buffer.getvalue()


def decompression_bomb_png(side: int = 100_000) -> bytes:
    """A valid PNG header claiming 100,000 x 100,000 pixels (10 gigapixels) in a few hundred bytes."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data))
            + kind
            + data
            + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
        )

    header = struct.pack(">IIBBBBB", side, side, 1, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b"\x00" * 64))
        + chunk(b"IEND", b"")
    )


def encrypted_pdf() -> bytes:
    import pikepdf

    pdf = pikepdf.new()
    pdf.add_blank_page()
    buffer = io.BytesIO()
    pdf.save(buffer, encryption=pikepdf.Encryption(user="secret", owner="owner-secret"))
    return buffer.getvalue()


def many_pages_pdf(pages: int = 2000) -> bytes:
    import pikepdf

    pdf = pikepdf.new()
    for _ in range(pages):
        pdf.add_blank_page(page_size=(595, 842))
    buffer = io.BytesIO()
    pdf.save(buffer)
    return buffer.getvalue()


CORRUPT_PDF = b"%PDF-1.7\n1 0 obj << /Type /Catalog /Pages 2 0 R >>\nthis is not a pdf at all\n%%EOF"

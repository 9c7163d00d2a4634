"""Engine pieces that need no Tesseract: content sniffing, image intake, page finding in photos, hOCR."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from PIL import Image

from thanglong.documents.engines import hocr
from thanglong.documents.engines.images import correct_perspective, images_to_pdf
from thanglong.documents.engines.ocr import OcrError, sniff
from thanglong.documents.specimens import SAMPLE_DECISION, photograph, render_pages
from thanglong.documents.tests.samples import decompression_bomb_png


def test_content_decides_the_type() -> None:
    assert sniff(b"%PDF-1.7\n") == "application/pdf"
    assert sniff(b"\xff\xd8\xff\xe0") == "image/jpeg"
    assert sniff(b"II*\x00rest") == "image/tiff"
    assert sniff(b"<html>") == ""


def test_a_multi_page_tiff_becomes_one_pdf_page_per_frame(tmp_path: Path) -> None:
    frames = [Image.new("L", (200, 280), shade) for shade in (255, 200, 150)]
    source = tmp_path / "scan.tif"
    frames[0].save(source, save_all=True, append_images=frames[1:], dpi=(300, 300))
    pages, notes = images_to_pdf(source, tmp_path / "out.pdf", max_pages=10, max_megapixels=50)
    assert pages == 3 and notes == []
    import pikepdf

    with pikepdf.open(tmp_path / "out.pdf") as pdf:
        assert len(pdf.pages) == 3


def test_too_many_tiff_frames_and_bombs_are_refused(tmp_path: Path) -> None:
    frames = [Image.new("L", (20, 20), 255) for _ in range(4)]
    source = tmp_path / "many.tif"
    frames[0].save(source, save_all=True, append_images=frames[1:])
    with pytest.raises(OcrError) as caught:
        images_to_pdf(source, tmp_path / "out.pdf", max_pages=3, max_megapixels=50)
    assert caught.value.code == "too_many_pages"
    bomb = tmp_path / "bomb.png"
    bomb.write_bytes(decompression_bomb_png())
    with pytest.raises(OcrError) as caught:
        images_to_pdf(bomb, tmp_path / "out.pdf", max_pages=3, max_megapixels=50)
    assert caught.value.code == "too_large_image"


def test_a_photographed_page_is_found_and_flattened() -> None:
    page = render_pages(SAMPLE_DECISION, dpi=60)[0][0]
    photo = photograph(page, seed=1)
    flat = correct_perspective(photo)
    assert flat is not None
    assert abs(flat.height / flat.width - page.height / page.width) < 0.08  # A4 proportions again
    assert flat.width < photo.width * 0.95  # the desk is cropped away
    assert correct_perspective(page.convert("RGB")) is None  # a flat-bed scan is left alone


def test_hocr_words_lines_and_column_split() -> None:
    document = """<div class='ocr_page' title='bbox 0 0 1000 1400'>
      <span class='ocr_line' title='bbox 100 50 900 80'>
        <span class='ocrx_word' title='bbox 100 50 180 80; x_wconf 91'>CÔNG</span>
        <span class='ocrx_word' title='bbox 190 50 230 80; x_wconf 89'>AN</span>
        <span class='ocrx_word' title='bbox 560 50 700 80; x_wconf 60'>CỘNG</span>
      </span></div>"""
    parsed = hocr.parse(document)
    assert parsed.text == "CÔNG AN CỘNG"
    assert [line.text for line in parsed.lines] == ["CÔNG AN", "CỘNG"]
    assert parsed.width == 1000
    assert parsed.confidence == pytest.approx((91 * 4 + 89 * 2 + 60 * 4) / 10, abs=0.1)


def test_a_png_with_a_bogus_body_is_corrupt(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from PIL import ImageFile

    monkeypatch.setattr(ImageFile, "LOAD_TRUNCATED_IMAGES", True)  # as WeasyPrint leaves it
    buffer = io.BytesIO()
    Image.new("L", (50, 50), 255).save(buffer, "PNG")
    broken = tmp_path / "broken.png"
    broken.write_bytes(buffer.getvalue()[:60])
    with pytest.raises(OcrError) as caught:
        images_to_pdf(broken, tmp_path / "out.pdf", max_pages=3, max_megapixels=50)
    assert caught.value.code == "corrupt"

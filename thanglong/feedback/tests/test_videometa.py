"""A phone video's filming place: blanked in the stored file, kept only with the citizen's consent."""

from __future__ import annotations

import hashlib
import io
import struct
from decimal import Decimal
from typing import Any

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile

from thanglong.feedback import videometa
from thanglong.feedback.attachments import prepare_files, store
from thanglong.feedback.choices import Channel
from thanglong.feedback.models import Attachment
from thanglong.feedback.services.intake import submit_report
from thanglong.feedback.tests.test_intake import report_data

PLACE = b"+21.0285+105.8542+012.000/"
APPLE_PLACE = b"+21.0245+105.8412+008.500/"
MEDIA = b"\x00\x00\x00\x01\x09\xf0" * 2000  # stands in for the coded frames: must come out unchanged


def box(kind: bytes, payload: bytes) -> bytes:
    return struct.pack(">I", 8 + len(payload)) + kind + payload


def xyz_box() -> bytes:
    return box(b"\xa9xyz", struct.pack(">HH", len(PLACE), 0x15C7) + PLACE)


def apple_meta() -> bytes:
    """QuickTime metadata: key 1 is the make, key 2 the ISO 6709 location."""
    keys = [b"com.apple.quicktime.make", b"com.apple.quicktime.location.ISO6709"]
    keys_payload = b"\0\0\0\0" + struct.pack(">I", len(keys))
    keys_payload += b"".join(struct.pack(">I", 8 + len(key)) + b"mdta" + key for key in keys)

    def item(index: int, value: bytes) -> bytes:
        return box(struct.pack(">I", index), box(b"data", b"\0\0\0\x01\0\0\0\0" + value))

    hdlr = box(b"hdlr", b"\0" * 8 + b"mdta" + b"\0" * 13)
    return box(
        b"meta", hdlr + box(b"keys", keys_payload) + box(b"ilst", item(1, b"Apple") + item(2, APPLE_PLACE))
    )


def movie(*, udta: bytes = b"", meta: bytes = b"", moov_last: bool = False) -> bytes:
    ftyp = box(b"ftyp", b"isom\0\0\x02\0isomiso2mp41")
    moov = box(b"moov", box(b"mvhd", b"\0" * 100) + (box(b"udta", udta) if udta else b"") + meta)
    mdat = box(b"mdat", MEDIA)
    return ftyp + mdat + moov if moov_last else ftyp + moov + mdat


def stored_bytes(data: bytes, *, keep_location: bool = False) -> tuple[bytes, Any]:
    (prepared,) = prepare_files([SimpleUploadedFile("clip.mp4", data)], keep_location=keep_location)
    name, _ = store(prepared)
    with default_storage.open(name) as handle:
        return handle.read(), prepared


@pytest.fixture(autouse=True)
def media_root(settings: Any, tmp_path: Any) -> Any:
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.mark.parametrize("moov_last", [False, True])
def test_the_filming_place_is_blanked_and_nothing_else_moves(moov_last: bool) -> None:
    """GIVEN an MP4 with a ©xyz place (moov before or after the media) WHEN it is stored
    THEN the coordinates are gone, the box is a same-sized 'free' box and the media bytes are intact."""
    original = movie(udta=xyz_box(), moov_last=moov_last)
    data, prepared = stored_bytes(original)
    assert len(data) == len(original) and PLACE not in data
    assert b"free" in data and b"\xa9xyz" not in data
    assert MEDIA in data
    assert prepared.gps is None  # no consent: the place is not used either
    assert prepared.sha256 == hashlib.sha256(data).hexdigest() != hashlib.sha256(original).hexdigest()


def test_apples_location_key_is_blanked_and_read_with_consent() -> None:
    data, prepared = stored_bytes(movie(meta=apple_meta()), keep_location=True)
    assert APPLE_PLACE not in data and b"Apple" in data
    assert prepared.gps == (Decimal("21.0245"), Decimal("105.8412"))


def test_a_video_without_a_place_is_stored_byte_for_byte() -> None:
    original = movie(udta=box(b"\xa9too", b"\0\x08\x15\xc7Recorder"))
    data, prepared = stored_bytes(original, keep_location=True)
    assert data == original and prepared.gps is None


def test_a_truncated_movie_box_is_stored_as_sent_without_error() -> None:
    original = movie(udta=xyz_box())[: -len(MEDIA) - 40]  # cut inside the structure
    data, _ = stored_bytes(original)
    assert data == original


@pytest.mark.django_db
def test_with_consent_the_videos_place_becomes_the_reports_position() -> None:
    report, _ = submit_report(
        report_data(consent_location=True),
        [SimpleUploadedFile("clip.mov", movie(udta=xyz_box()))],
        channel=Channel.WEB,
    )
    assert (report.latitude, report.longitude) == (Decimal("21.028500"), Decimal("105.854200"))
    attachment = Attachment.objects.get(report=report)
    with default_storage.open(str(attachment.file.name)) as handle:
        assert PLACE not in handle.read()


def test_patches_apply_across_chunk_boundaries() -> None:
    patches = [videometa.Patch(3, b"XYZW")]
    source = io.BytesIO(b"0123456789")
    chunks = [source.read(4), source.read(4), source.read(4)]
    rebuilt = b"".join(videometa.apply(chunk, index * 4, patches) for index, chunk in enumerate(chunks))
    assert rebuilt == b"012XYZW789"

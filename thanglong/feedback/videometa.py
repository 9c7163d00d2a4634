"""The place a phone wrote into its video (MP4 / MOV), found and blanked without re-encoding the video.

Phones store where a clip was filmed in the movie's metadata: QuickTime/Android ``©xyz`` and 3GPP
``loci`` boxes under ``moov/udta``, and Apple's ``com.apple.quicktime.location.ISO6709`` key under
``moov/meta`` (``keys`` + ``ilst``). Re-encoding a video to drop them would cost seconds of CPU per clip;
instead each such box keeps its size and offset, becomes a ``free`` box (which every player skips) and
its bytes are zeroed, so no coordinate is stored and the sample offsets of the movie stay valid.

Only box headers and the ``moov`` box are read; the media data is never parsed. WebM (Matroska) clips
from phones carry no location by default and are kept as sent.
"""

from __future__ import annotations

import re
import struct
from dataclasses import dataclass
from decimal import Decimal
from typing import IO

FREE = b"free"
# Boxes whose children are boxes; "meta" is handled apart (ISO's has 4 bytes of version/flags first).
_CONTAINERS = {b"moov", b"trak", b"udta", b"mdia", b"minf"}
_LOCATION_BOXES = {b"\xa9xyz", b"loci"}
_LOCATION_KEY_PREFIX = b"com.apple.quicktime.location."
_ISO6709 = re.compile(rb"^\s*([+-]\d{1,2}(?:\.\d+)?)([+-]\d{1,3}(?:\.\d+)?)")
_MAX_MOOV_BYTES = 64 * 1024 * 1024


@dataclass(frozen=True)
class Patch:
    """Bytes to write over the file at ``offset`` (same length: nothing moves)."""

    offset: int
    data: bytes


@dataclass(frozen=True)
class Box:
    type: bytes
    start: int  # offset of the header, relative to the buffer
    header: int  # header length (8, or 16 for a 64-bit size)
    end: int

    @property
    def payload_start(self) -> int:
        return self.start + self.header


def _boxes(buffer: bytes, start: int, end: int) -> list[Box]:
    """The boxes laid out in ``buffer[start:end]``; stops at the first malformed header."""
    boxes = []
    position = start
    while position + 8 <= end:
        size, kind = struct.unpack_from(">I4s", buffer, position)
        header = 8
        if size == 1:
            if position + 16 > end:
                break
            (size,) = struct.unpack_from(">Q", buffer, position + 8)
            header = 16
        elif size == 0:
            size = end - position
        if size < header or position + size > end:
            break
        boxes.append(Box(kind, position, header, position + size))
        position += size
    return boxes


def _top_level_moov(source: IO[bytes], length: int) -> tuple[int, bytes] | None:
    """The file offset and bytes of the top-level ``moov`` box, reading only box headers to find it."""
    position = 0
    while position + 8 <= length:
        source.seek(position)
        header = source.read(16)
        if len(header) < 8:
            return None
        size, kind = struct.unpack_from(">I4s", header)
        if size == 1 and len(header) >= 16:
            (size,) = struct.unpack_from(">Q", header, 8)
        elif size == 0:
            size = length - position
        if size < 8:
            return None
        if kind == b"moov":
            if size > _MAX_MOOV_BYTES:
                return None
            source.seek(position)
            return position, source.read(size)
        position += size
    return None


def _blank(box: Box, base: int) -> list[Patch]:
    """Turn ``box`` into a ``free`` box of the same size with a zeroed payload."""
    type_offset = box.start + 4
    return [
        Patch(base + type_offset, FREE),
        Patch(base + box.payload_start, bytes(box.end - box.payload_start)),
    ]


def _meta_children(buffer: bytes, meta: Box) -> list[Box]:
    # QuickTime's meta holds boxes directly; ISO's starts with 4 bytes of version and flags.
    direct = _boxes(buffer, meta.payload_start, meta.end)
    if direct and direct[0].type in {b"hdlr", b"keys", b"ilst"}:
        return direct
    return _boxes(buffer, meta.payload_start + 4, meta.end)


def _location_key_indexes(buffer: bytes, keys: Box) -> set[int]:
    """1-based indexes of the location keys in a QuickTime ``keys`` box."""
    indexes: set[int] = set()
    if keys.payload_start + 8 > keys.end:
        return indexes
    (count,) = struct.unpack_from(">I", buffer, keys.payload_start + 4)
    position = keys.payload_start + 8
    for index in range(1, count + 1):
        if position + 8 > keys.end:
            break
        (size,) = struct.unpack_from(">I", buffer, position)
        if size < 8 or position + size > keys.end:
            break
        if buffer[position + 8 : position + size].startswith(_LOCATION_KEY_PREFIX):
            indexes.add(index)
        position += size
    return indexes


def _position(text: bytes) -> tuple[Decimal, Decimal] | None:
    match = _ISO6709.match(text)
    if match is None:
        return None
    latitude, longitude = Decimal(match.group(1).decode()), Decimal(match.group(2).decode())
    if abs(latitude) > 90 or abs(longitude) > 180:
        return None
    return latitude, longitude


def _walk(buffer: bytes, boxes: list[Box], base: int) -> tuple[list[Patch], tuple[Decimal, Decimal] | None]:
    patches: list[Patch] = []
    found: tuple[Decimal, Decimal] | None = None
    for box in boxes:
        if box.type in _LOCATION_BOXES:
            payload = buffer[box.payload_start : box.end]
            # ©xyz: 2-byte length, 2-byte language, then the ISO 6709 text.
            found = found or (_position(payload[4:]) if box.type == b"\xa9xyz" else None)
            patches += _blank(box, base)
        elif box.type in _CONTAINERS:
            child_patches, child_found = _walk(buffer, _boxes(buffer, box.payload_start, box.end), base)
            patches += child_patches
            found = found or child_found
        elif box.type == b"meta":
            children = _meta_children(buffer, box)
            keys = next((child for child in children if child.type == b"keys"), None)
            indexes = _location_key_indexes(buffer, keys) if keys is not None else set()
            for child in children:
                if child.type != b"ilst" or not indexes:
                    continue
                for item in _boxes(buffer, child.payload_start, child.end):
                    if int.from_bytes(item.type, "big") in indexes:
                        # The item's "data" box: 4 bytes of type, 4 of locale, then the value.
                        found = found or _position(buffer[item.payload_start + 16 : item.end])
                        patches += _blank(item, base)
            child_patches, child_found = _walk(buffer, [c for c in children if c.type == b"udta"], base)
            patches += child_patches
            found = found or child_found
    return patches, found


def find_location(source: IO[bytes], length: int) -> tuple[list[Patch], tuple[Decimal, Decimal] | None]:
    """Patches that blank every location box of an MP4/MOV file, and the first position they held."""
    moov = _top_level_moov(source, length)
    source.seek(0)
    if moov is None:
        return [], None
    offset, buffer = moov
    box = _boxes(buffer, 0, len(buffer))
    if not box:
        return [], None
    return _walk(buffer, box, offset)


def apply(chunk: bytes, position: int, patches: list[Patch]) -> bytes:
    """``chunk`` (which starts at ``position`` in the file) with the patches that fall in it applied."""
    end = position + len(chunk)
    touched = [patch for patch in patches if patch.offset < end and patch.offset + len(patch.data) > position]
    if not touched:
        return chunk
    data = bytearray(chunk)
    for patch in touched:
        start = max(patch.offset, position)
        stop = min(patch.offset + len(patch.data), end)
        data[start - position : stop - position] = patch.data[start - patch.offset : stop - patch.offset]
    return bytes(data)

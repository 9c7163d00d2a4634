"""Masking of personal data (ID numbers, phone numbers, plates) for people not entitled to see it."""

from __future__ import annotations

import re

_DIGITS = re.compile(r"\D")


def mask_id_number(value: str) -> str:
    """``001203004567`` → ``001*******67``: the province-of-registration prefix and two check digits stay."""
    value = value.strip()
    if len(value) <= 5:
        return "*" * len(value)
    return value[:3] + "*" * (len(value) - 5) + value[-2:]


def mask_phone(value: str) -> str:
    """``0912 345 678`` → ``091****678``."""
    digits = _DIGITS.sub("", value)
    if len(digits) <= 6:
        return "*" * len(digits)
    return digits[:3] + "*" * (len(digits) - 6) + digits[-3:]


def mask_plate(value: str) -> str:
    """``30A-123.45`` → ``30A-***.45``: province and series stay, the serial is hidden."""
    match = re.match(r"^(\d{2}[A-Z]{1,2}\d?)[-\s]?(.*)$", value.strip().upper())
    if not match:
        return "*" * len(value)
    head, tail = match.groups()
    digits = re.sub(r"\D", "", tail)
    return f"{head}-***.{digits[-2:]}" if len(digits) >= 2 else f"{head}-***"

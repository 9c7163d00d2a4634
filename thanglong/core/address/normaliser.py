"""Placeholder until the normaliser lands: resolves nothing."""

from __future__ import annotations

from thanglong.core.address.result import AddressResult


def normalise_address(text: str) -> AddressResult:
    return AddressResult(text, None, None, None, None, None, text, 0.0)

"""The plate grammar as the services use it: canonical text and the folded search key."""

from __future__ import annotations

import re

_NOT_ALNUM = re.compile(r"[^0-9A-Z]")


def fold(text: str) -> str:
    """``30a-123.45`` → ``30A12345`` (thanglong.cameras.plates.grammar.fold_plate)."""
    from thanglong.cameras.plates.grammar import fold_plate

    return fold_plate(text)


def canonical(text: str) -> str:
    """The grammar's canonical spelling, or the cleaned text when the grammar cannot place it (a
    foreign plate, an old format): the read is still stored, searchable by its folded form."""
    from thanglong.cameras.plates.grammar import normalise_plate

    cleaned = text.strip().upper()
    return (normalise_plate(cleaned) or _NOT_ALNUM.sub("", cleaned))[:20]

"""Vietnamese text helpers shared by every app: Unicode normalisation and accent folding."""

from __future__ import annotations

import re
import unicodedata

_SPACES = re.compile(r"\s+")
_NON_WORD = re.compile(r"[^\w\s]", re.UNICODE)


def nfc(text: str) -> str:
    """Vietnamese arrives both precomposed and decomposed (and with legacy tone placement): one form."""
    return unicodedata.normalize("NFC", text)


def strip_accents(text: str) -> str:
    """``Đống Đa`` → ``Dong Da`` (keeps case)."""
    decomposed = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    return "".join(ch for ch in decomposed if unicodedata.category(ch) != "Mn")


def fold(text: str) -> str:
    """Lower-case, accent-free, punctuation-free, single-spaced: the key for accent-insensitive matching."""
    text = strip_accents(nfc(text)).lower()
    return _SPACES.sub(" ", _NON_WORD.sub(" ", text)).strip()

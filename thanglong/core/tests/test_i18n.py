"""The English catalogue stays complete: every Vietnamese source string has a real translation."""

from __future__ import annotations

import gettext
import re
from pathlib import Path

LOCALE = Path(__file__).resolve().parents[2] / "locale"
_QUOTED = re.compile(r'"((?:[^"\\]|\\.)*)"')


def _entries(po_file: Path) -> list[str]:
    return po_file.read_text(encoding="utf-8").split("\n\n")[1:]


def _text(block: str) -> str:
    return "".join(_QUOTED.findall(block))


def test_english_catalogue_has_no_missing_or_fuzzy_translations() -> None:
    problems = []
    for entry in _entries(LOCALE / "en" / "LC_MESSAGES" / "django.po"):
        if entry.lstrip().startswith("#~"):
            continue
        match = re.search(r"(?ms)^msgid (.*?)^msgstr(?:\[0\])? (.*?)(?:^msgstr\[1\]|\Z)", entry)
        if match is None:
            continue
        msgid, msgstr = _text(match.group(1)), _text(match.group(2))
        if "#, fuzzy" in entry or (msgid and not msgstr):
            problems.append(msgid)
    assert problems == [], f"untranslated or fuzzy English entries: {problems}"


def test_compiled_english_catalogue_matches_its_source() -> None:
    """A .po edited without `make messages` would ship stale translations: the .mo must agree."""
    folder = LOCALE / "en" / "LC_MESSAGES"
    with (folder / "django.mo").open("rb") as handle:
        compiled = gettext.GNUTranslations(handle)
    stale = []
    for entry in _entries(folder / "django.po"):
        match = re.search(r"(?ms)^msgid (.*?)^msgstr (.*)\Z", entry)
        if match is None or "msgid_plural" in entry or entry.lstrip().startswith("#~"):
            continue
        msgid, msgstr = _text(match.group(1)), _text(match.group(2))
        msgid, msgstr = (
            bytes(t, "utf-8").decode("unicode_escape").encode("latin-1").decode() for t in (msgid, msgstr)
        )
        context = re.search(r'(?m)^msgctxt "(.*)"$', entry)
        translated = compiled.pgettext(context.group(1), msgid) if context else compiled.gettext(msgid)
        if msgid and translated != msgstr:
            problems_key = msgid[:60]
            stale.append(problems_key)
    assert stale == [], f"django.mo is older than django.po for: {stale}"

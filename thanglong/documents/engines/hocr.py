"""Read Tesseract's hOCR: words with boxes and confidences, grouped into lines and column segments."""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass, field
from html.parser import HTMLParser
from statistics import median

_BBOX = re.compile(r"bbox (\d+) (\d+) (\d+) (\d+)")
_WCONF = re.compile(r"x_wconf (\d+)")
_LINE_CLASSES = {"ocr_line", "ocr_caption", "ocr_header", "ocr_textfloat"}


@dataclass
class Word:
    text: str
    x0: int
    y0: int
    x1: int
    y1: int
    confidence: float


@dataclass
class Line:
    """A run of words on one text line with no wide gap: a two-column header row becomes two lines."""

    words: list[Word] = field(default_factory=list)

    @property
    def text(self) -> str:
        return " ".join(word.text for word in self.words)

    @property
    def x0(self) -> int:
        return min(word.x0 for word in self.words)

    @property
    def x1(self) -> int:
        return max(word.x1 for word in self.words)

    @property
    def y0(self) -> int:
        return min(word.y0 for word in self.words)

    @property
    def y1(self) -> int:
        return max(word.y1 for word in self.words)


@dataclass
class Parsed:
    text: str
    lines: list[Line]
    words: list[Word]
    confidence: float | None
    width: int = 0
    height: int = 0


class _HocrReader(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.raw_lines: list[list[Word]] = []
        self.width = self.height = 0
        self._word: Word | None = None
        self._depth_stack: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        classes = set((attributes.get("class") or "").split())
        title = attributes.get("title") or ""
        self._depth_stack.append(tag)
        if "ocr_page" in classes and (box := _BBOX.search(title)):
            self.width, self.height = int(box.group(3)), int(box.group(4))
        elif classes & _LINE_CLASSES:
            self.raw_lines.append([])
        elif "ocrx_word" in classes and (box := _BBOX.search(title)):
            confidence = _WCONF.search(title)
            x0, y0, x1, y1 = (int(value) for value in box.groups())
            self._word = Word("", x0, y0, x1, y1, float(confidence.group(1)) if confidence else 0.0)

    def handle_endtag(self, tag: str) -> None:
        if self._depth_stack:
            self._depth_stack.pop()
        if tag == "span" and self._word is not None and self._word.text.strip():
            if not self.raw_lines:
                self.raw_lines.append([])
            self._word.text = self._word.text.strip()
            self.raw_lines[-1].append(self._word)
            self._word = None

    def handle_data(self, data: str) -> None:
        if self._word is not None:
            self._word.text += data


def split_segments(words: list[Word], page_width: int = 0) -> list[Line]:
    """Split one Tesseract line where the gap between words is far wider than a space.

    Decree 30 headers are two columns whose rows Tesseract reads as one line; a smaller gap that
    straddles the middle of the page is a column break too.
    """
    if not words:
        return []
    heights = [word.y1 - word.y0 for word in words]
    threshold = 2.5 * max(median(heights), 1)
    middle = page_width / 2
    segments = [Line([words[0]])]
    for previous, word in itertools.pairwise(words):
        gap = word.x0 - previous.x1
        at_middle = page_width > 0 and previous.x1 < middle + threshold and word.x0 > middle - threshold
        if gap > threshold or (at_middle and gap > 0.4 * threshold):
            segments.append(Line([word]))
        else:
            segments[-1].words.append(word)
    return segments


def parse(document: str) -> Parsed:
    reader = _HocrReader()
    reader.feed(document)
    reader.close()
    raw_lines = [line for line in reader.raw_lines if line]
    words = [word for line in raw_lines for word in line]
    lines = [segment for line in raw_lines for segment in split_segments(line, reader.width)]
    text = "\n".join(" ".join(word.text for word in line) for line in raw_lines)
    weights = sum(len(word.text) for word in words)
    confidence = (
        round(sum(word.confidence * len(word.text) for word in words) / weights, 1) if weights else None
    )
    return Parsed(
        text=text, lines=lines, words=words, confidence=confidence, width=reader.width, height=reader.height
    )

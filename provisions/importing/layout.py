"""Step 2 of parsing: the text without what the page layout added.

Running heads and feet, page numbers and indentation go; each line keeps its words, its page and
whether a gap preceded it (a hint that a new paragraph starts).
"""

import re
from collections import Counter
from collections.abc import Callable

from provisions.importing.numbering import ENGLISH, Numbering
from provisions.importing.tree import Line

# Feet of UN documents: the job number "24-24574" (first page: "24-24574 (E)"), "3/41" or a lone
# page number, the barcode's digits "*2424574*"; and the document symbol in the running head.
_RUNNING_TOKEN = re.compile(
    r"\d{2}-\d{5}|\([EAFSRC]\)|\d{1,3}/\d{1,3}|\d{1,3}|\*\d{6,}\*|A/RES/\d+/\d+"
)
_DOCUMENT_SYMBOL = re.compile(r"A/RES/\d+/\d+")
# Lines this near the top or bottom of a page may be running heads (the symbol, then a title
# wrapped over up to three lines).
_EDGE_LINES = 4
_LIGATURES = str.maketrans({"\ufb00": "ff", "\ufb01": "fi", "\ufb02": "fl", "\ufb03": "ffi"})


def clean_lines(text: str, numbering: Numbering = ENGLISH) -> list[Line]:
    """The text without running heads and feet, page breaks or layout whitespace."""
    text = text.replace("\r\n", "\n").replace("\r", "\n").translate(_LIGATURES)
    # A soft hyphen only matters where the line breaks; elsewhere it is invisible.
    text = re.sub("\xad(?!\n)", "", text)
    pages = [page.split("\n") for page in text.split("\f")]
    repeated = _repeated_edge_lines(pages, numbering)
    lines = []
    for number, page in enumerate(pages, start=1):
        blank = False  # a page break is no paragraph break: text often runs on
        for raw in _strip_running_lines(page, repeated):
            words = _collapse(raw)
            if words:
                lines.append(Line(words, number, blank))
            blank = not words
    return lines


def _collapse(raw: str) -> str:
    return " ".join(raw.split())


def _repeated_edge_lines(pages: list[list[str]], numbering: Numbering) -> set[str]:
    """Lines found at the top or bottom of many pages: this document's running heads and feet."""
    counts = Counter()
    for page in pages:
        texts = [_collapse(raw) for raw in page if raw.strip()]
        counts.update(set(texts[:_EDGE_LINES] + texts[-_EDGE_LINES:]))
    threshold = max(3, len(pages) // 4)
    return {
        text
        for text, count in counts.items()
        # Running heads never end like a sentence, and a heading repeated is still a heading.
        if count >= threshold
        and not text.endswith((".", ",", ";", ":"))
        and not numbering.heading(text)
    }


def _is_running_line(raw: str, repeated: set[str]) -> bool:
    if not raw.strip() or _collapse(raw) in repeated:
        return True
    if all(_RUNNING_TOKEN.fullmatch(token) for token in raw.split()):
        return True
    # "A/RES/79/243      United Nations Convention …": the symbol set apart by the layout.
    return any(_DOCUMENT_SYMBOL.fullmatch(piece) for piece in re.split(r"\s{2,}", raw.strip()))


def _strip_running_lines(page: list[str], repeated: set[str]) -> list[str]:
    # Only from the edges inwards: the same words inside the page are the text itself.
    start, end = 0, len(page)
    while start < end and _is_running_line(page[start], repeated):
        start += 1
    while end > start and _is_running_line(page[end - 1], repeated):
        end -= 1
    return page[start:end]


def first_index(lines: list[Line], test: Callable, start: int = 0) -> int | None:
    return next((i for i in range(start, len(lines)) if test(lines[i].text)), None)


def last_index(lines: list[Line], test: Callable) -> int | None:
    return next((i for i in reversed(range(len(lines))) if test(lines[i].text)), None)

"""Chapter and article headings: finding them in a language's words, and the order they must
come in (provisions.importing.numbering says how each language writes them)."""

from dataclasses import dataclass

from provisions.importing.numbering import Numbering, roman
from provisions.importing.tree import ImportRefused, Line


@dataclass(frozen=True)
class Heading:
    index: int  # in the cleaned lines
    kind: str  # "Chapter" or "Article"
    number: str  # as written: "IV", "24", "الأول", "二十四"
    value: int | None  # its value, None if it is not a number written correctly
    title: str  # when on the heading line itself; "" when on the next line
    page: int


def find_headings(lines: list[Line], start: int, end: int, numbering: Numbering) -> list[Heading]:
    headings = []
    for index in range(start, end):
        line = lines[index]
        if match := numbering.chapter.fullmatch(line.text):
            kind, value = "Chapter", numbering.chapter_value(match["number"])
        elif match := numbering.article.fullmatch(line.text):
            kind, value = "Article", numbering.number_value(match["number"])
        else:
            continue
        title = match["title"] or ""
        headings.append(Heading(index, kind, match["number"], value, title, line.page))
    return headings


def check_article_order(headings: list[Heading], *, partial: bool = False) -> None:
    """Articles run 1, 2, 3… without gaps; a partial file may start at any article."""
    pages: dict[int, int] = {}
    previous = None
    for heading in headings:
        number = heading.value
        if number is None:
            raise ImportRefused(
                f"“{heading.number}” (page {heading.page}) is not an article number."
            )
        if number in pages:
            raise ImportRefused(
                f"Article {number} appears twice (pages {pages[number]} and {heading.page}). "
                "Is this one clean copy of the Convention?"
            )
        pages[number] = heading.page
        if previous is None and number != 1 and not partial:
            raise ImportRefused(
                f"The first article is Article {number} (page {heading.page}); the Convention "
                "starts at Article 1. Is the file complete? (A file holding only some articles "
                "is imported with --partial.)"
            )
        if previous is not None and number != previous + 1:
            raise ImportRefused(
                f"Article {number} follows Article {previous} (page {heading.page}): articles "
                "must run 1, 2, 3… without gaps. Is the file complete and in order?"
            )
        previous = number


def check_chapter_order(headings: list[Heading], *, partial: bool = False) -> None:
    """Chapters run I, II, III…; a partial file may start at any chapter."""
    previous = None
    for heading in headings:
        value = heading.value
        if value is None:
            raise ImportRefused(
                f"“Chapter {heading.number}” (page {heading.page}) is not a chapter number."
            )
        expected = 1 if previous is None else previous + 1
        if value != expected and not (partial and previous is None):
            raise ImportRefused(
                f"Chapter {roman(value)} (page {heading.page}) comes where Chapter "
                f"{roman(expected)} was expected. Is the file complete and in order?"
            )
        previous = value

"""Chapter and article headings: how they are written, and the order they must come in."""

import re
from dataclasses import dataclass

from provisions.importing.tree import ImportRefused, Line

# "Chapter IV" alone (its title on the next line), "Chapter IV. Title" or "CHAPTER IV GENERAL …".
CHAPTER = re.compile(
    r"(?:Chapter|CHAPTER)\s+(?P<number>[IVXLC]+)"
    r"(?:(?:\s*[.:\u2013\u2014-]\s*|\s+(?=[A-Z]{2}))(?P<title>\S.*))?"
)
# The Convention refers to "article 24" in lower case, so a capitalised "Article 24" alone on its
# line (or followed by a separator and a title) is a heading, not a wrapped cross-reference.
ARTICLE = re.compile(
    r"(?:Article|ARTICLE)\s+(?P<number>\d{1,3})"
    r"(?:(?:\s*[.:\u2013\u2014-]\s*|\s+(?=[A-Z]{2}))(?P<title>\S.*))?"
)


def heading(text: str) -> re.Match | None:
    return CHAPTER.fullmatch(text) or ARTICLE.fullmatch(text)


@dataclass(frozen=True)
class Heading:
    index: int  # in the cleaned lines
    kind: str  # "Chapter" or "Article"
    number: str
    title: str  # when on the heading line itself; "" when on the next line
    page: int

    @property
    def value(self) -> int | None:
        return int(self.number) if self.kind == "Article" else roman_value(self.number)


def find_headings(lines: list[Line], start: int, end: int) -> list[Heading]:
    headings = []
    for index in range(start, end):
        line = lines[index]
        for kind, pattern in (("Chapter", CHAPTER), ("Article", ARTICLE)):
            if match := pattern.fullmatch(line.text):
                title = match["title"] or ""
                headings.append(Heading(index, kind, match["number"], title, line.page))
    return headings


def check_article_order(headings: list[Heading]) -> None:
    pages: dict[int, int] = {}
    previous = None
    for heading in headings:
        number = heading.value
        if number in pages:
            raise ImportRefused(
                f"Article {number} appears twice (pages {pages[number]} and {heading.page}). "
                "Is this one clean copy of the Convention?"
            )
        pages[number] = heading.page
        if previous is None and number != 1:
            raise ImportRefused(
                f"The first article is Article {number} (page {heading.page}); the Convention "
                "starts at Article 1. Is the file complete?"
            )
        if previous is not None and number != previous + 1:
            raise ImportRefused(
                f"Article {number} follows Article {previous} (page {heading.page}): articles "
                "must run 1, 2, 3… without gaps. Is the file complete and in order?"
            )
        previous = number


def check_chapter_order(headings: list[Heading]) -> None:
    previous = 0
    for heading in headings:
        value = heading.value
        if value is None:
            raise ImportRefused(
                f"“Chapter {heading.number}” (page {heading.page}) is not a chapter number."
            )
        if value != previous + 1:
            expected = roman(previous + 1)
            raise ImportRefused(
                f"Chapter {heading.number} (page {heading.page}) comes where Chapter {expected} "
                "was expected. Is the file complete and in order?"
            )
        previous = value


_ROMAN_NUMERALS = {100: "C", 90: "XC", 50: "L", 40: "XL", 10: "X", 9: "IX", 5: "V", 4: "IV", 1: "I"}


def roman(number: int) -> str:
    numerals = []
    for value, letters in _ROMAN_NUMERALS.items():
        count, number = divmod(number, value)
        numerals.append(letters * count)
    return "".join(numerals)


def roman_value(numeral: str) -> int | None:
    """The value of an upper-case Roman numeral, or None if it is not one written correctly."""
    values = {"I": 1, "V": 5, "X": 10, "L": 50, "C": 100}
    if not numeral or set(numeral) - set(values):
        return None
    total = 0
    for current, following in zip(numeral, numeral[1:] + " ", strict=True):
        value = values[current]
        total += -value if values.get(following, 0) > value else value
    return total if total > 0 and roman(total) == numeral else None

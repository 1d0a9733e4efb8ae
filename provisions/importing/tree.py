"""The provision tree the parser reads from the official text, and the line it reads it from.

Plain data, no parsing: `provisions.importing.parser` builds these, the importer writes them.
"""

from collections.abc import Iterator
from dataclasses import dataclass, field

CONVENTION_ARTICLES = 68


class ImportRefused(Exception):
    """The file cannot be imported; the message says why, in words for the person importing it."""


@dataclass(frozen=True)
class Line:
    """One non-blank line of the cleaned text."""

    text: str  # its words, separated by single spaces
    page: int  # 1-based, for messages
    blank_before: bool  # a gap precedes it on its page: a hint that a new paragraph starts


@dataclass(frozen=True)
class ParsedProvision:
    """One provision as the database will store it, in reading order (see `iter_provisions`)."""

    eid: str
    kind: str  # "preamble", "recital", "article", "paragraph" or "subparagraph"
    label: str  # "3" for recital 3 or paragraph 3, "b" for sub-paragraph (b), "" for the preamble
    text: str
    parent_eid: str | None
    article_number: int | None  # None in the preamble


@dataclass(frozen=True)
class ParsedSubparagraph:
    label: str  # "a", "b", …
    # Its items "(i)", "(ii)"… stay inside the text, each on a line of its own.
    text: str


@dataclass(frozen=True)
class ParsedParagraph:
    label: str  # "1", "2", …
    text: str  # the lead-in before its first sub-paragraph
    subparagraphs: list[ParsedSubparagraph] = field(default_factory=list)


@dataclass(frozen=True)
class ParsedArticle:
    number: int
    title: str
    # Text before paragraph 1 (the whole text of an article without numbered paragraphs), up to
    # its first lettered item when it has some: "For the purposes of this Convention:".
    body: str
    paragraphs: list[ParsedParagraph] = field(default_factory=list)
    # Lettered items directly under the article, before any paragraph: Article 2's definitions,
    # Article 1's purposes. Each is a provision of its own (`art_2__subpara_h`), cited
    # "Article 2(h)" like a paragraph's sub-paragraph is "Article 24(2)(b)".
    subparagraphs: list[ParsedSubparagraph] = field(default_factory=list)

    @property
    def eid(self) -> str:
        return f"art_{self.number}"


@dataclass(frozen=True)
class ParsedChapter:
    number: str  # Roman numeral, e.g. "IV"
    title: str  # as published ("General provisions", or "GENERAL PROVISIONS" in capitals)
    articles: list[ParsedArticle] = field(default_factory=list)


@dataclass(frozen=True)
class ParsedConvention:
    # The `preamble` provision (its text is the opening "The States Parties to this Convention,")
    # followed by its recitals; empty when the file has no preamble.
    preamble: list[ParsedProvision]
    chapters: list[ParsedChapter]
    title: str = ""  # the heading under "Annex", when the file has one
    preamble_closing: str = ""  # "Have agreed as follows:"
    testimonium: str = ""  # "IN WITNESS WHEREOF, …" after the last article

    @property
    def articles(self) -> list[ParsedArticle]:
        return [article for chapter in self.chapters for article in chapter.articles]

    def iter_provisions(self) -> Iterator[ParsedProvision]:
        """Every provision in reading order, each after its parent."""
        yield from self.preamble
        for article in self.articles:
            number = article.number
            yield ParsedProvision(article.eid, "article", str(number), article.body, None, number)
            for sub in article.subparagraphs:
                yield ParsedProvision(
                    f"{article.eid}__subpara_{sub.label}",
                    "subparagraph",
                    sub.label,
                    sub.text,
                    article.eid,
                    number,
                )
            for paragraph in article.paragraphs:
                para_eid = f"{article.eid}__para_{paragraph.label}"
                yield ParsedProvision(
                    para_eid, "paragraph", paragraph.label, paragraph.text, article.eid, number
                )
                for sub in paragraph.subparagraphs:
                    yield ParsedProvision(
                        f"{para_eid}__subpara_{sub.label}",
                        "subparagraph",
                        sub.label,
                        sub.text,
                        para_eid,
                        number,
                    )

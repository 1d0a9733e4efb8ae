"""Chapters and articles: each article's title, paragraphs, lettered items and their items."""

from dataclasses import dataclass, field

from provisions.importing.headings import Heading
from provisions.importing.joiner import Joiner
from provisions.importing.numbering import Numbering, roman, roman_value
from provisions.importing.tree import (
    ImportRefused,
    Line,
    ParsedArticle,
    ParsedChapter,
    ParsedParagraph,
    ParsedSubparagraph,
)


def _read_title(
    lines: list[Line], index: int, joiner: Joiner, numbering: Numbering
) -> tuple[str, int]:
    """The title on the lines from `index` (after an "Article 24" line), and the index after it.

    A title is one line; a long one wraps onto lines that start in lower case and follow
    without a gap (the text after a title starts with a capital, a number or a bracket).
    """
    if index >= len(lines) or _starts_unit(lines[index].text, numbering):
        return "", index
    title_lines = [lines[index]]
    index += 1
    while (
        index < len(lines)
        and len(title_lines) < 3
        and not lines[index].blank_before
        and lines[index].text[:1].islower()
        and not numbering.unit_end.search(title_lines[-1].text)
    ):
        title_lines.append(lines[index])
        index += 1
    return joiner.join_lines(title_lines), index


def _starts_unit(text: str, numbering: Numbering) -> bool:
    return bool(
        numbering.heading(text)
        or numbering.paragraph.fullmatch(text)
        or numbering.item.fullmatch(text)
    )


def parse_chapters(
    lines: list[Line], headings: list[Heading], end: int, joiner: Joiner, numbering: Numbering
) -> list[ParsedChapter]:
    chapters: list[ParsedChapter] = []
    for position, head in enumerate(headings):
        next_index = headings[position + 1].index if position + 1 < len(headings) else end
        if head.title:
            title, start = head.title, head.index + 1
        else:
            title, start = _read_title(lines, head.index + 1, joiner, numbering)
        name = f"{head.kind} {head.number} (page {head.page})"
        if not title:
            raise ImportRefused(f"{name} has no title on its heading or the line after it.")
        content = lines[start:next_index]
        if head.kind == "Chapter":
            if content:
                raise ImportRefused(
                    f"Unexpected text between the heading of {name} and its first article: "
                    f"“{content[0].text}” (page {content[0].page})."
                )
            chapters.append(ParsedChapter(roman(head.value), title))
        else:
            chapters[-1].articles.append(
                _parse_article(head.value, title, content, _Reading(joiner, numbering, name))
            )
    empty = next((chapter for chapter in chapters if not chapter.articles), None)
    if empty is not None:
        raise ImportRefused(f"Chapter {empty.number} ({empty.title}) has no articles.")
    return chapters


@dataclass
class _Draft:
    """A provision's lines while its article is being read: (text, starts a line of its own)."""

    label: str
    pieces: list[tuple[str, bool]] = field(default_factory=list)
    children: list["_Draft"] = field(default_factory=list)
    items: int = 0  # how many "(i)", "(ii)"… it holds so far

    def add(self, text: str | None, own_line: bool = False) -> None:
        if text:
            self.pieces.append((text, own_line))


@dataclass(frozen=True)
class _Reading:
    """What reading one article needs besides its lines."""

    joiner: Joiner
    numbering: Numbering
    name: str  # "Article 24 (page 12)", for messages


def _parse_article(number: int, title: str, lines: list[Line], reading: _Reading) -> ParsedArticle:
    numbering, joiner, name = reading.numbering, reading.joiner, reading.name
    body = _Draft("")
    paragraphs: list[_Draft] = []
    sub: _Draft | None = None
    for index, line in enumerate(lines):
        # A marker only starts a unit where the line before ended one: "…subparagraph\n(a) of
        # article 3" and "…article\n2. Such liability" are cross-references wrapped by the layout.
        starts_unit = (
            index == 0
            or line.blank_before
            or bool(numbering.unit_end.search(lines[index - 1].text))
        )
        paragraph = paragraphs[-1] if paragraphs else None
        # Lettered items before paragraph 1 are the article's own (Article 2's definitions).
        holder = paragraph or body
        if starts_unit and (match := numbering.paragraph.fullmatch(line.text)):
            paragraph_number = int(match["number"])
            if paragraph_number != len(paragraphs) + 1:
                raise ImportRefused(
                    f"{name}: paragraph {match['number']} comes where paragraph "
                    f"{len(paragraphs) + 1} was expected."
                )
            paragraph, sub = _Draft(str(paragraph_number)), None
            paragraphs.append(paragraph)
            paragraph.add(match["rest"])
            continue
        if starts_unit and (match := numbering.item.fullmatch(line.text)):
            label = numbering.latin(match["label"]) or match["label"]
            if match["label"].isascii():
                kind = _item_kind(label, holder, sub, lines[index + 1 :], numbering)
            else:  # no Roman-numbered items among another script's letters
                kind = (
                    "subparagraph" if label == _letter(len(holder.children)) else "out of sequence"
                )
            if kind == "subparagraph":
                sub = _Draft(label)
                holder.children.append(sub)
                sub.add(match["rest"])
                continue
            if kind == "out of sequence":
                where = f"paragraph {paragraph.label}" if paragraph else "before paragraph 1"
                raise ImportRefused(
                    f"{name}, {where}: sub-paragraph ({match['label']}) comes where "
                    f"({_expected_letter(len(holder.children), numbering)}) was expected."
                )
            (sub or holder).items += 1
        target = sub or holder
        # Items "(i)", "(ii)"… keep their own line.
        target.add(line.text, own_line=starts_unit and bool(numbering.item.fullmatch(line.text)))

    article = ParsedArticle(
        number=number,
        title=title,
        body=joiner.join(body.pieces),
        subparagraphs=[
            ParsedSubparagraph(sub.label, joiner.join(sub.pieces)) for sub in body.children
        ],
        paragraphs=[
            ParsedParagraph(
                label=paragraph.label,
                text=joiner.join(paragraph.pieces),
                subparagraphs=[
                    ParsedSubparagraph(sub.label, joiner.join(sub.pieces))
                    for sub in paragraph.children
                ],
            )
            for paragraph in paragraphs
        ],
    )
    if not article.body and not article.paragraphs and not article.subparagraphs:
        raise ImportRefused(f"{name} has no text.")
    return article


def _letter(position: int) -> str:
    return chr(ord("a") + position)


def _expected_letter(position: int, numbering: Numbering) -> str:
    """The letter expected at `position`, in the file's script (and in English after it)."""
    letter = _letter(position)
    if position < len(numbering.letters):
        return f"{numbering.letters[position]}, {letter}"
    return letter


def _item_kind(
    label: str, paragraph: _Draft, sub: _Draft | None, following: list[Line], numbering: Numbering
) -> str:
    """Whether "(label)" starts the next sub-paragraph, or is an item "(i)", "(ii)"… inside one.
    `paragraph` holds the sub-paragraphs: a paragraph, or the article's text before paragraph 1.

    "(i)", "(v)" and "(x)" are both letters and Roman numerals: after "(h)", "(i)" is the next
    sub-paragraph unless an "(ii)" follows before "(j)".
    """
    letter = _letter(len(paragraph.children))
    holder = sub or paragraph
    value = roman_value(label.upper()) if set(label) <= set("ivx") else None
    if value is not None and value == holder.items + 1:
        if label != letter:
            return "item"
        following_label = _next_item_label(following, numbering)
        if following_label == roman(value + 1).lower():
            return "item"
        if following_label == _letter(len(paragraph.children) + 1) or value == 1:
            return "subparagraph"
        return "item"
    return "subparagraph" if label == letter else "out of sequence"


def _next_item_label(lines: list[Line], numbering: Numbering) -> str | None:
    for line in lines:
        if numbering.paragraph.fullmatch(line.text):
            return None
        if match := numbering.item.fullmatch(line.text):
            return numbering.latin(match["label"])
    return None

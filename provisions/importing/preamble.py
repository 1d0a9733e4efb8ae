"""The preamble: the formulas around it, its opening words and its recitals."""

import re

from provisions.importing.joiner import Joiner
from provisions.importing.layout import first_index, last_index
from provisions.importing.tree import Line, ParsedProvision

_PREAMBLE_HEADING = re.compile(r"Preamble|PREAMBLE")
_OPENING = re.compile(r"The States Parties to (?:this|the present) Convention\b")
_CLOSING = re.compile(r"Have agreed as follows\b")
_ANNEX = re.compile(r"Annex|ANNEX")
# Words that open a recital besides participles ("Noting") and adjectives in -ed ("Concerned").
_RECITAL_OPENERS = {"Aware", "Mindful", "Conscious", "Cognizant", "Deeply", "Further", "Also"}
_PARTICIPLE = re.compile(r"[A-Z][a-z]+(?:ing|ed)")


def parse_preamble(lines: list[Line], joiner: Joiner) -> tuple[str, list[ParsedProvision], str]:
    """The title, preamble provisions and closing formula found in the lines before Chapter I.

    The file may begin with the adopting resolution, whose own recitals and numbered paragraphs
    are not part of the Convention: the preamble starts after the last "Preamble" heading, or at
    the last "The States Parties to this Convention,", and ends at "Have agreed as follows:".
    """
    closing_at = last_index(lines, _CLOSING.match)
    end = len(lines) if closing_at is None else closing_at
    closing = joiner.join_lines(lines[end:])
    heading_at = last_index(lines[:end], _PREAMBLE_HEADING.fullmatch)
    opening_at = last_index(lines[:end], _OPENING.match)
    if heading_at is not None:
        title_end, start = heading_at, heading_at + 1
    elif opening_at is not None:
        title_end, start = opening_at, opening_at
    else:
        return "", [], closing
    annex_at = last_index(lines[:title_end], _ANNEX.fullmatch)
    title = "" if annex_at is None else joiner.join_lines(lines[annex_at + 1 : title_end])

    opening, recitals = _split_opening(lines[start:end])
    provisions = [
        ParsedProvision("preamble", "preamble", "", joiner.join_lines(opening), None, None)
    ]
    for number, recital in enumerate(_split_recitals(recitals), start=1):
        provisions.append(
            ParsedProvision(
                f"preamble__recital_{number}",
                "recital",
                str(number),
                joiner.join_lines(recital),
                "preamble",
                None,
            )
        )
    return title, provisions, closing


def _split_opening(lines: list[Line]) -> tuple[list[Line], list[Line]]:
    """Split the opening words ("The States Parties to this Convention,") from the recitals."""
    if not lines or _opens_recital(lines[0].text):
        return [], lines
    comma_at = first_index(lines, lambda text: text.endswith(","))
    if comma_at is None:
        return lines, []
    return lines[: comma_at + 1], lines[comma_at + 1 :]


def _split_recitals(lines: list[Line]) -> list[list[Line]]:
    recitals: list[list[Line]] = []
    for index, line in enumerate(lines):
        if index == 0 or _starts_recital(lines[index - 1], line):
            recitals.append([])
        recitals[-1].append(line)
    return recitals


def _starts_recital(previous: Line, line: Line) -> bool:
    """Recitals end with a comma; the next starts with a capital after a gap or an opener word."""
    if not previous.text.endswith((",", ";")) or not line.text[:1].isupper():
        return False
    return line.blank_before or _opens_recital(line.text)


def _opens_recital(text: str) -> bool:
    first_word = text.split(maxsplit=1)[0].rstrip(",")
    return first_word in _RECITAL_OPENERS or bool(_PARTICIPLE.fullmatch(first_word))


# How the other languages' preambles end their parts, in the punctuation of each script: the
# opening words and every recital with a comma or a semicolon (Arabic ، ؛, Chinese ， ；), the
# closing formula with a colon (Chinese ：).
_PART_END = (",", ";", "،", "؛", "，", "；")
_CLOSING_END = (":", "：")


def parse_preamble_by_shape(lines: list[Line], joiner: Joiner) -> tuple[list[ParsedProvision], str]:
    """The preamble of a version in another language, found by its shape, not its words.

    TreatyWatch holds no language's preamble words but English (and types none): in the lines
    before the first chapter, a block (lines up to a gap) ending with a colon is the closing
    formula, the last such; the run of blocks just before it that each end with a comma or a
    semicolon is the preamble, its first block the opening words and each other a recital.
    What precedes the run (a "Preamble" heading, the annex's title, the adopting resolution)
    ends it. No closing formula, or no such run: no preamble. The importer imports it only
    when it has as many recitals as the English text (provisions.importing.language_import).
    """
    blocks: list[list[Line]] = []
    for line in lines:
        if not blocks or line.blank_before:
            blocks.append([])
        blocks[-1].append(line)
    closing_at = next(
        (i for i in reversed(range(len(blocks))) if blocks[i][-1].text.endswith(_CLOSING_END)),
        None,
    )
    if closing_at is None:
        return [], ""
    start = closing_at
    while start > 0 and blocks[start - 1][-1].text.endswith(_PART_END):
        start -= 1
    parts = [joiner.join_lines(block) for block in blocks[start:closing_at]]
    closing = joiner.join_lines([line for block in blocks[closing_at:] for line in block])
    if not parts:
        return [], closing
    provisions = [ParsedProvision("preamble", "preamble", "", parts[0], None, None)]
    for number, recital in enumerate(parts[1:], start=1):
        provisions.append(
            ParsedProvision(
                f"preamble__recital_{number}", "recital", str(number), recital, "preamble", None
            )
        )
    return provisions, closing

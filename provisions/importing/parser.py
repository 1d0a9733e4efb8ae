"""Parse the official text of the UN Convention against Cybercrime into its provision tree.

The Convention is the annex to UN General Assembly resolution 79/243 (document A/RES/79/243).
This module reads the UN's PDF of that document, or a plain-text rendering of it (such as
`pdftotext -layout` output), and returns the preamble and the chapters → articles → paragraphs →
sub-paragraphs, with the Akoma-Ntoso-style eids the rest of TreatyWatch uses
(`preamble__recital_3`, `art_24__para_2__subpara_b`; a lettered item directly under an article,
such as each of Article 2's definitions, is `art_2__subpara_h`). It touches no database: the
import command turns the result into Provision rows.

Three steps, each a small function below:

1. `extract_text` turns the file into text, one page per form feed.
2. `clean_lines` drops what the page layout added (running heads and feet, page numbers,
   indentation) and keeps, for each line, its words, its page and whether a gap preceded it.
3. `parse_convention` finds the structure, re-joins the lines the layout broke (and the words it
   hyphenated at a line end), and checks that the result is the whole Convention in order.

Whatever looks wrong raises `ImportRefused` with a message for the person running the import:
refusing a file is always better than importing a wrong tree over the official text.
"""

import io
import re
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from pypdf import PdfReader

CONVENTION_ARTICLES = 68
# The largest file `import_convention` reads (its --max-bytes option; docs/importing.md). Reading,
# PDF text extraction and parsing all grow with the file: a file many times larger than any
# rendering of the Convention is refused before any of them starts.
DEFAULT_MAX_FILE_BYTES = 10 * 1024 * 1024


class ImportRefused(Exception):
    """The file cannot be imported; the message says why, in words for the person importing it."""


# --- The parsed tree --------------------------------------------------------------------------


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


# --- Step 1: the file's text -----------------------------------------------------------------


def extract_text(path: Path, *, max_bytes: int = DEFAULT_MAX_FILE_BYTES) -> str:
    """The file's text with pages separated by form feeds: a PDF's text layer, or UTF-8 text.

    A file of more than `max_bytes` is refused; at most one byte more is ever read, so a file
    that grows, or a device without end, is refused the same way."""
    path = Path(path)
    try:
        with path.open("rb") as file:
            data = file.read(max_bytes + 1)
    except OSError as exc:
        raise ImportRefused(f"Cannot read {path}: {exc.strerror or exc}.") from exc
    if len(data) > max_bytes:
        raise ImportRefused(
            f"{path.name} is larger than {max_bytes:,} bytes, the most the import reads. "
            "Is it the Convention? If it is, run the import again with a larger --max-bytes."
        )
    if data.lstrip().startswith(b"%PDF"):
        return _pdf_text(data, path.name)
    return _plain_text(data, path.name)


def _pdf_text(data: bytes, name: str) -> str:
    try:
        reader = PdfReader(io.BytesIO(data))
        # Many official PDFs are "encrypted" only to restrict printing, with an empty password.
        locked = reader.is_encrypted and not reader.decrypt("")
    except Exception as exc:  # pypdf raises many kinds of error on a damaged or fake PDF
        raise ImportRefused(
            f"{name} starts like a PDF but cannot be read ({exc}). Is the download complete? "
            "The plain-text rendering of the Convention can be imported instead."
        ) from exc
    if locked:
        raise ImportRefused(
            f"{name} is protected by a password. Save an unprotected copy and import that."
        )
    try:
        pages = [_page_text(page) for page in reader.pages]
    except Exception as exc:
        raise ImportRefused(
            f"The text of {name} cannot be extracted ({exc}). "
            "The plain-text rendering of the Convention can be imported instead."
        ) from exc
    if not any(page.strip() for page in pages):
        raise ImportRefused(
            f"{name} has no text layer (is it a scan?). Run OCR on it, "
            "or import the plain-text rendering of the Convention instead."
        )
    return "\f".join(pages)


def _page_text(page) -> str:
    # Layout mode keeps the gaps between paragraphs as blank lines, which the parser reads as
    # hints, and places words by position rather than by the PDF's spacing operators. Both
    # modes parse the sample alike; plain mode remains the fallback for pages layout mode
    # cannot handle (it is the older, more forgiving code in pypdf).
    try:
        return page.extract_text(extraction_mode="layout")
    except Exception:
        return page.extract_text()


def _plain_text(data: bytes, name: str) -> str:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ImportRefused(
            f"{name} is neither a PDF nor UTF-8 text (byte {exc.object[exc.start]:#04x} "
            f"at position {exc.start} is not UTF-8). Save it as UTF-8, or import the PDF."
        ) from exc
    if "\x00" in text:
        raise ImportRefused(f"{name} looks like a binary file, not the text of the Convention.")
    if not text.strip():
        raise ImportRefused(f"{name} is empty.")
    return text


# --- Step 2: cleaning ------------------------------------------------------------------------


@dataclass(frozen=True)
class Line:
    """One non-blank line of the cleaned text."""

    text: str  # its words, separated by single spaces
    page: int  # 1-based, for messages
    blank_before: bool  # a gap precedes it on its page: a hint that a new paragraph starts


# Feet of UN documents: the job number "24-24574" (first page: "24-24574 (E)"), "3/41" or a lone
# page number, the barcode's digits "*2424574*"; and the document symbol in the running head.
_RUNNING_TOKEN = re.compile(r"\d{2}-\d{5}|\(E\)|\d{1,3}/\d{1,3}|\d{1,3}|\*\d{6,}\*|A/RES/\d+/\d+")
_DOCUMENT_SYMBOL = re.compile(r"A/RES/\d+/\d+")
# Lines this near the top or bottom of a page may be running heads (the symbol, then a title
# wrapped over up to three lines).
_EDGE_LINES = 4
_LIGATURES = str.maketrans({"\ufb00": "ff", "\ufb01": "fi", "\ufb02": "fl", "\ufb03": "ffi"})


def clean_lines(text: str) -> list[Line]:
    """The text without running heads and feet, page breaks or layout whitespace."""
    text = text.replace("\r\n", "\n").replace("\r", "\n").translate(_LIGATURES)
    # A soft hyphen only matters where the line breaks; elsewhere it is invisible.
    text = re.sub("\xad(?!\n)", "", text)
    pages = [page.split("\n") for page in text.split("\f")]
    repeated = _repeated_edge_lines(pages)
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


def _repeated_edge_lines(pages: list[list[str]]) -> set[str]:
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
        if count >= threshold and not text.endswith((".", ",", ";", ":")) and not _heading(text)
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


# --- Step 3: structure -----------------------------------------------------------------------

# "Chapter IV" alone (its title on the next line), "Chapter IV. Title" or "CHAPTER IV GENERAL …".
_CHAPTER = re.compile(
    r"(?:Chapter|CHAPTER)\s+(?P<number>[IVXLC]+)"
    r"(?:(?:\s*[.:\u2013\u2014-]\s*|\s+(?=[A-Z]{2}))(?P<title>\S.*))?"
)
# The Convention refers to "article 24" in lower case, so a capitalised "Article 24" alone on its
# line (or followed by a separator and a title) is a heading, not a wrapped cross-reference.
_ARTICLE = re.compile(
    r"(?:Article|ARTICLE)\s+(?P<number>\d{1,3})"
    r"(?:(?:\s*[.:\u2013\u2014-]\s*|\s+(?=[A-Z]{2}))(?P<title>\S.*))?"
)
_PARAGRAPH = re.compile(r"(?P<number>\d{1,2})\.(?:\s+(?P<rest>.*))?")
_ITEM = re.compile(r"\((?P<label>[a-z]{1,4})\)(?:\s+(?P<rest>.*))?")
# How a paragraph or item ends, so that the next line may start a new one: ".", ":" or ";"
# (perhaps before a closing quote or bracket), or "; and" / "; or" between sub-paragraphs.
_UNIT_END = re.compile(r"(?:[.:;][\"'”’)\]]*|;\s+(?:and|or))$")
_PREAMBLE_HEADING = re.compile(r"Preamble|PREAMBLE")
_OPENING = re.compile(r"The States Parties to (?:this|the present) Convention\b")
_CLOSING = re.compile(r"Have agreed as follows\b")
_ANNEX = re.compile(r"Annex|ANNEX")
_TESTIMONIUM = re.compile(r"IN WITNESS WHEREOF\b|In witness whereof\b")
# Words that open a recital besides participles ("Noting") and adjectives in -ed ("Concerned").
_RECITAL_OPENERS = {"Aware", "Mindful", "Conscious", "Cognizant", "Deeply", "Further", "Also"}
_PARTICIPLE = re.compile(r"[A-Z][a-z]+(?:ing|ed)")
# Prefixes the UN's style always joins with a hyphen: a line-end hyphen after them is kept
# when the document itself does not settle the question.
_HYPHENATED_PREFIXES = {"non", "self", "cross", "multi", "co", "ex", "anti", "semi", "well"}
_LETTERS = re.compile(r"[^\W\d_]+")


def parse_convention(
    text: str, expected_articles: int | None = CONVENTION_ARTICLES
) -> ParsedConvention:
    """The Convention's provision tree, or ImportRefused if the text is not the whole Convention.

    `expected_articles=None` skips the article count (for excerpts); order is always checked.
    """
    lines = clean_lines(text)
    if not lines:
        raise ImportRefused("The file has no text to import.")
    joiner = _Joiner(lines)
    first_chapter = _first_index(lines, _CHAPTER.fullmatch)
    if first_chapter is None:
        raise ImportRefused(
            "No chapter heading (such as “Chapter I”) was found. "
            "Is this the text of the Convention against Cybercrime?"
        )
    early = _first_index(lines[:first_chapter], _ARTICLE.fullmatch)
    if early is not None:
        raise ImportRefused(
            f"“{lines[early].text}” (page {lines[early].page}) comes before the first chapter "
            "heading. The Convention's articles all sit inside chapters."
        )
    end = _first_index(lines, _TESTIMONIUM.match, start=first_chapter)
    end = len(lines) if end is None else end
    headings = _find_headings(lines, first_chapter, end)
    _check_chapter_order([h for h in headings if h.kind == "Chapter"])
    _check_article_order([h for h in headings if h.kind == "Article"])
    title, preamble, closing = _parse_preamble(lines[:first_chapter], joiner)
    convention = ParsedConvention(
        preamble=preamble,
        chapters=_parse_chapters(lines, headings, end, joiner),
        title=title,
        preamble_closing=closing,
        testimonium=joiner.join_lines(lines[end:]),
    )
    found = len(convention.articles)
    if expected_articles is not None and found != expected_articles:
        raise ImportRefused(
            f"Found {found} articles; the Convention has {expected_articles}. "
            "Is this the right file, and is it complete?"
        )
    return convention


def _first_index(lines: list[Line], test: Callable, start: int = 0) -> int | None:
    return next((i for i in range(start, len(lines)) if test(lines[i].text)), None)


def _last_index(lines: list[Line], test: Callable) -> int | None:
    return next((i for i in reversed(range(len(lines))) if test(lines[i].text)), None)


def _heading(text: str) -> re.Match | None:
    return _CHAPTER.fullmatch(text) or _ARTICLE.fullmatch(text)


# --- Headings and their order


@dataclass(frozen=True)
class _Heading:
    index: int  # in the cleaned lines
    kind: str  # "Chapter" or "Article"
    number: str
    title: str  # when on the heading line itself; "" when on the next line
    page: int

    @property
    def value(self) -> int | None:
        return int(self.number) if self.kind == "Article" else _roman_value(self.number)


def _find_headings(lines: list[Line], start: int, end: int) -> list[_Heading]:
    headings = []
    for index in range(start, end):
        line = lines[index]
        for kind, pattern in (("Chapter", _CHAPTER), ("Article", _ARTICLE)):
            if match := pattern.fullmatch(line.text):
                title = match["title"] or ""
                headings.append(_Heading(index, kind, match["number"], title, line.page))
    return headings


def _check_article_order(headings: list[_Heading]) -> None:
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


def _check_chapter_order(headings: list[_Heading]) -> None:
    previous = 0
    for heading in headings:
        value = heading.value
        if value is None:
            raise ImportRefused(
                f"“Chapter {heading.number}” (page {heading.page}) is not a chapter number."
            )
        if value != previous + 1:
            expected = _roman(previous + 1)
            raise ImportRefused(
                f"Chapter {heading.number} (page {heading.page}) comes where Chapter {expected} "
                "was expected. Is the file complete and in order?"
            )
        previous = value


_ROMAN_NUMERALS = {100: "C", 90: "XC", 50: "L", 40: "XL", 10: "X", 9: "IX", 5: "V", 4: "IV", 1: "I"}


def _roman(number: int) -> str:
    numerals = []
    for value, letters in _ROMAN_NUMERALS.items():
        count, number = divmod(number, value)
        numerals.append(letters * count)
    return "".join(numerals)


def _roman_value(numeral: str) -> int | None:
    """The value of an upper-case Roman numeral, or None if it is not one written correctly."""
    values = {"I": 1, "V": 5, "X": 10, "L": 50, "C": 100}
    if not numeral or set(numeral) - set(values):
        return None
    total = 0
    for current, following in zip(numeral, numeral[1:] + " ", strict=True):
        value = values[current]
        total += -value if values.get(following, 0) > value else value
    return total if total > 0 and _roman(total) == numeral else None


def _read_title(lines: list[Line], index: int, joiner: "_Joiner") -> tuple[str, int]:
    """The title on the lines from `index` (after an "Article 24" line), and the index after it.

    A title is one line; a long one wraps onto lines that start in lower case and follow
    without a gap (the text after a title starts with a capital, a number or a bracket).
    """
    if index >= len(lines) or _starts_unit(lines[index].text):
        return "", index
    title_lines = [lines[index]]
    index += 1
    while (
        index < len(lines)
        and len(title_lines) < 3
        and not lines[index].blank_before
        and lines[index].text[:1].islower()
        and not _UNIT_END.search(title_lines[-1].text)
    ):
        title_lines.append(lines[index])
        index += 1
    return joiner.join_lines(title_lines), index


def _starts_unit(text: str) -> bool:
    return bool(_heading(text) or _PARAGRAPH.fullmatch(text) or _ITEM.fullmatch(text))


def _parse_chapters(
    lines: list[Line], headings: list[_Heading], end: int, joiner: "_Joiner"
) -> list[ParsedChapter]:
    chapters: list[ParsedChapter] = []
    for position, heading in enumerate(headings):
        next_index = headings[position + 1].index if position + 1 < len(headings) else end
        if heading.title:
            title, start = heading.title, heading.index + 1
        else:
            title, start = _read_title(lines, heading.index + 1, joiner)
        name = f"{heading.kind} {heading.number} (page {heading.page})"
        if not title:
            raise ImportRefused(f"{name} has no title on its heading or the line after it.")
        content = lines[start:next_index]
        if heading.kind == "Chapter":
            if content:
                raise ImportRefused(
                    f"Unexpected text between the heading of {name} and its first article: "
                    f"“{content[0].text}” (page {content[0].page})."
                )
            chapters.append(ParsedChapter(heading.number, title))
        else:
            chapters[-1].articles.append(
                _parse_article(int(heading.number), title, content, joiner, name)
            )
    empty = next((chapter for chapter in chapters if not chapter.articles), None)
    if empty is not None:
        raise ImportRefused(f"Chapter {empty.number} ({empty.title}) has no articles.")
    return chapters


# --- The preamble


def _parse_preamble(lines: list[Line], joiner: "_Joiner") -> tuple[str, list[ParsedProvision], str]:
    """The title, preamble provisions and closing formula found in the lines before Chapter I.

    The file may begin with the adopting resolution, whose own recitals and numbered paragraphs
    are not part of the Convention: the preamble starts after the last "Preamble" heading, or at
    the last "The States Parties to this Convention,", and ends at "Have agreed as follows:".
    """
    closing_at = _last_index(lines, _CLOSING.match)
    end = len(lines) if closing_at is None else closing_at
    closing = joiner.join_lines(lines[end:])
    heading_at = _last_index(lines[:end], _PREAMBLE_HEADING.fullmatch)
    opening_at = _last_index(lines[:end], _OPENING.match)
    if heading_at is not None:
        title_end, start = heading_at, heading_at + 1
    elif opening_at is not None:
        title_end, start = opening_at, opening_at
    else:
        return "", [], closing
    annex_at = _last_index(lines[:title_end], _ANNEX.fullmatch)
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
    comma_at = _first_index(lines, lambda text: text.endswith(","))
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


# --- Articles


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


def _parse_article(
    number: int, title: str, lines: list[Line], joiner: "_Joiner", name: str
) -> ParsedArticle:
    body = _Draft("")
    paragraphs: list[_Draft] = []
    sub: _Draft | None = None
    for index, line in enumerate(lines):
        # A marker only starts a unit where the line before ended one: "…subparagraph\n(a) of
        # article 3" and "…article\n2. Such liability" are cross-references wrapped by the layout.
        starts_unit = (
            index == 0 or line.blank_before or bool(_UNIT_END.search(lines[index - 1].text))
        )
        paragraph = paragraphs[-1] if paragraphs else None
        # Lettered items before paragraph 1 are the article's own (Article 2's definitions).
        holder = paragraph or body
        if starts_unit and (match := _PARAGRAPH.fullmatch(line.text)):
            if int(match["number"]) != len(paragraphs) + 1:
                raise ImportRefused(
                    f"{name}: paragraph {match['number']} comes where paragraph "
                    f"{len(paragraphs) + 1} was expected."
                )
            paragraph, sub = _Draft(match["number"]), None
            paragraphs.append(paragraph)
            paragraph.add(match["rest"])
            continue
        if starts_unit and (match := _ITEM.fullmatch(line.text)):
            label = match["label"]
            kind = _item_kind(label, holder, sub, lines[index + 1 :])
            if kind == "subparagraph":
                sub = _Draft(label)
                holder.children.append(sub)
                sub.add(match["rest"])
                continue
            if kind == "out of sequence":
                where = f"paragraph {paragraph.label}" if paragraph else "before paragraph 1"
                raise ImportRefused(
                    f"{name}, {where}: sub-paragraph ({label}) comes where "
                    f"({_letter(len(holder.children))}) was expected."
                )
            (sub or holder).items += 1
        target = sub or holder
        # Items "(i)", "(ii)"… keep their own line.
        target.add(line.text, own_line=starts_unit and bool(_ITEM.fullmatch(line.text)))

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


def _item_kind(label: str, paragraph: _Draft, sub: _Draft | None, following: list[Line]) -> str:
    """Whether "(label)" starts the next sub-paragraph, or is an item "(i)", "(ii)"… inside one.
    `paragraph` holds the sub-paragraphs: a paragraph, or the article's text before paragraph 1.

    "(i)", "(v)" and "(x)" are both letters and Roman numerals: after "(h)", "(i)" is the next
    sub-paragraph unless an "(ii)" follows before "(j)".
    """
    letter = _letter(len(paragraph.children))
    holder = sub or paragraph
    roman = _roman_value(label.upper()) if set(label) <= set("ivx") else None
    if roman is not None and roman == holder.items + 1:
        if label != letter:
            return "item"
        following_label = _next_item_label(following)
        if following_label == _roman(roman + 1).lower():
            return "item"
        if following_label == _letter(len(paragraph.children) + 1) or roman == 1:
            return "subparagraph"
        return "item"
    return "subparagraph" if label == letter else "out of sequence"


def _next_item_label(lines: list[Line]) -> str | None:
    for line in lines:
        if _PARAGRAPH.fullmatch(line.text):
            return None
        if match := _ITEM.fullmatch(line.text):
            return match["label"]
    return None


# --- Re-joining lines


# More than the longest word: a line-end hyphen is judged on this much of the text before it.
_TAIL_CHARS = 100


class _Joiner:
    """Re-joins lines that the layout broke, undoing hyphenation at line ends.

    A line-end hyphen is ambiguous: "cyber-|crime" is one word, "non-|consensual" keeps its
    hyphen. The document itself usually settles it (the word appears elsewhere, on one line);
    failing that, a few prefixes keep their hyphen and everything else is joined.
    """

    def __init__(self, lines: list[Line]):
        self.vocabulary = {
            word.lower()
            for line in lines
            for word in re.findall(r"[^\W\d_]+(?:-[^\W\d_]+)*", line.text)
        }

    def join_lines(self, lines: list[Line]) -> str:
        return self.join([(line.text, False) for line in lines])

    def join(self, pieces: list[tuple[str, bool]]) -> str:
        # Collected in a list and judged on the text's last _TAIL_CHARS characters only: adding
        # each line to the whole text, and searching it for a line-end hyphen, cost the square
        # of a paragraph's length (a paragraph of 5,000 lines took minutes).
        parts: list[str] = []
        tail = ""  # the end of the text so far; empty while the text is
        for piece, own_line in pieces:
            if not tail:
                parts, tail = [piece], piece[-_TAIL_CHARS:]
                continue
            cut, separator = (0, "\n") if own_line else self._joint(tail, piece)
            if cut:
                while not parts[-1]:
                    parts.pop()
                parts[-1] = parts[-1][:-1]
                tail = tail[:-1]
            parts.append(separator + piece)
            tail = (tail + separator + piece)[-_TAIL_CHARS:]
        return "".join(parts)

    def _joint(self, left: str, right: str) -> tuple[int, str]:
        """How the line `right` continues the text ending in `left`: how many characters to drop
        from the end of the text (a soft or line-break hyphen), and what goes between them."""
        if left.endswith("\xad"):
            return 1, ""
        if not left.endswith("-"):
            return 0, " "
        # The letters before the hyphen, read backwards from it (a search for "letters, hyphen,
        # end" would try every start in the text).
        broken = _LETTERS.match(left[-2::-1])
        following = _LETTERS.match(right)
        if broken and following and right[:1].islower():
            if self._keeps_hyphen(broken[0][::-1], following[0]):
                return 0, ""
            return 1, ""
        if left[-2:-1].isalnum() or left[-2:-1] == "_":  # "ICT-|Based", "2024-|2025": a hyphen
            return 0, ""
        return 0, " "

    def _keeps_hyphen(self, stem: str, rest: str) -> bool:
        if f"{stem}-{rest}".lower() in self.vocabulary:
            return True
        if f"{stem}{rest}".lower() in self.vocabulary:
            return False
        return stem.lower() in _HYPHENATED_PREFIXES

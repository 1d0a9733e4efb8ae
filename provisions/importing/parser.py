"""Parse the official text of the UN Convention against Cybercrime into its provision tree.

The Convention is the annex to UN General Assembly resolution 79/243 (document A/RES/79/243).
This module reads the UN's PDF of that document, or a plain-text rendering of it (such as
`pdftotext -layout` output), and returns the preamble and the chapters → articles → paragraphs →
sub-paragraphs, with the Akoma-Ntoso-style eids the rest of TreatyWatch uses
(`preamble__recital_3`, `art_24__para_2__subpara_b`; a lettered item directly under an article,
such as each of Article 2's definitions, is `art_2__subpara_h`). It touches no database: the
import command turns the result into Provision rows.

Three steps, each in a module of its own:

1. `extract.extract_text` turns the file into text, one page per form feed.
2. `layout.clean_lines` drops what the page layout added (running heads and feet, page numbers,
   indentation) and keeps, for each line, its words, its page and whether a gap preceded it.
3. `parse_convention` (here) finds the structure: the headings and their order (`headings`),
   the preamble (`preamble`), each article's paragraphs and lettered items (`articles`); it
   re-joins the lines the layout broke and the words it hyphenated at a line end (`joiner`), and
   checks that the result is the whole Convention in order. The tree is plain data (`tree`).

The same rules read each of the Convention's six languages (`language`): only how headings,
numbers and lettered items are written differs (`numbering`), and every version gets the same
eids, so that Arabic "(ح)" is `…__subpara_h` like English "(h)". The English preamble is read
by its words; another language's by its shape (`preamble.parse_preamble_by_shape`).
`partial=True` accepts a file holding a run of articles that need not start at Article 1
(docs/languages.md).

Whatever looks wrong raises `ImportRefused` with a message for the person running the import:
refusing a file is always better than importing a wrong tree over the official text.
"""

from provisions.importing.articles import parse_chapters
from provisions.importing.headings import check_article_order, check_chapter_order, find_headings
from provisions.importing.joiner import Joiner
from provisions.importing.layout import clean_lines, first_index
from provisions.importing.numbering import numbering_for
from provisions.importing.preamble import parse_preamble, parse_preamble_by_shape
from provisions.importing.tree import CONVENTION_ARTICLES, ImportRefused, ParsedConvention


def parse_convention(
    text: str,
    expected_articles: int | None = CONVENTION_ARTICLES,
    *,
    language: str = "en",
    partial: bool = False,
) -> ParsedConvention:
    """The Convention's provision tree, or ImportRefused if the text is not the whole Convention.

    `expected_articles=None` skips the article count (for excerpts), as `partial` does, which
    also lets the file start at any article; order is always checked.
    """
    numbering = numbering_for(language)
    lines = clean_lines(text, numbering)
    if not lines:
        raise ImportRefused("The file has no text to import.")
    joiner = Joiner(lines)
    first_chapter = first_index(lines, numbering.chapter.fullmatch)
    if first_chapter is None:
        raise ImportRefused(
            f"No chapter heading (such as “{_EXAMPLE_CHAPTER[language]}”) was found. "
            "Is this the text of the Convention against Cybercrime, in the language given "
            "with --language?"
        )
    early = first_index(lines[:first_chapter], numbering.article.fullmatch)
    if early is not None:
        raise ImportRefused(
            f"“{lines[early].text}” (page {lines[early].page}) comes before the first chapter "
            "heading. The Convention's articles all sit inside chapters."
        )
    end = first_index(lines, numbering.testimonium.match, start=first_chapter)
    end = len(lines) if end is None else end
    headings = find_headings(lines, first_chapter, end, numbering)
    check_chapter_order([h for h in headings if h.kind == "Chapter"], partial=partial)
    check_article_order([h for h in headings if h.kind == "Article"], partial=partial)
    if numbering.reads_preamble:
        title, preamble, closing = parse_preamble(lines[:first_chapter], joiner)
    else:
        title = ""
        preamble, closing = parse_preamble_by_shape(lines[:first_chapter], joiner)
    convention = ParsedConvention(
        preamble=preamble,
        chapters=parse_chapters(lines, headings, end, joiner, numbering),
        title=title,
        preamble_closing=closing,
        testimonium=joiner.join_lines(lines[end:]),
    )
    found = len(convention.articles)
    if expected_articles is not None and not partial and found != expected_articles:
        raise ImportRefused(
            f"Found {found} articles; the Convention has {expected_articles}. "
            "Is this the right file, and is it complete? (A file holding only some articles "
            "is imported with --partial.)"
        )
    return convention


_EXAMPLE_CHAPTER = {
    "en": "Chapter I",
    "fr": "Chapitre premier",
    "es": "Capítulo I",
    "ru": "Глава I",
    "ar": "الفصل الأول",
    "zh": "第一章",
}

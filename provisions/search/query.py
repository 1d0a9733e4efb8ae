"""Reading what a reader typed: cleaning it, telling whether it holds a searchable word, and the
SQLite fallback's reading of websearch syntax ("quoted phrase", OR, -exclude) into terms.
"""

import re
import unicodedata
from dataclasses import dataclass

MAX_QUERY_CHARS = 200


def clean_query(raw) -> str:
    """NFC, control characters (newlines, NUL…) as spaces, invisible format characters dropped,
    whitespace collapsed. What remains is safe to hand to either database."""
    text = unicodedata.normalize("NFC", str(raw or ""))
    kept = []
    for ch in text:
        category = unicodedata.category(ch)
        if category == "Cc":
            kept.append(" ")
        elif category not in {"Cf", "Cs", "Cn"}:
            kept.append(ch)
    return " ".join("".join(kept).split())


_TOKEN = re.compile(r'(-?)"([^"]*)"?|(\S+)')
_EDGE_PUNCTUATION = "\"'“”‘’«»()[]{}.,;:!?"
# Markdown's syntax is not text: a `*` or `_` in a query must not find the raw `**bold**` of an
# annotation's source. Nor is punctuation: PostgreSQL's parser drops both, so "dual criminality"
# is the phrase in "dual, criminality" there. On both sides of a match they separate words.
_MARKUP = re.compile(r"(?:[^\w\s]|_)+")
_WORD = re.compile(r"\w+")

# The words PostgreSQL's english configuration ignores (its english.stop), so that both
# databases agree on what cannot be searched for; tests/test_search_citations.py checks them on
# PostgreSQL.
_STOP_WORDS_TEXT = """
    i me my myself we our ours ourselves you your yours yourself yourselves he him his himself
    she her hers herself it its itself they them their theirs themselves what which who whom
    this that these those am is are was were be been being have has had having do does did
    doing a an the and but if or because as until while of at by for with about against
    between into through during before after above below to from up down in out on off over
    under again further then once here there when where why how all any both each few more
    most other some such no nor not only own same so than too very s t can will just don
    should now
"""
STOP_WORDS = frozenset(_STOP_WORDS_TEXT.split())


def as_read(text: str) -> str:
    """Text as a reader sees it, for matching: Markdown's signs and punctuation are not text
    (`*dual* criminality` and "dual, criminality" read "dual criminality"), and a line break or
    any run of spaces is one space.
    One pass of a single character class and a split: linear in the length of the text."""
    return " ".join(_MARKUP.sub(" ", text).split())


@dataclass(frozen=True, slots=True)
class Terms:
    """The fallback's reading of a websearch query: words and phrases to find and to avoid."""

    include: tuple[str, ...]
    exclude: tuple[str, ...]


def parse_terms(query: str) -> Terms:
    include, exclude = [], []
    for match in _TOKEN.finditer(query):
        negated, phrase, word = match.group(1), match.group(2), match.group(3)
        if word is not None:
            negated = word.startswith("-")
            word = word.lstrip("-")
            if word.lower() in STOP_WORDS:  # OR, and words PostgreSQL ignores as well
                continue
            phrase = word
        term = as_read(phrase).strip(_EDGE_PUNCTUATION)
        if term:
            (exclude if negated else include).append(term)
    return Terms(tuple(dict.fromkeys(include)), tuple(dict.fromkeys(exclude)))


def has_searchable_words(query: str) -> bool:
    """Whether the query holds a word that is not a stop-word ("a", "AND", "the") and not only
    signs (`*`, `#`): without one, PostgreSQL finds nothing and a substring search everything,
    so the page explains instead of searching."""
    return any(word.lower() not in STOP_WORDS for word in _WORD.findall(_MARKUP.sub(" ", query)))

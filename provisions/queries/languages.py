"""The text in the reader's language: which language versions hold an article, and their words.

English is the provisions' own text; another language's words come from the newest version in
that language (provisions.models.languages), when it holds the article (a partial version may
not). One query for each language other than English, none for English.
"""

from dataclasses import dataclass, field

from provisions.importing.numbering import ABJAD, CHINESE_DIGITS, CYRILLIC, LATIN
from provisions.models import Article, Provision, ProvisionText, TextVersion
from provisions.models.languages import html_language, text_direction, text_language
from provisions.models.treaty import ENGLISH, TEXT_LANGUAGES

_CHINESE_ITEMS = [char for char, value in sorted(CHINESE_DIGITS.items(), key=lambda i: i[1])]
_CHINESE_ITEMS = [c for c in _CHINESE_ITEMS if c not in "〇零两"] + ["十"]


@dataclass
class LanguageText:
    """An article's text in one language: the version and the words by provision id (its title
    is a heading: provisions/queries/headings.py)."""

    language: str
    version: TextVersion | None  # None: English, the provisions' own text
    texts: dict[int, str] = field(default_factory=dict)
    requested: str = ""  # the language asked for, when this is English instead

    @property
    def is_fallback(self) -> bool:
        return bool(self.requested) and self.requested != self.language

    @property
    def requested_name(self) -> str:
        return str(dict(TEXT_LANGUAGES).get(self.requested, ""))

    @property
    def name(self) -> str:
        return str(dict(TEXT_LANGUAGES)[self.language])

    @property
    def lang(self) -> str:
        return html_language(self.language)

    @property
    def dir(self) -> str:
        return text_direction(self.language)

    def label_of(self, provision: Provision) -> str:
        """The provision's label as this language writes it: Arabic "(ح)" and "1 -", Russian
        "з)", Chinese "(八)"; the English form otherwise (docs/languages.md)."""
        label = provision.label.strip("().")
        if provision.kind == Provision.Kind.PARAGRAPH and self.language == "ar":
            return f"{label} -"
        if provision.kind != Provision.Kind.SUBPARAGRAPH or label not in LATIN:
            return provision.display_label
        position = LATIN.index(label)
        letters = {"ar": ABJAD, "ru": CYRILLIC, "zh": _CHINESE_ITEMS}.get(self.language, "")
        if position >= len(letters):
            return provision.display_label
        letter = "هـ" if letters[position] == "ه" else letters[position]
        return f"{letter})" if self.language == "ru" else f"({letter})"

    def text_of(self, provision) -> str:
        if self.version is None:
            return provision.text
        return self.texts.get(provision.pk, "")


def current_versions(treaty_id: int) -> dict[str, TextVersion]:
    """The newest version in each language other than English (one query)."""
    newest: dict[str, TextVersion] = {}
    versions = TextVersion.objects.filter(treaty_id=treaty_id).exclude(language=ENGLISH)
    for version in versions.order_by("recorded_at", "pk"):
        newest[version.language] = version
    return newest


def holds(version: TextVersion | None, article: Article) -> bool:
    return version is not None and article.number in version.articles


def text_in(article: Article, language: str) -> LanguageText:
    """`article` in `language`, or in English when that language's newest version does not hold
    it (`is_fallback`). One query for another language, whether or not it has a version: the
    newest version's rows for the article (a version carries forward every article it holds)."""
    if language == ENGLISH:
        return LanguageText(ENGLISH, None, requested=language)
    rows = list(
        ProvisionText.objects.newest_in(language)
        .filter(provision__article=article)
        .select_related("text_version")
    )
    if not rows:
        return LanguageText(ENGLISH, None, requested=language)
    texts = {row.provision_id: row.text for row in rows}
    return LanguageText(language, rows[0].text_version, texts, requested=language)


def text_for_reader(article: Article, interface_language: str | None) -> LanguageText | None:
    """The article in the reader's language (None for an English reader: the page as it was)."""
    reader = text_language(interface_language)
    return None if reader == ENGLISH else text_in(article, reader)


def preamble_for_reader(preamble: list[Provision], interface_language: str | None):
    """The preamble's provisions with `.shown_text`, `.shown_lang` and `.shown_dir`: the words of
    the newest version in the reader's language, or the English where it has none (the version
    holds no preamble, or a recital the English gained since). Returns that version's
    LanguageText (`is_fallback` when it holds no preamble), or None for an English reader.
    One query for another language, with or without a version."""
    reader = text_language(interface_language)
    if reader == ENGLISH:
        return None
    rows = list(
        ProvisionText.objects.newest_in(reader)
        .filter(provision__in=[provision.pk for provision in preamble])
        .select_related("text_version")
    )
    if rows:
        texts = {row.provision_id: row.text for row in rows}
        shown = LanguageText(reader, rows[0].text_version, texts, requested=reader)
    else:
        shown = LanguageText(ENGLISH, None, requested=reader)
    english = LanguageText(ENGLISH, None)
    for provision in preamble:
        words = shown.texts.get(provision.pk)
        source = shown if words else english
        provision.shown_text = words or provision.text
        provision.shown_lang, provision.shown_dir = source.lang, source.dir
    return shown

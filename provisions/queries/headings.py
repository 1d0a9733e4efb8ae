"""The Convention's headings, article and chapter titles, in the reader's language.

The one rule for every page that names an article or a chapter (the table of contents, the
contents beside an article, breadcrumbs, an article's heading and <title>, the compare view,
briefs, search results and citations): a reader whose text language (models.languages.
text_language) has a version holding the article, or the chapter's heading, reads the title in
that language; otherwise the English title, marked `lang="en" dir="ltr"`, as editorial content
without a translation is (templatetags.treatywatch `shown`). A partial version's missing
articles are therefore English, each marked. English readers see the English titles, unmarked.

The context processor puts a `HeadingTitles` for the request's language in every template's
context as `headings`; the `heading` template tag reads it. It loads nothing until a heading is
asked for, then everything in one query, however many headings the page shows (none for an
English reader), and the same query whether or not the language has a version.
"""

import json
from dataclasses import dataclass

from django.db.models import CharField, F, OuterRef, Subquery, TextField, Value
from django.db.models.functions import Cast
from django.utils.html import escape, format_html

from provisions.models import Article, Chapter, Provision, ProvisionText, TextVersion
from provisions.models.languages import html_language, text_direction, text_language
from provisions.models.treaty import ENGLISH, TEXT_LANGUAGES


@dataclass(frozen=True)
class Heading:
    """A title as a reader sees it. In a template it is marked with its language when the
    reader does not read English (`marked`); `text` is the words alone (for <title>)."""

    text: str
    language: str  # the language of `text`: the reader's text language, or English
    marked: bool = False

    @property
    def lang(self) -> str:
        return html_language(self.language)

    @property
    def dir(self) -> str:
        return text_direction(self.language)

    @property
    def fallback(self) -> bool:
        """The English title standing in for one not imported in the reader's language."""
        return self.marked and self.language == ENGLISH

    def __str__(self):
        return self.text

    def __html__(self):
        if not self.marked:
            return escape(self.text)
        return format_html('<span lang="{}" dir="{}">{}</span>', self.lang, self.dir, self.text)


class HeadingTitles:
    """The titles in one reader's language, loaded on first use (see the module docstring)."""

    def __init__(self, interface_language: str | None):
        self.language = text_language(interface_language)
        self._articles: dict[int, str] | None = None  # article pk → title
        self._chapters: dict[tuple[int, str], str] = {}  # (treaty pk, Roman numeral) → title

    @property
    def language_name(self) -> str:
        return str(dict(TEXT_LANGUAGES)[self.language])

    def of(self, obj) -> Heading:
        """The heading of an Article or a Chapter."""
        if isinstance(obj, Article):
            return self._heading(obj.title, self._loaded().get(obj.pk))
        if isinstance(obj, Chapter):
            self._loaded()
            return self._heading(obj.title, self._chapters.get((obj.treaty_id, obj.number)))
        raise TypeError(f"No heading for {type(obj).__name__}")

    def _heading(self, english: str, translated: str | None) -> Heading:
        if self.language == ENGLISH:
            return Heading(english, ENGLISH)
        if translated:
            return Heading(translated, self.language, marked=True)
        return Heading(english, ENGLISH, marked=True)

    def _loaded(self) -> dict[int, str]:
        if self._articles is None:
            self._articles = {}
            if self.language != ENGLISH:
                self._load()
        return self._articles

    def _load(self) -> None:
        """One query: the article titles of the newest version in the language (a partial
        version holds only its articles) and, in the same result, its chapter titles."""
        newest = (
            TextVersion.objects.filter(language=self.language, treaty=OuterRef("treaty"))
            .order_by("-recorded_at", "-pk")
            .values("pk")[:1]
        )
        titles = (
            ProvisionText.objects.newest_in(self.language)
            .filter(provision__kind=Provision.Kind.ARTICLE)
            .exclude(title="")
            .annotate(
                row_kind=Value("article", output_field=CharField()),
                row_id=F("provision__article_id"),
                row_text=Cast("title", TextField()),
            )
            .values_list("row_kind", "row_id", "row_text")
            .order_by()  # a part of a UNION may not be ordered
        )
        chapters = (
            TextVersion.objects.filter(language=self.language, pk=Subquery(newest))
            .annotate(
                row_kind=Value("chapters", output_field=CharField()),
                row_id=F("treaty_id"),
                row_text=Cast("chapter_titles", TextField()),
            )
            .values_list("row_kind", "row_id", "row_text")
            .order_by()  # a part of a UNION may not be ordered
        )
        for kind, pk, text in titles.union(chapters, all=True):
            if kind == "article":
                self._articles[pk] = text
            else:
                for number, title in json.loads(text or "{}").items():
                    self._chapters[(pk, number)] = title

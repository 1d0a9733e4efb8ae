"""The results of the current page, loaded in full: one query per kind present on the page,
with its title, context and highlighted snippet.
"""

from collections import defaultdict
from dataclasses import dataclass

from django.db.models import Model, Prefetch, Subquery
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from provisions.models import Annotation, Article, Concern, Provision, SafeguardDemand
from provisions.models.languages import html_language, is_rtl
from provisions.models.treaty import ENGLISH
from provisions.queries.headings import HeadingTitles
from provisions.queries.translations import with_translations
from provisions.search.highlighting import Highlighter, html_to_text
from provisions.search.hits import Hit
from provisions.search.matching import best_provisions, current_texts, websearch_query
from provisions.search.query import parse_terms
from provisions.search.vectors import is_postgres

KIND_LABEL_ONE = {
    "article": gettext_lazy("Article"),
    "concern": gettext_lazy("Concern"),
    "demand": gettext_lazy("Safeguard demand"),
    "annotation": gettext_lazy("Annotation"),
}


@dataclass(slots=True)
class Result:
    kind: str
    url: str
    title: SafeString
    context: str  # where it belongs: "Chapter IV", "Article 24 · art_24__para_2"
    snippet: SafeString
    object: Model
    # The snippet's language when it is not the page's: the reader's text, or the English of
    # our editorial content not yet translated into the reader's language (search.html marks it).
    snippet_lang: str = ""
    snippet_rtl: bool = False
    # An article's title as the reader's language shows it (queries/headings.py): its `lang`
    # and `dir`, for a reader who does not read English ("" for one who does).
    title_lang: str = ""
    title_dir: str = ""
    # Our editorial content (a concern's, a demand's or a summary's words) shown in English on a
    # page in another language: the page says it is not yet translated.
    untranslated: bool = False

    @property
    def kind_label(self) -> str:
        return KIND_LABEL_ONE[self.kind]


def _load_articles(ids, query: str, hl: Highlighter) -> dict[int, Result]:
    # The summaries in the reader's language (one query more in another).
    articles = with_translations(Article.objects.filter(pk__in=ids).select_related("chapter"))
    results = {}
    if is_postgres():
        ts_query = websearch_query(query)
        best = best_provisions(ts_query)
        articles = articles.annotate(
            match_eid=Subquery(best.values("eid")[:1]),
            match_text=Subquery(best.values("text")[:1]),
            match_headline=Subquery(
                best.annotate(headline=hl.headline("text", ts_query)).values("headline")[:1]
            ),
            summary_headline=hl.headline("summary", ts_query),
            title_headline=hl.headline("title", ts_query, whole=True),
        )
        for article in articles:
            results[article.pk] = _with_summary(
                _article_result(
                    article,
                    article.match_eid,
                    hl.from_headline(article.title_headline),
                    hl.from_headline(article.match_headline or article.summary_headline),
                ),
                article.match_text,
                hl,
            )
        return results
    articles = articles.prefetch_related(
        Prefetch("provisions", queryset=Provision.objects.current().order_by("position"))
    )
    for article in articles:
        matched = next((p for p in article.provisions.all() if hl.finds(p.text)), None)
        results[article.pk] = _with_summary(
            _article_result(
                article,
                matched.eid if matched else None,
                hl.snippet(article.title, whole=True),
                hl.snippet(matched.text if matched else article.summary),
            ),
            matched.text if matched else None,
            hl,
        )
    return results


def _with_summary(result: Result, matched_text: str | None, hl: Highlighter) -> Result:
    """An article whose snippet is its editorial summary (nothing else matched, or the provision
    that matched still reads as the summary) shows the summary as the reader's language has it:
    the translation, or the English marked as such."""
    article = result.object
    if matched_text is not None and matched_text != article.summary:
        return result
    summary = article.shown("summary")
    if summary.fallback:
        result.snippet_lang, result.untranslated = ENGLISH, True
    elif article.translation() is not None:
        result.snippet = hl.snippet(summary.text)
    return result


def _article_result(article: Article, eid, title, snippet) -> Result:
    return Result(
        kind="article",
        url=article.get_absolute_url() + f"#{eid or article.eid}",
        title=title,
        context=_("Chapter %(number)s. %(title)s")
        % {"number": article.chapter.number, "title": article.chapter.title},
        snippet=snippet,
        object=article,
    )


def _in_reader_headings(results: dict[int, Result], hl: Highlighter, headings) -> None:
    """Article results headed by their title in the reader's language (the English one, marked,
    where that language's version does not hold the article), and their chapter likewise."""
    for result in results.values():
        article = result.object
        heading = headings.of(article)
        if heading.language != ENGLISH:
            result.title = hl.snippet(heading.text, whole=True)
        result.title_lang, result.title_dir = heading.lang, heading.dir
        result.context = chapter_phrase(article.chapter, headings)


def chapter_phrase(chapter, headings: HeadingTitles) -> SafeString:
    """ "Chapter IV. <its title>" as one sentence of the interface's language, the chapter's
    heading keeping its own `lang` inside it (queries/headings.py)."""
    return mark_safe(  # noqa: S308 - every value is escaped or marked up here
        escape(_("Chapter %(number)s. %(title)s"))
        % {"number": escape(chapter.number), "title": headings.of(chapter).__html__()}
    )


class ChapterLabel:
    """A search facet's label for a chapter: `chapter_phrase`, worked out when the page shows
    it, so that a chapter not offered as a filter loads no heading (the page's HeadingTitles
    loads all of them in its one query, and none for an English reader)."""

    def __init__(self, chapter, headings: HeadingTitles):
        self.chapter, self.headings = chapter, headings

    def __str__(self) -> SafeString:
        # A template turns a value into a string before escaping it: the markup is the string.
        return chapter_phrase(self.chapter, self.headings)

    __html__ = __str__


def _load_points(model, kind: str, ids, query: str, hl: Highlighter) -> dict[int, Result]:
    # Titles and words in the reader's language (one query more in another).
    points = with_translations(model.objects.filter(pk__in=ids))
    if is_postgres():
        ts_query = websearch_query(query)
        points = points.annotate(
            title_headline=hl.headline("title", ts_query, whole=True),
            point_headline=hl.headline("point", ts_query),
        )

    def rendered(point):
        if point.translation() is not None:
            # The translation, marked where the query's words are in it (the search itself
            # reads the English).
            title, words = point.shown("title").text, point.shown("point").text
            return hl.snippet(title, whole=True), hl.snippet(words)
        if is_postgres():
            return hl.from_headline(point.title_headline), hl.from_headline(point.point_headline)
        return hl.snippet(point.title, whole=True), hl.snippet(point.point)

    context = _("The coalition's concern") if kind == "concern" else _("The coalition's demand")
    results = {}
    for point in points:
        title, snippet = rendered(point)
        result = Result(kind, point.get_absolute_url(), title, context, snippet, point)
        if point.shown("title").fallback:
            result.title_lang = result.snippet_lang = ENGLISH
            result.title_dir = "ltr"
            result.untranslated = True
        results[point.pk] = result
    return results


def _load_annotations(ids, query: str, user, hl: Highlighter, headings) -> dict[int, Result]:
    annotations = (
        Annotation.objects.visible_to(user)
        .filter(pk__in=ids)
        .select_related("provision__article", "author__member")
        .with_body_editor()
    )
    if is_postgres():
        annotations = annotations.annotate(
            # From the rendered body: the reader sees text, not Markdown syntax.
            body_headline=hl.headline("body_html", websearch_query(query))
        )
    results = {}
    for annotation in annotations:
        provision = annotation.provision
        if provision.article_id:
            where = _("Article %(number)s") % {"number": provision.article.number}
            # The article's heading in the reader's language, marked with its own `lang`.
            title = mark_safe(  # noqa: S308 - every value is escaped or marked up here
                escape(_("On Article %(number)s. %(title)s"))
                % {
                    "number": escape(provision.article.number),
                    "title": headings.of(provision.article).__html__(),
                }
            )
        else:
            where = title = escape(_("On the preamble"))
        snippet = (
            hl.from_headline(annotation.body_headline, of_html=True)
            if is_postgres()
            else hl.snippet(html_to_text(annotation.body_html))
        )
        results[annotation.pk] = Result(
            kind="annotation",
            url=annotation.get_absolute_url(),
            title=title,
            context=f"{where} · {provision.citation}",
            snippet=snippet,
            object=annotation,
        )
    return results


def _in_language(results: dict[int, Result], ids, hl: Highlighter, language: str) -> None:
    """Articles whose text in the reader's language holds the query's words show that text
    as their snippet (one query)."""
    rows = (
        current_texts(language)
        .filter(provision__article__in=ids)
        .select_related("provision__article")
        .order_by("provision__position")
    )
    done = set()
    for row in rows:
        article_id = row.provision.article_id
        if article_id in done or not hl.finds(row.text):
            continue
        done.add(article_id)
        result = results[article_id]
        result.url = row.provision.article.get_absolute_url() + f"#{row.provision.eid}"
        result.snippet = hl.snippet(row.text)
        result.snippet_lang, result.snippet_rtl = html_language(language), is_rtl(language)
        result.untranslated = False


def load_page(
    hits: list[Hit], query: str, user, language: str = ENGLISH, headings=None
) -> list[Result]:
    """The page's results in full: one query per kind present on the page (and, when the
    reader's language is not English, one for the articles' text in it and one for the
    headings: `headings`, the page's HeadingTitles, else the reader's)."""
    hl = Highlighter(parse_terms(query))
    ids = defaultdict(list)
    for hit in hits:
        ids[hit.kind].append(hit.pk)
    loaded = {}
    headings = headings or HeadingTitles(language)  # no query for English
    if ids["article"]:
        loaded["article"] = _load_articles(ids["article"], query, hl)
        if language != ENGLISH:
            _in_language(loaded["article"], ids["article"], hl, language)
            _in_reader_headings(loaded["article"], hl, headings)
    if ids["concern"]:
        loaded["concern"] = _load_points(Concern, "concern", ids["concern"], query, hl)
    if ids["demand"]:
        loaded["demand"] = _load_points(SafeguardDemand, "demand", ids["demand"], query, hl)
    if ids["annotation"]:
        loaded["annotation"] = _load_annotations(ids["annotation"], query, user, hl, headings)
    return [loaded[hit.kind][hit.pk] for hit in hits if hit.pk in loaded.get(hit.kind, {})]

"""The search page, `/search/?q=`: one view for the page and for its htmx results fragment.

The search itself is in provisions/search/; this view reads the URL, refuses what it cannot
search (too long, or only stop-words and signs) and chooses between the page and the fragment.
"""

from django.shortcuts import render
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe
from django.views.decorators.vary import vary_on_headers

from provisions.access import public
from provisions.cache.scopes import ANALYSIS
from provisions.cache.serving import cache_public_page
from provisions.models.languages import text_language
from provisions.queries.headings import HeadingTitles
from provisions.search.facets import FACETS
from provisions.search.outcome import search as run_search
from provisions.search.query import MAX_QUERY_CHARS, clean_query, has_searchable_words

EXAMPLES = [
    "surveillance",
    '"traffic data"',
    'extradition OR "mutual legal assistance"',
    "data -personal",
    "art. 24(2)",
]


@public
@require_safe
# A story in the news sends many readers to the same search: the answer depends on public
# analysis only, so it is cached like the reading pages (per address, facets and page included).
@cache_public_page(ANALYSIS)
@vary_on_headers("HX-Request")
def search(request):
    query = clean_query(request.GET.get("q", ""))
    context = {"query": query, "error": "", "outcome": None, "examples": EXAMPLES}
    if len(query) > MAX_QUERY_CHARS:
        context["error"] = _(
            "That search is too long: use at most %(n)s characters. A few distinctive words "
            "find more than a whole sentence."
        ) % {"n": MAX_QUERY_CHARS}
        context["query"] = query[:MAX_QUERY_CHARS]
    elif query and not has_searchable_words(query):
        context["error"] = _(
            "Search leaves out very common words such as “a”, “and” and “the”, and signs such "
            "as * or #, so there is nothing left to look for in “%(query)s”. Add a word that "
            "says what you want, e.g. surveillance or extradition."
        ) % {"query": query}
    elif query:
        # Article and chapter titles in the reader's language: one query for the results and
        # the template's `heading` tags (the cited provision's article).
        context["headings"] = HeadingTitles(get_language())
        context["outcome"] = run_search(
            query,
            user=request.user,
            selected={name: request.GET.getlist(name) for name in FACETS},
            page=request.GET.get("page", 1),
            # The text in the reader's language is searched too, and first (docs/languages.md).
            language=text_language(get_language()),
            headings=context["headings"],
        )
    # A history restore needs the whole page; every other htmx request swaps the results only.
    if request.htmx and not request.htmx.history_restore_request:
        return render(request, "provisions/search.html#results", context)
    return render(request, "provisions/search.html", context)

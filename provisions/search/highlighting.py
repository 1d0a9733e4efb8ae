"""Snippets with the query's words marked: from ts_headline on PostgreSQL, from a window of text
around the first hit on SQLite. Only <mark> is markup; everything from the database is escaped.
"""

import html
import re
import secrets

from django.contrib.postgres.search import SearchHeadline, SearchQuery
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from provisions.search.query import Terms
from provisions.search.vectors import SEARCH_CONFIG


class Highlighter:
    """Snippets where only <mark> is markup: everything from the database is escaped."""

    WINDOW_BEFORE = 70
    WINDOW_AFTER = 190

    def __init__(self, terms: Terms):
        # Unguessable per search, so that no stored text can pose as a highlight boundary.
        token = secrets.token_hex(6)
        self.start, self.stop = f"twhl{token}s", f"twhl{token}e"
        words = sorted(terms.include, key=len, reverse=True)
        self.pattern = (
            re.compile("|".join(re.escape(word) for word in words), re.IGNORECASE)
            if words
            else None
        )

    def headline(self, field_name: str, ts_query: SearchQuery, *, whole=False) -> SearchHeadline:
        options = {"highlight_all": True} if whole else {"max_words": 40, "min_words": 20}
        return SearchHeadline(
            field_name,
            ts_query,
            config=SEARCH_CONFIG,
            start_sel=self.start,
            stop_sel=self.stop,
            **options,
        )

    def from_headline(self, headline: str | None, *, of_html=False) -> SafeString:
        """ts_headline output → escaped text with our sentinels turned into <mark>.

        of_html: the headline was taken from stored HTML; ts_headline has dropped its tags,
        its entities (&amp;, &lt;…) become the characters they stand for before escaping.
        """
        text = html.unescape(headline or "") if of_html else headline or ""
        html_text = escape(text).replace(self.start, "<mark>").replace(self.stop, "</mark>")
        return mark_safe(html_text)  # noqa: S308 — escaped above; only our <mark> tags added

    def finds(self, text: str) -> bool:
        return bool(self.pattern and self.pattern.search(text or ""))

    def snippet(self, text: str, *, whole=False) -> SafeString:
        """The fallback: a window around the first hit (or all of it), hits wrapped in <mark>."""
        text = " ".join((text or "").split())
        found = self.pattern.search(text) if self.pattern else None
        start, end = 0, len(text)
        if not whole:
            if found:
                start = max(0, found.start() - self.WINDOW_BEFORE)
                end = min(len(text), found.end() + self.WINDOW_AFTER)
            else:
                end = min(len(text), self.WINDOW_BEFORE + self.WINDOW_AFTER)
            # Cut at word boundaries.
            if start > 0:
                space = text.find(" ", start, found.start() if found else end)
                start = space + 1 if space != -1 else start
            if end < len(text):
                space = text.rfind(" ", found.end() if found else start, end)
                end = space if space != -1 else end
        window = text[start:end]
        pieces, last = [], 0
        for hit in self.pattern.finditer(window) if self.pattern else ():
            pieces += [escape(window[last : hit.start()]), "<mark>", escape(hit.group()), "</mark>"]
            last = hit.end()
        pieces.append(escape(window[last:]))
        marked = ("… " if start > 0 else "") + "".join(pieces) + (" …" if end < len(text) else "")
        return mark_safe(marked)  # noqa: S308 — every piece of text escaped; <mark> is ours


def html_to_text(stored_html: str) -> str:
    """The text of sanitised stored HTML (tags become spaces), for snippets only."""
    return html.unescape(re.sub(r"<[^>]*>", " ", stored_html or ""))

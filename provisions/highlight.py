"""Build provision text with <mark> highlights on the server (overlaps included).

The text is split at every highlight boundary; each piece covered by one or more annotations
becomes one <mark> naming them, so overlapping highlights never nest or cross tags. Each
annotation also gets an empty anchor (`id="hl-<pk>"`) where it starts, which its note links to.

Bounded work (docs/security.md): one sweep over the sorted boundaries keeps the annotations
covering the current piece in a sorted list, so the cost grows with the number of highlights
times log of it (not their square), and a mark names at most MAX_NAMED of them and counts the
rest, so the HTML grows with the text and the number of highlights, not their product.
"""

from bisect import bisect_left, insort

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

MAX_NAMED = 5


def _label(covering: list[int]) -> str:
    ids = ", ".join(f"#{pk}" for pk in covering[:MAX_NAMED])
    more = len(covering) - MAX_NAMED
    if more <= 0:
        return _("Annotated; see note %(ids)s") % {"ids": ids}
    return ngettext(
        "Annotated; see notes %(ids)s and %(more)s more",
        "Annotated; see notes %(ids)s and %(more)s more",
        more,
    ) % {"ids": ids, "more": more}


def highlight(text: str, spans: list[tuple[int, int, int]]) -> SafeString:
    """`spans`: (start, end, annotation pk); spans outside the text are ignored."""
    spans = [(s, e, pk) for s, e, pk in spans if 0 <= s < e <= len(text)]
    if not spans:
        return escape(text)
    starts: dict[int, list[int]] = {}
    ends: dict[int, list[int]] = {}
    for s, e, pk in spans:
        starts.setdefault(s, []).append(pk)
        ends.setdefault(e, []).append(pk)
    boundaries = sorted({0, len(text), *starts, *ends})
    covering: list[int] = []  # pks of the spans covering the current piece, sorted
    pieces = []
    for left, right in zip(boundaries, boundaries[1:], strict=False):
        for pk in ends.get(left, ()):
            del covering[bisect_left(covering, pk)]
        for pk in starts.get(left, ()):
            insort(covering, pk)
            pieces.append(f'<span class="hl-anchor" id="hl-{pk}"></span>')
        chunk = escape(text[left:right])
        if not covering:
            pieces.append(chunk)
            continue
        css = "hl hl-overlap" if len(covering) > 1 else "hl"
        named = " ".join(map(str, covering[:MAX_NAMED]))
        pieces.append(
            f'<mark class="{css}" data-annotations="{named}">'
            f'<a href="#annotation-{covering[0]}" title="{escape(_label(covering))}">{chunk}</a>'
            "</mark>"
        )
    return mark_safe("".join(pieces))  # noqa: S308 — every piece of text is escaped above

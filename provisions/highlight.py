"""Build provision text with <mark> highlights on the server (overlaps included).

The text is split at every highlight boundary; each piece covered by one or more annotations
becomes one <mark> naming all of them, so overlapping highlights never nest or cross tags. Each
annotation also gets an empty anchor (`id="hl-<pk>"`) where it starts, which its note links to.
"""

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _


def highlight(text: str, spans: list[tuple[int, int, int]]) -> SafeString:
    """`spans`: (start, end, annotation pk); spans outside the text are ignored."""
    spans = [(s, e, pk) for s, e, pk in spans if 0 <= s < e <= len(text)]
    if not spans:
        return escape(text)
    boundaries = sorted({0, len(text), *(s for s, _e, _pk in spans), *(e for _s, e, _pk in spans)})
    starts: dict[int, list[int]] = {}
    for s, _e, pk in spans:
        starts.setdefault(s, []).append(pk)
    pieces = []
    for left, right in zip(boundaries, boundaries[1:], strict=False):
        for pk in starts.get(left, ()):
            pieces.append(f'<span class="hl-anchor" id="hl-{pk}"></span>')
        covering = sorted(pk for s, e, pk in spans if s <= left and right <= e)
        chunk = escape(text[left:right])
        if not covering:
            pieces.append(chunk)
            continue
        css = "hl hl-overlap" if len(covering) > 1 else "hl"
        first = covering[0]
        label = _("Annotated; see note %(ids)s") % {"ids": ", ".join(f"#{pk}" for pk in covering)}
        pieces.append(
            f'<mark class="{css}" data-annotations="{" ".join(map(str, covering))}">'
            f'<a href="#annotation-{first}" title="{escape(label)}">{chunk}</a></mark>'
        )
    return mark_safe("".join(pieces))  # noqa: S308 — every piece of text is escaped above

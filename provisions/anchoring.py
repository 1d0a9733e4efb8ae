"""W3C Web Annotation selectors against a provision's text: validate, normalise, locate.

An annotation's target is stored as a TextQuoteSelector (exact + up to 32 characters of prefix
and suffix) and a TextPositionSelector (start/end offsets into the provision text). The server
never trusts either alone: the quote must really be in the text, and positions are recomputed
from it.
"""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

CONTEXT_CHARS = 32
MAX_QUOTE_CHARS = 5000
QUOTE = "TextQuoteSelector"
POSITION = "TextPositionSelector"


def make_selectors(text: str, start: int, end: int) -> list[dict]:
    """The canonical pair of selectors for text[start:end]."""
    return [
        {
            "type": QUOTE,
            "exact": text[start:end],
            "prefix": text[max(0, start - CONTEXT_CHARS) : start],
            "suffix": text[end : end + CONTEXT_CHARS],
        },
        {"type": POSITION, "start": start, "end": end},
    ]


def _occurrences(text: str, exact: str) -> list[int]:
    found, index = [], text.find(exact)
    while index != -1:
        found.append(index)
        index = text.find(exact, index + 1)
    return found


def _context_score(text: str, start: int, exact: str, prefix: str, suffix: str) -> int:
    """How many characters of the stored prefix/suffix agree with the text around `start`.

    Only the CONTEXT_CHARS characters on either side are read (never the text before or after
    as a whole): scoring every occurrence stays linear in the text's length."""
    score = 0
    before = text[max(0, start - len(prefix)) : start]
    for a, b in zip(reversed(before), reversed(prefix), strict=False):
        if a != b:
            break
        score += 1
    end = start + len(exact)
    after = text[end : end + len(suffix)]
    for a, b in zip(after, suffix, strict=False):
        if a != b:
            break
        score += 1
    return score


def locate_quote(
    text: str, exact: str, prefix: str = "", suffix: str = "", hint: int | None = None
):
    """Start offset of the best occurrence of `exact` in `text`, or None.

    Several occurrences are told apart by their prefix/suffix, then by closeness to `hint`.
    """
    candidates = _occurrences(text, exact) if exact else []
    if not candidates:
        return None
    # Selectors we store carry CONTEXT_CHARS of context; longer ones (from a client) add nothing.
    prefix, suffix = prefix[-CONTEXT_CHARS:], suffix[:CONTEXT_CHARS]
    return max(
        candidates,
        key=lambda s: (
            _context_score(text, s, exact, prefix, suffix),
            -abs(s - hint) if hint is not None else 0,
        ),
    )


def _as_int(value, field: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int | str):
        raise ValidationError(
            {"selectors": _("The %(field)s offset must be a whole number.") % {"field": field}}
        )
    try:
        return int(value)
    except ValueError:
        raise ValidationError(
            {"selectors": _("The %(field)s offset must be a whole number.") % {"field": field}}
        ) from None


def normalise_selectors(text: str, selectors) -> list[dict]:
    """Check selectors against `text` and return the canonical pair (or [] for no selection).

    Raises ValidationError with a message a person can act on.
    """
    if not selectors:
        return []
    if not isinstance(selectors, list) or not all(isinstance(s, dict) for s in selectors):
        raise ValidationError({"selectors": _("Selectors must be a list of W3C selector objects.")})
    quote = next((s for s in selectors if s.get("type") == QUOTE), None)
    position = next((s for s in selectors if s.get("type") == POSITION), None)
    if quote is None and position is None:
        raise ValidationError(
            {"selectors": _("Give a TextQuoteSelector or a TextPositionSelector.")}
        )

    start = end = hint = None
    if position is not None:
        start = _as_int(position.get("start"), "start")
        end = _as_int(position.get("end"), "end")
        hint = start
        if not (0 <= start < end <= len(text)) and quote is not None:
            # With a quote the position is only a hint: out of range is treated like in range
            # but wrong, both recomputed from the quote (the API, the forms and the annotation
            # import alike).
            start = end = None
        elif not (0 <= start < end <= len(text)):
            raise ValidationError(
                {
                    "selectors": _(
                        "The selected range %(start)s–%(end)s is outside this provision's text "
                        "(0–%(length)s characters)."
                    )
                    % {"start": start, "end": end, "length": len(text)}
                }
            )

    if quote is None:
        return make_selectors(text, start, end)

    exact = quote.get("exact")
    if not isinstance(exact, str) or not exact.strip():
        raise ValidationError({"quote": _("The quoted text is empty.")})
    if len(exact) > MAX_QUOTE_CHARS:
        raise ValidationError({"quote": _("The quoted text is too long.")})
    prefix = quote.get("prefix") or ""
    suffix = quote.get("suffix") or ""
    if not isinstance(prefix, str) or not isinstance(suffix, str):
        raise ValidationError({"quote": _("Prefix and suffix must be text.")})
    if start is not None and text[start:end] == exact:
        return make_selectors(text, start, end)
    found = locate_quote(text, exact, prefix, suffix, hint=hint)
    if found is None:
        raise ValidationError(
            {"quote": _("The quoted text does not appear in this provision. Copy it exactly.")}
        )
    return make_selectors(text, found, found + len(exact))


def position_of(selectors: list[dict]) -> tuple[int, int] | None:
    position = next((s for s in selectors or [] if s.get("type") == POSITION), None)
    if position is None:
        return None
    return position["start"], position["end"]

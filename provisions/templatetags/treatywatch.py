"""Template filters for user-written content (only ever output what is known to be inert) and
for machine-readable values in pages."""

from datetime import UTC, date, datetime
from urllib.parse import urlsplit

from django import template

register = template.Library()


@register.filter
def http_url(value) -> str:
    """The value if it is an http(s) URL with a host, otherwise "" (no javascript:, data:…)."""
    text = str(value or "").strip()
    try:
        parts = urlsplit(text)
    except ValueError:
        return ""
    if parts.scheme in {"http", "https"} and parts.netloc and not any(c.isspace() for c in text):
        return text
    return ""


@register.filter
def sanitised(value) -> str:
    """Stored annotation HTML, sanitised on the way out too (defence in depth)."""
    from provisions.rendering import as_safe_html

    return as_safe_html(value)


@register.filter
def iso_datetime(value) -> str:
    """A `<time datetime>` value: ISO 8601, in UTC and to the second for an aware datetime.

    Django's `date:"c"` writes microseconds, which HTML does not allow (three digits at most).
    """
    if isinstance(value, datetime):
        if value.tzinfo is not None:
            return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        return value.strftime("%Y-%m-%dT%H:%M:%S")
    if isinstance(value, date):
        return value.isoformat()
    return ""

"""Template filters for user-written content: only ever output what is known to be inert."""

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

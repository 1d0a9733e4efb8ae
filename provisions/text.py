"""Text and web addresses from outside (forms, the API, imported files), as the app keeps them:
the one rule for each, used by every service and by the templates' `http_url` filter."""

import unicodedata
from urllib.parse import urlsplit


def clean_text(value: str) -> str:
    """Drop control characters (except newlines and tabs) and normalise Unicode."""
    value = unicodedata.normalize("NFC", value or "")
    return "".join(
        ch for ch in value if ch in "\n\t" or unicodedata.category(ch) not in {"Cc", "Cf", "Cs"}
    )


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

"""Text and web addresses from outside (forms, the API, imported files), as the app keeps them:
the one rule for each, used by every service and by the templates' `http_url` filter."""

import re
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


# An annotation's `canonical` and `via` (W3C Web Annotation Data Model §3.3.7): at most this long.
MAX_IRI_CHARS = 2_000
_IRI_SCHEME = re.compile(r"^[a-z][a-z0-9+.-]*$")


def identity_iri(value) -> str:
    """An absolute IRI that names an annotation (`urn:uuid:…`, `https://…`), as kept for
    `canonical` and `via`; "" for anything else (relative, spaced, control characters, too long).
    Only http(s), urn and tag IRIs: an identity is never a script or a data: blob."""
    if not isinstance(value, str):
        return ""
    text = value.strip()
    if not text or len(text) > MAX_IRI_CHARS or text != clean_text(text):
        return ""
    if any(ch.isspace() or ch in '<>"{}|\\^`' for ch in text):
        return ""
    scheme = text.partition(":")[0].lower()
    if not _IRI_SCHEME.match(scheme) or scheme not in {"http", "https", "urn", "tag"}:
        return ""
    if scheme in {"http", "https"}:
        return http_url(text)
    return text if len(text) > len(scheme) + 1 else ""

"""A page as the cache keeps it, and back to a response for one visitor.

Never another visitor's secrets: only 200 responses that set no cookie are stored, and the two
per-response values a page may contain are taken out before storing and put back for each
visitor:
- the CSP nonce: Django's CSP middleware makes one per response and puts it in the header only
  if the page used it. A stored page holds a placeholder; on the way out it gets this response's
  nonce (`str(nonce)` makes the middleware emit the same value in the header), so header and
  HTML always agree. Leaving the nonce out of anonymous pages (script-src allows 'self') would
  work too, but pages would then differ by who reads them, and every template would have to
  know it.
- the CSRF token: readers' pages carry none (base.html gives it to members only, who are the only
  ones to send unsafe htmx requests; readers thus get no cookie at all). Should a cached page
  ever give one to anonymous visitors, the stored page holds a placeholder and each visitor gets
  a token for their own CSRF cookie, exactly as an uncached page would give them.
"""

import re
import struct
import time
import zlib

from django.http import HttpResponse
from django.middleware.csp import get_nonce
from django.middleware.csrf import CSRF_TOKEN_LENGTH, _unmask_cipher_token, get_token
from django.utils.cache import patch_vary_headers

HIT_HEADER = "X-Page-Cache"
# Placeholders cannot come from user text: "<" is always escaped or sanitised in a page.
NONCE_MARK = b"<tw:csp-nonce>"
CSRF_MARK = b"<tw:csrf-token>"
_MARK_NAMES = {NONCE_MARK: b"nonce", CSRF_MARK: b"csrf"}
_MARKS = re.compile(b"(" + b"|".join(map(re.escape, _MARK_NAMES)) + b")")
_CSRF_CANDIDATE = re.compile(rb"(?<![A-Za-z0-9])[A-Za-z0-9]{%d}(?![A-Za-z0-9])" % CSRF_TOKEN_LENGTH)


def _deflate(data: bytes, level: int) -> bytes:
    """A raw deflate stream for `data` alone, ending on a byte boundary (sync flush): such
    streams can be concatenated into one."""
    compressor = zlib.compressobj(level, zlib.DEFLATED, -zlib.MAX_WBITS)
    return compressor.compress(data) + compressor.flush(zlib.Z_SYNC_FLUSH)


_FINAL_BLOCK = zlib.compressobj(6, zlib.DEFLATED, -zlib.MAX_WBITS).flush()
# gzip member header: magic, deflate, no flags, no time, no extra flags, unknown OS.
_GZIP_HEADER = b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\xff"
_ACCEPTS_GZIP = re.compile(r"\bgzip\b")


def storable(request, response, csrf_used_before: bool, generations: tuple, timeout: int):
    """The response as a cache entry with this visitor's nonce and CSRF token taken out, or
    None when it must not be shared.

    The page is kept as segments: fixed text, then a placeholder (b"nonce" / b"csrf"), then text…
    Each text segment is also compressed once, on its own, so that a gzip response is assembled
    per visitor from the stored pieces plus the few compressed bytes of their nonce and token.
    (Compressed apart, the per-visitor secrets share no dictionary with the rest of the page, so
    the size of the response tells nothing about them: no BREACH.)"""
    if (
        response.status_code != 200
        or response.streaming
        or response.cookies
        or "private" in response.get("Cache-Control", "")
        or "no-store" in response.get("Cache-Control", "")
        or response.has_header("Content-Encoding")
    ):
        return None
    content = response.content
    nonce = get_nonce(request)
    if nonce:  # true only when something on the page used it
        content = content.replace(str(nonce).encode(), NONCE_MARK)
    secret = request.META.get("CSRF_COOKIE")
    if secret and request.META.get("CSRF_COOKIE_NEEDS_UPDATE") and not csrf_used_before:

        def placeholder(match):
            token = match.group()
            return CSRF_MARK if _unmask_cipher_token(token.decode()) == secret else token

        content = _CSRF_CANDIDATE.sub(placeholder, content)
    segments = _MARKS.split(content)
    segments[1::2] = [_MARK_NAMES[mark] for mark in segments[1::2]]
    headers = [
        (name, value)
        for name, value in response.headers.items()
        if name.lower() not in ("content-length", "set-cookie")
    ]
    return {
        "generations": generations,
        "expires": time.time() + timeout,
        "bytes": len(content),
        "segments": segments,
        "deflated": [_deflate(text, 6) for text in segments[0::2]],
        "headers": headers,
    }


def from_stored(request, stored: dict, state: str) -> HttpResponse | None:
    """The stored page with this visitor's nonce and token put back, gzipped if they accept it;
    None when it cannot be given (no CSP middleware to make a nonce)."""
    values = {}
    for name in set(stored["segments"][1::2]):
        if name == b"nonce":
            nonce = get_nonce(request)
            if nonce is None:  # no CSP middleware: render the page afresh instead
                return None
            values[name] = str(nonce).encode()
        else:
            values[name] = get_token(request).encode()
    gzipped = accepts_gzip(request)
    content = assemble(stored, values, gzipped)
    response = HttpResponse(content)
    if gzipped:
        response["Content-Encoding"] = "gzip"
    # Known here: CommonMiddleware would otherwise copy the whole page once more to measure it.
    response["Content-Length"] = str(len(content))
    for name, value in stored["headers"]:
        response[name] = value
    patch_vary_headers(response, ("Accept-Encoding",))
    response[HIT_HEADER] = state
    return response


def accepts_gzip(request) -> bool:
    return bool(_ACCEPTS_GZIP.search(request.META.get("HTTP_ACCEPT_ENCODING", "")))


def text_pieces(stored: dict, values: dict[bytes, bytes]) -> list[bytes]:
    """The stored page's text in pieces, with `values` in its placeholders."""
    return [
        values[segment] if index % 2 else segment
        for index, segment in enumerate(stored["segments"])
    ]


def assemble(stored: dict, values: dict[bytes, bytes], gzipped: bool) -> bytes:
    """The stored page's body with `values` in its placeholders: the text, or a gzip member
    made of the pieces compressed when the page was stored and the values compressed now."""
    pieces = text_pieces(stored, values)
    if not gzipped:
        return b"".join(pieces)
    crc, body = 0, [_GZIP_HEADER]
    for index, piece in enumerate(pieces):
        crc = zlib.crc32(piece, crc)
        body.append(_deflate(piece, 1) if index % 2 else stored["deflated"][index // 2])
    size = sum(map(len, pieces))
    body += [_FINAL_BLOCK, struct.pack("<II", crc, size & 0xFFFFFFFF)]
    return b"".join(body)


def is_current(entry: dict | None, generations: tuple) -> bool:
    """Whether a stored entry was rendered under these generations and has not expired."""
    return (
        entry is not None and entry["generations"] == generations and entry["expires"] > time.time()
    )

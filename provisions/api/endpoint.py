"""What every API address shares: one handler per HTTP method, token auth, JSON errors, CORS,
request-body limits and pagination.

`endpoint(get=…, post=…)` builds the view a URL points to. Reads are open cross-origin
(`Access-Control-Allow-Origin: *`); writes never answer with CORS headers, so browsers on other
sites cannot make them.
"""

import json
import re
from hashlib import sha256

from django.core.exceptions import RequestDataTooBig
from django.http import HttpResponse, HttpResponseNotModified, JsonResponse
from django.utils.cache import patch_vary_headers
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt

from provisions.access import ACCESS_ATTR, mark_access, public
from provisions.api.auth import authenticate, unauthorized
from provisions.api.errors import ApiError, exception_response
from provisions.cache.generations import current_version
from provisions.cache.serving import cache_public_page

MAX_BODY_BYTES = 64 * 1024
JSON_MEDIA_TYPES = ("application/json", "application/ld+json")
DEFAULT_PAGE_SIZE = 20
MAX_PAGE_SIZE = 100
MAX_PAGE = 100_000
READ_METHODS = ("GET", "HEAD")
CORS_ALLOWED_HEADERS = "Authorization, Accept, If-None-Match, Prefer"
# What the Web Annotation Protocol's clients read from an answer (wap.py), besides the ETag.
CORS_EXPOSED_HEADERS = "ETag, Allow, Content-Location, Link, Vary, Preference-Applied"
_SURROGATE = re.compile("[\ud800-\udfff]")
# Part of every shared ETag: change it when an answer's shape changes without a code change
# that `keys.release` would see (it fingerprints the code and templates already).
SHARED_ETAG_REPRESENTATION = "api-v1-r1"


def json_response(data, *, status: int = 200, content_type: str | None = None) -> JsonResponse:
    response = JsonResponse(
        data, status=status, safe=False, json_dumps_params={"ensure_ascii": False}
    )
    if content_type:
        response["Content-Type"] = content_type
    return response


def _cors(response) -> None:
    response["Access-Control-Allow-Origin"] = "*"
    response["Access-Control-Expose-Headers"] = CORS_EXPOSED_HEADERS
    # Meant to be read from other sites, unlike the pages (same-origin by default).
    response["Cross-Origin-Resource-Policy"] = "cross-origin"


def _preflight(request, allowed: list[str], readable: bool, status: int = 204) -> HttpResponse:
    """OPTIONS: the allowed methods; a CORS preflight is granted for reads only."""
    response = HttpResponse(status=status)
    response["Allow"] = ", ".join(allowed)
    requested = request.headers.get("Access-Control-Request-Method", "GET").upper()
    if readable and requested in READ_METHODS:
        _cors(response)
        response["Access-Control-Allow-Methods"] = "GET, HEAD, OPTIONS"
        response["Access-Control-Allow-Headers"] = CORS_ALLOWED_HEADERS
        response["Access-Control-Max-Age"] = "86400"
    return response


def _weak_etag_matches(header: str, etag: str, *, star: bool) -> bool:
    candidates = [item.strip().removeprefix("W/") for item in header.split(",")]
    return (star and "*" in candidates) or etag.removeprefix("W/") in candidates


def not_modified(request, etag: str, *, star: bool = True) -> HttpResponse | None:
    """304 when the request's If-None-Match names `etag` (weak comparison), else None.

    `star`: whether "*" (any version) matches too; only where the resource is known to exist."""
    if_none_match = request.headers.get("If-None-Match")
    if if_none_match and _weak_etag_matches(if_none_match, etag, star=star):
        response = HttpResponseNotModified()
        response["ETag"] = etag
        return response
    return None


def shared_etag(request, public_scopes, kwargs: dict) -> str | None:
    """The ETag of an anonymous read's answer, known before reading the database; None when
    there is none to give (a token's caller, an address without `public_scopes`, the page cache
    switched off or unreachable).

    `public_scopes(**kwargs)` names the page cache's scopes (provisions/cache/scopes.py) whose
    public data the answer shows, or None for no ETag. Their generations change with every
    write that changes that data (publishing, retracting, editing, approving a link, the admin,
    imports), and with each deploy (`keys.release`): the ETag is a digest of them and of what
    else the answer depends on — the full address with its query string (scheme and host too:
    answers hold absolute URLs) and the language. Only anonymous callers get it: a token's owner
    may see drafts, and their answers stay `private, no-store` (PrivateResponsesMiddleware).
    """
    if public_scopes is None or request.api_token is not None:
        return None
    scopes = public_scopes(**kwargs)
    if scopes is None:
        return None
    version = current_version(*scopes)
    if version is None:
        return None
    variant = "|".join(
        [SHARED_ETAG_REPRESENTATION, version, get_language() or "", request.build_absolute_uri()]
    )
    return f'"{sha256(variant.encode()).hexdigest()[:32]}"'


def endpoint(
    *,
    name: str,
    get=None,
    post=None,
    put=None,
    patch=None,
    delete=None,
    ldp_headers=None,
    public_scopes=None,
):
    """The view for one address: dispatches on the method and turns every error into JSON.

    Marked `public` when it answers GET; otherwise it takes the access level of its write
    handlers (`token_required` marks them "analyst").

    `ldp_headers` (the Web Annotation Protocol's resources, wap.py): headers every answer
    carries — errors and OPTIONS too — with `Allow` and `Vary: Accept`; OPTIONS then answers
    200, as that protocol's tests expect, rather than 204.

    `public_scopes` (reads only): a function of the URL's keyword arguments giving the page
    cache's scopes the answer depends on. Anonymous GETs and HEADs then carry a strong `ETag`
    (`shared_etag`), an `If-None-Match` naming it is answered 304 before the handler runs,
    without a database query, and the answer is kept in the page cache for the next anonymous
    reader (`cache_public_page`).
    """
    handlers = {
        method: handler
        for method, handler in (
            ("GET", get),
            ("POST", post),
            ("PUT", put),
            ("PATCH", patch),
            ("DELETE", delete),
        )
        if handler is not None
    }
    allowed = [m for m in ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE") if m in handlers]
    if get is not None:
        allowed.insert(allowed.index("GET") + 1, "HEAD")
    allowed.append("OPTIONS")

    def view(request, **kwargs):
        method = request.method.upper()
        if method == "OPTIONS":
            response = _preflight(
                request, allowed, readable=get is not None, status=200 if ldp_headers else 204
            )
            _add_ldp_headers(response, ldp_headers, allowed)
            return response
        try:
            authenticate(request)
            handler = handlers.get("GET" if method == "HEAD" else method)
            if handler is None:
                if get is None and request.api_token is None:
                    # Nothing here is open to anonymous callers: say so before the method.
                    raise unauthorized(_("This needs a personal API token."))
                raise ApiError(
                    405,
                    "method_not_allowed",
                    _("%(method)s is not allowed here.") % {"method": method},
                    headers={"Allow": ", ".join(allowed)},
                )
            etag = shared_etag(request, public_scopes, kwargs) if method in READ_METHODS else None
            # Unchanged since the caller read it: 304, and nothing is read again.
            # "*" is no match here: whether the resource exists is not known before reading.
            response = None if etag is None else not_modified(request, etag, star=False)
            if response is None:
                response = handler(request, **kwargs)
                if etag is not None and response.status_code == 200:
                    response["ETag"] = etag
        except Exception as exc:  # every failure is answered in the API's error shape
            response = exception_response(exc)
        if method in READ_METHODS:
            _cors(response)
        # Answers depend on the token: shared caches must not mix callers.
        patch_vary_headers(response, ["Authorization"])
        _add_ldp_headers(response, ldp_headers, allowed)
        return response

    view.__name__ = view.__qualname__ = name
    if public_scopes is not None:
        # Anonymous reads are kept whole in the page cache under the same scopes, and served
        # like the reading pages (also at whitenoise's layer: provisions/cache/early.py). A
        # conditional request or a token's goes past it to the 304 / the handler above.
        view = cache_public_page(scopes_for=public_scopes)(view)
    view = csrf_exempt(view)
    if get is not None:
        return public(view)
    levels = {getattr(handler, ACCESS_ATTR) for handler in handlers.values()}
    if len(levels) != 1:
        raise ValueError(f"API view {name}: write handlers must share one access level")
    return mark_access(view, levels.pop())


def _add_ldp_headers(response, ldp_headers, allowed: list[str]) -> None:
    if not ldp_headers:
        return
    for header, value in ldp_headers.items():
        response[header] = value
    response["Allow"] = ", ".join(allowed)
    patch_vary_headers(response, ["Accept"])


def read_json(request, *, optional: bool = False) -> dict:
    """The request body as a JSON object, after the size and media-type checks.

    413 over MAX_BODY_BYTES (declared or actual, checked before parsing), 415 unless the
    Content-Type is JSON, 400 when it does not parse to an object. With `optional`, an empty
    body is {}.
    """
    declared = request.META.get("CONTENT_LENGTH") or "0"
    try:
        declared_bytes = int(declared)
    except ValueError:
        raise ApiError(
            400, "bad_request", _("The Content-Length header is not a number.")
        ) from None
    too_large = ApiError(
        413,
        "payload_too_large",
        _("The request body is too large (at most %(n)s KB).") % {"n": MAX_BODY_BYTES // 1024},
    )
    if declared_bytes > MAX_BODY_BYTES:
        raise too_large
    try:
        raw = request.body
    except RequestDataTooBig:
        raise too_large from None
    if len(raw) > MAX_BODY_BYTES:
        raise too_large
    if optional and not raw.strip():
        return {}
    if request.content_type not in JSON_MEDIA_TYPES:
        raise ApiError(
            415,
            "unsupported_media_type",
            _("Send the body as JSON with “Content-Type: application/json”."),
        )
    try:
        data = json.loads(raw.decode("utf-8"), parse_constant=_reject_constant)
    except (UnicodeDecodeError, ValueError, RecursionError):
        raise ApiError(400, "malformed_json", _("The body is not valid JSON (UTF-8).")) from None
    if not isinstance(data, dict):
        raise ApiError(400, "malformed_json", _("The body must be a JSON object."))
    if _contains_string(data, lambda text: "\x00" in text):
        # PostgreSQL cannot store NUL in text; no field has a use for it.
        raise ApiError(400, "bad_request", _("The body contains a NUL (\\u0000) character."))
    if _contains_string(data, _has_surrogate):
        # JSON can escape half a UTF-16 pair ("\ud800"), which is no character: neither the
        # database nor a UTF-8 answer could hold it.
        raise ApiError(
            400, "bad_request", _("The body contains a lone surrogate (\\ud800–\\udfff).")
        )
    return data


def _has_surrogate(text: str) -> bool:
    return _SURROGATE.search(text) is not None


def _contains_string(data, test) -> bool:
    """Does `test` hold for any key or string of parsed JSON (walked without recursion)?"""
    stack = [data]
    while stack:
        value = stack.pop()
        if isinstance(value, str):
            if test(value):
                return True
        elif isinstance(value, dict):
            stack.extend(value.keys())
            stack.extend(value.values())
        elif isinstance(value, list):
            stack.extend(value)
    return False


def _reject_constant(name: str):
    raise ValueError(f"{name} is not JSON")


def _positive_int(request, name: str, default: int, maximum: int) -> int:
    value = request.GET.get(name)
    if value is None or value == "":
        return default
    try:
        number = int(value)
    except ValueError:
        number = 0
    if number < 1 or number > maximum:
        raise ApiError(
            400,
            "bad_request",
            _("%(name)s must be a whole number from 1 to %(max)s.")
            % {"name": name, "max": maximum},
            fields={name: [_("Invalid value.")]},
        )
    return number


def query_text(request, name: str, max_chars: int = 200) -> str:
    """An optional text query parameter, stripped; "" when absent.

    NUL characters are dropped: PostgreSQL refuses them in a string and SQLite ends strings there.
    """
    return request.GET.get(name, "").replace("\x00", "").strip()[:max_chars]


def query_int(request, name: str) -> int | None:
    """An optional whole-number query parameter (e.g. ?article=24); 400 when malformed."""
    value = request.GET.get(name)
    if value is None or value == "":
        return None
    try:
        return int(value)
    except ValueError:
        raise ApiError(
            400,
            "bad_request",
            _("%(name)s must be a whole number.") % {"name": name},
            fields={name: [_("Invalid value.")]},
        ) from None


def page_and_size(request) -> tuple[int, int]:
    """?page (from 1) and ?page_size, checked against MAX_PAGE and MAX_PAGE_SIZE (400)."""
    return (
        _positive_int(request, "page", 1, MAX_PAGE),
        _positive_int(request, "page_size", DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE),
    )


def paginate(request, queryset, serialize) -> dict:
    """A page of `queryset`: {"total", "page", "page_size", "next", "prev", "items"}.

    `page` above MAX_PAGE and `page_size` above MAX_PAGE_SIZE are refused (400), as the OpenAPI
    document's `maximum`s say: a client is told, not silently served fewer items than it asked.
    """
    page, size = page_and_size(request)
    total = queryset.count()
    start = (page - 1) * size
    rows = list(queryset[start : start + size]) if start < total else []

    def page_url(number: int) -> str:
        query = request.GET.copy()
        query["page"] = str(number)
        query["page_size"] = str(size)
        return request.build_absolute_uri(f"{request.path}?{query.urlencode()}")

    last = max(1, -(-total // size))
    return {
        "total": total,
        "page": page,
        "page_size": size,
        "next": page_url(page + 1) if page < last else None,
        "prev": page_url(min(page - 1, last)) if page > 1 else None,
        "items": [serialize(row) for row in rows],
    }

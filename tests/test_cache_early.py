"""A cached public page served at whitenoise's layer (provisions/cache/early.py).

Guards: a certainly anonymous reader's second request is answered before sessions, auth, OTP,
messages, CSRF and axes see it (no session on the request, no query), with exactly the headers
of the normal path (compared name by name, value by value, the nonce aside) and this response's
own nonce in header and HTML; a publication or a retraction is seen at once; anyone who is not
certainly anonymous goes down the normal path; the language is part of the page's identity.
"""

import gzip
import re

import pytest
from django.conf import settings as django_settings
from django.core.cache import cache
from django.test import Client

from provisions.services import annotation_reject
from tests.helpers import published_annotation, text_of

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("page_cache_on")]

ART24 = "/convention/articles/24/"
EARLY = "provisions.cache.early.CachedPageMiddleware"
PAGES = [
    "/",
    "/convention/",
    ART24,
    "/concerns/weak-procedural-safeguards/",
    "/safeguards/",
    "/coverage/",
    "/about/",
    "/search/?q=surveillance",
]


def get(url: str, **headers):
    return Client().get(url, **headers)


def served_early(response) -> bool:
    """Nothing below the early layer ran: no session, no user on the request."""
    request = response.wsgi_request
    return not hasattr(request, "session") and not hasattr(request, "user")


def nonce_of(response) -> str:
    """This response's CSP nonce (a NUL when the page used none: an htmx fragment)."""
    found = re.search(r"'nonce-([^']+)'", response["Content-Security-Policy"])
    return found.group(1) if found else "\0"


def without_nonce(response) -> dict[str, str]:
    nonce = nonce_of(response)
    return {name: value.replace(nonce, "N") for name, value in response.headers.items()}


def page_of(response) -> str:
    return text_of(response).replace(nonce_of(response), "N")


def normal_path(settings, url: str, **headers):
    """The same request through the whole stack (the early layer left out), from the cache."""
    settings.MIDDLEWARE = [name for name in django_settings.MIDDLEWARE if name != EARLY]
    try:
        return get(url, **headers)
    finally:
        settings.MIDDLEWARE = [*settings.MIDDLEWARE[:2], EARLY, *settings.MIDDLEWARE[2:]]


def test_the_early_layer_sits_right_after_whitenoise():
    assert django_settings.MIDDLEWARE.index(EARLY) == (
        django_settings.MIDDLEWARE.index("whitenoise.middleware.WhiteNoiseMiddleware") + 1
    )


@pytest.mark.parametrize("url", PAGES)
def test_a_second_anonymous_request_is_answered_early_without_a_query(
    url, django_assert_num_queries
):
    first = get(url)
    assert first["X-Page-Cache"] == "miss" and not served_early(first)
    with django_assert_num_queries(0):
        second = get(url)
    assert second.status_code == 200 and second["X-Page-Cache"] == "hit"
    assert served_early(second)
    assert page_of(second) == page_of(first)


@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"HTTP_ACCEPT_ENCODING": "gzip, br"},
        {"HTTP_HX_REQUEST": "true"},
        {"HTTP_ACCEPT_LANGUAGE": "fr"},
    ],
    ids=["plain", "gzip", "htmx", "accept-language"],
)
@pytest.mark.parametrize("url", [ART24, "/search/?q=surveillance", "/"])
def test_headers_are_those_of_the_normal_path(settings, url, headers):
    get(url, **headers)  # rendered into the cache
    normal = normal_path(settings, url, **headers)
    early = get(url, **headers)
    assert not served_early(normal) and served_early(early)
    assert normal["X-Page-Cache"] == early["X-Page-Cache"] == "hit"
    assert without_nonce(early) == without_nonce(normal)
    assert early.content.count(b"nonce=") == normal.content.count(b"nonce=")
    assert nonce_of(early) == nonce_of(normal) == "\0" or nonce_of(early) != nonce_of(normal)
    body = early.content
    if early.get("Content-Encoding") == "gzip":
        body = gzip.decompress(body)
        assert gzip.decompress(normal.content).replace(
            nonce_of(normal).encode(), b"N"
        ) == body.replace(nonce_of(early).encode(), b"N")
    # This response's nonce, in its header and its HTML alike.
    for found in re.findall(rb'nonce="([^"]+)"', body):
        assert found.decode() == nonce_of(early)


def test_head_is_answered_early_with_the_headers_of_get():
    get(ART24)
    head = Client().head(ART24)
    assert served_early(head) and head["X-Page-Cache"] == "hit"
    assert head["Content-Type"].startswith("text/html")


def test_a_publication_is_seen_at_once(analyst, editor, art24):
    get(ART24)
    assert served_early(get(ART24))
    published_annotation(analyst, editor, body="SENTINEL-EARLY published now")
    after = get(ART24)
    assert not served_early(after) and after["X-Page-Cache"] == "miss"
    assert "SENTINEL-EARLY" in text_of(after)
    again = get(ART24)
    assert served_early(again) and "SENTINEL-EARLY" in text_of(again)


def test_a_retraction_is_seen_at_once(analyst, editor, art24):
    note = published_annotation(analyst, editor, body="SENTINEL-GONE soon retracted")
    get(ART24)
    assert "SENTINEL-GONE" in text_of(get(ART24))
    annotation_reject(annotation=note, editor=editor, reason="Wrong article")
    after = get(ART24)
    assert not served_early(after) and "SENTINEL-GONE" not in text_of(after)


@pytest.mark.parametrize(
    "cookies, headers",
    [
        ({django_settings.SESSION_COOKIE_NAME: "whatever"}, {}),
        ({"messages": "x"}, {}),
        ({}, {"HTTP_AUTHORIZATION": "Bearer tw_nothing"}),
        ({django_settings.CSRF_COOKIE_NAME: "short"}, {}),
    ],
    ids=["session", "messages", "authorization", "odd-csrf-cookie"],
)
def test_who_is_not_certainly_anonymous_goes_down_the_normal_path(cookies, headers):
    get(ART24)
    get(ART24)
    client = Client(**headers)
    for name, value in cookies.items():
        client.cookies[name] = value
    assert not served_early(client.get(ART24))


def test_a_well_formed_csrf_cookie_does_not_stop_the_early_answer():
    get(ART24)
    client = Client()
    client.cookies[django_settings.CSRF_COOKIE_NAME] = "a" * 32
    response = client.get(ART24)
    assert served_early(response) and not response.cookies


def test_a_post_is_never_answered_early():
    get(ART24)
    response = Client().post(ART24)
    assert not served_early(response)


def test_a_page_for_another_language_is_another_page():
    # An unprefixed address is English whatever Accept-Language says (docs/translations.md):
    # the same stored page. The French page is at its own, prefixed, address.
    get(ART24)
    assert served_early(get(ART24))
    english = get(ART24, HTTP_ACCEPT_LANGUAGE="fr")
    assert served_early(english) and english["Content-Language"] == "en"
    french = get(f"/fr{ART24}", HTTP_ACCEPT_LANGUAGE="en")
    assert not served_early(french) and french["Content-Language"] == "fr"
    again = get(f"/fr{ART24}")
    assert served_early(again) and again["Content-Language"] == "fr"
    assert get(ART24)["Content-Language"] == "en"


def test_an_unreachable_cache_still_serves_the_page(monkeypatch):
    get(ART24)

    def down(*args, **kwargs):
        raise ConnectionError("cache down")

    monkeypatch.setattr(cache, "get_many", down)
    response = get(ART24)
    assert response.status_code == 200 and not served_early(response)


API_READS = ["/api/v1/annotations?article=24", "/api/v1/articles/24", "/api/v1/concerns"]


@pytest.mark.parametrize("url", API_READS)
def test_anonymous_api_reads_are_answered_early_with_their_etag(
    url, settings, django_assert_num_queries
):
    first = get(url)
    assert first.status_code == 200 and first["X-Page-Cache"] == "miss"
    normal = normal_path(settings, url)
    with django_assert_num_queries(0):
        early = get(url)
    assert served_early(early) and early.content == first.content == normal.content
    assert dict(early.headers) == dict(normal.headers)
    assert early["ETag"] == first["ETag"] and early["Access-Control-Allow-Origin"] == "*"
    # A conditional request still gets its 304; a token's request is never served early.
    conditional = get(url, HTTP_IF_NONE_MATCH=first["ETag"])
    assert conditional.status_code == 304 and not served_early(conditional)
    assert not served_early(get(url, HTTP_AUTHORIZATION="Bearer tw_nothing"))


def test_a_publication_reaches_the_api_read_at_once(analyst, editor, art24):
    url = "/api/v1/annotations?article=24"
    before = get(url)
    assert served_early(get(url))
    published_annotation(analyst, editor, body="SENTINEL-API published now")
    after = get(url)
    assert not served_early(after) and "SENTINEL-API" in after.content.decode()
    assert after["ETag"] != before["ETag"]


# --- /healthz at the same layer -----------------------------------------------------------------

HEALTHZ = "/healthz"


def comparable(response) -> dict[str, str]:
    """Headers, less the one that says when the answer was made."""
    return {name: value for name, value in response.headers.items() if name != "Expires"}


def test_healthz_is_answered_early_with_one_query_and_the_normal_headers(
    settings, django_assert_num_queries
):
    client = Client()
    client.get(HEALTHZ)  # through the stack: its headers are learned
    normal = normal_path(settings, HEALTHZ)
    with django_assert_num_queries(1) as queries:
        early = client.get(HEALTHZ)
    assert queries.captured_queries[0]["sql"].strip() == "SELECT 1"
    assert served_early(early) and not served_early(normal)
    assert early.status_code == normal.status_code == 200
    assert early.json() == normal.json() == {"status": "ok", "database": "up"}
    assert comparable(early) == comparable(normal)
    assert "no-store" in early["Cache-Control"] and early["X-Frame-Options"] == "DENY"


def test_healthz_answered_early_still_says_when_the_database_is_down(monkeypatch):
    from django.db import DEFAULT_DB_ALIAS, OperationalError, connections

    client = Client()
    client.get(HEALTHZ)
    healthy = client.get(HEALTHZ)

    def refuse(*args, **kwargs):
        raise OperationalError("could not connect")

    monkeypatch.setattr(connections[DEFAULT_DB_ALIAS], "_cursor", refuse)
    down = client.get(HEALTHZ)
    assert served_early(down) and down.status_code == 503
    assert down.json() == {"status": "unavailable", "database": "down"}
    assert comparable(down).keys() == comparable(healthy).keys()
    assert "no-cache" in down["Cache-Control"]


@pytest.mark.parametrize(
    "method, headers, status",
    [
        ("post", {}, 403),  # no CSRF token: refused as before
        ("get", {"HTTP_HOST": "evil.example"}, 400),  # not an allowed host
        ("get", {"HTTP_AUTHORIZATION": "Bearer tw_nothing"}, 200),  # the normal path
    ],
    ids=["post", "bad-host", "token"],
)
def test_healthz_refuses_early_what_it_refused_before(method, headers, status):
    client = Client(enforce_csrf_checks=True)
    client.get(HEALTHZ)
    response = getattr(client, method)(HEALTHZ, **headers)
    assert response.status_code == status and not served_early(response)


def test_healthz_makes_one_round_trip_on_a_pooled_connection(monkeypatch):
    """Django's health check of a pooled connection would send a SELECT 1 of its own before
    the view's: the view's query is the check, so the check is not made again."""
    from django.db import connection

    Client().get(HEALTHZ)
    connection.ensure_connection()
    connection.health_check_done = False  # as at the start of a request on a pooled connection

    def second_round_trip():
        raise AssertionError("Django's own health check ran as well")

    monkeypatch.setattr(connection, "is_usable", second_round_trip)
    assert Client().get(HEALTHZ).status_code == 200


@pytest.mark.django_db(transaction=True)  # as a request runs: outside a transaction
def test_healthz_replaces_a_pooled_connection_that_died(monkeypatch):
    from django.db import OperationalError, connection

    Client().get(HEALTHZ)
    connection.ensure_connection()
    connection.health_check_done = False
    real_cursor, calls = connection._cursor, []

    def dead_once(*args, **kwargs):
        calls.append(1)
        if len(calls) == 1:
            raise OperationalError("server closed the connection unexpectedly")
        return real_cursor(*args, **kwargs)

    monkeypatch.setattr(connection, "_cursor", dead_once)
    closed = []
    monkeypatch.setattr(connection, "close", lambda: closed.append(1))
    response = Client().get(HEALTHZ)
    assert response.status_code == 200 and closed == [1] and len(calls) == 2

"""The database goes away while the app serves, in-process: every query raises OperationalError,
as psycopg does when PostgreSQL is stopped (scripts/fault_db_outage.py does it for real).

Guards: every kind of page answers the friendly 503 page (also for a signed-in member, whose
session is read by middleware before any view runs), `/healthz` and the API answer JSON 503s,
nothing leaks (no traceback, exception, SQL or driver message), a write that fails half-way
leaves nothing behind, and the app serves normally as soon as the database answers again.
tests/test_security.py has the first two basics (one page, /healthz's status).
"""

from contextlib import contextmanager
from unittest import mock

import pytest
from django.core.cache import cache
from django.db import DEFAULT_DB_ALIAS, OperationalError, connections
from django.urls import reverse

from provisions.models import Annotation, Concern, Tag
from provisions.services import annotations as annotation_services
from tests.helpers import API, SignedInClient, bearer, draft, token_for

pytestmark = pytest.mark.django_db

DRIVER_MESSAGE = (
    'connection failed: connection to server at "127.0.0.1", port 5432 failed: Connection refused'
)
LEAKS = ("Traceback", "OperationalError", "Connection refused", "SELECT", 'File "', "psycopg")


@contextmanager
def database_down():
    """Every query (and every savepoint) fails, as with PostgreSQL stopped."""

    def refuse(*args, **kwargs):
        raise OperationalError(DRIVER_MESSAGE)

    with mock.patch.object(connections[DEFAULT_DB_ALIAS], "_cursor", refuse):
        yield


@pytest.fixture
def cold_cache():
    """No public page stored by an earlier test: each request below really needs the database."""
    cache.clear()
    yield
    cache.clear()


def assert_friendly_503(response):
    assert response.status_code == 503
    assert response["Content-Type"].startswith("text/html")
    assert response["Retry-After"] == "30"
    html = response.content.decode()
    assert "TreatyWatch is briefly unavailable" in html
    assert "Everything saved before is safe" in html
    for leak in LEAKS:
        assert leak not in html


def assert_json_503(response):
    assert response.status_code == 503
    assert response["Content-Type"] == "application/json"
    assert response["Retry-After"] == "30"
    assert response.json()["error"]["code"] == "unavailable"
    for leak in LEAKS:
        assert leak not in response.content.decode()


def public_pages() -> list[str]:
    concern = Concern.objects.order_by("slug").first()
    return [
        reverse("provisions:home"),
        reverse("provisions:toc"),
        reverse("provisions:article", kwargs={"number": 24}),
        reverse("provisions:concerns"),
        reverse("provisions:concern", kwargs={"slug": concern.slug}),
        reverse("provisions:safeguards"),
        reverse("provisions:coverage"),
        reverse("provisions:search") + "?q=proportionality",
    ]


def test_every_public_page_answers_the_503_page(client, cold_cache):
    pages = public_pages()
    with database_down():
        for path in pages:
            assert_friendly_503(client.get(path))


def test_a_signed_in_members_pages_and_forms_answer_the_503_page(analyst, cold_cache):
    """The session and sign-in middleware touch the database before any view: still a 503
    (from the server-error handler, as no view ran)."""
    # The test client would re-raise the exception that Django logged and answered for.
    client = SignedInClient(raise_request_exception=False)
    client.force_login(analyst)
    article = reverse("provisions:article", kwargs={"number": 24})
    annotate = reverse("provisions:annotate", kwargs={"number": 24})
    with database_down():
        assert_friendly_503(client.get(reverse("provisions:workspace")))
        assert_friendly_503(client.get(article))
        assert_friendly_503(client.post(annotate, {"body": "Written while down."}))
    assert not Annotation.objects.filter(body="Written while down.").exists()


def test_healthz_says_why_and_is_never_cached(client):
    with database_down():
        response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json() == {"status": "unavailable", "database": "down"}
    assert "no-cache" in response["Cache-Control"]
    assert "Connection refused" not in response.content.decode()


def test_the_api_answers_json_503_for_reads_and_writes(client, analyst):
    raw = token_for(analyst)
    own = draft(analyst)
    with database_down():
        assert_json_503(client.get(API + "annotations"))
        assert_json_503(client.get(API + "treaty"))
        assert_json_503(client.get(f"{API}annotations/{own.pk}", **bearer(raw)))
        assert_json_503(
            client.post(
                API + "annotations",
                {"bodyValue": "Written while down.", "target": "art_24"},
                content_type="application/json",
                **bearer(raw),
            )
        )
        assert_json_503(
            client.patch(
                f"{API}annotations/{own.pk}",
                '{"bodyValue": "Edited while down."}',
                content_type="application/json",
                HTTP_IF_MATCH=f'"{own.pk}-v1"',
                **bearer(raw),
            )
        )
    own.refresh_from_db()
    assert own.version == 1 and own.body == "A draft note."
    assert not Annotation.objects.filter(body="Written while down.").exists()


def test_a_write_that_fails_half_way_leaves_nothing(client, analyst, monkeypatch):
    """The connection drops after the annotation's row is written, before its history: the
    client hears 503 and nothing of the write remains (no annotation, no new tag)."""
    raw = token_for(analyst)
    before = Annotation.objects.count()

    def connection_lost(**kwargs):
        raise OperationalError(DRIVER_MESSAGE)

    monkeypatch.setattr(annotation_services.history, "record", connection_lost)
    response = client.post(
        API + "annotations",
        {"bodyValue": "Half-written.", "target": "art_24", "tags": ["outage-only-tag"]},
        content_type="application/json",
        **bearer(raw),
    )
    assert_json_503(response)
    assert Annotation.objects.count() == before
    assert not Tag.objects.filter(slug="outage-only-tag").exists()


def test_the_app_recovers_as_soon_as_the_database_answers(client, analyst, cold_cache):
    """Nothing of the outage sticks: no stored 503 page, no broken connection state."""
    raw = token_for(analyst)
    pages = public_pages()
    with database_down():
        for path in pages:
            assert client.get(path).status_code == 503
        assert client.get("/healthz").status_code == 503
        assert client.get(API + "annotations").status_code == 503
    for path in pages:
        response = client.get(path)
        assert response.status_code == 200, path
        assert "briefly unavailable" not in response.content.decode()
    assert client.get("/healthz").json() == {"status": "ok", "database": "up"}
    assert client.get(API + "annotations").status_code == 200
    created = client.post(
        API + "annotations",
        {"bodyValue": "Written after the outage.", "target": "art_24"},
        content_type="application/json",
        **bearer(raw),
    )
    assert created.status_code == 201
    assert Annotation.objects.filter(body="Written after the outage.").count() == 1


def test_a_stored_public_page_is_still_served_during_the_outage(client, cold_cache, settings):
    """Graceful degradation: the public page cache (provisions/cache/, off in the other tests)
    needs no database, so anonymous readers keep reading pages already stored; the rest answer
    503 (as above)."""
    settings.TREATYWATCH_PAGE_CACHE = True
    article = reverse("provisions:article", kwargs={"number": 24})
    first = client.get(article)
    assert first.status_code == 200
    with database_down():
        again = client.get(article)
    assert again.status_code == 200
    assert again["X-Page-Cache"] == "hit"
    assert "<title>Article 24." in again.content.decode()

"""The page cache's fast paths attacked (issue 15's review): the early layer
(provisions/cache/early.py), /healthz answered there, and each worker's copy of the generations
(provisions/cache/mirror.py).

Guards: a site served under a sub-path (SCRIPT_NAME) still answers its pages and /healthz; an
early /healthz failure carries exactly the normal path's headers and nothing learnt survives a
failure; addresses that only look like a cached page (no slash, another host, a very long query)
get the normal path's answer; a public-name change of an editor who reworded a published note
retires the cached pages that credit them; an editorial translation, a treaty-status import and
a link's approval are seen at once by a worker that answered from its copy of the generations;
a HEAD stores a whole page; a language cookie or Accept-Language never changes what an
unprefixed address serves; with Redis stopped, pages are still served and a
write is refused and rolled back; after Redis lost everything (FLUSHDB, a restart) a publication
is still seen at once; a write whose announcement no listener heard (a listener's connection
just cut) still holds its response until no copy can be trusted without it.

The Redis tests that stop, restart or empty Redis use a Redis server of their own (started on a
free port, skipped without `redis-server`), never the shared test database.
"""

import shutil
import socket
import subprocess
import time

import pytest
import redis
from django.core.cache import caches
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import DEFAULT_DB_ALIAS, OperationalError, close_old_connections, connections
from django.test import Client
from django.test.client import FakePayload
from django.urls import set_script_prefix

from provisions.cache import generations, mirror
from provisions.cache.backends import RedisCache
from provisions.cache.mirror import LEASE, PING_EVERY, GenerationMirror
from provisions.models import Annotation, Concern, Provision
from provisions.services import annotation_update, link_approve, link_propose
from provisions.services.members import member_set_public_name
from provisions.services.translations import translation_save
from provisions.services.treaty_status import treaty_status_import
from tests.helpers import published_annotation, text_of

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("page_cache_on")]

ART24 = "/convention/articles/24/"
HEALTHZ = "/healthz"
EARLY = "provisions.cache.early.CachedPageMiddleware"


def served_early(response) -> bool:
    """Nothing below the early layer ran: no session, no user on the request."""
    request = response.wsgi_request
    return not hasattr(request, "session") and not hasattr(request, "user")


def wait_for(condition, seconds: float = 5.0) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.005)


# --- A site under a sub-path ----------------------------------------------------------------------


def wsgi_get(handler, path: str, script_name: str) -> tuple[str, bytes]:
    """A GET through the WSGI handler as gunicorn gives it, the site mounted at `script_name`."""
    environ = {
        "REQUEST_METHOD": "GET",
        "SCRIPT_NAME": script_name,
        "PATH_INFO": path,
        "QUERY_STRING": "",
        "SERVER_NAME": "testserver",
        "SERVER_PORT": "80",
        "HTTP_HOST": "testserver",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "wsgi.url_scheme": "http",
        "wsgi.input": FakePayload(b""),
    }
    answers = []
    # As Django's test client does: the test's transaction keeps its connection.
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        body = b"".join(handler(environ, lambda status, headers, *_: answers.append(status)))
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)
    return answers[0], body


def test_a_site_under_a_sub_path_still_answers_its_pages_and_healthz():
    """The early layer looks /healthz up once; mounted at /tw, that lookup must not turn every
    anonymous request into a 404."""
    handler = WSGIHandler()
    try:
        for _ in range(2):  # the second time from the cache, early
            status, body = wsgi_get(handler, "/about/", "/tw")
            assert status == "200 OK" and b'href="/tw/convention/"' in body
            status, body = wsgi_get(handler, HEALTHZ, "/tw")
            assert status == "200 OK" and body == b'{"status": "ok", "database": "up"}'
    finally:
        set_script_prefix("/")


# --- /healthz at the early layer ------------------------------------------------------------------


def refuse_queries(monkeypatch):
    def refuse(*args, **kwargs):
        raise OperationalError("could not connect")

    monkeypatch.setattr(connections[DEFAULT_DB_ALIAS], "_cursor", refuse)


def without_time(response) -> dict[str, str]:
    return {name: value for name, value in response.headers.items() if name != "Expires"}


def test_an_early_healthz_failure_has_exactly_the_normal_paths_headers(settings, monkeypatch):
    client = Client()
    client.get(HEALTHZ)  # its headers learnt, the database up
    refuse_queries(monkeypatch)
    early = client.get(HEALTHZ)
    settings.MIDDLEWARE = [name for name in settings.MIDDLEWARE if name != EARLY]
    normal = Client().get(HEALTHZ)
    assert served_early(early) and not served_early(normal)
    assert early.status_code == normal.status_code == 503
    assert early.content == normal.content
    assert without_time(early) == without_time(normal)


def test_healthz_learns_nothing_from_a_failure_and_keeps_nothing_across_one(monkeypatch):
    client = Client()
    with monkeypatch.context() as down:
        refuse_queries(down)
        first = client.get(HEALTHZ)
        assert first.status_code == 503 and not served_early(first)
        again = client.get(HEALTHZ)  # nothing learnt from a failure: the whole stack again
        assert again.status_code == 503 and not served_early(again)
    up = client.get(HEALTHZ)
    assert up.status_code == 200 and not served_early(up)  # learnt now
    assert client.get(HEALTHZ).status_code == 200
    with monkeypatch.context() as down:
        refuse_queries(down)
        failed = client.get(HEALTHZ)
    assert served_early(failed) and failed.status_code == 503  # never a remembered 200
    recovered = client.get(HEALTHZ)
    assert served_early(recovered) and recovered.status_code == 200  # never a remembered 503
    head = client.head(HEALTHZ)
    assert served_early(head) and head.status_code == 200


# --- Addresses that only look like a cached page --------------------------------------------------


def test_addresses_that_resemble_a_cached_page_get_the_normal_paths_answer():
    Client().get(ART24)
    assert served_early(Client().get(ART24))
    no_slash = Client().get(ART24.rstrip("/"))
    assert no_slash.status_code == 301 and no_slash["Location"] == ART24
    other_host = Client().get(ART24, HTTP_HOST="evil.example")
    assert other_host.status_code == 400 and not served_early(other_host)
    shouting = Client().get(ART24, HTTP_HOST="TESTSERVER")  # allowed, but another key
    assert shouting.status_code == 200 and not served_early(shouting)
    encoded = Client().get("/convention/articles/%32%34/")  # the same address, decoded
    assert encoded.status_code == 200 and served_early(encoded)
    long_query = f"/search/?q={'surveillance+' * 600}"
    first = Client().get(long_query)
    second = Client().get(long_query)
    assert first.status_code == second.status_code == 200
    assert served_early(second) and second["X-Page-Cache"] == "hit"


def test_a_head_first_leaves_a_whole_page_for_the_next_get():
    """HEADs store the page and teach the early layer its headers; the GETs after them get the
    whole page, with the length it really has."""
    for _ in range(2):
        assert Client().head(ART24).status_code == 200
    page = Client().get(ART24)
    assert served_early(page) and b"</main>" in page.content
    assert int(page["Content-Length"]) == len(page.content)


def test_neither_a_language_cookie_nor_accept_language_changes_an_unprefixed_page():
    """An unprefixed address is English, a prefixed one its language, whatever the visitor's
    language cookie and Accept-Language say, early or not."""
    chooser = {"HTTP_ACCEPT_LANGUAGE": "ar", "HTTP_COOKIE": "django_language=fr"}
    for _ in range(2):
        english = Client().get("/", **chooser)
        arabic = Client().get("/ar/", HTTP_ACCEPT_LANGUAGE="fr")
    assert served_early(english) and served_early(arabic)
    assert english["Content-Language"] == "en" and '<html lang="en" dir="ltr">' in text_of(english)
    assert arabic["Content-Language"] == "ar" and '<html lang="ar" dir="rtl">' in text_of(arabic)
    french = Client().get("/fr/", **chooser)
    assert french["Content-Language"] == "fr" and '<html lang="fr" dir="ltr">' in text_of(french)


# --- A public name on cached pages ----------------------------------------------------------------


def test_an_editor_who_reworded_a_published_note_renamed_is_renamed_on_cached_pages(
    analyst, editor
):
    """The "edited by <the editor's public name>" on the article page changes with it, though
    the editor wrote no published note of their own."""
    note = published_annotation(analyst, editor, body="The first words.")
    annotation_update(annotation=note, user=editor, version=note.version, body="Better words.")
    assert not Annotation.objects.filter(author=editor, status="published").exists()
    for _ in range(2):
        assert "edited by Erin Editor" in text_of(Client().get(ART24))
    member_set_public_name(user=editor, public_name="Another Name")
    page = text_of(Client().get(ART24))
    assert "edited by Another Name" in page and "Erin Editor" not in page


# --- Redis stopped, emptied, restarted; a listener cut off ----------------------------------------


class PrivateRedis:
    """A Redis server of this test's own, which it may stop, restart and empty."""

    def __init__(self, directory):
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        self.directory = directory
        self.process = None
        self.url = f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        self.process = subprocess.Popen(  # noqa: S603 (a fixed command, a free port)
            [
                shutil.which("redis-server"),
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                str(self.directory),
            ],
            stdout=subprocess.DEVNULL,
        )
        client = redis.Redis.from_url(self.url, socket_connect_timeout=1)
        wait_for(lambda: self._answers(client))

    @staticmethod
    def _answers(client) -> bool:
        try:
            return client.ping()
        except redis.RedisError:
            return False

    def stop(self) -> None:
        if self.process is not None:
            self.process.terminate()
            self.process.wait(5)
            self.process = None


@pytest.fixture
def private_redis(tmp_path):
    if shutil.which("redis-server") is None:
        pytest.skip("redis-server is not installed")
    server = PrivateRedis(tmp_path)
    server.start()
    yield server
    server.stop()


@pytest.fixture
def pages_on_private_redis(settings, private_redis):
    """The app's cache on the private Redis, as in production; the worker's copy stopped
    afterwards."""
    shared = settings.CACHES
    settings.CACHES = {
        "default": {
            "BACKEND": "provisions.cache.backends.RedisCache",
            "LOCATION": private_redis.url,
        }
    }
    yield private_redis
    copy = mirror.mirror_for(caches["default"])
    copy.stopping = True
    if copy.thread is not None:
        copy.thread.join(3)
    settings.CACHES = shared  # page_cache_on empties the cache last: the usual one


def trusted(copy: GenerationMirror) -> bool:
    return copy.live and time.monotonic() - copy.confirmed < LEASE / 2


def warm_from_the_copy(url: str) -> None:
    """The page stored, its headers learnt and its generations in this worker's copy."""
    for _ in range(3):
        Client().get(url)
    copy = mirror.mirror_for(caches["default"])
    wait_for(lambda: trusted(copy))
    assert served_early(Client().get(url))


def test_with_redis_stopped_pages_are_served_and_a_write_is_refused_whole(
    pages_on_private_redis, analyst, editor, art24
):
    note = published_annotation(analyst, editor, body="SENTINEL-BEFORE the outage")
    mirror.settle()
    warm_from_the_copy(ART24)
    pages_on_private_redis.stop()
    time.sleep(LEASE * 1.5)  # the copy is no longer confirmed
    page = Client().get(ART24)
    assert page.status_code == 200 and "SENTINEL-BEFORE" in text_of(page)
    assert "X-Page-Cache" not in page  # rendered afresh, not from a copy nobody confirms
    with pytest.raises(redis.RedisError):
        annotation_update(annotation=note, user=editor, version=note.version, body="Changed")
    note.refresh_from_db()
    assert note.body == "SENTINEL-BEFORE the outage"  # rolled back, as docs/operations.md says


@pytest.mark.parametrize("how", ["restart", "flushdb"])
def test_after_redis_lost_everything_a_publication_is_seen_at_once(
    pages_on_private_redis, analyst, editor, art24, how
):
    warm_from_the_copy(ART24)
    if how == "restart":
        pages_on_private_redis.stop()
        pages_on_private_redis.start()
    else:  # emptied by hand, the app servers not restarted (docs/operations.md asks for it)
        redis.Redis.from_url(pages_on_private_redis.url).flushdb()
    copy = mirror.mirror_for(caches["default"])
    wait_for(lambda: trusted(copy))
    for _ in range(3):
        assert Client().get(ART24).status_code == 200
    published_annotation(analyst, editor, body="SENTINEL-AFTER the loss")
    mirror.settle()  # as the editor's response would
    after = Client().get(ART24)
    assert not served_early(after) and "SENTINEL-AFTER" in text_of(after)


def translate_first_concern(editor) -> None:
    first = Concern.objects.order_by("position").first()
    translation_save(
        target=first, language="fr", title="SENTINEL-FR titre", text="Le point.", editor=editor
    )


def import_a_signature(editor) -> None:
    treaty_status_import(
        text="party,action,date,reference,articles,text,source,confidence\n"
        "DEU,signature,2025-11-03,,,,https://treaties.example.org/XVIII-16,\n"
    )


def approve_a_link(editor) -> None:
    link = link_propose(
        provision=Provision.objects.get(eid="art_24"),
        proposer=editor,
        concern="serious-crime-scope",
        rationale="SENTINEL-LINK rationale",
    )
    link_approve(link=link, editor=editor)


@pytest.mark.parametrize(
    "write, url, shown",
    [
        (translate_first_concern, "/fr/concerns/", "SENTINEL-FR"),
        (import_a_signature, "/states/deu/", "Signed, not yet ratified"),
        (approve_a_link, ART24, "SENTINEL-LINK"),
    ],
    ids=["editorial translation", "treaty status", "link"],
)
def test_each_kind_of_write_is_seen_at_once_through_the_copy(
    pages_on_private_redis, editor, write, url, shown
):
    """Answered from this worker's copy of the generations before the write, not after it."""
    warm_from_the_copy(url)
    assert shown not in text_of(Client().get(url))
    write(editor)
    mirror.settle()  # as the editor's response would
    after = Client().get(url)
    assert not served_early(after) and shown in text_of(after)


def test_a_write_no_listener_heard_still_waits_until_no_copy_is_trusted(private_redis, monkeypatch):
    """A worker's listener, busy elsewhere (CPU), has its connection cut: the announcement of
    the next write reaches nobody (PUBLISH counts 0 listeners). The copy was confirmed a moment
    ago and still holds the old generation: the write's response must wait until it is no
    longer trusted."""
    key = "tw:gen:article:24"
    writer = RedisCache(private_redis.url, {})
    copy = GenerationMirror(RedisCache(private_redis.url, {}))
    paused = {"now": False}
    copy._ensure_listening()
    try:
        wait_for(lambda: trusted(copy))  # subscribed: the announcement below reaches it
        writer.set_generations({key: 1})
        wait_for(lambda: copy.current([key]) == (1,) and trusted(copy))
        pubsub = copy.pubsub
        get_message = pubsub.get_message
        paused["now"] = True

        def starved(*args, **kwargs):
            while paused["now"]:
                time.sleep(0.001)
            return get_message(*args, **kwargs)

        pubsub.get_message = starved
        # The copy must still be trusted once the listener is paused; on a busy machine the
        # pause can outlast the lease before we look, so let it confirm again and retry.
        for _attempt in range(50):
            if trusted(copy):
                break
            paused["now"] = False
            wait_for(lambda: trusted(copy))
            paused["now"] = True
            time.sleep(PING_EVERY)  # the listener is now inside the paused call
        else:
            pytest.skip("the machine never left the paused copy trusted long enough to test")
        redis.Redis.from_url(private_redis.url).client_kill_filter(_type="pubsub")
        monkeypatch.setattr(generations, "cache", writer)
        monkeypatch.setattr(generations, "_fresh_generation", lambda: 2)
        mirror.request_started()
        generations._bump(["article:24"])
        mirror.settle()  # the writer's response leaves
        assert copy.current([key]) in (None, (2,))
    finally:
        paused["now"] = False
        copy.stopping = True
        copy.thread.join(3)

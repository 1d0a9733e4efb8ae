"""Each worker's copy of the generations (provisions/cache/mirror.py), on a real Redis.

Guards: a write's new generations reach every worker's copy before the writer may answer (the
hold): after it, no copy ever gives an old value; a copy is trusted only while its listener's
PINGs come back (the lease); a generation read from Redis is not kept when an announcement came
meanwhile; a lost connection empties the copy; the early layer answers from the copy without
asking Redis, and a publication is seen at once.

Needs Redis (TEST_REDIS_URL, as tests/test_cache_workers.py); each test has a key prefix, and so
an announcement channel, of its own.
"""

import secrets
import threading
import time

import pytest
from django.core.cache import caches
from django.test import Client

from provisions.cache import generations, mirror
from provisions.cache.backends import RedisCache
from provisions.cache.mirror import HOLD, LEASE, GenerationMirror
from tests.helpers import published_annotation, text_of

KEY = "tw:gen:article:24"
ART24 = "/convention/articles/24/"


@pytest.fixture
def backend(redis_url, redis_prefix):
    """A new client of the test's Redis namespace: another worker's, each time it is called."""
    return lambda: RedisCache(redis_url, {"KEY_PREFIX": redis_prefix})


def wait_for(condition, seconds: float = 5.0) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.005)


@pytest.fixture
def worker_copy(backend):
    """A worker's copy, listening; stopped afterwards."""
    made = []

    def start() -> GenerationMirror:
        copy = GenerationMirror(backend())
        copy._ensure_listening()
        wait_for(lambda: copy.live and time.monotonic() - copy.confirmed < LEASE)
        made.append(copy)
        return copy

    yield start
    for copy in made:
        copy.stopping = True
        copy.thread.join(2)


def slowed(copy: GenerationMirror, seconds: float) -> None:
    """The copy's listener takes `seconds` over everything it reads, as when starved of CPU."""
    pubsub = copy.pubsub
    get_message = pubsub.get_message

    def slow(*args, **kwargs):
        message = get_message(*args, **kwargs)
        if message is not None:
            time.sleep(seconds)
        return message

    pubsub.get_message = slow


def test_after_the_hold_no_copy_gives_an_old_generation(backend, worker_copy):
    """One worker's listener is prompt, the other's slow (30 ms per message: a busy machine)."""
    copies = [worker_copy(), worker_copy()]
    slowed(copies[1], 0.03)
    writer = backend()
    trusted = 0
    for _ in range(25):
        value = secrets.randbits(62)
        assert writer.set_generations({KEY: value}) >= len(copies)
        time.sleep(HOLD)  # what the writer's response waits (mirror.settle)
        for copy in copies:
            seen = copy.current([KEY])
            assert seen in (None, (value,)), "a copy gave a generation older than the write"
            trusted += seen is not None
    assert trusted > 25  # the copies were trusted most of the time: the check above was real


def test_a_copy_whose_pings_stop_coming_back_is_not_trusted(backend, worker_copy, monkeypatch):
    copy = worker_copy()
    backend().set_generations({KEY: 7})
    wait_for(lambda: copy.current([KEY]) == (7,))
    monkeypatch.setattr(copy.pubsub, "ping", lambda *args: None)  # as if starved or cut off
    time.sleep(LEASE + 0.05)
    assert copy.values.get(KEY) == 7 and copy.current([KEY]) is None


def test_a_generation_read_before_an_announcement_is_not_kept(backend, worker_copy):
    copy = worker_copy()
    writer = backend()
    epoch = copy.seed_epoch()
    read_before = {KEY: 1}  # what a reader's round trip got before the write below
    writer.set_generations({KEY: 2})
    wait_for(lambda: copy.values.get(KEY) == 2)
    copy.seed(epoch, read_before)
    assert copy.current([KEY]) == (2,)
    copy.seed(copy.seed_epoch(), {"tw:gen:site": 3})  # nothing came between: kept
    assert copy.current(["tw:gen:site", KEY]) == (3, 2)


def test_a_lost_connection_empties_the_copy(backend, worker_copy):
    copy = worker_copy()
    writer = backend()
    writer.set_generations({KEY: 5})
    wait_for(lambda: copy.current([KEY]) == (5,))
    epoch = copy.epoch
    copy.pubsub.connection.disconnect()  # announcements made now may never arrive
    wait_for(lambda: copy.epoch != epoch and KEY not in copy.values)
    wait_for(lambda: copy.live and time.monotonic() - copy.confirmed < LEASE)
    assert copy.current([KEY]) is None  # not until read again or announced again
    writer.set_generations({KEY: 6})
    wait_for(lambda: copy.current([KEY]) == (6,))


def test_a_write_holds_its_response_whether_or_not_a_worker_heard_it(
    backend, worker_copy, monkeypatch
):
    monkeypatch.setattr(generations, "cache", backend())
    mirror.request_started()
    # Nobody listens on this namespace yet; it still holds: a listener whose connection was just
    # cut is not counted either (tests/test_cache_adversarial.py).
    generations._bump(["article:24"])
    started = time.monotonic()
    mirror.settle()
    assert time.monotonic() - started >= HOLD * 0.9
    worker_copy()
    mirror.request_started()
    generations._bump(["article:24"])
    started = time.monotonic()
    mirror.settle()
    assert time.monotonic() - started >= HOLD * 0.9


@pytest.fixture
def redis_pages(settings, redis_url, redis_prefix, page_cache_on):
    """The app's cache on Redis, as in production; the worker's copy stopped afterwards."""
    settings.CACHES = {
        "default": {
            "BACKEND": "provisions.cache.backends.RedisCache",
            "LOCATION": redis_url,
            "KEY_PREFIX": redis_prefix,
        }
    }
    yield
    copy = mirror.mirror_for(caches["default"])
    copy.stopping = True
    if copy.thread is not None:
        copy.thread.join(2)


def served_early(response) -> bool:
    return not hasattr(response.wsgi_request, "session")


def test_the_early_layer_answers_from_the_copy_and_sees_a_publication_at_once(
    redis_pages, analyst, editor, art24, monkeypatch
):
    Client().get(ART24)  # rendered into the cache
    Client().get(ART24)  # learnt by the early layer (its generations read from Redis)
    copy = mirror.mirror_for(caches["default"])
    wait_for(lambda: copy.live and time.monotonic() - copy.confirmed < LEASE)
    assert served_early(Client().get(ART24))  # read from Redis once more, and kept

    def no_round_trip(*args, **kwargs):
        raise AssertionError("asked Redis for the generations")

    with monkeypatch.context() as patched:
        patched.setattr(RedisCache, "get_many", no_round_trip)
        wait_for(lambda: copy.live and time.monotonic() - copy.confirmed < LEASE / 2)
        hit = Client().get(ART24)
    assert served_early(hit) and hit["X-Page-Cache"] == "hit"

    published_annotation(analyst, editor, body="SENTINEL-MIRROR published now")
    mirror.settle()  # as the editor's response would
    after = Client().get(ART24)
    assert not served_early(after) and "SENTINEL-MIRROR" in text_of(after)


def test_readers_never_see_an_old_generation_after_the_hold_while_writes_go_on(
    backend, worker_copy
):
    """A reader thread asks all the time while a writer writes and holds: every value a reader
    gets after a write's hold is that write's or a later one's."""
    copy = worker_copy()
    writer = backend()
    settled: list[int] = []  # values whose hold has passed, in order
    problems: list[str] = []
    done = threading.Event()

    def read():
        while not done.is_set():
            floor = len(settled)
            seen = copy.current([KEY])
            if seen is not None and floor and seen[0] in settled[: floor - 1]:
                problems.append(f"{seen[0]} after {settled[floor - 1]} was settled")

    reader = threading.Thread(target=read)
    reader.start()
    try:
        for _ in range(20):
            value = secrets.randbits(62)
            writer.set_generations({KEY: value})
            time.sleep(HOLD)
            settled.append(value)
    finally:
        done.set()
        reader.join()
    assert not problems

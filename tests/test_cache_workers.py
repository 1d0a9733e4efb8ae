"""What gunicorn's workers must share: the cache (issue 11 §6).

Guards: production settings never run on a per-process cache (Redis with REDIS_URL, the database
cache otherwise, whose table a migration creates) and the deploy check refuses one; a note
retracted through one worker is not served by another, although that worker held the page in
its own memory (two page-cache layers, each with its own client and in-process pages, sharing
one backend); the API write limit and the sign-in lockout count across workers; the database
cache's counter loses no count when workers count at once; the Redis backend works.

The Redis-backed tests use TEST_REDIS_URL (`.ci/run` sets redis://127.0.0.1:6379/15, where it
fails if Redis does not answer) or else try that address and skip when nothing answers; each
test writes under a key prefix of its own and deletes only its own keys.
"""

import importlib
import os
import secrets
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from django.core.cache import cache as default_cache
from django.core.cache.backends.locmem import LocMemCache
from django.core.checks import Tags, run_checks
from django.db import connection
from django.test import Client

from provisions.api import auth as api_auth
from provisions.cache import generations, serving
from provisions.cache.backends import DatabaseCache, RedisCache
from provisions.cache.keys import PAGE_KEY_PREFIX
from provisions.cache.process_pages import ProcessPages
from provisions.checks import check_cache_is_shared
from provisions.models import Provision
from provisions.services import annotation_create, annotation_publish, annotation_reject
from tests.helpers import bearer, token_for

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parent.parent
ART24 = "/convention/articles/24/"
DEFAULT_TEST_REDIS = "redis://127.0.0.1:6379/15"
CACHE_TABLE = importlib.import_module("provisions.migrations.0008_cache_table").TABLE


# --- Workers ------------------------------------------------------------------------------------


class Worker:
    """One gunicorn worker as the page cache sees it: its own client of the cache backend and
    its own in-process copies of pages."""

    def __init__(self, backend):
        self.cache = backend
        self.pages = ProcessPages(max_bytes=8 * 1024 * 1024)


@pytest.fixture
def become(monkeypatch, settings):
    """Run what follows as `worker`: the page cache and the API's write limit use its cache."""
    settings.TREATYWATCH_PAGE_CACHE = True

    def switch(worker: Worker) -> None:
        monkeypatch.setattr(generations, "cache", worker.cache)
        monkeypatch.setattr(serving, "cache", worker.cache)
        monkeypatch.setattr(serving, "process_pages", worker.pages)
        monkeypatch.setattr(api_auth, "cache", worker.cache)

    return switch


@pytest.fixture(params=["database", "redis"])
def shared_backend(request):
    """Makes backend clients that share one store, as the workers of one deployment do."""
    if request.param == "database":
        prefix = f"tests-{secrets.token_hex(6)}"
        return lambda: DatabaseCache(CACHE_TABLE, {"KEY_PREFIX": prefix})
    url, prefix = request.getfixturevalue("redis_url"), request.getfixturevalue("redis_prefix")
    return lambda: RedisCache(url, {"KEY_PREFIX": prefix})


def get(url: str):
    """A request from a new anonymous visitor (no cookies)."""
    return Client().get(url)


def publish_sentinel(analyst, editor):
    art24 = Provision.objects.get(eid="art_24")
    annotation = annotation_create(
        provision=art24, author=analyst, body="Soon retracted SENTINEL-RETRACT", status="submitted"
    )
    return annotation_publish(annotation=annotation, editor=editor)


def serve_on_both_then_retract(first: Worker, second: Worker, become, analyst, editor):
    """The article page is in both workers' memory; then an editor rejects the note on the
    first worker. Returns the second worker's next answer."""
    become(first)
    annotation = publish_sentinel(analyst, editor)
    response = get(ART24)
    assert response["X-Page-Cache"] == "miss"
    assert "SENTINEL-RETRACT" in response.content.decode()
    become(second)
    get(ART24)
    assert get(ART24)["X-Page-Cache"] == "hit"
    assert len(second.pages.entries) == 1  # the second worker holds the page itself
    become(first)
    annotation_reject(annotation=annotation, editor=editor, reason="Retracted")
    become(second)
    return get(ART24)


def test_a_note_retracted_on_one_worker_is_not_served_by_another(
    shared_backend, become, analyst, editor
):
    first, second = Worker(shared_backend()), Worker(shared_backend())
    response = serve_on_both_then_retract(first, second, become, analyst, editor)
    assert response.status_code == 200
    assert response["X-Page-Cache"] == "miss"
    assert "SENTINEL-RETRACT" not in response.content.decode()


def test_with_a_cache_in_each_process_another_worker_keeps_serving_the_note(
    become, analyst, editor
):
    """Why the deploy check exists: the same steps with the in-memory cache of each process."""
    first = Worker(LocMemCache(f"worker-1-{secrets.token_hex(4)}", {}))
    second = Worker(LocMemCache(f"worker-2-{secrets.token_hex(4)}", {}))
    response = serve_on_both_then_retract(first, second, become, analyst, editor)
    assert response["X-Page-Cache"] == "hit"
    assert "SENTINEL-RETRACT" in response.content.decode()
    assert check_cache_is_shared(None) != []  # the tests' own cache is such a cache


def test_the_api_write_limit_counts_across_workers(
    shared_backend, become, client, analyst, settings, monkeypatch
):
    settings.TREATYWATCH_API_WRITES_PER_MINUTE = 3
    monkeypatch.setattr(api_auth, "_clock", lambda: 1_000_000_050.0)  # 30 s into a minute
    raw = token_for(analyst)
    workers = [Worker(shared_backend()), Worker(shared_backend())]
    statuses = []
    for turn in range(4):
        become(workers[turn % 2])
        response = client.post(
            "/api/v1/annotations",
            {"bodyValue": f"Write {turn}", "target": "art_24"},
            content_type="application/json",
            **bearer(raw),
        )
        statuses.append(response.status_code)
    assert statuses == [201, 201, 201, 429]


def test_sign_in_failures_count_across_workers(analyst, settings):
    """django-axes counts in the database: four failures on one worker and one on another, with
    its own empty cache and its own visitor session, lock the username+address out."""
    assert settings.AXES_HANDLER == "axes.handlers.database.AxesDatabaseHandler"
    for _ in range(4):
        Client().post("/accounts/login/", {"username": "alice", "password": "wrong-password-1"})
    default_cache.clear()  # another worker: nothing of the first one's memory
    response = Client().post(
        "/accounts/login/", {"username": "alice", "password": "wrong-password-1"}
    )
    assert response.status_code == 429
    default_cache.clear()
    right = Client().post(
        "/accounts/login/", {"username": "alice", "password": "correct-horse-battery"}
    )
    assert right.status_code == 429


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks: PostgreSQL only")
def test_the_database_cache_loses_no_count_when_workers_count_at_once():
    prefix = f"tests-{secrets.token_hex(6)}"
    backend = DatabaseCache(CACHE_TABLE, {"KEY_PREFIX": prefix})
    backend.add("writes", 0, timeout=120)
    start = threading.Barrier(4)
    errors = []

    def count(times: int) -> None:
        from django.db import connections

        try:
            start.wait()
            for _ in range(times):
                DatabaseCache(CACHE_TABLE, {"KEY_PREFIX": prefix}).incr("writes")
        except Exception as error:  # reported below, in the test's thread
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=count, args=(25,)) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert backend.get("writes") == 100
    backend.delete("writes")


def test_a_full_database_cache_drops_pages_never_counters_or_generations():
    """Anyone can fill the cache with pages (one per search address): that must not reset the
    write limit's counters (Django's own culling drops the alphabetically first keys)."""
    prefix = f"tests-{secrets.token_hex(6)}"
    backend = DatabaseCache(CACHE_TABLE, {"KEY_PREFIX": prefix, "OPTIONS": {"MAX_ENTRIES": 6}})
    backend.add("api-writes:token:1", 3, timeout=120)
    backend.set("tw:gen:analysis", 7, timeout=None)
    pages = [f"{PAGE_KEY_PREFIX}{number:02}" for number in range(20)]
    for page in pages:
        backend.set(page, b"<html>", timeout=900)
    assert backend.get("api-writes:token:1") == 3
    assert backend.get("tw:gen:analysis") == 7
    kept = [page for page in pages if backend.get(page) is not None]
    assert 2 <= len(kept) <= 5 and kept == pages[-len(kept) :]  # bounded; the newest stay


# --- The setting and its check --------------------------------------------------------------


def production_cache(**env) -> str:
    """The default cache's backend and location under production settings with `env`."""
    result = subprocess.run(
        [
            sys.executable,
            "-c",
            "from treatywatch import settings as s; "
            "print(s.CACHES['default']['BACKEND'], s.CACHES['default'].get('LOCATION', ''))",
        ],
        cwd=ROOT,
        env={
            "PATH": os.environ["PATH"],
            "DJANGO_SECRET_KEY": "a-long-random-production-secret-0f9e8d7c6b5a4f3e2d1c0b9a",
            **env,
        },
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


def test_production_uses_redis_when_set_and_the_database_cache_otherwise():
    assert production_cache(REDIS_URL="redis://127.0.0.1:6379/0") == (
        "provisions.cache.backends.RedisCache redis://127.0.0.1:6379/0"
    )
    # Without Redis: the shared database cache, in the table the migration creates.
    assert production_cache() == f"provisions.cache.backends.DatabaseCache {CACHE_TABLE}"
    # Only development (one runserver process) keeps the cache in memory.
    assert production_cache(DJANGO_DEBUG="1").startswith(
        "django.core.cache.backends.locmem.LocMemCache"
    )


def test_the_migration_created_the_database_caches_table():
    assert CACHE_TABLE in connection.introspection.table_names()


# Every check, on every database alias (the test settings' replica mirror included).
@pytest.mark.django_db(databases=["default", "replica"])
def test_the_deploy_check_refuses_a_per_process_cache(settings):
    # The tests' own settings keep the cache in memory (each test process is one worker).
    errors = run_checks(include_deployment_checks=True, tags=[Tags.caches])
    assert [error.id for error in errors] == ["provisions.E001"]
    assert "LocMemCache" in errors[0].msg and "REDIS_URL" in errors[0].hint
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}}
    assert [error.id for error in run_checks(include_deployment_checks=True)].count(
        "provisions.E001"
    ) == 1
    # Not a deploy run (development): no complaint.
    assert "provisions.E001" not in [error.id for error in run_checks(tags=[Tags.caches])]


@pytest.mark.parametrize(
    "backend, location",
    [
        ("provisions.cache.backends.DatabaseCache", CACHE_TABLE),
        ("provisions.cache.backends.RedisCache", DEFAULT_TEST_REDIS),
        ("django.core.cache.backends.filebased.FileBasedCache", None),
    ],
)
def test_the_deploy_check_accepts_a_shared_cache(settings, tmp_path, backend, location):
    settings.CACHES = {"default": {"BACKEND": backend, "LOCATION": location or str(tmp_path)}}
    assert run_checks(include_deployment_checks=True, tags=[Tags.caches]) == []


# --- The Redis backend ----------------------------------------------------------------------


def test_the_redis_backend_reuses_one_client_per_pool():
    backend = RedisCache(DEFAULT_TEST_REDIS, {})
    assert backend._cache.get_client() is backend._cache.get_client()
    assert backend._cache.get_client(write=True) is backend._cache.get_client()


def test_the_redis_backend_works_like_djangos(redis_url, redis_prefix):
    backend = RedisCache(redis_url, {"KEY_PREFIX": redis_prefix, "TIMEOUT": 60})
    backend.set("probe", 1)
    backend.set("page", {"segments": [b"<p>", b"nonce"]})
    assert backend.incr("probe") == 2
    assert backend.get_many(["probe", "page", "absent"]) == {
        "probe": 2,
        "page": {"segments": [b"<p>", b"nonce"]},
    }
    assert backend.add("probe", 5) is False
    assert backend.set_many({"a": 1, "b": 2}, timeout=None) == []

"""The read replica's router (provisions/replica.py), against the test database's "replica" alias,
a mirror of "default" (treatywatch/test_settings.py): which reads go where, per request."""

import pytest
from django.db import connections, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from provisions import replica
from provisions.models import Concern, Provision
from tests.helpers import bearer, make_member, published_annotation, token_for

# Committed rows, as on a real replica: the mirror is a connection of its own, which would not
# see a test's uncommitted transaction (nor would the router send reads there inside one).
pytestmark = pytest.mark.django_db(databases=["default", "replica"], transaction=True)

PUBLIC_PAGES = [
    reverse("provisions:home"),
    reverse("provisions:article", kwargs={"number": 24}),
    reverse("provisions:search") + "?q=surveillance",
    "/api/v1/articles/24",
]


@pytest.fixture(autouse=True)
def router_on(settings, seeded):
    settings.TREATYWATCH_READ_REPLICA = True
    settings.DATABASE_ROUTERS = ["provisions.replica.ReplicaRouter"]


class Counted:
    """The queries each alias received while the block ran."""

    def __enter__(self):
        self.contexts = {alias: CaptureQueriesContext(connections[alias]) for alias in connections}
        for context in self.contexts.values():
            context.__enter__()
        return self

    def __exit__(self, *exc):
        for context in self.contexts.values():
            context.__exit__(*exc)

    def __getitem__(self, alias) -> list[str]:
        return [query["sql"] for query in self.contexts[alias].captured_queries]


def concern_page() -> str:
    return reverse("provisions:concern", kwargs={"slug": Concern.objects.first().slug})


def test_an_anonymous_reader_s_pages_are_read_from_the_replica(client):
    for path in [*PUBLIC_PAGES, concern_page()]:
        with Counted() as queries:
            response = client.get(path)
        assert response.status_code == 200, path
        assert queries["replica"], f"{path}: nothing was read from the replica"
        assert queries["default"] == [], path


def test_a_signed_in_member_reads_the_primary(client, analyst):
    client.force_login(analyst)
    with Counted() as queries:
        assert client.get(reverse("provisions:article", kwargs={"number": 24})).status_code == 200
        assert client.get(reverse("provisions:workspace")).status_code == 200
    assert queries["replica"] == []
    assert queries["default"]


def test_any_session_cookie_reads_the_primary(client):
    """Whoever carries a session may be signed in; the session itself is read from the primary."""
    client.cookies["sessionid"] = "not-a-real-session"
    with Counted() as queries:
        assert client.get(reverse("provisions:home")).status_code == 200
    assert queries["replica"] == []


def test_an_api_token_reads_the_primary(client, analyst):
    headers = bearer(token_for(analyst))
    with Counted() as queries:
        assert client.get("/api/v1/annotations", **headers).status_code == 200
    assert queries["replica"] == []
    assert queries["default"]


def test_a_post_reads_and_writes_the_primary(client):
    with Counted() as queries:
        client.post(reverse("login"), {"username": "nobody", "password": "wrong-password-123"})
    assert queries["replica"] == []
    assert queries["default"]


def test_outside_a_request_everything_is_the_primary():
    assert not replica.reads_from_replica()
    with Counted() as queries:
        Provision.objects.count()
    assert queries["replica"] == []


def _in_anonymous_request(function):
    """Run `function` as the middleware would for an anonymous GET."""
    result = {}

    def view(request):
        result["value"] = function()
        return None

    request = type("Request", (), {"method": "GET", "COOKIES": {}, "META": {}})()
    replica.ReplicaReadsMiddleware(view)(request)
    return result["value"]


def test_shared_state_is_read_from_the_primary():
    """Sessions and the database cache (generations, write limits) are read where written."""
    from django.contrib.sessions.models import Session
    from django.core.cache.backends.db import DatabaseCache

    router = replica.ReplicaRouter()
    cache_entry = DatabaseCache("treatywatch_cache", {}).cache_model_class
    assert _in_anonymous_request(lambda: router.db_for_read(Session)) == "default"
    assert _in_anonymous_request(lambda: router.db_for_read(cache_entry)) == "default"


def test_a_request_that_wrote_reads_its_own_write_from_the_primary():
    def write_then_read():
        before = replica.reads_from_replica()
        with Counted() as queries:
            Concern.objects.filter(pk=Concern.objects.first().pk).update(title="Renamed for a test")
            Provision.objects.count()
        return before, queries

    before, queries = _in_anonymous_request(write_then_read)
    assert before is True
    assert len(queries["replica"]) == 1  # the read before the write
    assert queries["default"][-1].startswith("SELECT COUNT")


def test_inside_a_transaction_an_anonymous_read_goes_to_the_primary():
    router = replica.ReplicaRouter()
    assert _in_anonymous_request(lambda: router.db_for_read(Provision)) == "replica"

    def in_atomic():
        with transaction.atomic():
            return router.db_for_read(Provision)

    assert _in_anonymous_request(in_atomic) == "default"


def test_writes_and_migrations_only_on_the_primary():
    router = replica.ReplicaRouter()
    assert _in_anonymous_request(lambda: router.db_for_write(Provision)) == "default"
    assert router.allow_migrate("default", "provisions")
    assert not router.allow_migrate("replica", "provisions")


def test_the_router_is_off_without_a_replica(client, settings):
    settings.TREATYWATCH_READ_REPLICA = False
    with Counted() as queries:
        assert client.get(reverse("provisions:home")).status_code == 200
    assert queries["replica"] == []


@pytest.fixture
def page_cache_cleared(settings):
    settings.TREATYWATCH_PAGE_CACHE = True
    from django.core.cache import cache

    cache.clear()


@pytest.mark.parametrize("caught_up", [True, False])
def test_a_page_stored_for_everyone_is_rendered_from_the_primary_when_the_replica_lags(
    client, page_cache_cleared, monkeypatch, caught_up, analyst, editor
):
    """A lagging replica would store the old page under the new generations, for everyone."""
    monkeypatch.setattr(replica, "replica_caught_up", lambda: caught_up)
    published_annotation(analyst, editor, body="Just published, not yet on the replica.")
    path = reverse("provisions:article", kwargs={"number": 24})
    with Counted() as queries:
        response = client.get(path)
    assert response["X-Page-Cache"] == "miss"
    if caught_up:
        assert queries["replica"] and queries["default"] == []
    else:
        assert queries["replica"] == [] and queries["default"]


def test_the_member_check_uses_the_session_cookie_name(settings, client, analyst):
    settings.SESSION_COOKIE_NAME = "tw_session"
    client.force_login(analyst)
    assert "tw_session" in client.cookies
    with Counted() as queries:
        client.get(reverse("provisions:home"))
    assert queries["replica"] == []


def test_an_editor_signed_in_reads_the_primary(client):
    editor = make_member("replica-editor", "Editors")
    client.force_login(editor)
    with Counted() as queries:
        client.get(reverse("provisions:article", kwargs={"number": 24}))
    assert queries["replica"] == []

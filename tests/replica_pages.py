"""Run by tests/test_replica_streaming.py in a process of its own, with DATABASE_URL naming a
throwaway primary and DATABASE_REPLICA_URL its streaming replica: migrates and seeds the primary,
waits for the replica, then reads the public pages through Django's test client and checks where
each query went. Prints what it saw; exits 1 with the reason when a check fails.
"""

import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ["DJANGO_SETTINGS_MODULE"] = "treatywatch.test_settings"

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import DatabaseError, connections  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.urls import reverse  # noqa: E402

from provisions import replica  # noqa: E402
from provisions.models import Concern  # noqa: E402
from tests.helpers import make_member, published_annotation  # noqa: E402

WAIT_SECONDS = 30


def fail(message: str) -> None:
    print(f"FAILED: {message}", flush=True)
    sys.exit(1)


def wait_for_replica() -> float:
    started = time.monotonic()
    while not replica.replica_caught_up():
        if time.monotonic() - started > WAIT_SECONDS:
            fail(f"the replica did not catch up within {WAIT_SECONDS} s")
        time.sleep(0.1)
    return time.monotonic() - started


def app_queries(context) -> list[str]:
    """The queries that read the app's own tables (not the LSN checks)."""
    return [q["sql"] for q in context.captured_queries if "provisions_" in q["sql"]]


def main() -> None:
    with connections["replica"].cursor() as cursor:
        cursor.execute("SELECT pg_is_in_recovery()")
        if cursor.fetchone() != (True,):
            fail("DATABASE_REPLICA_URL is not a server in recovery (not a replica)")
    # A copy of the migrated, seeded test database: migrating changes nothing, on the primary.
    call_command("migrate", verbosity=0)
    print(f"primary ready; the replica caught up in {wait_for_replica():.2f} s")

    analyst = make_member("stream-analyst", "Analysts")
    editor = make_member("stream-editor", "Editors")
    body = "Published on the primary, read from the replica."
    with CaptureQueriesContext(connections["replica"]) as on_replica:
        published_annotation(analyst, editor, body=body)
    if app_queries(on_replica):
        fail(f"a write read or wrote the replica: {app_queries(on_replica)[:3]}")
    print(f"replica caught up with the publication in {wait_for_replica():.3f} s")

    pages = [
        reverse("provisions:home"),
        reverse("provisions:article", kwargs={"number": 24}),
        reverse("provisions:concern", kwargs={"slug": Concern.objects.first().slug}),
        reverse("provisions:search") + "?q=replica",
        "/api/v1/articles/24",
        "/api/v1/annotations",
    ]
    client = Client()
    for path in pages:
        with (
            CaptureQueriesContext(connections["replica"]) as on_replica,
            CaptureQueriesContext(connections["default"]) as on_primary,
        ):
            response = client.get(path)
        if response.status_code != 200:
            fail(f"{path}: {response.status_code}")
        if not app_queries(on_replica) or app_queries(on_primary):
            fail(
                f"{path}: {len(app_queries(on_replica))} queries on the replica, "
                f"{len(app_queries(on_primary))} on the primary"
            )
        count = len(app_queries(on_replica))
        print(f"{path}: 200, {count} queries on the replica, 0 on the primary")
    article = client.get(pages[1]).content.decode()
    if body not in article:
        fail("the article page read from the replica does not show the published annotation")
    print("the annotation published on the primary is on the article page read from the replica")

    member = Client()
    member.force_login(analyst)
    with CaptureQueriesContext(connections["replica"]) as on_replica:
        if member.get(pages[1]).status_code != 200:
            fail("a member's article page did not answer 200")
    if app_queries(on_replica):
        fail("a signed-in member's page was read from the replica")
    print("a signed-in member's page read the primary only")

    try:
        with connections["replica"].cursor() as cursor:
            cursor.execute("CREATE TABLE replica_write_probe (id int)")
    except DatabaseError as error:
        print(f"the replica refuses writes ({error.__class__.__name__})")
    else:
        fail("the replica accepted a write: it is not a read-only standby")
    print("OK")


if __name__ == "__main__":
    main()

"""pg_dump -Fc / pg_restore round trip on PostgreSQL: the restored database has every table with
the same rows (counts and content), the sequences where they were, and the app's data reads back.

The export_dataset / import_dataset round trip is in tests/test_dataset.py; both are run end to
end on real databases by scripts/backup_restore.sh (docs/operations.md).
"""

import os
import shutil
import subprocess
import uuid

import pytest
from django.apps import apps
from django.db import connection

from provisions.models import Annotation, Provision
from provisions.services import annotation_create, annotation_update
from tests.helpers import make_member, token_for

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="pg_dump/pg_restore need PostgreSQL"
    ),
    pytest.mark.skipif(
        not (shutil.which("pg_dump") and shutil.which("pg_restore")),
        reason="pg_dump/pg_restore are not installed",
    ),
    # The dump is taken from another connection: the rows must be committed.
    pytest.mark.django_db(transaction=True),
]

TABLES = """
SELECT table_name FROM information_schema.tables
WHERE table_schema = 'public' AND table_type = 'BASE TABLE' ORDER BY table_name
"""


def libpq_env() -> dict[str, str]:
    """PGHOST/PGPORT/PGUSER/PGPASSWORD for the test database's server."""
    settings = connection.settings_dict
    env = dict(os.environ)
    for key, name in (("HOST", "PGHOST"), ("PORT", "PGPORT"), ("USER", "PGUSER")):
        if settings.get(key):
            env[name] = str(settings[key])
    if settings.get("PASSWORD"):
        env["PGPASSWORD"] = settings["PASSWORD"]
    return env


def connect(dbname: str, *, autocommit: bool = False):
    """A psycopg connection to another database of the test database's server."""
    import psycopg

    settings = connection.settings_dict
    return psycopg.connect(
        host=settings.get("HOST") or None,
        port=settings.get("PORT") or None,
        user=settings.get("USER") or None,
        password=settings.get("PASSWORD") or None,
        dbname=dbname,
        autocommit=autocommit,
    )


def table_summary(conn) -> dict[str, tuple[int, str]]:
    """Per table: its rows and an md5 of their text, in a fixed order."""
    from psycopg import sql

    rows = sql.SQL(
        "SELECT count(*), md5(coalesce(string_agg(t::text, E'\\n' ORDER BY t::text), '')) "
        "FROM public.{} t"
    )
    summary = {}
    with conn.cursor() as cursor:
        cursor.execute(TABLES)
        for (table,) in cursor.fetchall():
            cursor.execute(rows.format(sql.Identifier(table)))
            summary[table] = cursor.fetchone()
        cursor.execute(
            "SELECT sequencename, last_value FROM pg_sequences WHERE schemaname = 'public'"
        )
        summary.update({f"sequence {name}": (value, "") for name, value in cursor.fetchall()})
    return summary


@pytest.fixture
def restored_database():
    """The name of a fresh, empty database, dropped afterwards."""
    name = f"{connection.settings_dict['NAME']}_restore_{uuid.uuid4().hex[:8]}"
    with connect("postgres", autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    yield name
    with connect("postgres", autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def backup_content(seeded):
    """Rows in the tables that matter: members, a token, annotations with history and tags."""
    alice = make_member("alice", "Analysts", "Alice Ünïcode Analyst")
    token_for(alice)
    provision = Provision.objects.get(eid="art_24")
    note = annotation_create(
        provision=provision,
        author=alice,
        body="Proportionality is left to **domestic law** — «quoted», 中文, emoji 🛡️.",
        tags=["proportionality", "safeguards"],
        concerns=["weak-procedural-safeguards"],
    )
    note = annotation_update(
        annotation=note, user=alice, version=1, body=note.body + " Edited once."
    )
    annotation_create(provision=provision, author=alice, body="A second draft.")
    return note


def test_pg_dump_and_pg_restore_give_back_every_row(backup_content, restored_database, tmp_path):
    env = libpq_env()
    dump = tmp_path / "treatywatch.dump"
    source = connection.settings_dict["NAME"]
    subprocess.run(
        ["pg_dump", "-Fc", "-d", source, "-f", str(dump)],
        env=env,
        check=True,
        capture_output=True,
        timeout=120,
    )
    restore = subprocess.run(
        ["pg_restore", "--no-owner", "--exit-on-error", "-d", restored_database, str(dump)],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert restore.returncode == 0, restore.stderr

    before = table_summary(connection.connection)
    with connect(restored_database) as restored:
        after = table_summary(restored)
        with restored.cursor() as cursor:
            cursor.execute(
                f"SELECT body, version FROM {Annotation._meta.db_table} WHERE id = %s",  # noqa: S608
                [backup_content.pk],
            )
            body, version = cursor.fetchone()

    # Every model's table is there, and was not empty for the ones this test filled.
    model_tables = {model._meta.db_table for model in apps.get_models()}
    assert model_tables <= set(after)
    for model in ("provisions_annotation", "provisions_revision", "provisions_apitoken"):
        assert after[model][0] > 0
    assert after == before
    assert (body, version) == (backup_content.body, 2)
    assert "🛡️" in body

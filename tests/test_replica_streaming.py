"""A real streaming replica: a throwaway PostgreSQL cluster (initdb, as
scripts/fault_db_outage.py makes one), copied with `pg_basebackup -R` into a second cluster on
another port that follows it; then the public pages are read through Django's test client with
DATABASE_REPLICA_URL naming that copy (tests/replica_pages.py, in a process of its own, since the
settings are read once per process). The shared cluster is never touched; both clusters are
removed whatever happens.
"""

import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest
from django.db import connection

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "scripts"))

from _support import Skip, free_port, wait_until  # noqa: E402
from fault_db_outage import PrivateCluster  # noqa: E402

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="streaming replication needs PostgreSQL (run with DATABASE_URL=postgres://…)",
    ),
]


class ReplicaCluster(PrivateCluster):
    """A copy of `primary` made with pg_basebackup -R: it starts as a hot standby following it."""

    def __init__(self, primary: PrivateCluster):
        super().__init__()
        self.primary = primary

    def prepare(self) -> None:
        self.directory = Path(tempfile.mkdtemp(prefix="treatywatch-replica-pg-"))
        if self.as_postgres:
            shutil.chown(self.directory, user="postgres", group="postgres")
        result = self._run(
            str(self.bindir / "pg_basebackup"),
            *("-h", "127.0.0.1", "-p", str(self.primary.port), "-U", "postgres"),
            *("-D", str(self.data), "-R", "-X", "stream", "--checkpoint=fast"),
            timeout=60,
        )
        assert result.returncode == 0, f"pg_basebackup failed: {result.stderr[-1000:]}"
        self.start()


def in_recovery(port: int) -> bool:
    import psycopg

    try:
        with psycopg.connect(
            host="127.0.0.1", port=port, user="postgres", dbname="postgres", connect_timeout=3
        ) as conn:
            return conn.execute("SELECT pg_is_in_recovery()").fetchone() == (True,)
    except psycopg.Error:
        return False


def copy_database(source: dict, port: int, bindir: Path) -> None:
    dump = subprocess.run(
        [
            str(bindir / "pg_dump"),
            *("-h", source["HOST"] or "127.0.0.1", "-p", str(source["PORT"] or 5432)),
            *("-U", source["USER"] or "postgres", "--no-owner", "--no-privileges", source["NAME"]),
        ],
        capture_output=True,
        timeout=60,
        check=False,
    )
    assert dump.returncode == 0, dump.stderr.decode()[-1000:]
    load = subprocess.run(
        [str(bindir / "psql"), "-q", "-v", "ON_ERROR_STOP=1", "-h", "127.0.0.1", "-p", str(port)]
        + ["-U", "postgres", "-d", "treatywatch_stream"],
        input=dump.stdout,
        capture_output=True,
        timeout=60,
        check=False,
    )
    assert load.returncode == 0, load.stderr.decode()[-1000:]


def test_public_pages_read_from_a_real_streaming_replica():
    primary = PrivateCluster()
    standby = None
    try:
        try:
            primary.prepare()
        except Skip as skip:
            pytest.skip(str(skip))
        standby = ReplicaCluster(primary)
        standby.port = free_port()
        standby.prepare()
        assert wait_until(lambda: in_recovery(standby.port), 30), "the copy is not a standby"
        import psycopg

        with psycopg.connect(
            host="127.0.0.1", port=primary.port, user="postgres", dbname="postgres", autocommit=True
        ) as conn:
            conn.execute("CREATE DATABASE treatywatch_stream")  # streamed to the standby
        # The migrated and seeded test database, copied to the primary (migrating a fresh
        # database takes minutes on a busy machine); it reaches the standby by streaming.
        copy_database(connection.settings_dict, primary.port, primary.bindir)
        env = {
            **os.environ,
            "DATABASE_URL": f"postgres://postgres@127.0.0.1:{primary.port}/treatywatch_stream",
            "DATABASE_REPLICA_URL": (
                f"postgres://postgres@127.0.0.1:{standby.port}/treatywatch_stream"
            ),
        }
        result = subprocess.run(
            [sys.executable, str(ROOT / "tests" / "replica_pages.py")],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=240,
            check=False,
        )
        print(result.stdout)
        assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
        assert result.stdout.rstrip().endswith("OK")
    finally:
        for cluster in (standby, primary):
            if cluster is not None:
                cluster.cleanup()

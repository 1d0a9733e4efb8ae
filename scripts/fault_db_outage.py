#!/usr/bin/env python3
"""Stop PostgreSQL while the app serves; check the 503 answers, then the recovery.

    .venv/bin/python scripts/fault_db_outage.py                     # a private throwaway cluster
    .venv/bin/python scripts/fault_db_outage.py --cluster system    # stop/start the local cluster

Which PostgreSQL is stopped:

- `--cluster private` (default): a throwaway cluster made with `initdb` in a temporary directory
  on a free port of 127.0.0.1 (as the `postgres` user when run as root). Stopping it harms no one
  else: tests and colleagues using the shared cluster on 5432 keep working.
- `--cluster system`: the Debian cluster `main` on 127.0.0.1:5432, stopped and started with
  `pg_ctlcluster --skip-systemctl-redirect <version> main stop|start` (needs root or the
  postgres user). It is always started again at the end (try/finally).

If the chosen cluster cannot be controlled here, the script says so and exits 0 with SKIPPED.

Steps and checks, with gunicorn (2 workers × 4 threads, production settings) on 127.0.0.1:

1. before: pages, `/healthz` and the API answer 200; an analyst writes annotations through the
   API and edits some (every write acknowledged with 201/200 is remembered);
2. PostgreSQL stops: every page (anonymous, and signed-in) answers 503 with the friendly 503
   page — HTML, `Retry-After`, and no stack trace, exception name, SQL or file path in the body;
   `/healthz` answers a JSON 503; the API answers a JSON 503 (`"code": "unavailable"`) for reads
   and for writes;
3. PostgreSQL starts again: without touching gunicorn, pages and `/healthz` answer 200 within
   --recovery-timeout seconds (the time taken is printed); every acknowledged write is there with
   the version and body the client was told; the write refused during the outage is not; a new
   write succeeds.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

from _support import (
    PG_HOST,
    PG_PORT,
    PG_USER,
    ScriptFailure,
    Server,
    Skip,
    admin_connection,
    database_url,
    django_env,
    drop_database,
    ensure_system_cluster,
    free_port,
    make_members,
    pg_isready,
    prepare_database,
    recreate_database,
    request,
    run_main,
    say,
    setup_django,
    system_cluster_version,
    wait_until,
)

DB_NAME = "treatywatch_outage"
FRIENDLY = "briefly unavailable"  # templates/503.html
# Nothing of the machinery may reach a visitor.
LEAKS = (
    "Traceback",
    "OperationalError",
    "InterfaceError",
    "psycopg",
    "SELECT ",
    "connection to server",
    "Connection refused",
    'File "',
    "site-packages",
    "/work/",
    "Exception",
)
# Read before the outage: the public page cache (provisions/cache/) may still serve these to
# anonymous readers while the database is down — a stored copy (X-Page-Cache: hit) or the 503.
WARM_PAGES = ["/", "/convention/", "/convention/articles/24/", "/concerns/", "/safeguards/"]
# Never read before the outage: they need the database, so they must answer the 503 page.
COLD_PAGES = [
    "/convention/articles/31/",
    "/convention/articles/45/",
    "/coverage/",
    "/search/?q=proportionality",
]


# --- Which PostgreSQL ----------------------------------------------------------------------------


class SystemCluster:
    """The local Debian cluster `main`, controlled with pg_ctlcluster."""

    host, port, user = PG_HOST, PG_PORT, PG_USER

    def __init__(self, *, force: bool = False):
        self.version = system_cluster_version()
        self.force = force

    def others_connected(self) -> int:
        """Sessions of other programs (not this script's server): a stop would break them."""
        with admin_connection() as conn:
            row = conn.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE backend_type = 'client backend' "
                "AND pid <> pg_backend_pid() AND datname IS DISTINCT FROM %s",
                [DB_NAME],
            ).fetchone()
        return row[0]

    def prepare(self) -> None:
        if not self.version or shutil.which("pg_ctlcluster") is None:
            raise Skip("no Debian PostgreSQL cluster (pg_ctlcluster, /etc/postgresql) to control")
        ensure_system_cluster()

    def _ctl(self, action: str) -> subprocess.CompletedProcess:
        return subprocess.run(
            ["pg_ctlcluster", "--skip-systemctl-redirect", self.version, "main", action],
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )

    def stop(self) -> None:
        if not self.force and (others := self.others_connected()):
            raise Skip(
                f"{others} other session(s) use PostgreSQL {self.version}/main: stopping it "
                "would break them. Use --cluster private, or --force."
            )
        result = self._ctl("stop")
        if result.returncode != 0:
            raise Skip(
                f"cannot stop PostgreSQL {self.version}/main here ({result.stderr.strip()}); "
                "run as root or as postgres"
            )

    def start(self) -> None:
        result = self._ctl("start")
        if result.returncode != 0 and not pg_isready():
            raise ScriptFailure(f"could not start PostgreSQL again: {result.stderr.strip()}")

    def cleanup(self) -> None:
        """Always leave the shared cluster running: other tests run after this script."""
        if not pg_isready():
            say(f"Starting PostgreSQL {self.version}/main again")
            self._ctl("start")
            if not wait_until(pg_isready, 60):
                say("WARNING: PostgreSQL did not come back; start it by hand.")
        drop_database(DB_NAME, host=self.host, port=self.port, user=self.user)


class PrivateCluster:
    """A throwaway cluster in a temporary directory, on a free port of 127.0.0.1."""

    host, user = "127.0.0.1", "postgres"

    def __init__(self):
        self.port = free_port()
        self.bindir = self._bindir()
        self.directory: Path | None = None
        self.as_postgres = os.geteuid() == 0

    @staticmethod
    def _bindir() -> Path | None:
        candidates = []
        if shutil.which("pg_config"):
            result = subprocess.run(
                ["pg_config", "--bindir"], capture_output=True, text=True, check=False
            )
            candidates.append(Path(result.stdout.strip()))
        lib = Path("/usr/lib/postgresql")
        if lib.is_dir():
            versions = sorted(
                (p for p in lib.iterdir() if p.name.replace(".", "").isdigit()),
                key=lambda p: [int(x) for x in p.name.split(".")],
            )
            candidates += [v / "bin" for v in reversed(versions)]
        for candidate in candidates:
            if (candidate / "initdb").exists() and (candidate / "pg_ctl").exists():
                return candidate
        return None

    @property
    def data(self) -> Path:
        return self.directory / "data"

    def _run(self, *args: str, timeout: float = 120) -> subprocess.CompletedProcess:
        command = list(args)
        if self.as_postgres:
            command = ["runuser", "-u", "postgres", "--", *command]
        return subprocess.run(command, capture_output=True, text=True, timeout=timeout, check=False)

    def prepare(self) -> None:
        if self.bindir is None:
            raise Skip("initdb/pg_ctl not found: cannot make a throwaway PostgreSQL cluster")
        if self.as_postgres and shutil.which("runuser") is None:
            raise Skip("running as root without runuser: cannot run initdb as postgres")
        self.directory = Path(tempfile.mkdtemp(prefix="treatywatch-outage-pg-"))
        if self.as_postgres:
            try:
                shutil.chown(self.directory, user="postgres", group="postgres")
            except (LookupError, PermissionError) as exc:
                raise Skip(f"cannot hand a directory to the postgres user: {exc}") from None
        result = self._run(
            str(self.bindir / "initdb"),
            "-D",
            str(self.data),
            "-U",
            "postgres",
            "--auth=trust",
            "-E",
            "UTF8",
            "--locale=C",
        )
        if result.returncode != 0:
            raise Skip(f"initdb failed here: {result.stderr.strip()[-500:]}")
        say(f"Throwaway PostgreSQL cluster in {self.directory} on 127.0.0.1:{self.port}")
        self.start()

    def start(self) -> None:
        result = self._run(
            str(self.bindir / "pg_ctl"),
            "-D",
            str(self.data),
            "-l",
            str(self.directory / "server.log"),
            "-o",
            f"-p {self.port} -h 127.0.0.1 -k {self.directory}",
            "-w",
            "-t",
            "60",
            "start",
        )
        if result.returncode != 0:
            raise ScriptFailure(f"could not start the throwaway cluster: {result.stderr.strip()}")

    def stop(self) -> None:
        result = self._run(
            str(self.bindir / "pg_ctl"), "-D", str(self.data), "-m", "fast", "-w", "stop"
        )
        if result.returncode != 0:
            raise ScriptFailure(f"could not stop the throwaway cluster: {result.stderr.strip()}")

    def cleanup(self) -> None:
        if self.directory is None:
            return
        if (self.data / "postmaster.pid").exists():
            self._run(str(self.bindir / "pg_ctl"), "-D", str(self.data), "-m", "immediate", "stop")
        shutil.rmtree(self.directory, ignore_errors=True)


# --- Checks --------------------------------------------------------------------------------------


def leaks(text: str) -> list[str]:
    return [marker for marker in LEAKS if marker in text]


def check_outage_page(base: str, path: str, cookies: str = "", *, warm: bool = False):
    """Problems with a page's answer during the outage; and whether the page cache served it."""
    headers = {"Accept": "text/html", **({"Cookie": cookies} if cookies else {})}
    reply = request("GET", base + path, headers=headers)
    where = f"{path}{' (signed in)' if cookies else ''}"
    if warm and reply.status == 200 and reply.headers.get("x-page-cache") == "hit":
        return [], True
    problems = []
    if reply.status != 503:
        problems.append(f"{where}: {reply.status}, expected 503")
    if not reply.headers.get("content-type", "").startswith("text/html"):
        problems.append(f"{where}: not HTML ({reply.headers.get('content-type')})")
    if FRIENDLY not in reply.text:
        problems.append(f"{where}: not the friendly 503 page: {reply.text[:200]!r}")
    if "retry-after" not in reply.headers:
        problems.append(f"{where}: no Retry-After")
    if found := leaks(reply.text):
        problems.append(f"{where}: the body shows {found}")
    return problems, False


def check_outage_json(base: str, method: str, path: str, **kwargs) -> list[str]:
    reply = request(method, base + path, **kwargs)
    problems = []
    if reply.status != 503:
        problems.append(f"{method} {path}: {reply.status}, expected 503")
    try:
        payload = reply.json()
    except ValueError:
        return [*problems, f"{method} {path}: not JSON: {reply.text[:200]!r}"]
    if path.startswith("/api/") and payload.get("error", {}).get("code") != "unavailable":
        problems.append(f"{method} {path}: error code is not 'unavailable': {payload}")
    if path == "/healthz" and payload.get("status") != "unavailable":
        problems.append(f"/healthz says {payload}")
    if found := leaks(reply.text):
        problems.append(f"{method} {path}: the body shows {found}")
    return problems


def all_up(base: str, paths: list[str]) -> dict[str, int]:
    """Status of every page (and /healthz, the API) right now; 0 when no answer."""
    statuses = {}
    for path in [*paths, "/healthz", "/api/v1/annotations"]:
        try:
            statuses[path] = request("GET", base + path, timeout=10).status
        except OSError:
            statuses[path] = 0
    return statuses


def signed_in_cookie(user) -> str:
    """A real session for `user` in the database, as the browser would carry it."""
    from django.conf import settings
    from django.test import Client

    client = Client()
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    return f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}"


# --- The run -------------------------------------------------------------------------------------


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--cluster", choices=["private", "system"], default="private")
    parser.add_argument(
        "--force", action="store_true", help="system: stop it even if others are connected"
    )
    parser.add_argument("--annotations", type=int, default=8, help="writes before the outage")
    parser.add_argument("--recovery-timeout", type=float, default=60.0)
    args = parser.parse_args()

    cluster = PrivateCluster() if args.cluster == "private" else SystemCluster(force=args.force)
    server = None
    try:
        cluster.prepare()
        where = {"host": cluster.host, "port": cluster.port, "user": cluster.user}
        recreate_database(DB_NAME, **where)
        env = django_env(database_url(DB_NAME, **where))
        say(f"Scratch database {DB_NAME} on {cluster.host}:{cluster.port}: migrate, seed")
        prepare_database(env)
        setup_django(env)
        server = Server(env, workers=2, threads=4)
        run(cluster, server, args)
    finally:
        if server is not None:
            server.cleanup()
        try:
            from django.db import connections

            connections.close_all()
        except Exception:  # noqa: S110 (Django may not be set up yet)
            pass
        cluster.cleanup()


def run(cluster, server: Server, args) -> None:
    from django.db import connections
    from django.urls import reverse

    from provisions.models import Annotation

    ((user, token),) = make_members("outage-", ["analyst"])
    cookies = signed_in_cookie(user)
    workspace = reverse("provisions:workspace")
    auth = {"Authorization": f"Bearer {token}"}
    server.start()
    base = server.base
    say(f"gunicorn on {base}")

    # 1. Before: everything answers, and some writes are acknowledged.
    statuses = all_up(base, WARM_PAGES)
    if any(status != 200 for status in statuses.values()):
        raise ScriptFailure(f"not healthy before the outage: {statuses}")
    acknowledged: dict[int, tuple[int, str]] = {}
    for n in range(args.annotations):
        body = f"Written before the outage, number {n}."
        reply = request(
            "POST",
            base + "/api/v1/annotations",
            headers=auth,
            data={"bodyValue": body, "target": f"art_{n + 1}", "tags": ["outage"]},
        )
        if reply.status != 201:
            raise ScriptFailure(f"write {n} before the outage: {reply.status} {reply.text[:300]}")
        pk = int(reply.json()["id"].rstrip("/").rsplit("/", 1)[1])
        acknowledged[pk] = (1, body)
    for pk in list(acknowledged)[::2]:
        body = f"Edited before the outage: #{pk}."
        reply = request(
            "PATCH",
            f"{base}/api/v1/annotations/{pk}",
            headers={**auth, "If-Match": f'"{pk}-v1"'},
            data={"bodyValue": body},
        )
        if reply.status != 200:
            raise ScriptFailure(f"edit of #{pk} before the outage: {reply.status}")
        acknowledged[pk] = (reply.json()["version"], body)
    say(
        f"before: {len(WARM_PAGES)} pages, /healthz and the API answer 200; "
        f"{len(acknowledged)} annotations written and acknowledged"
    )

    # 2. The outage.
    connections.close_all()
    stopped_at = time.monotonic()
    cluster.stop()
    if pg_isready(host=cluster.host, port=cluster.port):
        raise ScriptFailure("PostgreSQL still answers after the stop")
    say("PostgreSQL stopped")
    problems: list[str] = []
    refused_body = "Sent while the database was down."
    checks = cached = 0
    for _round in range(3):  # several rounds: both workers, fresh and pooled connections
        for path in WARM_PAGES + COLD_PAGES:
            found, from_cache = check_outage_page(base, path, warm=path in WARM_PAGES)
            problems += found
            cached += from_cache
        found, _from_cache = check_outage_page(base, workspace, cookies)
        problems += found
        problems += check_outage_json(base, "GET", "/healthz")
        problems += check_outage_json(base, "GET", "/api/v1/annotations")
        problems += check_outage_json(
            base, "GET", f"/api/v1/annotations/{next(iter(acknowledged))}", headers=auth
        )
        problems += check_outage_json(
            base,
            "POST",
            "/api/v1/annotations",
            headers=auth,
            data={"bodyValue": refused_body, "target": "art_2"},
        )
        checks += len(WARM_PAGES) + len(COLD_PAGES) + 5
    say(
        f"during the outage: {checks} requests checked; {checks - cached} answered 503, "
        f"{cached} from the public page cache (pages stored before the outage)"
    )

    # 3. Back up: the app must recover by itself.
    cluster.start()
    restarted = time.monotonic()
    say(f"PostgreSQL started again after {restarted - stopped_at:.1f} s down")
    latest: dict[str, int] = {}

    def recovered() -> bool:
        latest.clear()
        latest.update(all_up(base, WARM_PAGES + COLD_PAGES))
        signed_in = request("GET", base + workspace, headers={"Cookie": cookies}, timeout=10)
        latest[f"{workspace} (signed in)"] = signed_in.status
        return all(status == 200 for status in latest.values())

    if not wait_until(recovered, args.recovery_timeout, interval=0.5):
        problems.append(f"not recovered {args.recovery_timeout:g} s after the restart: {latest}")
    else:
        say(f"recovered {time.monotonic() - restarted:.1f} s after PostgreSQL was back")

    for pk, (version, body) in acknowledged.items():
        reply = request("GET", f"{base}/api/v1/annotations/{pk}", headers=auth)
        if reply.status != 200:
            problems.append(f"acknowledged #{pk}: {reply.status} after the outage")
            continue
        payload = reply.json()
        if payload["version"] != version or payload["body"]["value"] != body:
            problems.append(
                f"acknowledged #{pk}: v{payload['version']} {payload['body']['value']!r}, "
                f"the client was told v{version} {body!r}"
            )
    stored = Annotation.objects.filter(author=user)
    if stored.filter(body=refused_body).exists():
        problems.append("the write refused with 503 during the outage was stored")
    if stored.count() != len(acknowledged):
        problems.append(f"{stored.count()} annotations stored, {len(acknowledged)} acknowledged")
    reply = request(
        "POST",
        base + "/api/v1/annotations",
        headers=auth,
        data={"bodyValue": "Written after the outage.", "target": "art_3"},
    )
    if reply.status != 201:
        problems.append(f"a write after the recovery: {reply.status} {reply.text[:200]}")
    else:
        say(f"after: all {len(acknowledged)} acknowledged writes are there; a new write succeeds")

    if problems:
        for line in dict.fromkeys(problems):
            say(f"  ✗ {line}")
        say("\nserver log (tail):\n" + server.log())
        raise ScriptFailure(f"{len(set(problems))} problem(s) around the outage")
    say(
        "\nOK: 503 page, JSON 503s and /healthz 503 while down; recovered by itself; "
        "no acknowledged write lost."
    )


if __name__ == "__main__":
    run_main(main)

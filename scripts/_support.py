"""Shared pieces of the load and fault scripts: scratch PostgreSQL databases, a gunicorn server
on 127.0.0.1, and a tiny HTTP client (standard library only).

Everything here is bounded: every wait has a deadline, every subprocess a timeout, and the
server is stopped by its own process group id.
"""

from __future__ import annotations

import http.client
import json
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VENV_BIN = ROOT / ".venv" / "bin"
PYTHON = str(VENV_BIN / "python") if (VENV_BIN / "python").exists() else sys.executable
GUNICORN = str(VENV_BIN / "gunicorn") if (VENV_BIN / "gunicorn").exists() else "gunicorn"

PG_HOST = os.environ.get("PGHOST", "127.0.0.1")
PG_PORT = int(os.environ.get("PGPORT", "5432"))
PG_USER = os.environ.get("PGUSER", "postgres")


class ScriptFailure(Exception):
    """The script could not set up or a check failed: printed, exit status 1."""


class Skip(Exception):
    """The script cannot run here (e.g. no control over PostgreSQL): printed, exit status 0."""


def say(message: str) -> None:
    print(message, flush=True)


# --- PostgreSQL ---------------------------------------------------------------------------------


def database_url(name: str, *, host: str = PG_HOST, port: int = PG_PORT, user: str = PG_USER):
    return f"postgres://{user}@{host}:{port}/{name}"


def pg_isready(*, host: str = PG_HOST, port: int = PG_PORT) -> bool:
    if shutil.which("pg_isready") is None:
        return _port_open(host, port)
    result = subprocess.run(
        ["pg_isready", "-q", "-h", host, "-p", str(port)], timeout=10, check=False
    )
    return result.returncode == 0


def _port_open(host: str, port: int) -> bool:
    try:
        with socket.create_connection((host, port), timeout=1):
            return True
    except OSError:
        return False


def system_cluster_version() -> str | None:
    """The version of the Debian cluster `main` (the directory name under /etc/postgresql)."""
    try:
        versions = sorted(os.listdir("/etc/postgresql"), key=_version_key)
    except OSError:
        return None
    return versions[-1] if versions else None


def _version_key(text: str):
    return [int(part) if part.isdigit() else 0 for part in text.split(".")]


def ensure_system_cluster(timeout: float = 30) -> None:
    """Start the local Debian cluster if it is down (as CI does); fail if it does not answer."""
    if pg_isready():
        return
    version = system_cluster_version()
    if version and shutil.which("pg_ctlcluster"):
        say(f"PostgreSQL is down: starting cluster {version}/main")
        subprocess.run(
            ["pg_ctlcluster", "--skip-systemctl-redirect", version, "main", "start"],
            timeout=60,
            check=False,
        )
    if not wait_until(pg_isready, timeout):
        raise ScriptFailure(f"PostgreSQL does not answer on {PG_HOST}:{PG_PORT}.")


def admin_connection(*, host: str = PG_HOST, port: int = PG_PORT, user: str = PG_USER):
    """An autocommit psycopg connection to the maintenance database (for CREATE/DROP DATABASE)."""
    import psycopg

    return psycopg.connect(
        host=host, port=port, user=user, dbname="postgres", autocommit=True, connect_timeout=10
    )


def _quoted(name: str) -> str:
    if not name.replace("_", "").isalnum():
        raise ValueError(f"unexpected database name {name!r}")
    return f'"{name}"'


def recreate_database(name: str, **where) -> None:
    with admin_connection(**where) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {_quoted(name)} WITH (FORCE)")
        conn.execute(f"CREATE DATABASE {_quoted(name)}")


def drop_database(name: str, **where) -> None:
    try:
        with admin_connection(**where) as conn:
            conn.execute(f"DROP DATABASE IF EXISTS {_quoted(name)} WITH (FORCE)")
    except Exception as exc:  # cleanup: report, never mask the real outcome
        say(f"(could not drop scratch database {name}: {exc.__class__.__name__}: {exc})")


# --- Django -------------------------------------------------------------------------------------


def django_env(url: str, **extra: str) -> dict[str, str]:
    """Production settings, plain HTTP on 127.0.0.1, a throwaway secret key."""
    env = dict(os.environ)
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "treatywatch.settings",
            "DJANGO_SECRET_KEY": "load-" + secrets.token_urlsafe(48),
            "DATABASE_URL": url,
            "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
            "DJANGO_SECURE_SSL_REDIRECT": "0",
            "DJANGO_SECURE_COOKIES": "0",
            "DJANGO_HSTS_SECONDS": "0",
            "PYTHONUNBUFFERED": "1",
        }
    )
    env.pop("DJANGO_DEBUG", None)  # production settings: DEBUG off
    env.update(extra)
    return env


def manage(env: dict[str, str], *args: str, timeout: float = 300, quiet: bool = True) -> str:
    result = subprocess.run(
        [PYTHON, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    if result.returncode != 0:
        raise ScriptFailure(
            f"manage.py {' '.join(args)} failed ({result.returncode}):\n"
            f"{result.stdout[-2000:]}{result.stderr[-4000:]}"
        )
    if not quiet:
        say(result.stdout.rstrip())
    return result.stdout


def prepare_database(env: dict[str, str], *, demo: bool = False) -> None:
    """migrate, seed, collectstatic (production storage needs the manifest to render pages) and
    compilemessages (the served languages need the compiled catalogues)."""
    manage(env, "migrate", "--noinput")
    manage(env, "seed", *(["--demo"] if demo else []))
    manage(env, "collectstatic", "--noinput")
    manage(env, "compilemessages", "--verbosity", "0")


def setup_django(env: dict[str, str]) -> None:
    """Configure Django in this process with the same settings the server gets."""
    os.environ.update(env)
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    import django

    django.setup()


def make_members(prefix: str, roles: list[str]) -> list[tuple[object, str]]:
    """Members through the app's own services, each with a personal API token.

    Their random passwords are thrown away (the scripts use the tokens), so hashing them with
    the production hasher (about a second each on a busy CI machine) would only cost time: a
    fast hasher is used in this process only, for this scratch database.
    """
    from django.test.utils import override_settings

    from provisions.services.members import member_create
    from provisions.services.tokens import api_token_create

    made = []
    fast = override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"])
    with fast:
        for index, role in enumerate(roles):
            username = f"{prefix}{index:02d}"
            user, _password = member_create(
                username=username,
                email=f"{username}@example.org",
                role=role,
                display_name=f"{role.title()} {index:02d}",
            )
            # As the member would make it: an editor's after two-factor sign-in (editor powers).
            _token, raw = api_token_create(
                user=user, name=f"{prefix} script", two_factor_verified=role == "editor"
            )
            made.append((user, raw))
    return made


# --- Server -------------------------------------------------------------------------------------


# django.request logs every 4xx as a warning ("Precondition Failed: /api/v1/annotations/3").
CLIENT_ERROR_NOTE = re.compile(r"^[A-Z][A-Za-z -]+: /\S*$")


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class Server:
    """gunicorn on 127.0.0.1 in its own process group; stop() ends that group only."""

    env: dict[str, str]
    app: str = "treatywatch.wsgi"
    workers: int = 2
    threads: int = 4
    port: int = field(default_factory=free_port)
    process: subprocess.Popen | None = None
    log_path: Path | None = None

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, *, ready_timeout: float = 60) -> None:
        handle, name = tempfile.mkstemp(prefix="treatywatch-gunicorn-", suffix=".log")
        os.close(handle)
        self.log_path = Path(name)
        log = open(self.log_path, "w")  # noqa: SIM115 (kept open for the server's lifetime)
        self.process = subprocess.Popen(  # noqa: S603
            [
                GUNICORN,
                self.app,
                "--bind",
                f"127.0.0.1:{self.port}",
                "--workers",
                str(self.workers),
                "--threads",
                str(self.threads),
                "--timeout",
                "60",
                "--graceful-timeout",
                "5",
                "--log-level",
                "warning",
            ],
            cwd=ROOT,
            env=self.env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        log.close()

        def ready() -> bool:
            if self.process.poll() is not None:
                raise ScriptFailure(f"gunicorn exited ({self.process.returncode}):\n{self.log()}")
            try:
                return request("GET", self.base + "/healthz", timeout=5).status == 200
            except OSError:
                return False

        if not wait_until(ready, ready_timeout, interval=0.3):
            self.stop()
            raise ScriptFailure(f"gunicorn did not become ready:\n{self.log()}")

    def log(self, chars: int = 4000) -> str:
        """The tail of the server's log, without Django's one-line notes about 4xx answers."""
        if self.log_path is None or not self.log_path.exists():
            return ""
        lines = self.log_path.read_text(errors="replace").splitlines()
        kept = [line for line in lines if not CLIENT_ERROR_NOTE.match(line)]
        return "\n".join(kept)[-chars:]

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        pgid = self.process.pid  # the session leader: its group id is its pid
        try:
            os.killpg(pgid, signal.SIGTERM)
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(pgid, signal.SIGKILL)
            self.process.wait(timeout=10)
        except ProcessLookupError:
            pass

    def cleanup(self) -> None:
        self.stop()
        if self.log_path is not None:
            self.log_path.unlink(missing_ok=True)


# --- HTTP ---------------------------------------------------------------------------------------


@dataclass
class Reply:
    status: int
    headers: dict[str, str]
    body: bytes
    seconds: float

    @property
    def text(self) -> str:
        return self.body.decode("utf-8", errors="replace")

    def json(self):
        return json.loads(self.body.decode("utf-8"))


def request(
    method: str,
    url: str,
    *,
    headers: dict[str, str] | None = None,
    data=None,
    timeout: float = 30,
) -> Reply:
    """One request on a fresh connection (no keep-alive: a write is never silently re-sent)."""
    assert url.startswith("http://127.0.0.1:"), url  # only ever the local server
    rest = url.removeprefix("http://")
    hostport, _sep, path = rest.partition("/")
    host, _sep, port = hostport.partition(":")
    body = None
    send_headers = {"Connection": "close", "Accept": "application/json, text/html"}
    if data is not None:
        body = json.dumps(data).encode("utf-8")
        send_headers["Content-Type"] = "application/json"
    send_headers.update(headers or {})
    started = time.monotonic()
    conn = http.client.HTTPConnection(host, int(port), timeout=timeout)
    try:
        conn.request(method, "/" + path, body=body, headers=send_headers)
        response = conn.getresponse()
        payload = response.read()
        return Reply(
            response.status,
            {k.lower(): v for k, v in response.getheaders()},
            payload,
            time.monotonic() - started,
        )
    finally:
        conn.close()


def wait_until(predicate, timeout: float, *, interval: float = 0.5) -> bool:
    deadline = time.monotonic() + timeout
    while True:
        if predicate():
            return True
        if time.monotonic() >= deadline:
            return False
        time.sleep(interval)


def _terminated(signum, frame):
    # `timeout` (CI) sends SIGTERM: unwind through the finally blocks, which stop the server
    # and put PostgreSQL back.
    raise SystemExit(128 + signum)


def run_main(main) -> None:
    """Exit 0 on success, 1 on failure (with the reason), 0 with SKIPPED when it cannot run."""
    signal.signal(signal.SIGTERM, _terminated)
    try:
        main()
    except Skip as skip:
        say(f"SKIPPED: {skip}")
        sys.exit(0)
    except ScriptFailure as failure:
        say(f"FAILED: {failure}")
        sys.exit(1)
    except KeyboardInterrupt:
        say("Interrupted.")
        sys.exit(130)

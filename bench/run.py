"""`make bench`: TreatyWatch under load, at three data sizes, on PostgreSQL + Redis + gunicorn.

For each size (1k, 10k, 100k annotations) it rebuilds the database `treatywatch_bench`, seeds it,
generates the data (bench/generate.py), counts the queries of every target with Django's test
client, serves the app with gunicorn (2 workers, production settings) and drives load with wrk
against each target in turn. Then it writes bench/results/latest.md and prints it.

    .venv/bin/python bench/run.py            # the full run (about 10 minutes)
    .venv/bin/python bench/run.py --quick    # a smoke run: 1k only, 2 s per target

Compare ratios within one run (the static file and the trivial view are the yardsticks), never
absolute numbers across machines: wrk and gunicorn share the same cores here.
See bench/README.md.
"""

import argparse
import datetime
import gzip
import http.cookiejar
import json
import os
import platform
import re
import secrets
import shutil
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
WORK = ROOT / "bench" / "work"
RESULTS = ROOT / "bench" / "results"
DB_NAME = "treatywatch_bench"
PG = {"host": "127.0.0.1", "port": "5432", "user": "postgres"}
REDIS_DB = 1
HOST = "127.0.0.1"
ARTICLE = 24
CONCERN = "weak-procedural-safeguards"
SEARCH = "surveillance"
STATIC_COPY = "bench/article-24.html"  # under STATIC_ROOT, written at run time
FIRST_VISIT_BUDGET = 60 * 1024
RSS_BUDGET_MB = 150
# Issue 15's targets, as ratios within one run.
ARTICLE_RPS, ARTICLE_P99 = 0.9, 1.5  # the cached article page against the static file
API_RPS = 0.5  # anonymous API reads against the static file
CREATE_P99 = 5  # the htmx create against the trivial view


def production_env(database: str, redis_db: int) -> dict[str, str]:
    """The environment of a production-settings server on this machine (DEBUG off, plain HTTP,
    a bench secret key), on `database` and Redis database `redis_db`; bench/inprocess.py too."""
    return {
        "DJANGO_SETTINGS_MODULE": "treatywatch.settings",
        "DJANGO_DEBUG": "0",
        "DJANGO_SECRET_KEY": "bench-only-secret-key-" + "x" * 40,
        "DATABASE_URL": f"postgres://{PG['user']}@{PG['host']}:{PG['port']}/{database}",
        "REDIS_URL": f"redis://{HOST}:6379/{redis_db}",
        "DJANGO_SECURE_SSL_REDIRECT": "0",
        "DJANGO_SECURE_COOKIES": "0",
        "DJANGO_HSTS_SECONDS": "0",
        "DJANGO_ALLOWED_HOSTS": HOST,
        "DJANGO_LOG_LEVEL": "ERROR",
    }


PLAIN_ENV = production_env(DB_NAME, REDIS_DB)


def say(line: str = "") -> None:
    print(line, flush=True)


def run(cmd: list[str], **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run(cmd, check=True, text=True, capture_output=True, **kwargs)


# --- The services the benchmark needs -----------------------------------------------------------


def ensure_postgres() -> None:
    ready = subprocess.run(["pg_isready", "-h", PG["host"], "-p", PG["port"]], capture_output=True)
    if ready.returncode != 0:
        version = sorted(os.listdir("/etc/postgresql"))[-1]
        say(f"Starting PostgreSQL {version}…")
        run(["pg_ctlcluster", "--skip-systemctl-redirect", version, "main", "start"])
        for _ in range(30):
            if (
                subprocess.run(["pg_isready", "-h", PG["host"]], capture_output=True).returncode
                == 0
            ):
                return
            time.sleep(1)
        sys.exit("PostgreSQL did not start.")


def ensure_redis() -> None:
    if subprocess.run(["redis-cli", "-h", HOST, "ping"], capture_output=True).returncode == 0:
        return
    say("Starting Redis…")
    run(
        ["redis-server", "--daemonize", "yes", "--bind", HOST, "--port", "6379"]
        + ["--save", "", "--appendonly", "no"]
    )
    time.sleep(1)


def ensure_wrk() -> None:
    if shutil.which("wrk"):
        return
    say("Installing wrk (Debian package)…")
    sudo = [] if os.geteuid() == 0 else ["sudo"]
    subprocess.run([*sudo, "apt-get", "install", "-y", "-qq", "wrk"], check=False)
    if not shutil.which("wrk"):
        subprocess.run([*sudo, "apt-get", "update", "-qq"], check=True)
        subprocess.run([*sudo, "apt-get", "install", "-y", "-qq", "wrk"], check=True)


def psql(sql: str, database: str = "postgres") -> str:
    return run(
        ["psql", "-h", PG["host"], "-p", PG["port"], "-U", PG["user"], "-d", database]
        + ["-v", "ON_ERROR_STOP=1", "-qAt", "-c", sql]
    ).stdout.strip()


# --- Django in this process (same settings and database as gunicorn) ---------------------------


def setup_django():
    os.environ.update(PLAIN_ENV)
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


def fresh_database() -> None:
    from django.core.management import call_command
    from django.db import connections

    connections.close_all()
    psql(f"DROP DATABASE IF EXISTS {DB_NAME} WITH (FORCE)")
    psql(f"CREATE DATABASE {DB_NAME}")
    call_command("migrate", verbosity=0, interactive=False)
    call_command("seed", stdout=open(os.devnull, "w"))  # noqa: SIM115


def flush_cache() -> None:
    run(["redis-cli", "-h", HOST, "-n", str(REDIS_DB), "flushdb"])


def vacuum_analyze() -> None:
    # After a bulk load, as autovacuum would soon do: the planner needs the statistics.
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")


def test_client():
    from django.test import Client

    return Client(HTTP_HOST=HOST)


def count_queries(client, method: str, url: str, **extra) -> tuple[int, object]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        response = getattr(client, method)(url, **extra)
    return len(captured.captured_queries), response


def create_form(client=None) -> dict:
    """A valid htmx annotation form for Article 24 (a quote of its first words, a tag)."""
    from provisions.models import Provision

    text = Provision.objects.get(eid=f"art_{ARTICLE}").text
    words = list(re.finditer(r"\S+", text))[:4]
    return {
        "provision": f"art_{ARTICLE}",
        "quote": text[: words[-1].end()],
        "prefix": "",
        "suffix": text[words[-1].end() : words[-1].end() + 32],
        "start": "0",
        "end": str(words[-1].end()),
        "body": "Benchmark note: *this* provision needs a **judicial** safeguard.",
        "tags": "benchmark",
        "action": "draft",
    }


def measure_queries(targets: list[dict]) -> None:
    """Queries per request for every target, with the test client against the bench database:
    `render` with the page cache off (what a miss costs), `served` for a request as the load
    test sends it (a cached page: 0)."""
    from django.contrib.auth import get_user_model
    from django.test import override_settings

    from bench.generate import LOGIN_ANALYST

    anonymous = test_client()
    for target in targets:
        if target["kind"] == "static":
            target["queries_render"] = target["queries_served"] = 0
            continue
        if target["kind"] == "create":
            analyst = test_client()
            analyst.force_login(get_user_model().objects.get(username=LOGIN_ANALYST))
            # The first create also creates its tag; the load test's creates find it.
            analyst.post(target["path"], data=create_form(), HTTP_HX_REQUEST="true")
            n, response = count_queries(
                analyst, "post", target["path"], data=create_form(), HTTP_HX_REQUEST="true"
            )
            assert response.status_code == 200, response.status_code
            target["queries_render"] = target["queries_served"] = n
            continue
        with override_settings(TREATYWATCH_PAGE_CACHE=False):
            n, response = count_queries(anonymous, "get", target["path"])
        assert response.status_code == 200, (target["path"], response.status_code)
        target["queries_render"] = n
        if target["kind"] == "search-uncached":
            target["queries_served"], target["body_bytes"] = n, len(response.content)
            target["page_cache"] = "miss"
            continue
        count_queries(anonymous, "get", target["path"])  # fills the page cache if it has one
        target["queries_served"], response = count_queries(anonymous, "get", target["path"])
        target["page_cache"] = response.get("X-Page-Cache", "none")
        target["body_bytes"] = len(response.content)


def explain_search() -> tuple[str, int]:
    """EXPLAIN ANALYZE of the one statement a search runs over the annotations for an anonymous
    reader (the newest COUNT_CAP matches, counted by facet and ranked), and the number of
    matches."""
    from django.contrib.auth.models import AnonymousUser
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from provisions.search.annotation_matches import AnnotationMatches
    from provisions.search.facets import FACETS
    from provisions.search.query import clean_query

    matches = AnnotationMatches(clean_query(SEARCH), AnonymousUser())
    with CaptureQueriesContext(connection) as captured:
        matches.counted({name: set() for name in FACETS})
    total = matches.matches.count()  # every match (the statement stops at facets.COUNT_CAP)
    (query,) = captured.captured_queries
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN ANALYZE {query['sql']}")
        plan = "\n".join(row[0] for row in cursor.fetchall())
    return plan, total


def in_process(method: str, client, path: str, repeat: int = 7, **extra) -> dict:
    """One request's own cost, without load or queueing: the median over `repeat` requests of
    the time in the view's process, of the time its queries took (as the database driver saw
    them), their number, and the CPU time this process spent (Python's own work)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    runs = []
    for _ in range(repeat):
        with CaptureQueriesContext(connection) as captured:
            started, cpu = time.perf_counter(), time.process_time()
            response = getattr(client, method)(path, **extra)
            elapsed = (time.perf_counter() - started) * 1000
            cpu = (time.process_time() - cpu) * 1000
        assert response.status_code == 200, (path, response.status_code)
        sql = sum(float(query["time"]) for query in captured.captured_queries) * 1000
        runs.append((elapsed, sql, len(captured.captured_queries), cpu))
    runs.sort()
    total, sql, queries, cpu = runs[len(runs) // 2]
    return {"total_ms": total, "sql_ms": sql, "queries": queries, "cpu_ms": cpu}


def measure_in_process(targets: list[dict]) -> dict:
    """What one uncached search and one htmx create cost in this process (the reasons the
    report gives for a missed target come from these numbers)."""
    from django.contrib.auth import get_user_model
    from django.test import override_settings

    from bench.generate import LOGIN_ANALYST

    search = next(t for t in targets if t["kind"] == "search-uncached")
    create = next(t for t in targets if t["kind"] == "create")
    with override_settings(TREATYWATCH_PAGE_CACHE=False):
        searched = in_process("get", test_client(), search["path"])
    analyst = test_client()
    analyst.force_login(get_user_model().objects.get(username=LOGIN_ANALYST))
    created = in_process(
        "post", analyst, create["path"], data=create_form(), HTTP_HX_REQUEST="true"
    )
    return {"search": searched, "create": created}


def write_static_copy() -> int:
    """The article page's HTML as a static file (same bytes), for whitenoise to serve."""
    from django.conf import settings

    html = test_client().get(f"/convention/articles/{ARTICLE}/").content
    path = Path(settings.STATIC_ROOT) / STATIC_COPY
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(html)
    return len(html)


# --- gunicorn -----------------------------------------------------------------------------------


class Server:
    def __init__(self, port: int):
        self.port = port
        self.base = f"http://{HOST}:{port}"
        self.process = None

    def start(self) -> None:
        WORK.mkdir(parents=True, exist_ok=True)
        env = {**os.environ, **PLAIN_ENV}
        self.log = open(WORK / "gunicorn.log", "a")  # noqa: SIM115
        self.process = subprocess.Popen(
            [str(ROOT / ".venv" / "bin" / "gunicorn"), "-w", "2", "-b", f"{HOST}:{self.port}"]
            + ["--log-level", "warning", "treatywatch.wsgi"],
            cwd=ROOT,
            env=env,
            stdout=self.log,
            stderr=subprocess.STDOUT,
        )
        for _ in range(100):
            try:
                with urllib.request.urlopen(f"{self.base}/bench/ping", timeout=2) as response:
                    if response.status == 200:
                        return
            except OSError:
                time.sleep(0.2)
        self.stop()
        sys.exit(f"gunicorn did not answer; see {WORK / 'gunicorn.log'}")

    def workers(self) -> list[int]:
        pids = []
        for stat in Path("/proc").glob("[0-9]*/stat"):
            try:
                fields = stat.read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == self.process.pid:
                pids.append(int(stat.parent.name))
        return sorted(pids)

    def worker_rss_mb(self) -> list[float]:
        sizes = []
        for pid in self.workers():
            status = Path(f"/proc/{pid}/status").read_text()
            kb = int(re.search(r"VmRSS:\s+(\d+) kB", status).group(1))
            sizes.append(kb / 1024)
        return sizes

    def cpu_ticks(self) -> int:
        ticks = 0
        for pid in self.workers():
            try:
                fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            ticks += int(fields[11]) + int(fields[12])  # utime + stime
        return ticks

    def wait_idle(self, limit: float = 300) -> None:
        """Until the workers use no CPU for a moment: nothing left over from the last target."""
        deadline = time.monotonic() + limit
        previous = self.cpu_ticks()
        while time.monotonic() < deadline:
            time.sleep(0.3)
            current = self.cpu_ticks()
            if current == previous:
                return
            previous = current

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
        self.log.close()


def timed_get(url: str) -> float:
    started = time.perf_counter()
    with urllib.request.urlopen(url, timeout=300) as response:
        response.read()
    return (time.perf_counter() - started) * 1000


def sign_in(base: str, username: str, password: str) -> dict:
    """Sign in as a person would; returns the session and CSRF cookies and the page's token."""
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    login = opener.open(f"{base}/accounts/login/").read().decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', login).group(1)
    data = urllib.parse.urlencode(
        {"username": username, "password": password, "csrfmiddlewaretoken": token, "next": "/"}
    ).encode()
    opener.open(urllib.request.Request(f"{base}/accounts/login/", data=data)).read()
    cookies = {cookie.name: cookie.value for cookie in jar}
    if "sessionid" not in cookies:
        sys.exit("The benchmark analyst could not sign in.")
    page = opener.open(f"{base}/convention/articles/{ARTICLE}/").read().decode()
    header_token = re.search(r'"x-csrftoken": "([^"]+)"', page).group(1)
    cookies = {cookie.name: cookie.value for cookie in jar}
    return {"cookies": cookies, "token": header_token}


def first_visit(base: str) -> dict:
    """What a first visit to the article page transfers: the HTML and the CSS and JS it loads,
    each asked for with Accept-Encoding: gzip, as a browser does."""

    def fetch(path: str) -> tuple[int, int, str]:
        request = urllib.request.Request(base + path, headers={"Accept-Encoding": "gzip"})
        with urllib.request.urlopen(request) as response:
            body = response.read()
            encoding = response.headers.get("Content-Encoding", "")
        raw = len(gzip.decompress(body)) if encoding == "gzip" else len(body)
        return len(body), raw, encoding or "identity"

    page_path = f"/convention/articles/{ARTICLE}/"
    request = urllib.request.Request(base + page_path, headers={"Accept-Encoding": "gzip"})
    with urllib.request.urlopen(request) as response:
        body = response.read()
        html = gzip.decompress(body) if response.headers.get("Content-Encoding") == "gzip" else body
    html = html.decode()
    assets = re.findall(r'<link rel="stylesheet" href="([^"]+)"', html)
    assets += re.findall(r'<script[^>]* src="([^"]+)"', html)
    rows = [("HTML " + page_path, *fetch(page_path))]
    rows += [(asset, *fetch(asset)) for asset in assets]
    return {"rows": rows, "total": sum(row[1] for row in rows)}


# --- wrk ----------------------------------------------------------------------------------------

REPORT_LUA = """
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    "WRKJSON {\\"requests\\":%d,\\"duration_us\\":%d,\\"bytes\\":%d,\\"status\\":%d,"
    .. "\\"connect\\":%d,\\"read\\":%d,\\"write\\":%d,\\"timeout\\":%d,"
    .. "\\"p50\\":%d,\\"p99\\":%d,\\"mean\\":%.1f,\\"max\\":%d}\\n",
    summary.requests, summary.duration, summary.bytes, e.status, e.connect, e.read, e.write,
    e.timeout, latency:percentile(50), latency:percentile(99), latency.mean, latency.max))
end
"""


UNCACHED_LUA = """
-- Every request a different address (an extra parameter the view ignores): each one is a
-- cache miss, so this measures what the search itself costs.
-- Unique across threads and across runs (each round is a new wrk run).
math.randomseed(os.time())
local threads = 0
setup = function(thread)
  threads = threads + 1
  thread:set("tid", threads .. "-" .. os.time() .. "-" .. math.random(1000000000))
end
local n = 0
request = function()
  n = n + 1
  return wrk.format(nil, wrk.path .. "&uncached=" .. tid .. "-" .. n)
end
"""


def lua_string(value: str) -> str:
    return json.dumps(value)  # a JSON string literal is a valid Lua string literal here


def write_scripts(session: dict | None) -> dict[str, Path]:
    WORK.mkdir(parents=True, exist_ok=True)
    scripts = {"get": WORK / "get.lua", "uncached": WORK / "uncached.lua"}
    scripts["get"].write_text(REPORT_LUA)
    scripts["uncached"].write_text(UNCACHED_LUA + REPORT_LUA)
    if session:
        cookie = "; ".join(f"{k}={v}" for k, v in session["cookies"].items())
        body = urllib.parse.urlencode(create_form())
        post = f"""
wrk.method = "POST"
wrk.body = {lua_string(body)}
wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"
wrk.headers["HX-Request"] = "true"
wrk.headers["X-CSRFToken"] = {lua_string(session["token"])}
wrk.headers["Cookie"] = {lua_string(cookie)}
"""
        scripts["create"] = WORK / "create.lua"
        scripts["create"].write_text(post + REPORT_LUA)
    return scripts


def wrk(url: str, script: Path, seconds: int, threads: int, connections: int) -> dict:
    output = run(
        ["wrk", f"-t{threads}", f"-c{connections}", f"-d{seconds}s", "--latency", "-s", str(script)]
        + ["--timeout", "30s", url]
    ).stdout
    line = next(line for line in output.splitlines() if line.startswith("WRKJSON "))
    data = json.loads(line.removeprefix("WRKJSON "))
    seconds = data["duration_us"] / 1e6
    errors = sum(data[k] for k in ("status", "connect", "read", "write", "timeout"))
    return {
        "seconds": seconds,
        "rps": data["requests"] / seconds,
        "p50_ms": data["p50"] / 1000,
        "p99_ms": data["p99"] / 1000,
        "requests": data["requests"],
        "errors": errors,
        "bytes_per_request": data["bytes"] / max(data["requests"], 1),
    }


def combine(rounds: list[dict]) -> dict:
    """Rounds of one target: requests per second over all of them, the median p50 and p99."""
    requests = sum(r["requests"] for r in rounds)
    return {
        "rps": sum(r["rps"] * r["seconds"] for r in rounds) / sum(r["seconds"] for r in rounds),
        "p50_ms": median([r["p50_ms"] for r in rounds]),
        "p99_ms": median([r["p99_ms"] for r in rounds]),
        "requests": requests,
        "errors": sum(r["errors"] for r in rounds),
        "bytes_per_request": sum(r["bytes_per_request"] * r["requests"] for r in rounds)
        / max(requests, 1),
    }


def targets_for(size_label: str) -> list[dict]:
    return [
        {"name": "static file (whitenoise)", "kind": "static", "path": f"/static/{STATIC_COPY}"},
        {"name": "trivial view /bench/ping", "kind": "ping", "path": "/bench/ping"},
        {
            "name": f"article {ARTICLE} page",
            "kind": "page",
            "path": f"/convention/articles/{ARTICLE}/",
        },
        {"name": "table of contents", "kind": "page", "path": "/convention/"},
        {"name": "concern page", "kind": "page", "path": f"/concerns/{CONCERN}/"},
        {"name": f"search ?q={SEARCH}", "kind": "search", "path": f"/search/?q={SEARCH}"},
        {
            "name": "search, every request a cache miss",
            "kind": "search-uncached",
            "path": f"/search/?q={SEARCH}",
        },
        {
            "name": "API annotation list",
            "kind": "api",
            "path": f"/api/v1/annotations?article={ARTICLE}",
        },
        {"name": f"API article {ARTICLE}", "kind": "api", "path": f"/api/v1/articles/{ARTICLE}"},
        {"name": "health check /healthz", "kind": "health", "path": "/healthz"},
        {
            "name": "htmx annotation create (analyst)",
            "kind": "create",
            "path": f"/convention/articles/{ARTICLE}/annotate/",
        },
    ]


def load_average() -> float:
    return float(Path("/proc/loadavg").read_text().split()[0])


def cpu_busy(seconds: float = 1.0) -> float:
    """The share of the machine's CPU time spent working over a short sample (0–1)."""

    def sample():
        fields = [int(v) for v in Path("/proc/stat").read_text().split("\n")[0].split()[1:]]
        idle = fields[3] + fields[4]  # idle + iowait
        return sum(fields), idle

    total_before, idle_before = sample()
    time.sleep(seconds)
    total_after, idle_after = sample()
    total = max(total_after - total_before, 1)
    return 1 - (idle_after - idle_before) / total


def wait_until_quiet(limit: float, seconds: int) -> None:
    """Other work on the machine skews every number: while our server is idle, wait (a while)
    until the CPUs are mostly idle too."""
    deadline = time.monotonic() + seconds
    while (busy := cpu_busy()) > limit and time.monotonic() < deadline:
        say(f"  the machine is busy ({busy:.0%} CPU used elsewhere); waiting…")
        time.sleep(4)


def run_size(label: str, total: int, args) -> dict:
    from bench.generate import generate

    say(f"\n=== {label}: {total:,} annotations ===")
    started = time.monotonic()
    fresh_database()
    flush_cache()
    password = secrets.token_urlsafe(18)
    generated = generate(total, login_password=password, progress=say)
    vacuum_analyze()
    static_bytes = write_static_copy()
    targets = targets_for(label)
    measure_queries(targets)
    explain, search_hits = explain_search()
    costs = measure_in_process(targets)
    flush_cache()  # the load starts from an empty cache, like a restart

    wait_until_quiet(args.quiet, args.wait_quiet)
    load_before = load_average()
    server = Server(args.port)
    server.start()
    try:
        for target in targets:
            if target["kind"] in ("page", "search", "search-uncached"):
                # The first request renders the page into the empty cache: what a miss costs.
                cold = "&uncached=cold" if target["kind"] == "search-uncached" else ""
                target["cold_ms"] = timed_get(server.base + target["path"] + cold)
                server.wait_idle()
        session = sign_in(server.base, "bench-analyst", password)
        scripts = write_scripts(session)
        visit = first_visit(server.base)
        for round_number in range(args.rounds):
            wait_until_quiet(args.quiet, args.wait_quiet // 3)
            say(f"  round {round_number + 1} of {args.rounds}")
            for target in targets:
                script = scripts[
                    {"create": "create", "search-uncached": "uncached"}.get(target["kind"], "get")
                ]
                url = server.base + target["path"]
                if args.warmup and round_number == 0:
                    wrk(url, script, args.warmup, args.threads, args.connections)
                    server.wait_idle()
                measured = wrk(url, script, args.duration, args.threads, args.connections)
                # Requests wrk gave up on still run in the workers: let them finish first.
                server.wait_idle()
                target.setdefault("rounds", []).append(measured)
                say(
                    f"    {target['name']:42} {measured['rps']:8.0f} req/s  "
                    f"p50 {measured['p50_ms']:8.2f} ms  p99 {measured['p99_ms']:8.2f} ms  "
                    f"errors {measured['errors']}"
                )
        for target in targets:
            target.update(combine(target["rounds"]))
        rss = server.worker_rss_mb()
        load_after = load_average()
    finally:
        server.stop()
    return {
        "label": label,
        "total": total,
        "generated": generated,
        "targets": targets,
        "static_bytes": static_bytes,
        "explain": explain,
        "search_hits": search_hits,
        "in_process": costs,
        "first_visit": visit,
        "rss": rss,
        "load": (load_before, load_after),
        "seconds": time.monotonic() - started,
    }


# --- The report ---------------------------------------------------------------------------------


def machine() -> dict:
    import django

    meminfo = Path("/proc/meminfo").read_text()
    mem_kb = int(re.search(r"MemTotal:\s+(\d+)", meminfo).group(1))
    cpu = re.search(r"model name\s*:\s*(.+)", Path("/proc/cpuinfo").read_text())
    return {
        "date": datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "cpus": os.cpu_count(),
        "cpu": cpu.group(1).strip() if cpu else platform.processor(),
        "memory": f"{mem_kb / 1024 / 1024:.1f} GiB",
        "python": platform.python_version(),
        "django": django.get_version(),
        "postgresql": psql("SHOW server_version"),
        "redis": re.search(
            r"redis_version:(\S+)", run(["redis-cli", "-h", HOST, "info", "server"]).stdout
        ).group(1),
        "gunicorn": run([str(ROOT / ".venv/bin/gunicorn"), "--version"]).stdout.strip(),
        "wrk": subprocess.run(["wrk", "-v"], capture_output=True, text=True).stdout.split("[")[0],
        "kernel": platform.release(),
    }


def matches_read(plan: str) -> int:
    """The most rows that a scan of the annotations returned in an EXPLAIN ANALYZE plan: the
    matches it read (the rows it read and refused are "Rows Removed by Filter")."""
    scans = re.findall(r" on provisions_annotation .*actual time=\S+ rows=(\d+)", plan)
    return max((int(rows) for rows in scans), default=0)


def median(values: list[float]) -> float:
    values = sorted(values)
    middle = len(values) // 2
    return values[middle] if len(values) % 2 else (values[middle - 1] + values[middle]) / 2


def paired(target: dict, base: dict, field: str) -> float:
    """The median over rounds of target/base, each round's two runs a few seconds apart: other
    work on the machine drifts slowly, and cancels out of a ratio taken within a round."""
    rounds = zip(target["rounds"], base["rounds"], strict=True)
    return median([t[field] / b[field] if b[field] else 0.0 for t, b in rounds])


def ratio(target: dict, base: dict, field: str) -> str:
    return f"{paired(target, base, field):.2f}×"


def verdict(ok: bool) -> str:
    return "**met**" if ok else "**missed**"


def by_kind(result: dict, kind: str, name_start: str = "") -> dict:
    return next(
        t for t in result["targets"] if t["kind"] == kind and t["name"].startswith(name_start)
    )


def assess(results: list[dict]) -> list[tuple[str, str, str]]:
    """(target, what this run measured, met/missed) for each of the issue's targets."""
    rows = []
    largest = results[-1]
    # Queries per public page and per API list request: the same at every size.
    names = [
        t["name"]
        for t in largest["targets"]
        if t["kind"] in ("page", "search", "search-uncached", "api")
    ]
    spread = {
        name: sorted(
            {
                (t["queries_render"], t["queries_served"])
                for r in results
                for t in r["targets"]
                if t["name"] == name
            }
        )
        for name in names
    }
    same = all(len(values) == 1 for values in spread.values())
    detail = "; ".join(
        f"{name}: " + " / ".join(f"{a} rendered, {b} served" for a, b in values)
        for name, values in spread.items()
    )
    rows.append(
        (
            "Queries per public page and API list request equal at every size",
            detail,
            verdict(same and len(results) > 1) if len(results) > 1 else "not assessed (one size)",
        )
    )
    for result in results:
        static, ping = by_kind(result, "static"), by_kind(result, "ping")
        article = by_kind(result, "page", "article")
        ok = (
            paired(article, static, "rps") >= ARTICLE_RPS
            and paired(article, static, "p99_ms") <= ARTICLE_P99
        )
        rows.append(
            (
                f"Article page ≥ {ARTICLE_RPS}× static req/s, p99 ≤ {ARTICLE_P99}× static "
                f"({result['label']})",
                f"{ratio(article, static, 'rps')} of the static file's req/s, "
                f"p99 {ratio(article, static, 'p99_ms')} of its p99",
                verdict(ok),
            )
        )
    article = by_kind(largest, "page", "article")
    static = by_kind(largest, "static")
    for api in [t for t in largest["targets"] if t["kind"] == "api"]:
        rows.append(
            (
                f"{api['name']} ≥ {API_RPS}× static req/s at {largest['label']}",
                f"{ratio(api, static, 'rps')} of the static file's req/s "
                f"({api['queries_served']} queries served, {api['queries_render']} rendered)",
                verdict(paired(api, static, "rps") >= API_RPS),
            )
        )
    health = by_kind(largest, "health")
    rows.append(
        (
            f"/healthz: one query, as fast as the cached article page ({largest['label']})",
            f"{health['queries_served']} query; {ratio(health, article, 'rps')} of the article "
            f"page's req/s, p99 {ratio(health, article, 'p99_ms')} of its p99",
            verdict(
                health["queries_served"] <= 1
                and paired(health, article, "rps") >= 1
                and paired(health, article, "p99_ms") <= 1
            ),
        )
    )
    for kind, how in (
        ("search", "the same query again"),
        ("search-uncached", "every request a miss"),
    ):
        search = by_kind(largest, kind)
        rows.append(
            (
                f"Search p99 ≤ 10× article p99 at {largest['label']} ({how})",
                f"{search['p99_ms']:.1f} ms vs {article['p99_ms']:.1f} ms: "
                f"{ratio(search, article, 'p99_ms')}",
                verdict(paired(search, article, "p99_ms") <= 10),
            )
        )
    from provisions.search.facets import COUNT_CAP

    read = matches_read(largest["explain"])
    # With few matches PostgreSQL may read them all (from the GIN index) and keep the newest:
    # cheaper than reading newest first, and still bounded (at most twice the cap here).
    few = largest["search_hits"] <= 2 * COUNT_CAP
    rows.append(
        (
            f"Search reads at most {COUNT_CAP + 1:,} of its matches (all of them when there "
            f"are at most {2 * COUNT_CAP:,}) at {largest['label']}",
            f"{read:,} of {largest['search_hits']:,} matches read from the annotations "
            "(the plan, below)",
            verdict(
                0 < read <= (max(COUNT_CAP + 1, largest["search_hits"]) if few else COUNT_CAP + 1)
            ),
        )
    )
    for result in results:
        create, ping = by_kind(result, "create"), by_kind(result, "ping")
        rows.append(
            (
                f"htmx create p99 ≤ {CREATE_P99}× trivial view p99 ({result['label']})",
                f"{create['p99_ms']:.1f} ms vs {ping['p99_ms']:.1f} ms: "
                f"{ratio(create, ping, 'p99_ms')} ({create['queries_served']} queries)",
                verdict(paired(create, ping, "p99_ms") <= CREATE_P99),
            )
        )
    total = largest["first_visit"]["total"]
    rows.append(
        (
            "First visit to the article page ≤ 60 KB compressed",
            f"{total / 1024:.1f} KB (HTML + CSS + JS, as sent with Accept-Encoding: gzip)",
            verdict(total <= FIRST_VISIT_BUDGET),
        )
    )
    worst = max(max(r["rss"]) for r in results)
    rows.append(
        (
            f"Each gunicorn worker under {RSS_BUDGET_MB} MB after the run",
            "largest "
            + f"{worst:.0f} MB ("
            + "; ".join(
                f"{r['label']}: " + ", ".join(f"{mb:.0f}" for mb in r["rss"]) for r in results
            )
            + " MB)",
            verdict(worst < RSS_BUDGET_MB),
        )
    )
    return rows


def notes(results: list[dict]) -> list[str]:
    """Why a target was missed, from this run's own numbers."""
    largest = results[-1]
    out = []
    static, ping = by_kind(largest, "static"), by_kind(largest, "ping")
    article = by_kind(largest, "page", "article")
    if any(
        paired(by_kind(r, "page", "article"), by_kind(r, "static"), "rps") < ARTICLE_RPS
        or paired(by_kind(r, "page", "article"), by_kind(r, "static"), "p99_ms") > ARTICLE_P99
        for r in results
    ):
        out.append(
            "- **Article page vs the static file.** A cached page is answered right after "
            "whitenoise, before sessions and authentication (`provisions/cache/early.py`), "
            "without a query and, while the worker's copy of the generations is trusted, "
            "without a round trip to Redis (`provisions/cache/mirror.py`: a worker whose "
            "listener is starved of CPU for more than 100 ms reads them from Redis instead). "
            "What it still does that whitenoise does not: a fresh CSP nonce put into the "
            f"page's {article.get('body_bytes', 0):,} bytes and its headers; gunicorn writes "
            "the page's pieces to the socket from memory, where whitenoise hands it the open "
            "file, which it sends with sendfile. `bench/inprocess.py` times both answers "
            "inside one process, where they cost about the same. This run: "
            f"{ratio(article, static, 'rps')} of its requests/s and p99 "
            f"{ratio(article, static, 'p99_ms')} of its p99 at {largest['label']} (the trivial "
            f"view, through the whole stack, gets {ratio(ping, static, 'rps')}); with the "
            "machine busy with other work, ratios between runs seconds apart still vary by "
            "a third."
        )
    for api in [t for t in largest["targets"] if t["kind"] == "api"]:
        if paired(api, static, "rps") < API_RPS:
            out.append(
                f"- **{api['name']}.** {ratio(api, static, 'rps')} of the static file's "
                f"requests/s; {api['queries_served']} queries per request as served "
                f"(`X-Page-Cache: {api.get('page_cache', 'none')}`), answered at the same "
                "layer and in the same way as the article page (above)."
            )
    health = by_kind(largest, "health")
    if paired(health, article, "rps") < 1 or paired(health, article, "p99_ms") > 1:
        out.append(
            "- **/healthz vs the cached article page.** /healthz is answered at whitenoise's "
            "layer too, but it must ask the database: one round trip to PostgreSQL "
            f"({health['queries_served']} query, a trivial one that is also Django's health "
            "check of the pooled connection), where the cached article page, answered from the "
            "worker's memory, now makes no round trip at all. A round trip to another process "
            "on a busy machine waits for that process to be scheduled: "
            f"{ratio(health, article, 'rps')} of the article page's requests/s, p99 "
            f"{ratio(health, article, 'p99_ms')} of its p99."
            + (
                " It serves as many requests a second; only its slowest answers, which wait "
                "for PostgreSQL to be scheduled, are slower. "
                if paired(health, article, "rps") >= 1
                else " "
            )
            + "Only keeping the answer for a while (and so not asking the database each time) "
            "would make it as fast, which would make it say less about the database."
        )
    from provisions.search.facets import COUNT_CAP

    uncached = by_kind(largest, "search-uncached")
    costs = largest["in_process"]
    if paired(uncached, article, "p99_ms") > 10:
        searched = costs["search"]
        statement = re.search(r"Execution Time: ([\d.]+) ms", largest["explain"])
        out.append(
            f"- **Search, every request a miss.** `?q={SEARCH}` matches "
            f"{largest['search_hits']:,} published annotations at {largest['label']}; the search "
            f"counts and ranks only the newest {COUNT_CAP:,} of them, in one statement (the plan "
            f"below: {float(statement.group(1)) if statement else 0:.0f} ms of its own), and "
            "the page says so. Alone, one such search took "
            f"{searched['total_ms']:.0f} ms in process: {searched['sql_ms']:.0f} ms in its "
            f"{searched['queries']} queries, the other "
            f"{searched['total_ms'] - searched['sql_ms']:.0f} ms outside them; over the whole "
            f"search Python used {searched['cpu_ms']:.0f} ms of CPU time (the driver reading "
            "the queries' rows, the few articles, concerns and demands found, the page's 20 "
            "results and the template). Under load "
            f"the two workers served {uncached['rps']:,.1f} searches a second against "
            f"{article['rps']:,.0f} cached article pages; with 16 connections on 2 sync workers "
            "requests queue, so p99 is several times one search's time: "
            f"{uncached['p99_ms']:.0f} ms against {article['p99_ms']:.1f} ms for the cached page"
            + (
                " (and no more than the run's length: wrk counts only the requests that "
                "finished within it)."
                if uncached["p99_ms"] > 800 * min(r["seconds"] for r in uncached["rounds"])
                else "."
            )
        )
    create = by_kind(largest, "create")
    if paired(create, ping, "p99_ms") > CREATE_P99:
        created = costs["create"]
        out.append(
            "- **htmx create vs the trivial view.** The create is a write: alone, one took "
            f"{created['total_ms']:.0f} ms in process ({created['cpu_ms']:.0f} ms of Python's "
            f"own CPU time), {created['sql_ms']:.0f} ms of it in its "
            f"{created['queries']} queries (session, user, roles once, the provision named "
            "with its article, the text quoted from, the insert whose search vector the "
            "database's trigger writes, its tags found at once, the relations, the revision, "
            "the commit, which waits for PostgreSQL to flush its log to disk), the "
            "rest form validation, Markdown rendering and sanitising, and the rendered "
            f"fragment. Under load: about {2000 / create['rps']:.0f} ms of a worker per create "
            f"(2 workers, {create['rps']:,.0f} creates/s), against {2000 / ping['rps']:.1f} ms "
            "for the trivial view, which does nothing. With 16 connections on 2 sync workers "
            "the latency is mostly queueing, so p99 follows the service time."
        )
    concern = by_kind(largest, "page", "concern")
    if concern.get("body_bytes", 0) > 1_000_000:
        out.append(
            "- **The concern page grows with the data.** It lists every published annotation "
            f"tied to the concern: {concern['body_bytes'] / 1e6:.1f} MB of HTML at "
            f"{largest['label']}, {concern.get('cold_ms', 0) / 1000:.1f} s to render when not "
            "cached. Its query count stays the same, and it is cached after the first request, "
            "but it needs pagination."
        )
    return out


def body_bytes(target: dict, result: dict) -> str:
    if target["kind"] == "create":
        return "–"
    if target["kind"] == "static":
        return f"{result['static_bytes']:,}"
    return f"{target['body_bytes']:,}"


def table(header: list[str], rows: list[list]) -> list[str]:
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    lines += ["| " + " | ".join(str(cell) for cell in row) + " |" for row in rows]
    return lines


def render(results: list[dict], info: dict, args) -> str:
    out = [
        "# TreatyWatch benchmark — latest run",
        "",
        f"Written by `make bench` (`bench/run.py{' --quick' if args.quick else ''}`) on "
        f"{info['date']}. Compare ratios within this run, not absolute numbers across machines.",
        "",
        *table(
            ["machine", ""],
            [
                ["CPUs (`nproc`)", f"{info['cpus']} × {info['cpu']}"],
                ["memory", info["memory"]],
                ["kernel", info["kernel"]],
                ["Python / Django", f"{info['python']} / {info['django']}"],
                ["PostgreSQL / Redis", f"{info['postgresql']} / {info['redis']}"],
                ["server / load", f"{info['gunicorn']}, `-w 2` sync workers / {info['wrk']}"],
            ],
        ),
        "",
        f"Load: `wrk -t{args.threads} -c{args.connections} -d{args.duration}s` per target, in "
        f"{args.rounds} rounds over all the targets (req/s over all rounds, p50 and p99 the median "
        "of the rounds; every ratio is the median of the rounds' ratios, each taken between two "
        "runs seconds apart, so that other work on the machine cancels out), after a "
        f"{args.warmup} s warm-up; between two runs the workers are left "
        "to finish what wrk gave up on. One target at a time, from the same machine: wrk, the two "
        "gunicorn workers, PostgreSQL and Redis share the CPUs. Production settings (DEBUG off), "
        "cache on Redis, emptied before each size's load; *cold* is the first request for a "
        "page, which renders it into the cache. wrk sends no `Accept-Encoding`, so responses are "
        "uncompressed and no cookie is kept (every request is a new visitor). The static file is "
        f"the article page's HTML saved into `STATIC_ROOT/{STATIC_COPY}` at run time and served "
        "by whitenoise (same byte count).",
        "",
        "Queries: counted once per target with Django's test client and "
        "`CaptureQueriesContext` on the same database, *rendered* with the page cache off (what a "
        "cache miss costs) and *served* as the load test gets it (a cached page costs none).",
        "",
        "## Targets",
        "",
        *table(["target", "this run", "verdict"], assess(results)),
        "",
    ]
    if reasons := notes(results):
        out += ["Why the missed targets are missed:", "", *reasons, ""]
    for result in results:
        generated = result["generated"]
        static, ping = by_kind(result, "static"), by_kind(result, "ping")
        out += [
            f"## {result['label']}: {generated.annotations:,} annotations",
            "",
            f"{generated.published:,} published ({generated.featured_published} top-level on "
            f"Article {ARTICLE}), {generated.replies:,} replies, {generated.links:,} generated "
            f"links (+ 38 seeded), {generated.tags} tags, {generated.users} members; generated in "
            f"{generated.seconds:.0f} s. Whole size took {result['seconds']:.0f} s. Load average "
            f"of the machine before / after the load test: {result['load'][0]:.1f} / "
            f"{result['load'][1]:.1f} (the load test itself makes about 2–3).",
            "",
            *table(
                [
                    "target",
                    "req/s",
                    "p50 ms",
                    "p99 ms",
                    "cold ms",
                    "errors",
                    "queries rendered / served",
                    "body bytes",
                    "req/s ÷ static",
                    "req/s ÷ ping",
                    "p99 ÷ static",
                    "p99 ÷ ping",
                ],
                [
                    [
                        f"{t['name']} `{t['path']}`",
                        f"{t['rps']:,.0f}",
                        f"{t['p50_ms']:.2f}",
                        f"{t['p99_ms']:.2f}",
                        f"{t['cold_ms']:,.0f}" if "cold_ms" in t else "–",
                        f"{t['errors']:,} / {t['requests']:,}",
                        f"{t['queries_render']} / {t['queries_served']}",
                        body_bytes(t, result),
                        ratio(t, static, "rps"),
                        ratio(t, ping, "rps"),
                        ratio(t, static, "p99_ms"),
                        ratio(t, ping, "p99_ms"),
                    ]
                    for t in result["targets"]
                ],
            ),
            "",
            "gunicorn workers' resident size after the load (`VmRSS`): "
            + ", ".join(f"{mb:.0f} MB" for mb in result["rss"])
            + ".",
            "",
        ]
    largest = results[-1]
    visit = largest["first_visit"]
    out += [
        f"## First visit to the article page ({largest['label']})",
        "",
        *table(
            ["resource", "transferred", "uncompressed", "encoding"],
            [[name, f"{sent:,} B", f"{raw:,} B", enc] for name, sent, raw, enc in visit["rows"]],
        ),
        "",
        f"Total transferred: **{visit['total'] / 1024:.1f} KB** (budget 60 KB). The favicon "
        "(an SVG of a few hundred bytes) is not counted.",
        "",
        f"## The search's plans at {largest['label']}",
        "",
        "`EXPLAIN ANALYZE` of the one statement `/search/?q="
        f"{SEARCH}` runs over the annotations for an anonymous reader "
        "(`provisions.search.annotation_matches.AnnotationMatches.counted`): the newest "
        "matches, one more than are counted (`found`: the newest first, from the primary key's "
        "index, so it stops there), the counted ones `m` with their rank, one row per match "
        "and facet value (`rel`), grouped, and the ranked matches:",
        "",
        "```",
        largest["explain"],
        "```",
        "",
    ]
    return "\n".join(out)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="1k only, 2 s per target")
    parser.add_argument("--sizes", default="1k,10k,100k", help="comma-separated: 1k,10k,100k")
    parser.add_argument("--duration", type=int, default=3, help="seconds per target and round")
    parser.add_argument("--rounds", type=int, default=3, help="passes over all the targets")
    parser.add_argument("--warmup", type=int, default=1, help="seconds before each target")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument(
        "--quiet", type=float, default=0.15, help="CPU share used elsewhere to wait out (0–1)"
    )
    parser.add_argument(
        "--wait-quiet", type=int, default=180, help="at most this many seconds of waiting"
    )
    parser.add_argument(
        "--output", default=None, help="default: bench/results/latest.md (--quick: bench/work/)"
    )
    args = parser.parse_args()
    if args.quick:
        args.sizes, args.duration, args.warmup, args.rounds = "1k", 2, 1, 1
    # A smoke run is not a result: it goes to the ignored work folder.
    output = Path(args.output or (WORK / "quick.md" if args.quick else RESULTS / "latest.md"))

    ensure_postgres()
    ensure_redis()
    ensure_wrk()
    setup_django()
    from django.core.management import call_command

    from bench.generate import SIZES

    say("Collecting static files…")
    call_command("collectstatic", interactive=False, verbosity=0)
    call_command("compilemessages", verbosity=0)
    results = [run_size(label, SIZES[label], args) for label in args.sizes.split(",")]
    report = render(results, machine(), args)
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(report + "\n")
    say("\n" + report)
    say(f"\nWritten to {output.relative_to(ROOT) if output.is_relative_to(ROOT) else output}")


if __name__ == "__main__":
    main()

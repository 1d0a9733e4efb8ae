"""What one answer costs inside a worker: the WSGI app called in this process, no network.

`make bench` measures through gunicorn and wrk, which share the machine's cores with everything
else running on it; when the machine is busy, its ratios swing. This script calls the same WSGI
application gunicorn serves (`treatywatch.wsgi`, production settings, cache on Redis, PostgreSQL)
with a gunicorn-like environ, N times per target, interleaved round by round so that other load
falls on every target alike, and prints each target's median time per answer and its ratio to
the static file's (whitenoise). It leaves out only what every target pays alike: gunicorn's HTTP
parsing and the socket (whitenoise's file goes out with sendfile, a page with sendall).

    .venv/bin/python bench/inprocess.py --setup        # once: database + 1k annotations
    .venv/bin/python bench/inprocess.py -n 2000        # time the targets
    .venv/bin/python bench/inprocess.py --profile /convention/articles/24/   # cProfile one

It uses its own database (`treatywatch_inprocess`) and Redis database (8), so it never touches
`make bench`'s.
"""

import argparse
import io
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

from run import production_env  # bench/run.py, beside this script

ROOT = Path(__file__).resolve().parent.parent
DB_NAME = "treatywatch_inprocess"
REDIS_DB = 8
HOST = "127.0.0.1"
STATIC_COPY = "bench/article-24.html"
ENV = production_env(DB_NAME, REDIS_DB)
TARGETS = [
    f"/static/{STATIC_COPY}",
    "/bench/ping",
    "/convention/articles/24/",
    "/convention/",
    "/api/v1/annotations?article=24",
    "/api/v1/articles/24",
    "/healthz",
]


def psql(sql: str) -> None:
    subprocess.run(
        ["psql", "-h", HOST, "-U", "postgres", "-d", "postgres", "-qAt", "-c", sql], check=True
    )


def setup_django() -> None:
    os.environ.update(ENV)
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


def build() -> None:
    """A fresh database with the seeded Convention and 1k annotations, and the static copy of
    the article page."""
    psql(f"DROP DATABASE IF EXISTS {DB_NAME} WITH (FORCE)")
    psql(f"CREATE DATABASE {DB_NAME}")
    setup_django()
    from django.conf import settings
    from django.core.management import call_command
    from django.test import Client

    from bench.generate import generate

    call_command("migrate", verbosity=0, interactive=False)
    call_command("seed", stdout=io.StringIO())
    generate(1_000, login_password=None, progress=lambda line: None)
    call_command("collectstatic", interactive=False, verbosity=0)
    html = Client(HTTP_HOST=HOST).get("/convention/articles/24/").content
    path = Path(settings.STATIC_ROOT) / STATIC_COPY
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(html)
    print(f"{DB_NAME} ready; static copy {len(html):,} bytes")


class FileWrapper:
    """gunicorn's wsgi.file_wrapper: the worker sends such a body with sendfile()."""

    def __init__(self, filelike, blksize=8192):
        self.filelike, self.blksize = filelike, blksize

    def close(self):
        self.filelike.close()


def environ_for(url: str) -> dict:
    path, _, query = url.partition("?")
    return {
        "REQUEST_METHOD": "GET",
        "SCRIPT_NAME": "",
        "PATH_INFO": path,
        "QUERY_STRING": query,
        "SERVER_NAME": HOST,
        "SERVER_PORT": "8000",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "REMOTE_ADDR": HOST,
        "HTTP_HOST": HOST,
        "HTTP_USER_AGENT": "wrk",
        "wsgi.version": (1, 0),
        "wsgi.url_scheme": "http",
        "wsgi.input": io.BytesIO(),
        "wsgi.errors": sys.stderr,
        "wsgi.multithread": False,
        "wsgi.multiprocess": True,
        "wsgi.run_once": False,
        "wsgi.file_wrapper": FileWrapper,
    }


def answer(application, url: str) -> tuple[str, int]:
    """One request through the app, its body consumed as gunicorn would (a file wrapper goes
    out with sendfile: nothing to do here)."""
    status = []

    def start_response(line, headers, exc_info=None):
        status.append(line)

    body = application(environ_for(url), start_response)
    size = 0
    if not isinstance(body, FileWrapper):
        for chunk in body:
            size += len(chunk)
    if hasattr(body, "close"):
        body.close()
    return status[0], size


def timing(n: int, rounds: int) -> None:
    setup_django()
    from treatywatch.wsgi import application

    for url in TARGETS:  # the first answers fill the page cache and teach the early layer
        for _ in range(3):
            status, _size = answer(application, url)
        print(f"{status:>16}  {url}")
    times = {url: [] for url in TARGETS}
    per_round = max(n // rounds, 1)
    for _ in range(rounds):
        for url in TARGETS:
            for _ in range(per_round):
                started = time.perf_counter_ns()
                answer(application, url)
                times[url].append(time.perf_counter_ns() - started)
    static = statistics.median(times[TARGETS[0]])
    print(f"\n{'target':40} {'median µs':>10} {'p99 µs':>10} {'÷ static':>9}")
    for url, values in times.items():
        values.sort()
        middle = statistics.median(values)
        p99 = values[int(len(values) * 0.99) - 1]
        print(f"{url:40} {middle / 1000:10.1f} {p99 / 1000:10.1f} {middle / static:8.2f}×")


def profile(url: str, n: int) -> None:
    import cProfile
    import pstats

    setup_django()
    from treatywatch.wsgi import application

    for _ in range(3):
        answer(application, url)
    profiler = cProfile.Profile()
    profiler.enable()
    for _ in range(n):
        answer(application, url)
    profiler.disable()
    pstats.Stats(profiler).sort_stats("cumulative").print_stats(40)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--setup", action="store_true", help="build the database first")
    parser.add_argument("-n", type=int, default=2000, help="answers per target")
    parser.add_argument("--rounds", type=int, default=10)
    parser.add_argument("--profile", metavar="URL", help="cProfile N answers of one address")
    args = parser.parse_args()
    if args.setup:
        build()
    elif args.profile:
        profile(args.profile, args.n)
    else:
        timing(args.n, args.rounds)


if __name__ == "__main__":
    main()

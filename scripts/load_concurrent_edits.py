#!/usr/bin/env python3
"""20 concurrent clients create and edit annotations through the JSON API on PostgreSQL.

    .venv/bin/python scripts/load_concurrent_edits.py              # 30 seconds
    .venv/bin/python scripts/load_concurrent_edits.py --seconds 8  # the short form CI runs

What it does, all on 127.0.0.1: (re)creates the scratch database `treatywatch_load` on the local
cluster (starting the cluster if it is down), migrates and seeds it, creates 20 members through
the app's services (14 analysts, 6 editors) each with a personal API token, starts gunicorn
(2 workers × 4 threads, production settings over plain HTTP) and lets the clients work:

- analysts create drafts (`POST /api/v1/annotations`, sometimes with brand-new tags that other
  clients create at the same moment) and edit their own drafts (`PATCH` with `If-Match`); now
  and then one sends an `If-Match` it knows is stale on purpose;
- editors all edit the same few submitted annotations at once: they read the ETag, edit from
  it and race each other; some send a stale ETag on purpose.

Then it stops the server and checks, against the database and through the API:

- no 5xx and no other unexpected status (no 429: the per-token write limit is raised for this
  run with TREATYWATCH_API_WRITES_PER_MINUTE);
- no lost update: for every annotation, its version is 1 + the number of edits acknowledged
  with 2xx, the acknowledged versions are exactly 2…final (no version was promised twice), the
  stored body is the last acknowledged one, each acknowledged edit is in the history at the
  version the client was told; every edit sent from an ETag already known to be stale came
  back 412/409, never 2xx;
- the counts match what the clients were told: annotations in the database == 201 answers (the
  same ids), and each analyst's `GET /annotations?status=draft` total == the drafts it created.

Prints a summary table; exits 1 on any failure. Bounded (deadline + per-client request cap),
stops its own server, and drops the scratch database unless --keep-db.
"""

from __future__ import annotations

import argparse
import random
import threading
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field

from _support import (
    ScriptFailure,
    Server,
    database_url,
    django_env,
    drop_database,
    ensure_system_cluster,
    make_members,
    prepare_database,
    recreate_database,
    request,
    run_main,
    say,
    setup_django,
)

DB_NAME = "treatywatch_load"
PREFIX = "load-"
ANALYSTS = 14
EDITORS = 6
SHARED = 3
MAX_REQUESTS_PER_CLIENT = 20_000
CONFLICT = (409, 412)


@dataclass
class Ack:
    annotation: int
    version: int
    body: str
    client: str


@dataclass
class Ledger:
    """What the clients were told, shared by all client threads."""

    lock: threading.Lock = field(default_factory=threading.Lock)
    created: dict[int, Ack] = field(default_factory=dict)
    edits: dict[int, list[Ack]] = field(default_factory=lambda: defaultdict(list))
    statuses: Counter = field(default_factory=Counter)
    by_operation: Counter = field(default_factory=Counter)
    latencies: list[float] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    stale_sent: int = 0
    stale_refused: int = 0
    race_conflicts: int = 0

    def record(self, operation: str, status: int, seconds: float) -> None:
        with self.lock:
            self.statuses[status] += 1
            self.by_operation[(operation, status)] += 1
            self.latencies.append(seconds)

    def problem(self, message: str) -> None:
        with self.lock:
            if len(self.problems) < 200:
                self.problems.append(message)

    def known_version(self, annotation: int) -> int:
        """The newest version any client has been told about (1 if never edited)."""
        with self.lock:
            edits = self.edits.get(annotation)
            return max((ack.version for ack in edits), default=1) if edits else 1

    def acknowledge(self, ack: Ack) -> None:
        with self.lock:
            self.edits[ack.annotation].append(ack)


class Client(threading.Thread):
    def __init__(self, name: str, token: str, base: str, ledger: Ledger, deadline: float):
        super().__init__(name=name, daemon=True)
        self.token = token
        self.base = base
        self.ledger = ledger
        self.deadline = deadline
        self.random = random.Random(name)
        self.requests = 0

    def call(self, operation: str, method: str, path: str, **kwargs):
        headers = {"Authorization": f"Bearer {self.token}", **kwargs.pop("headers", {})}
        self.requests += 1
        try:
            reply = request(method, self.base + "/api/v1" + path, headers=headers, **kwargs)
        except OSError as exc:
            self.ledger.record(operation, 0, 0.0)
            self.ledger.problem(f"{self.name} {method} {path}: no answer ({exc!r})")
            return None
        self.ledger.record(operation, reply.status, reply.seconds)
        if reply.status >= 500:
            self.ledger.problem(f"{self.name} {method} {path}: {reply.status} {reply.text[:300]!r}")
        return reply

    def unexpected(self, operation: str, reply) -> None:
        if reply is not None and reply.status < 500:
            self.ledger.problem(
                f"{self.name} {operation}: unexpected {reply.status} {reply.text[:300]!r}"
            )

    def running(self) -> bool:
        return time.monotonic() < self.deadline and self.requests < MAX_REQUESTS_PER_CLIENT

    def patch(self, operation: str, annotation: int, version: int, body: str, **extra):
        """PATCH from `version`; returns the reply and whether the ETag was known stale."""
        known_stale = self.ledger.known_version(annotation) > version
        data = {"body": {"type": "TextualBody", "value": body}, **extra}
        reply = self.call(
            operation,
            "PATCH",
            f"/annotations/{annotation}",
            headers={"If-Match": f'"{annotation}-v{version}"'},
            data=data,
        )
        if reply is None:
            return None, known_stale
        if reply.status == 200:
            new_version = reply.json()["version"]
            if new_version != version + 1:
                self.ledger.problem(
                    f"{self.name}: edit of #{annotation} from v{version} answered v{new_version}"
                )
            self.ledger.acknowledge(Ack(annotation, new_version, body, self.name))
            if known_stale:
                self.ledger.problem(
                    f"{self.name}: LOST UPDATE RISK — #{annotation} accepted an edit from "
                    f"v{version} after a newer version had been acknowledged"
                )
        return reply, known_stale


class AnalystClient(Client):
    """Creates drafts and edits its own: only it writes them, so its edits must all succeed."""

    def __init__(self, *args, provisions, concerns, tag_pool, **kwargs):
        super().__init__(*args, **kwargs)
        self.provisions = provisions
        self.concerns = concerns
        self.tag_pool = tag_pool
        self.mine: dict[int, int] = {}  # annotation id → version we were told
        self.created = 0

    def run(self) -> None:
        step = 0
        while self.running():
            step += 1
            roll = self.random.random()
            if not self.mine or roll < 0.3:
                self.create(step)
            elif roll < 0.85:
                self.edit(step)
            elif roll < 0.93:
                self.stale_edit(step)
            else:
                self.check_read()

    def create(self, step: int) -> None:
        body = f"{self.name} draft {step}: proportionality is left to domestic law."
        data = {
            "type": "Annotation",
            "body": {"type": "TextualBody", "value": body, "format": "text/markdown"},
            "target": {"source": self.random.choice(self.provisions)},
            "concerns": self.random.sample(self.concerns, k=self.random.randint(0, 2)),
            # Brand-new tags, picked from a small pool so that clients create them together.
            "tags": self.random.sample(self.tag_pool, k=self.random.randint(0, 2)),
        }
        reply = self.call("create", "POST", "/annotations", data=data)
        if reply is None or reply.status >= 500:
            return
        if reply.status != 201:
            self.unexpected("create", reply)
            return
        payload = reply.json()
        pk = int(payload["id"].rstrip("/").rsplit("/", 1)[1])
        if payload["version"] != 1 or reply.headers.get("etag") != f'"{pk}-v1"':
            self.ledger.problem(f"{self.name}: new #{pk} is not at version 1")
        with self.ledger.lock:
            if pk in self.ledger.created:
                self.ledger.problems.append(f"id {pk} was announced as created twice")
            self.ledger.created[pk] = Ack(pk, 1, body, self.name)
        self.mine[pk] = 1
        self.created += 1

    def edit(self, step: int) -> None:
        pk = self.random.choice(list(self.mine))
        body = f"{self.name} edit {step} of #{pk}."
        extra = {"tags": self.random.sample(self.tag_pool, k=self.random.randint(0, 2))}
        reply, _stale = self.patch("edit own", pk, self.mine[pk], body, **extra)
        if reply is None or reply.status >= 500:
            return
        if reply.status == 200:
            self.mine[pk] = reply.json()["version"]
        else:
            # No one else writes this draft: anything but 200 means the server disagrees with
            # what it told us.
            self.unexpected("edit own", reply)

    def stale_edit(self, step: int) -> None:
        candidates = [pk for pk, version in self.mine.items() if version > 1]
        if not candidates:
            return
        pk = self.random.choice(candidates)
        stale = self.random.randint(1, self.mine[pk] - 1)
        with self.ledger.lock:
            self.ledger.stale_sent += 1
        reply, _known = self.patch("stale own", pk, stale, f"{self.name} STALE {step} of #{pk}.")
        if reply is None or reply.status >= 500:
            return
        if reply.status in CONFLICT:
            with self.ledger.lock:
                self.ledger.stale_refused += 1
            if reply.headers.get("etag") != f'"{pk}-v{self.mine[pk]}"':
                self.ledger.problem(
                    f"{self.name}: conflict on #{pk} named {reply.headers.get('etag')}, "
                    f"expected v{self.mine[pk]}"
                )
        elif reply.status == 200:
            self.mine[pk] = reply.json()["version"]
            self.ledger.problem(f"{self.name}: stale If-Match v{stale} on #{pk} was accepted")
        else:
            self.unexpected("stale own", reply)

    def check_read(self) -> None:
        pk = self.random.choice(list(self.mine))
        reply = self.call("read", "GET", f"/annotations/{pk}")
        if reply is None or reply.status >= 500:
            return
        if reply.status != 200:
            self.unexpected("read", reply)
        elif reply.json()["version"] != self.mine[pk]:
            self.ledger.problem(
                f"{self.name}: #{pk} reads v{reply.json()['version']}, we were told "
                f"v{self.mine[pk]}"
            )


class EditorClient(Client):
    """Edits the shared submitted annotations, racing the other editors."""

    def __init__(self, *args, shared: list[int], **kwargs):
        super().__init__(*args, **kwargs)
        self.shared = shared

    def run(self) -> None:
        step = 0
        while self.running():
            step += 1
            pk = self.random.choice(self.shared)
            reply = self.call("read shared", "GET", f"/annotations/{pk}")
            if reply is None or reply.status >= 500:
                continue
            if reply.status != 200:
                self.unexpected("read shared", reply)
                continue
            version = reply.json()["version"]
            deliberate = version > 1 and self.random.random() < 0.2
            if deliberate:
                version = self.random.randint(1, version - 1)
                with self.ledger.lock:
                    self.ledger.stale_sent += 1
            # A moment of "thinking" widens the window in which others save first.
            time.sleep(self.random.uniform(0, 0.01))
            body = f"{self.name} edit {step} of shared #{pk}."
            reply, _known_stale = self.patch("edit shared", pk, version, body)
            if reply is None or reply.status >= 500:
                continue
            if reply.status in CONFLICT:
                with self.ledger.lock:
                    if deliberate:
                        self.ledger.stale_refused += 1
                    else:
                        self.ledger.race_conflicts += 1
            elif reply.status == 200:
                if deliberate:
                    self.ledger.problem(
                        f"{self.name}: stale If-Match v{version} on shared #{pk} was accepted"
                    )
            else:
                self.unexpected("edit shared", reply)


def verify(ledger: Ledger, analysts: list[AnalystClient], base: str, shared: list[int]):
    """Compare what the clients were told with the database and with the API."""
    from django.db import connections

    from provisions.models import Annotation, Revision

    problems: list[str] = []
    connections.close_all()
    stored = {
        a.pk: a
        for a in Annotation.objects.filter(author__username__startswith=PREFIX).only(
            "pk", "version", "body"
        )
    }
    announced = set(ledger.created)
    if set(stored) != announced:
        problems.append(
            f"annotations in the database ({len(stored)}) != 201 answers ({len(announced)}); "
            f"missing {sorted(announced - set(stored))[:10]}, "
            f"unannounced {sorted(set(stored) - announced)[:10]}"
        )
    edited = defaultdict(dict)
    for revision in Revision.objects.filter(
        target_type="annotation", target_id__in=list(stored), action="edited"
    ).only("target_id", "version", "snapshot"):
        edited[revision.target_id][revision.version] = revision.snapshot.get("body")
    acknowledged_edits = 0
    for pk, annotation in stored.items():
        acks = ledger.edits.get(pk, [])
        acknowledged_edits += len(acks)
        versions = sorted(ack.version for ack in acks)
        if annotation.version != 1 + len(acks):
            problems.append(
                f"#{pk}: version {annotation.version} but {len(acks)} acknowledged edits "
                f"(expected {1 + len(acks)})"
            )
        if versions != list(range(2, 2 + len(acks))):
            problems.append(f"#{pk}: acknowledged versions {versions} are not 2…{1 + len(acks)}")
        last = max(acks, key=lambda ack: ack.version) if acks else ledger.created.get(pk)
        if last is not None and annotation.body != last.body:
            problems.append(
                f"#{pk}: stored body {annotation.body[:60]!r} is not the last acknowledged "
                f"{last.body[:60]!r}"
            )
        history = {ack.version: ack.body for ack in acks}
        if edited.get(pk, {}) != history:
            problems.append(f"#{pk}: edit history does not match the acknowledged edits")
    # Through the API: each analyst sees exactly the drafts it was told it created.
    for client in analysts:
        reply = request(
            "GET",
            f"{base}/api/v1/annotations?status=draft&page_size=1",
            headers={"Authorization": f"Bearer {client.token}"},
        )
        total = reply.json().get("total") if reply.status == 200 else None
        if total != client.created:
            problems.append(
                f"{client.name}: API lists {total} drafts, it was told of {client.created}"
            )
    for pk in shared:
        reply = request("GET", f"{base}/api/v1/annotations/{pk}", headers={})
        # Submitted work is not public: anonymous readers get 404, never a 5xx.
        if reply.status != 404:
            problems.append(f"shared #{pk}: anonymous read answered {reply.status}")
    return problems, acknowledged_edits, len(stored)


def percentile(values: list[float], fraction: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


def summary(ledger: Ledger, seconds: float, acknowledged: int, stored: int) -> None:
    total = sum(ledger.statuses.values())
    say("")
    say(f"{'operation':<14} {'status':>6} {'count':>8}")
    for (operation, status), count in sorted(ledger.by_operation.items()):
        say(f"{operation:<14} {status or 'error':>6} {count:>8}")
    say("-" * 30)
    for status, count in sorted(ledger.statuses.items()):
        say(f"{'all':<14} {status or 'error':>6} {count:>8}")
    say(f"{'requests':<14} {'':>6} {total:>8}")
    say("")
    say(f"duration               {seconds:8.1f} s")
    say(f"throughput             {total / seconds if seconds else 0:8.1f} requests/s")
    say(
        f"latency p50/p95/max    {percentile(ledger.latencies, 0.5) * 1000:.0f} / "
        f"{percentile(ledger.latencies, 0.95) * 1000:.0f} / "
        f"{max(ledger.latencies, default=0) * 1000:.0f} ms"
    )
    say(f"annotations created    {len(ledger.created):8d} (in the database: {stored})")
    say(f"edits acknowledged     {acknowledged:8d}")
    say(f"conflicts in races     {ledger.race_conflicts:8d} (412/409 while editors raced)")
    say(f"stale ETags sent       {ledger.stale_sent:8d} (refused: {ledger.stale_refused})")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seconds", type=float, default=30.0, help="how long clients work")
    parser.add_argument("--keep-db", action="store_true", help=f"keep the {DB_NAME} database")
    args = parser.parse_args()
    if not 1 <= args.seconds <= 600:
        raise ScriptFailure("--seconds must be between 1 and 600")

    ensure_system_cluster()
    say(f"Scratch database {DB_NAME}: create, migrate, seed")
    recreate_database(DB_NAME)
    # Per-token write limit raised for this run only: 20 tokens write far faster than people.
    env = django_env(database_url(DB_NAME), TREATYWATCH_API_WRITES_PER_MINUTE="1000000")
    server = Server(env, workers=2, threads=4)
    try:
        prepare_database(env)
        setup_django(env)
        roles = ["analyst"] * ANALYSTS + ["editor"] * EDITORS
        say(
            f"Creating {len(roles)} members with API tokens "
            f"({ANALYSTS} analysts, {EDITORS} editors)"
        )
        members = make_members(PREFIX, roles)
        server.start()
        say(f"gunicorn on {server.base} (2 workers × 4 threads)")
        run_load(server, members, args.seconds)
    finally:
        server.cleanup()
        from django.db import connections

        connections.close_all()
        if not args.keep_db:
            drop_database(DB_NAME)


def run_load(server: Server, members, seconds: float) -> None:
    from provisions.models import Concern

    base = server.base
    ledger = Ledger()
    provisions = [f"art_{n}" for n in range(1, 69)]
    concerns = list(Concern.objects.values_list("slug", flat=True))
    tag_pool = [f"load topic {random.randrange(10**6)} {n}" for n in range(30)]

    # The shared annotations: submitted by an analyst, so that every editor may edit them.
    author_token = members[0][1]
    shared = []
    for n in range(SHARED):
        body = f"Shared annotation {n} for the editors to polish."
        reply = request(
            "POST",
            base + "/api/v1/annotations",
            headers={"Authorization": f"Bearer {author_token}"},
            data={"bodyValue": body, "target": "art_24", "status": "submitted"},
        )
        if reply.status != 201:
            raise ScriptFailure(
                f"could not create a shared annotation: {reply.status} {reply.text}"
            )
        pk = int(reply.json()["id"].rstrip("/").rsplit("/", 1)[1])
        ledger.created[pk] = Ack(pk, 1, body, "setup")
        shared.append(pk)

    deadline = time.monotonic() + seconds
    analysts = [
        AnalystClient(
            user.username,
            token,
            base,
            ledger,
            deadline,
            provisions=provisions,
            concerns=concerns,
            tag_pool=tag_pool,
        )
        for user, token in members[:ANALYSTS]
    ]
    editors = [
        EditorClient(user.username, token, base, ledger, deadline, shared=shared)
        for user, token in members[ANALYSTS:]
    ]
    say(f"{len(analysts) + len(editors)} clients for {seconds:g} s …")
    started = time.monotonic()
    for client in analysts + editors:
        client.start()
    give_up = deadline + 120  # a request in flight at the deadline may take a while to answer
    for client in analysts + editors:
        client.join(timeout=max(0.0, give_up - time.monotonic()))
    elapsed = time.monotonic() - started
    if any(client.is_alive() for client in analysts + editors):
        ledger.problem("some clients did not finish in time")
    server_log = server.log()

    problems, acknowledged, stored = verify(ledger, analysts, base, shared)
    server.stop()
    summary(ledger, elapsed, acknowledged, stored)

    five_xx = sum(count for status, count in ledger.statuses.items() if status >= 500)
    failures = list(ledger.problems) + problems
    if five_xx:
        failures.insert(0, f"{five_xx} answers were 5xx")
    if ledger.stale_sent == 0:
        failures.append("no stale ETag was sent: the conflict path was not exercised")
    if failures:
        say("")
        for line in failures[:60]:
            say(f"  ✗ {line}")
        if five_xx and server_log:
            say("\nserver log (tail):\n" + server_log)
        raise ScriptFailure(f"{len(failures)} problem(s) under load")
    say("\nOK: no 5xx, no lost update, counts match what the clients were told.")


if __name__ == "__main__":
    run_main(main)

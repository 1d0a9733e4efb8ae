"""Each process's copy of the generations, kept current by Redis, so that a cached page can be
served to an anonymous reader without a round trip to Redis, and never stale.

Without it the early layer (`early.py`) reads a page's generations from Redis for every answer:
one round trip, which under load costs more than the rest of the answer. With the Redis backend,
each worker instead keeps the generations it has read, and learns every change as it happens:

- a write's new generations are written and announced in one step (`backends.RedisCache.
  set_generations`: MSET and PUBLISH in one MULTI), so no new generation is ever written without
  being announced;
- a thread of each worker listens on that channel and applies what it hears, in order. Every
  `PING_EVERY` it sends a PING on the same connection; Redis answers each command of a connection
  in order, after everything it has sent that connection before, so the PONG of a PING sent at
  time s proves that every announcement Redis made before s has been applied (`confirmed`);
- **the lease**: a reader trusts the copy only if `confirmed` is less than `LEASE` old; and a
  request whose write was announced keeps its response until `LEASE` has passed since the
  announcement (`hold_response`, `settle`), whether or not PUBLISH counted any listener (one
  whose connection was just cut is not counted, yet is trusted until its lease runs out). So a
  request that begins after that response was sent finds, in every worker, either a copy
  confirmed after the announcement (which holds the new generations) or no trusted copy at all,
  and then reads Redis as before.

Anything unusual makes a worker fall back to the round trip, which is always right: the listener
starved of CPU (no recent PONG), its connection lost (the copy is emptied; redis-py's automatic
reconnection re-subscribes, and that confirmation empties it again, since announcements may have
been missed in between), a generation not yet in the copy (read from Redis, then kept unless an
announcement arrived meanwhile: `epoch`). The database cache has no such channel: there every
answer reads the generations from the cache, as before.

Restoring a backup: run `generations.everything_changed()` (docs/operations.md), which announces
the change; emptying Redis by hand (FLUSHDB) announces nothing, so restart the app servers then.
"""

import atexit
import contextlib
import json
import logging
import os
import threading
import time

logger = logging.getLogger(__name__)

# How long a worker trusts its copy after the last PONG, and so how long a write's response waits.
LEASE = 0.1
PING_EVERY = LEASE / 5
# A little more than the lease: clocks of two machines drift apart by far less than this.
HOLD = LEASE * 1.2
# No PONG for this long: the connection is taken to be dead and made again.
SILENT_LIMIT = 2.0
RECONNECT_AFTER = 0.5

_hold = threading.local()
_exit_hold = {"registered": False}


class GenerationMirror:
    def __init__(self, backend):
        self.backend = backend
        self.channel = backend.generations_channel()
        self.values: dict[str, object] = {}
        self.epoch = 0  # changes with every announcement applied and every new connection
        self.confirmed = float("-inf")  # when the last PING answered was sent (monotonic)
        self.live = False
        self.lock = threading.Lock()
        self.pid = None
        self.thread = None
        self.pubsub = None  # the listener's connection
        self.failures = 0  # connections lost in a row (logged once)
        self.stopping = False

    # --- readers (the request's thread) ---------------------------------------------------------

    def current(self, keys: list[str]) -> tuple | None:
        """The generations of `keys`, if this process's copy is trusted and holds them all."""
        self._ensure_listening()
        if time.monotonic() - self.confirmed >= LEASE:
            return None
        values = self.values
        try:
            return tuple(values[key] for key in keys)
        except KeyError:
            return None

    def seed_epoch(self) -> int | None:
        """Call before reading generations from Redis; pass the result to `seed`."""
        return self.epoch if self.live else None

    def seed(self, epoch: int | None, found: dict) -> None:
        """Keep generations read from Redis, unless an announcement (or a new connection) came
        between the read and now: the read may then be older than what the copy holds."""
        if epoch is None:
            return
        with self.lock:
            if self.live and epoch == self.epoch:
                self.values.update(found)

    # --- the listener (its own thread, one per process) -----------------------------------------

    def _ensure_listening(self) -> None:
        # A gunicorn worker is a fork of the master: threads do not survive it, so each process
        # starts its own listener the first time it serves.
        if self.pid == os.getpid():
            return
        with self.lock:
            if self.pid == os.getpid():
                return
            self._reset()
            self.pid = os.getpid()
            self.thread = threading.Thread(
                target=self._listen, name="page-cache-generations", daemon=True
            )
            self.thread.start()

    def _reset(self) -> None:
        self.live = False
        self.confirmed = float("-inf")
        self.values = {}
        self.epoch += 1

    def _listen(self) -> None:
        while not self.stopping:
            pubsub = None
            try:
                pubsub = self.pubsub = self.backend.pubsub()
                pubsub.subscribe(self.channel)
                self._follow(pubsub)
            except Exception:
                self.failures += 1
                if self.failures == 1:  # once per outage: it tries again twice a second
                    logger.warning("Page cache: generation announcements lost; reconnecting")
            finally:
                with self.lock:
                    self._reset()
                if pubsub is not None:
                    with contextlib.suppress(Exception):  # it is being dropped anyway
                        pubsub.close()
            time.sleep(RECONNECT_AFTER)

    def _follow(self, pubsub) -> None:
        pings: dict[int, float] = {}
        number, next_ping, last_pong = 0, 0.0, time.monotonic()
        while not self.stopping:
            now = time.monotonic()
            if now >= next_ping:
                if now - last_pong > SILENT_LIMIT:
                    raise ConnectionError("no answer to PING")
                number += 1
                pings[number] = now
                pubsub.ping(str(number))
                next_ping = now + PING_EVERY
            message = pubsub.get_message(timeout=max(next_ping - time.monotonic(), 0))
            if message is None:
                continue
            kind = message["type"]
            if kind == "subscribe":
                # The first subscription, or redis-py's again after reconnecting by itself:
                # whatever was announced in between is unknown, so the copy starts afresh.
                with self.lock:
                    self._reset()
                    self.live = True
                pings.clear()
                self.failures = 0
            elif kind == "message":
                changed = json.loads(message["data"])
                with self.lock:
                    self.values.update(changed)
                    self.epoch += 1
            elif kind == "pong":
                sent = pings.pop(int(message["data"] or 0), None)
                if sent is not None and self.live:
                    for older in [n for n in pings if n < int(message["data"])]:
                        del pings[older]
                    self.confirmed = max(self.confirmed, sent)
                    last_pong = time.monotonic()


_mirrors: dict[tuple, GenerationMirror] = {}  # by Redis servers and channel
_mirrors_lock = threading.Lock()


def mirror_for(backend) -> GenerationMirror | None:
    """This process's copy of `backend`'s generations; None for a backend that cannot announce
    changes (the database cache, each process's memory in development)."""
    try:
        return backend._generation_mirror
    except AttributeError:
        pass
    found = None
    if hasattr(backend, "set_generations"):
        key = (tuple(backend._servers), backend.generations_channel())
        with _mirrors_lock:
            found = _mirrors.get(key)
            if found is None:
                found = _mirrors[key] = GenerationMirror(backend)
    backend._generation_mirror = found
    return found


# --- writers: keep the response until every trusted copy holds the change -----------------------


def request_started() -> None:
    _hold.active, _hold.until = True, 0.0


def hold_response() -> None:
    """An announcement has just been made: what this thread answers next (its
    response; for a command, its end) must wait until every worker's copy is either confirmed
    after it or no longer trusted: `settle`."""
    _hold.until = max(getattr(_hold, "until", 0.0), time.monotonic() + HOLD)
    if not getattr(_hold, "active", False) and not _exit_hold["registered"]:
        # A management command or a script: before the process ends, whatever it wrote last.
        _exit_hold["registered"] = True
        atexit.register(settle)


def settle() -> None:
    """Wait what `hold_response` asked for, if anything: called as a response leaves the app,
    and by a script that wrote through the services before it reads through a server."""
    until = getattr(_hold, "until", 0.0)
    _hold.active, _hold.until = False, 0.0
    remaining = until - time.monotonic()
    if remaining > 0:
        time.sleep(remaining)

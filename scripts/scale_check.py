#!/usr/bin/env python3
"""Two app servers behind one load balancer: write through one, read through the other at once.

    .venv/bin/python scripts/scale_check.py

Starts two gunicorn instances (1 worker × 2 threads each, production settings) on two ports of
127.0.0.1 against one scratch PostgreSQL database (`treatywatch_scale` on the local cluster) and
one Redis (127.0.0.1:6379, database 3; `SCALE_REDIS_URL` changes it), sharing one downloads
folder, as two machines would share PostgreSQL, Redis and a network folder. Checks:

1. a publication made through server A (the API) is on server B's article page, concern page
   and search at once, each page having been cached by B before (no stale page); its retraction
   (an editor's rejection, written to the database like any other server's) likewise;
2. a session made by signing in on A is valid on B; signing out on B ends it on A;
3. the sign-in throttle counts failures made on A and on B together (locked out on B after
   failures on both), and the API write limit counts writes through A and B together;
4. a download built by A is served by B as the same saved file; after a publication, B builds
   it again with the new annotation.

Exits 0 when every check passes, 1 with the reasons otherwise; cleans up always.
"""

from __future__ import annotations

import os
import re
import secrets
import shutil
import tempfile
from pathlib import Path

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

DB_NAME = "treatywatch_scale"
REDIS_URL = os.environ.get("SCALE_REDIS_URL", "redis://127.0.0.1:6379/3")
WRITES_PER_MINUTE = 6
ARTICLE = "/convention/articles/24/"
CSRF_FIELD = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


class Browser:
    """Cookies kept across requests to any of the servers (one site behind a balancer)."""

    def __init__(self):
        self.cookies: dict[str, str] = {}

    def send(self, method: str, url: str, form: dict | None = None, **headers):
        headers = {"Accept": "text/html", **headers}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        body = None
        if form is not None:
            from urllib.parse import urlencode

            headers["Content-Type"] = "application/x-www-form-urlencoded"
            body = urlencode(form)
        reply = _raw(method, url, headers, body)
        for name, value in reply.cookies:
            if value:
                self.cookies[name] = value
            else:
                self.cookies.pop(name, None)
        return reply

    def sign_in(self, base: str, username: str, password: str):
        page = self.send("GET", base + "/accounts/login/")
        token = CSRF_FIELD.search(page.text)
        if page.status != 200 or token is None:
            raise ScriptFailure(f"sign-in page on {base}: {page.status}")
        return self.send(
            "POST",
            base + "/accounts/login/",
            {"csrfmiddlewaretoken": token.group(1), "username": username, "password": password},
            Referer=base + "/accounts/login/",
        )


def _raw(method, url, headers, body):
    """http.client with every Set-Cookie header kept (the shared helper joins them)."""
    import http.client

    rest = url.removeprefix("http://")
    hostport, _sep, path = rest.partition("/")
    host, _sep, port = hostport.partition(":")
    assert host == "127.0.0.1", url
    conn = http.client.HTTPConnection(host, int(port), timeout=30)
    try:
        conn.request(method, "/" + path, body=body, headers={"Connection": "close", **headers})
        response = conn.getresponse()
        payload = response.read()
        cookies = []
        for header in response.headers.get_all("Set-Cookie") or []:
            name, _sep, value = header.split(";", 1)[0].partition("=")
            expired = "max-age=0" in header.lower() or "expires=thu, 01 jan 1970" in header.lower()
            cookies.append((name.strip(), "" if expired else value.strip().strip('"')))
        reply = type("Reply", (), {})()
        reply.status, reply.headers, reply.cookies = response.status, response.headers, cookies
        reply.text = payload.decode("utf-8", errors="replace")
        return reply
    finally:
        conn.close()


def main() -> None:
    ensure_system_cluster()
    downloads = Path(tempfile.mkdtemp(prefix="treatywatch-scale-downloads-"))
    servers: list[Server] = []
    try:
        recreate_database(DB_NAME)
        env = django_env(
            database_url(DB_NAME),
            REDIS_URL=REDIS_URL,
            TREATYWATCH_DOWNLOADS_DIR=str(downloads),
            TREATYWATCH_API_WRITES_PER_MINUTE=str(WRITES_PER_MINUTE),
        )
        say(f"Scratch database {DB_NAME}, Redis {REDIS_URL}: migrate, seed")
        prepare_database(env)
        setup_django(env)
        # One secret key, one database, one Redis, one downloads folder: two machines.
        servers = [Server(env, workers=1, threads=2), Server(env, workers=1, threads=2)]
        for server in servers:
            server.start()
        say(f"server A on {servers[0].base}, server B on {servers[1].base}")
        problems = run(*servers)
        if problems:
            for line in problems:
                say(f"  ✗ {line}")
            for name, server in zip("AB", servers, strict=True):
                say(f"\nserver {name} log (tail):\n{server.log()}")
            raise ScriptFailure(f"{len(problems)} problem(s) with two servers")
        say("\nOK: two servers share pages' freshness, sessions, throttles and downloads.")
    finally:
        for server in servers:
            server.cleanup()
        try:
            from django.db import connections

            connections.close_all()
        except Exception:  # noqa: S110 (Django may not be set up yet)
            pass
        drop_database(DB_NAME)
        shutil.rmtree(downloads, ignore_errors=True)


def run(a: Server, b: Server) -> list[str]:
    from django.contrib.auth import get_user_model

    from provisions.cache import mirror
    from provisions.models import Annotation, Concern
    from provisions.services import annotation_reject

    problems: list[str] = []
    (analyst, analyst_token), (editor, editor_token), (limited, limited_token) = make_members(
        "scale-", ["analyst", "editor", "analyst"]
    )
    concern = Concern.objects.order_by("pk").first()
    concern_page = f"/concerns/{concern.slug}/"
    marker = "scale-check-sentinel"
    # What only the annotation shows (the search page repeats the query, marker included).
    body = "Published through server A"
    search = f"/search/?q={marker}"
    download = "/export/annotations.csv"

    def page(server: Server, path: str):
        return request("GET", server.base + path, headers={"Accept": "text/html"})

    def shows(server: Server, path: str, expected: bool, when: str) -> None:
        reply = page(server, path)
        if reply.status != 200:
            problems.append(f"{when}: {path} on B answered {reply.status}")
        elif (body in reply.text) != expected:
            state = reply.headers.get("x-page-cache")
            verb = "does not show" if expected else "still shows"
            problems.append(f"{when}: {path} on B {verb} the annotation (page cache: {state})")

    # B caches the pages and builds the download before anything is published.
    for path in (ARTICLE, concern_page, search):
        page(b, path)
        if page(b, path).headers.get("x-page-cache") != "hit":
            problems.append(f"{path} is not cached on B (the check would prove nothing)")
    first = request("GET", a.base + download)
    again = request("GET", b.base + download)
    if first.status != 200 or again.status != 200:
        problems.append(f"download: A {first.status}, B {again.status}")
    elif again.headers.get("x-page-cache") != "hit" or again.body != first.body:
        problems.append(
            f"download built by A not served by B from the saved file "
            f"(B: {again.headers.get('x-page-cache')})"
        )
    else:
        say("download built by A is served by B from the same saved file")

    # 1. Publish through A (the API), read through B at once.
    auth = {"Authorization": f"Bearer {analyst_token}"}
    created = request(
        "POST",
        a.base + "/api/v1/annotations",
        headers=auth,
        data={
            "bodyValue": f"{body} ({marker}).",
            "target": "art_24",
            "concerns": [concern.slug],
        },
    )
    if created.status != 201:
        raise ScriptFailure(f"create through A: {created.status} {created.text[:300]}")
    pk = int(created.json()["id"].rstrip("/").rsplit("/", 1)[1])
    for step in ("submit", "publish"):
        token = analyst_token if step == "submit" else editor_token
        reply = request(
            "POST",
            f"{a.base}/api/v1/annotations/{pk}/{step}",
            headers={"Authorization": f"Bearer {token}"},
        )
        if reply.status != 200:
            raise ScriptFailure(f"{step} through A: {reply.status} {reply.text[:300]}")
    for path in (ARTICLE, concern_page, search):
        shows(b, path, True, "after publishing through A")
    rebuilt = request("GET", b.base + download)
    if rebuilt.headers.get("x-page-cache") != "miss" or marker not in rebuilt.text:
        problems.append("after publishing: B served the old download instead of building it again")
    else:
        say("publication through A: on B's article, concern and search pages and download at once")

    # Retraction, written to the shared database (as an editor on any server does).
    annotation_reject(
        annotation=Annotation.objects.get(pk=pk), editor=editor, reason="Retracted by the check."
    )
    # What a server does before it answers the editor: wait until no worker still trusts its copy
    # of the generations without the retraction (provisions/cache/mirror.py).
    mirror.settle()
    for path in (ARTICLE, concern_page, search):
        shows(b, path, False, "after the retraction")
    if marker in request("GET", b.base + download).text:
        problems.append("after the retraction: B's download still holds the annotation")
    else:
        say("retraction: gone from B's pages and download at once")

    # 2. Sessions: signed in on A, signed in on B; signed out on B, signed out on A.
    password = secrets.token_urlsafe(18)
    user = get_user_model().objects.get(pk=analyst.pk)
    user.set_password(password)
    user.save()
    browser = Browser()
    signed = browser.sign_in(a.base, user.username, password)
    if signed.status != 302 or "sessionid" not in browser.cookies:
        problems.append(f"sign-in on A: {signed.status}, cookies {sorted(browser.cookies)}")
    workspace = browser.send("GET", b.base + "/workspace/")
    if workspace.status != 200:
        problems.append(f"the session made on A is not valid on B: {workspace.status}")
    else:
        say("a session made on A is valid on B")
        form = CSRF_FIELD.search(workspace.text)
        out = browser.send(
            "POST",
            b.base + "/accounts/logout/",
            {"csrfmiddlewaretoken": form.group(1) if form else ""},
            Referer=b.base + "/workspace/",
        )
        after = browser.send("GET", a.base + "/workspace/")
        if out.status != 302 or after.status != 302:
            problems.append(f"signed out on B ({out.status}), A still answers {after.status}")
        else:
            say("signed out on B: the session is gone on A too")

    # 3. Throttles: sign-in failures on A and B count together; so do API writes.
    stranger = Browser()
    for index in range(5):
        server = a if index < 3 else b
        stranger.sign_in(server.base, "scale-nobody", f"wrong-password-{index}")
    locked = stranger.sign_in(b.base, "scale-nobody", "another-wrong-password")
    if locked.status != 429 and "locked" not in locked.text.lower():
        problems.append(f"5 failures (3 on A, 2 on B) did not lock out on B: {locked.status}")
    else:
        say("sign-in lockout: 3 failures on A and 2 on B lock the pair out on B")
    limit_auth = {"Authorization": f"Bearer {limited_token}"}
    statuses = []
    for index in range(WRITES_PER_MINUTE + 1):
        server = (a, b)[index % 2]
        reply = request(
            "POST",
            server.base + "/api/v1/annotations",
            headers=limit_auth,
            data={"bodyValue": f"Rate {index}.", "target": "art_2"},
        )
        statuses.append(reply.status)
    if statuses != [201] * WRITES_PER_MINUTE + [429]:
        problems.append(f"API write limit across A and B: {statuses}")
    else:
        say(f"API write limit: {WRITES_PER_MINUTE} writes through A and B, the next one refused")
    return problems


if __name__ == "__main__":
    run_main(main)

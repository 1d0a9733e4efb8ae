"""Pages that show unpublished work are never kept by a cache (issue 11, section 7).

Members see drafts, submissions, the review queue and histories, in pages and htmx fragments;
every response to a signed-in member (or an API token) carries `Cache-Control: private,
no-store` (provisions.middleware.PrivateResponsesMiddleware). The walk requests every URL
pattern of the app, as a page and as an htmx fragment, with GET and POST, as an analyst and an
editor; anonymous readers' public pages stay cacheable.
"""

import pytest

from tests.helpers import (
    ALL_PATTERNS,
    API,
    SKIP_NAMES,
    access_level,
    bearer,
    concrete_url,
    token_for,
    verify_session,
)

pytestmark = pytest.mark.django_db

HTMX = {"HX-Request": "true", "HX-Current-URL": "http://testserver/workspace/"}


def is_private(response) -> bool:
    directives = {part.strip() for part in response.get("Cache-Control", "").split(",")}
    return {"private", "no-store"} <= directives


def member_urls(objects):
    for route, entry in ALL_PATTERNS:
        if entry.name in SKIP_NAMES or entry.name == "logout":  # signing out ends the walk
            continue
        url = concrete_url(route, objects)
        # The API ignores the session: without a token it answers as to anyone (tested below).
        if url is not None and not url.startswith(API):
            yield url


@pytest.mark.parametrize("who", ["analyst", "editor"])
def test_every_response_to_a_member_is_private_and_not_stored(
    client, analyst, editor, objects, who
):
    user = {"analyst": analyst, "editor": editor}[who]
    client.force_login(user)
    verify_session(client, user)
    missing, seen = [], 0
    for url in member_urls(objects):
        for method, headers in (("get", {}), ("get", HTMX), ("post", HTMX)):
            response = getattr(client, method)(url, headers=headers)
            seen += 1
            if not is_private(response):
                kind = "htmx " if headers else ""
                missing.append(f"{kind}{method.upper()} {url}: {response.status_code}")
    assert missing == [], "\n".join(missing)
    assert seen > 150  # the walk did cover the app's URLs
    assert client.get("/workspace/").status_code == 200  # as a member all along


@pytest.mark.parametrize(
    "url",
    [
        "/workspace/",
        "/review/",
        "/review/anchors/",
        "/review/audit/",
        "/history/annotation/{annotation}/",
        "/history/link/{link}/",
        "/annotations/{annotation}/",
        "/annotations/{annotation}/edit/",
        "/convention/articles/24/",
        "/search/?q=draft",
    ],
)
def test_pages_with_unpublished_work_are_not_stored(client, analyst, editor, objects, url):
    # The analyst's own draft, and an editor's view of the team's work.
    url = url.format(**objects)
    for user in (analyst, editor):
        client.force_login(user)
        verify_session(client, user)
        for headers in ({}, HTMX):
            response = client.get(url, headers=headers)
            if response.status_code == 200:
                assert is_private(response), (url, user.username, headers)
    client.force_login(analyst)
    page = client.get(url)
    assert page.status_code in (200, 403), url  # the editor pages refuse an analyst
    assert is_private(page)


def test_the_api_with_a_token_is_private_and_without_one_is_not(client, analyst, objects):
    url = f"{API}annotations/{objects['annotation']}"
    mine = client.get(url, **bearer(token_for(analyst)))
    assert mine.status_code == 200 and mine.json()["status"] == "draft"
    assert is_private(mine)
    public = client.get(f"{API}annotations")
    assert public.status_code == 200 and not is_private(public)


def test_anonymous_public_pages_stay_cacheable(client):
    for url in ("/", "/convention/", "/convention/articles/24/", "/search/?q=data"):
        response = client.get(url)
        assert response.status_code == 200, url
        assert "no-store" not in response.get("Cache-Control", ""), url


def test_the_walk_includes_member_only_urls(objects):
    levels = {access_level(entry) for _route, entry in ALL_PATTERNS}
    assert {"analyst", "editor", "member"} <= levels

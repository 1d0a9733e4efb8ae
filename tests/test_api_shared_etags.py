"""Anonymous API reads carry a shared ETag and answer `If-None-Match` with 304 without a query
(issue 15, "Speed, round two"; provisions/api/endpoint.py `shared_etag`).

Guards: the 304 costs no database query; every write that changes what an address shows
(publishing, retracting, editing an annotation, approving a link) changes its ETag, while a
write elsewhere (another article) leaves it alone; the ETag differs by query string and host;
token callers never get (nor are answered by) the shared ETag and stay private; no ETag when
the page cache is off or unreachable, or for an error.
"""

import pytest
from django.core.cache import cache

from provisions.services import annotation_reject, annotation_update, link_approve, link_propose
from tests.helpers import API, art, bearer, published_annotation, token_for

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.openapi,
    pytest.mark.usefixtures("page_cache_on"),
]

ANNOTATIONS_24 = API + "annotations?article=24"
ARTICLE_24 = API + "articles/24"
URLS = [ANNOTATIONS_24, ARTICLE_24, API + "links?article=24", API + "treaty"]


def test_etag_is_strong_and_a_match_is_304_without_a_query(client, django_assert_num_queries):
    for url in URLS:
        first = client.get(url)
        assert first.status_code == 200, url
        etag = first["ETag"]
        assert etag.startswith('"') and etag.endswith('"'), etag
        assert not first.has_header("Cache-Control") or "no-store" not in first["Cache-Control"]
        with django_assert_num_queries(0):
            again = client.get(url, HTTP_IF_NONE_MATCH=etag)
            head = client.head(url, HTTP_IF_NONE_MATCH=f'"other", W/{etag}')
        for response in (again, head):
            assert response.status_code == 304, url
            assert response.content == b""
            assert response["ETag"] == etag
            assert response["Access-Control-Allow-Origin"] == "*"
            assert "Authorization" in response["Vary"]
        assert client.get(url)["ETag"] == etag  # stable while nothing changes
        assert client.get(url, HTTP_IF_NONE_MATCH='"stale"').status_code == 200


def test_publishing_changes_the_list_and_the_article_but_not_another_article(
    client, analyst, editor
):
    etags = {url: client.get(url)["ETag"] for url in (ANNOTATIONS_24, ARTICLE_24)}
    article_25 = client.get(API + "articles/25")["ETag"]
    annotation = published_annotation(analyst, editor, "Newly published on Article 24.")
    fresh = client.get(ANNOTATIONS_24, HTTP_IF_NONE_MATCH=etags[ANNOTATIONS_24])
    assert fresh.status_code == 200
    assert fresh["ETag"] != etags[ANNOTATIONS_24]
    assert f"annotations/{annotation.pk}" in fresh.json()["items"][0]["id"]
    assert client.get(ARTICLE_24, HTTP_IF_NONE_MATCH=etags[ARTICLE_24]).status_code == 200
    assert client.get(API + "articles/25", HTTP_IF_NONE_MATCH=article_25).status_code == 304


def test_editing_and_retracting_a_published_annotation_change_the_etag(client, analyst, editor):
    annotation = published_annotation(analyst, editor, "First wording.")
    before = client.get(ANNOTATIONS_24)["ETag"]
    annotation = annotation_update(
        annotation=annotation, user=editor, version=annotation.version, body="Second wording."
    )
    edited = client.get(ANNOTATIONS_24, HTTP_IF_NONE_MATCH=before)
    assert edited.status_code == 200
    assert "Second wording." in edited.content.decode()
    annotation_reject(annotation=annotation, editor=editor, reason="Retracted.")
    retracted = client.get(ANNOTATIONS_24, HTTP_IF_NONE_MATCH=edited["ETag"])
    assert retracted.status_code == 200
    assert "Second wording." not in retracted.content.decode()


def test_approving_a_link_changes_its_article(client, analyst, editor):
    etag = client.get(ARTICLE_24)["ETag"]
    links_etag = client.get(API + "links")["ETag"]
    link = link_propose(
        provision=art("art_24"),
        proposer=analyst,
        rationale="Why this provision matters here.",
        concern="weak-procedural-safeguards",
    )
    assert client.get(ARTICLE_24, HTTP_IF_NONE_MATCH=etag).status_code == 304  # a proposal
    link_approve(link=link, editor=editor, note="")
    assert client.get(ARTICLE_24, HTTP_IF_NONE_MATCH=etag).status_code == 200
    assert client.get(API + "links", HTTP_IF_NONE_MATCH=links_etag).status_code == 200


def test_the_etag_names_the_whole_address(client, settings):
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "mirror.example"]
    etags = {
        client.get(url, **extra)["ETag"]
        for url, extra in (
            (ANNOTATIONS_24, {}),
            (API + "annotations?article=25", {}),
            (ANNOTATIONS_24 + "&page_size=5", {}),
            (ANNOTATIONS_24, {"HTTP_HOST": "mirror.example"}),
            (ANNOTATIONS_24, {"wsgi.url_scheme": "https"}),
        )
    }
    assert len(etags) == 5


def test_token_callers_get_no_shared_etag_and_stay_private(client, analyst):
    raw = token_for(analyst)
    public_etag = client.get(ANNOTATIONS_24)["ETag"]
    mine = client.get(ANNOTATIONS_24, HTTP_IF_NONE_MATCH=public_etag, **bearer(raw))
    assert mine.status_code == 200
    assert not mine.has_header("ETag")
    directives = {part.strip() for part in mine["Cache-Control"].split(",")}
    assert {"private", "no-store"} <= directives


def test_no_etag_for_errors_or_without_the_generations(client, settings, monkeypatch):
    missing = client.get(API + "articles/999")
    assert missing.status_code == 404 and not missing.has_header("ETag")
    huge = client.get(API + "articles/" + "9" * 30)
    assert huge.status_code == 404 and not huge.has_header("ETag")
    bad = client.get(API + "annotations?article=x")
    assert bad.status_code == 400 and not bad.has_header("ETag")
    # "*" names no version: answering it 304 unread would claim that article 999 exists.
    assert client.get(API + "articles/999", HTTP_IF_NONE_MATCH="*").status_code == 404

    def down(*args, **kwargs):
        raise ConnectionError("cache down")

    monkeypatch.setattr(cache, "get_many", down)
    unreachable = client.get(ANNOTATIONS_24, HTTP_IF_NONE_MATCH="*")
    assert unreachable.status_code == 200 and not unreachable.has_header("ETag")
    monkeypatch.undo()
    settings.TREATYWATCH_PAGE_CACHE = False
    off = client.get(ANNOTATIONS_24)
    assert off.status_code == 200 and not off.has_header("ETag")

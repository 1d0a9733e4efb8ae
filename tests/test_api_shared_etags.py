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

from provisions.api import urls as api_urls
from provisions.cache.generations import invalidate
from provisions.models import ProvisionLink
from provisions.services import annotation_reject, annotation_update, link_approve, link_propose
from provisions.treaty_status import CACHE_SCOPE as STATES_SCOPE
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


CONCERN = "weak-procedural-safeguards"
DEMAND = "laws-meet-human-rights-standards"
# Every other anonymous read (provisions/api/urls.py), by URL name.
OTHER_READS = {
    "index": API,
    "openapi": API + "openapi.json",
    "concerns": API + "concerns",
    "concern": API + f"concerns/{CONCERN}",
    "safeguards": API + "safeguards",
    "safeguard": API + f"safeguards/{DEMAND}",
    "states": API + "states",
    "state": API + "states/MLI",
    "link": None,  # an approved seeded link's address, found at run time
    "context": API + "context.jsonld",
}
# Reads that keep an ETag of their own, read from the row: the version `If-Match` takes for
# writes (one query for the 304), or the container's digest of the answer; and the JSON 404.
OWN_ETAG = {"annotation", "wap_annotation", "wap_container", "not_found"}


def _address(name: str) -> str:
    if name == "link":
        return API + f"links/{ProvisionLink.objects.approved().order_by('pk').first().pk}"
    return OTHER_READS[name]


def test_every_anonymous_read_is_listed():
    reads = {
        pattern.name
        for pattern in api_urls.urlpatterns
        if getattr(pattern.callback, "treatywatch_access", "public") == "public"
    }
    named = {"treaty", "article", "links", "annotations", *OTHER_READS, *OWN_ETAG}
    assert reads <= named, reads - named


@pytest.mark.parametrize("name", sorted(OTHER_READS))
def test_every_other_anonymous_read_answers_304_without_a_query(
    name, client, django_assert_num_queries
):
    url = _address(name)
    first = client.get(url)
    assert first.status_code == 200, url
    etag = first["ETag"]
    assert etag.startswith('"') and etag.endswith('"'), etag
    with django_assert_num_queries(0):
        again = client.get(url, HTTP_IF_NONE_MATCH=etag)
        head = client.head(url, HTTP_IF_NONE_MATCH=etag)
    for response in (again, head):
        assert response.status_code == 304 and response.content == b""
        assert response["ETag"] == etag
    assert client.get(url)["ETag"] == etag


def test_approving_a_link_changes_the_concern_and_demand_reads(client, analyst, editor):
    watched = ["concerns", "concern", "safeguards", "safeguard", "link"]
    etags = {name: client.get(_address(name))["ETag"] for name in watched}
    states = client.get(_address("states"))["ETag"]
    link = link_propose(
        provision=art("art_24"),
        proposer=analyst,
        rationale="Why this provision matters here.",
        concern=CONCERN,
    )
    link_approve(link=link, editor=editor, note="")
    for name in watched:
        answer = client.get(_address(name), HTTP_IF_NONE_MATCH=etags[name])
        assert answer.status_code == 200, name
    assert client.get(_address("states"), HTTP_IF_NONE_MATCH=states).status_code == 304


def test_the_states_reads_follow_the_states_pages_scope(client):
    etags = {name: client.get(_address(name))["ETag"] for name in ("states", "state", "concerns")}
    invalidate(STATES_SCOPE)  # what a status import or a published commitment retires
    assert client.get(_address("states"), HTTP_IF_NONE_MATCH=etags["states"]).status_code == 200
    assert client.get(_address("state"), HTTP_IF_NONE_MATCH=etags["state"]).status_code == 200
    assert client.get(_address("concerns"), HTTP_IF_NONE_MATCH=etags["concerns"]).status_code == 304


def test_unknown_points_states_and_links_get_no_etag(client):
    for url in (
        API + "concerns/no-such-concern",
        API + "states/XXX",
        API + "links/999999",
        API + "links/" + "9" * 30,
    ):
        answer = client.get(url)
        assert answer.status_code == 404 and not answer.has_header("ETag"), url

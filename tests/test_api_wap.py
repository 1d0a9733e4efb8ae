"""The W3C Web Annotation Protocol beside the JSON API (provisions/api/wap.py).

The container is /api/v1/annotations/, each annotation /api/v1/annotations/<id>/, TreatyWatch's
JSON-LD context /api/v1/context.jsonld. The protocol's MUSTs, as web-platform-tests'
annotation-protocol server checks list them, are ported (in our words) at the end of this file;
the visibility and permission rules are the JSON API's, checked here for every method.
"""

import json

import pytest

from provisions.models import Annotation
from provisions.services import annotation_create, annotation_submit
from tests.helpers import (
    API,
    art,
    bearer,
    draft,
    make_member,
    many_published,
    published_annotation,
    token_for,
)

pytestmark = [pytest.mark.django_db, pytest.mark.openapi]

CONTAINER = API + "annotations/"
BASE = "http://testserver"
W3C_CONTEXT = "http://www.w3.org/ns/anno.jsonld"
PROFILED = 'application/ld+json; profile="http://www.w3.org/ns/anno.jsonld"'
RESOURCE_LINK = '<http://www.w3.org/ns/ldp#Resource>; rel="type"'
PREFER = 'return=representation;include="{}"'
# Terms of the W3C context (anno.jsonld) that our documents use; everything else must be
# defined by our own context for JSON-LD expansion to keep it.
W3C_TERMS = {
    "@context",
    "id",
    "type",
    "motivation",
    "created",
    "modified",
    "creator",
    "name",
    "body",
    "value",
    "format",
    "purpose",
    "target",
    "source",
    "selector",
    "exact",
    "prefix",
    "suffix",
    "start",
    "end",
    "label",
    "canonical",
    "via",
    "language",  # the target's: the language of the text the note quotes (W3C §3.2.1)
    "textDirection",
}


def wap_url(annotation) -> str:
    return f"{API}annotations/{annotation.pk}/"


def send(client, method, path, data, raw=None, content_type=PROFILED, **extra):
    headers = bearer(raw) if raw else {}
    body = data if isinstance(data, (str, bytes)) else json.dumps(data)
    return getattr(client, method)(path, body, content_type=content_type, **headers, **extra)


def error_of(response, status: int) -> dict:
    assert response.status_code == status, response.content
    return response.json()["error"]


def tagged_draft(author, **kwargs):
    return draft(
        author,
        concerns=["weak-procedural-safeguards"],
        demands=["laws-meet-human-rights-standards"],
        tags=["Proportionality", "scope"],
        **kwargs,
    )


# --- The container ---------------------------------------------------------------------------


def test_container_is_a_basic_container_and_annotation_collection(client, analyst, editor):
    for number in range(3):
        published_annotation(analyst, editor, f"Note {number}.")
    response = client.get(CONTAINER + "?page_size=2")
    assert response.status_code == 200
    assert response["Content-Type"] == PROFILED
    assert '<http://www.w3.org/ns/ldp#BasicContainer>; rel="type"' in response["Link"]
    assert (
        '<http://www.w3.org/TR/annotation-protocol/>; rel="http://www.w3.org/ns/ldp#constrainedBy"'
        in response["Link"]
    )
    assert {"GET", "HEAD", "POST", "OPTIONS"} <= set(response["Allow"].split(", "))
    assert "Accept" in response["Vary"] and "Authorization" in response["Vary"]
    assert response["ETag"].startswith('W/"')
    assert response["Accept-Post"] == PROFILED
    data = response.json()
    assert response["Content-Location"] == data["id"] == f"{BASE}{CONTAINER}"
    assert data["type"] == ["BasicContainer", "AnnotationCollection"]
    assert data["total"] == 3
    first = data["first"]
    assert first["type"] == "AnnotationPage"
    assert first["partOf"] == {"id": data["id"], "total": 3}
    assert first["startIndex"] == 0 and "prev" not in first
    assert first["next"] == f"{BASE}{CONTAINER}?page=2&page_size=2"
    assert [item["body"][0]["value"] for item in first["items"]] == ["Note 2.", "Note 1."]
    assert data["last"] == first["next"]


def test_pages_link_to_each_other_and_to_their_container(client, analyst, editor):
    for number in range(3):
        published_annotation(analyst, editor, f"Note {number}.")
    last = client.get(CONTAINER + "?page=2&page_size=2")
    assert last.status_code == 200 and last["Content-Type"] == PROFILED
    page = last.json()
    assert page["@context"] == W3C_CONTEXT
    assert page["id"] == last["Content-Location"] == f"{BASE}{CONTAINER}?page=2&page_size=2"
    assert page["partOf"]["id"] == f"{BASE}{CONTAINER}" and page["startIndex"] == 2
    assert page["prev"] == f"{BASE}{CONTAINER}?page=1&page_size=2" and "next" not in page
    assert [item["body"][0]["value"] for item in page["items"]] == ["Note 0."]
    past = client.get(CONTAINER + "?page=9&page_size=2").json()
    assert past["items"] == [] and past["prev"] == page["id"]


def test_container_keeps_filters_in_its_id_and_page_links(client, analyst, editor):
    published_annotation(analyst, editor, "On 24.")
    published_annotation(analyst, editor, "On 23.", eid="art_23")
    data = client.get(CONTAINER + "?article=24&page_size=1").json()
    assert data["id"] == f"{BASE}{CONTAINER}?article=24"
    assert data["total"] == 1 and data["last"] == f"{BASE}{CONTAINER}?article=24&page=1&page_size=1"


def test_container_paging_is_checked_as_in_the_json_api(client):
    assert error_of(client.get(CONTAINER + "?page=0"), 400)["fields"] == {
        "page": ["Invalid value."]
    }
    error_of(client.get(CONTAINER + "?page_size=101"), 400)


def test_container_etag_answers_304_and_changes_with_the_content(client, analyst, editor):
    published_annotation(analyst, editor)
    etag = client.get(CONTAINER)["ETag"]
    again = client.get(CONTAINER, HTTP_IF_NONE_MATCH=etag)
    assert again.status_code == 304 and again["ETag"] == etag
    published_annotation(analyst, editor, "Another.")
    assert client.get(CONTAINER, HTTP_IF_NONE_MATCH=etag).status_code == 200


def test_prefer_minimal_container_and_contained_iris(client, analyst, editor):
    note = published_annotation(analyst, editor)
    minimal = client.get(
        CONTAINER, HTTP_PREFER=PREFER.format("http://www.w3.org/ns/ldp#PreferMinimalContainer")
    )
    assert minimal["Preference-Applied"] == "return=representation"
    assert "Prefer" in minimal["Vary"]
    assert minimal.json()["first"] == f"{BASE}{CONTAINER}?page=1&page_size=20"
    iris = client.get(
        CONTAINER, HTTP_PREFER=PREFER.format("http://www.w3.org/ns/oa#PreferContainedIRIs")
    ).json()
    assert iris["first"]["items"] == [f"{BASE}{wap_url(note)}"]
    assert iris["last"].endswith("&iris=1")
    assert client.get(iris["last"]).json()["items"] == [f"{BASE}{wap_url(note)}"]


@pytest.mark.parametrize(
    ("accept", "media"),
    [
        ("", PROFILED),
        ("*/*", PROFILED),
        (PROFILED, PROFILED),
        ("application/ld+json", PROFILED),
        ("application/json", "application/json"),
        ("text/html;q=0.9, application/json", "application/json"),
    ],
)
def test_content_negotiation(client, analyst, editor, accept, media):
    note = published_annotation(analyst, editor)
    for path in (CONTAINER, wap_url(note)):
        response = client.get(path, HTTP_ACCEPT=accept)
        assert response.status_code == 200 and response["Content-Type"] == media


@pytest.mark.parametrize("accept", ["text/turtle", "text/html", "application/ld+json;q=0"])
def test_unacceptable_media_type_is_406(client, analyst, editor, accept):
    note = published_annotation(analyst, editor)
    for path in (CONTAINER, wap_url(note)):
        error = error_of(client.get(path, HTTP_ACCEPT=accept), 406)
        assert error["code"] == "not_acceptable"


def test_container_shows_what_each_caller_may_see(
    client, analyst, other_analyst, editor, alice_token, bob_token, erin_token
):
    public = published_annotation(analyst, editor, "Public.")
    mine = draft(analyst, "Alice's draft.")
    submitted = draft(other_analyst, "Bob's submitted note.")
    annotation_submit(annotation=submitted, user=other_analyst)

    def seen(raw=None):
        headers = bearer(raw) if raw else {}
        return {item["id"] for item in client.get(CONTAINER, **headers).json()["first"]["items"]}

    def url(note):
        return f"{BASE}{wap_url(note)}"

    assert seen() == {url(public)}
    assert seen(alice_token) == {url(public), url(mine), url(submitted)}
    assert seen(bob_token) == {url(public), url(submitted)}
    assert seen(erin_token) == {url(public), url(submitted)}
    for raw in (None, bob_token, erin_token):
        headers = bearer(raw) if raw else {}
        error_of(client.get(wap_url(mine), **headers), 404)
    assert client.get(wap_url(mine), **bearer(alice_token)).status_code == 200


# --- One annotation --------------------------------------------------------------------------


def test_annotation_document_headers_and_w3c_shape(client, analyst, editor):
    note = tagged_draft(analyst)
    annotation_submit(annotation=note, user=analyst)
    from provisions.services import annotation_publish

    annotation_publish(annotation=note, editor=editor)
    response = client.get(wap_url(note))
    assert response.status_code == 200
    assert response["Content-Type"] == PROFILED
    assert response["Link"] == RESOURCE_LINK
    assert set(response["Allow"].split(", ")) == {
        "GET",
        "HEAD",
        "PUT",
        "PATCH",
        "DELETE",
        "OPTIONS",
    }
    assert "Accept" in response["Vary"]
    note.refresh_from_db()
    assert response["ETag"] == f'"{note.pk}-v{note.version}"'
    data = response.json()
    assert data["@context"] == [W3C_CONTEXT, f"{BASE}/api/v1/context.jsonld"]
    assert data["id"] == f"{BASE}{wap_url(note)}"
    assert data["body"] == [
        {
            "type": "TextualBody",
            "purpose": "commenting",
            "value": "A draft note.",
            "format": "text/markdown",
        },
        {"type": "TextualBody", "purpose": "tagging", "value": "Proportionality"},
        {"type": "TextualBody", "purpose": "tagging", "value": "scope"},
    ]
    assert "tags" not in data
    assert data["target"]["source"] == f"{BASE}/convention/articles/24/#art_24"
    assert data["concerns"] == ["weak-procedural-safeguards"]
    assert data["status"] == "published"
    # The JSON API's document of the same annotation keeps its own shape.
    api = client.get(f"{API}annotations/{note.pk}").json()
    assert api["tags"] == ["Proportionality", "scope"] and api["body"]["value"] == "A draft note."
    etag = response["ETag"]
    cached = client.get(wap_url(note), HTTP_IF_NONE_MATCH=etag)
    assert cached.status_code == 304 and cached["ETag"] == etag


def test_a_replys_target_is_its_parent_annotation(client, analyst, other_analyst, editor):
    parent = published_annotation(analyst, editor)
    reply = annotation_create(
        provision=art(), author=other_analyst, body="I agree.", in_reply_to=parent
    )
    data = client.get(wap_url(reply), **bearer(token_for(other_analyst))).json()
    assert data["motivation"] == "replying"
    assert data["target"] == data["inReplyTo"] == f"{BASE}{wap_url(parent)}"
    assert data["body"][0]["purpose"] == "replying"
    assert data["provision"] == "art_24"


def test_context_defines_every_extension_term(client, analyst, editor):
    note = tagged_draft(analyst)
    annotation_submit(annotation=note, user=analyst)
    parent = published_annotation(analyst, editor, "Parent.")
    reply = annotation_create(provision=art(), author=analyst, body="Reply.", in_reply_to=parent)
    token = token_for(analyst)
    response = client.get(API + "context.jsonld")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/ld+json"
    assert response["Access-Control-Allow-Origin"] == "*"
    assert "max-age=86400" in response["Cache-Control"]
    context = response.json()["@context"]
    assert context.pop("@version") == 1.1  # importedFrom's keys have a scoped context
    for term, definition in context.items():
        assert definition["@id"] == f"{BASE}/api/v1/context.jsonld#{term}" or (term == "inReplyTo")

    def keys(value):
        if isinstance(value, dict):
            for key, item in value.items():
                yield key
                yield from keys(item)
        elif isinstance(value, list):
            for item in value:
                yield from keys(item)

    for annotation in (note, reply):
        document = client.get(wap_url(annotation), **bearer(token)).json()
        undefined = set(keys(document)) - W3C_TERMS - set(context)
        assert not undefined, undefined
    assert {
        "provision",
        "concerns",
        "safeguards",
        "status",
        "version",
        "anchorState",
        "published",
        "importedFrom",
        "sourceVersion",
        "officialText",
        "inReplyTo",
    } <= set(context)


# --- Writing ---------------------------------------------------------------------------------


def test_post_creates_and_answers_201_with_location(client, analyst, alice_token):
    words = art().text[5:25]
    response = send(
        client,
        "post",
        CONTAINER,
        {
            "@context": W3C_CONTEXT,
            "type": "Annotation",
            "body": [
                {"type": "TextualBody", "value": "Too *broad*.", "purpose": "commenting"},
                {"type": "TextualBody", "purpose": "tagging", "value": "scope"},
            ],
            "target": {
                "source": "art_24",
                "selector": {"type": "TextQuoteSelector", "exact": words},
            },
        },
        alice_token,
    )
    assert response.status_code == 201, response.content
    annotation = Annotation.objects.get()
    data = response.json()
    assert response["Location"] == data["id"] == f"{BASE}{wap_url(annotation)}"
    assert data["id"].startswith(f"{BASE}{CONTAINER}")
    assert response["ETag"] == f'"{annotation.pk}-v1"'
    assert response["Link"] == '<http://www.w3.org/ns/ldp#BasicContainer>; rel="type", ' + (
        '<http://www.w3.org/TR/annotation-protocol/>; rel="http://www.w3.org/ns/ldp#constrainedBy"'
    )
    assert annotation.author == analyst and annotation.status == "draft"
    assert annotation.body == "Too *broad*."
    assert [tag.name for tag in annotation.tags.all()] == ["scope"]
    assert annotation.quote == words


def test_posting_back_what_get_returned_makes_a_copy(client, analyst, editor, alice_token):
    original = tagged_draft(analyst)
    annotation_submit(annotation=original, user=analyst)
    from provisions.services import annotation_publish

    annotation_publish(annotation=original, editor=editor)
    document = client.get(wap_url(original)).json()
    response = send(client, "post", CONTAINER, document, alice_token)
    assert response.status_code == 201, response.content
    copy = response.json()
    assert copy["id"] != document["id"]
    assert copy["status"] == "draft" and copy["version"] == 1
    assert copy["body"] == document["body"]
    for key in ("concerns", "safeguards", "provision"):
        assert copy[key] == document[key]
    assert copy["target"]["source"] == document["target"]["source"]
    # W3C §3.3.7 and protocol §5.1: the copy keeps the original's lasting identity, and its
    # `via` is the address it was copied from.
    assert document["canonical"].startswith("urn:uuid:") and "via" not in document
    assert copy["canonical"] == document["canonical"]
    assert copy["via"] == document["id"]


def test_post_a_reply_by_targeting_the_parent(client, analyst, editor, bob_token):
    parent = published_annotation(analyst, editor)
    response = send(
        client,
        "post",
        CONTAINER,
        {
            "type": "Annotation",
            "motivation": "replying",
            "body": {"type": "TextualBody", "value": "I agree."},
            "target": f"{BASE}{wap_url(parent)}",
        },
        bob_token,
    )
    assert response.status_code == 201, response.content
    data = response.json()
    assert data["target"] == data["inReplyTo"] == f"{BASE}{wap_url(parent)}"
    assert Annotation.objects.get(pk=data["id"].rstrip("/").rsplit("/", 1)[1]).in_reply_to == (
        parent
    )
    # Getting the reply and posting it back makes a second reply to the same parent.
    again = send(client, "post", CONTAINER, data, bob_token)
    assert again.status_code == 201, again.content
    assert again.json()["target"] == data["target"]


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"type": "Annotation", "target": "art_24", "colour": "red"}, "colour"),
        ({"type": "Highlight", "bodyValue": "x", "target": "art_24"}, "type"),
        ({"bodyValue": "x", "target": "art_24", "status": "approved"}, "status"),
        (
            {
                "body": [{"type": "TextualBody", "purpose": "tagging", "value": 5}],
                "target": "art_24",
            },
            "body.value",
        ),
        ({"bodyValue": "x", "target": "http://other.example/page"}, "target.source"),
        ({"bodyValue": "x", "target": f"{API}annotations/999999/"}, "inReplyTo"),
    ],
)
def test_invalid_posts_are_422_and_save_nothing(client, alice_token, payload, field):
    error = error_of(send(client, "post", CONTAINER, payload, alice_token), 422)
    assert field in error["fields"], error
    assert not Annotation.objects.exists()


def test_post_needs_a_writing_token_json_and_a_small_body(client, alice_token):
    payload = {"bodyValue": "x", "target": "art_24"}
    error_of(send(client, "post", CONTAINER, payload), 401)
    reader = token_for(make_member("carol", None))
    error_of(send(client, "post", CONTAINER, payload, reader), 403)
    error = error_of(
        send(client, "post", CONTAINER, "bodyValue=x", alice_token, content_type="text/turtle"),
        415,
    )
    assert error["code"] == "unsupported_media_type"
    big = {"bodyValue": "x" * (65 * 1024), "target": "art_24"}
    error_of(send(client, "post", CONTAINER, big, alice_token), 413)
    assert not Annotation.objects.exists()
    # A write answers with no CORS headers, as in the JSON API.
    created = send(client, "post", CONTAINER, payload, alice_token)
    assert created.status_code == 201 and "Access-Control-Allow-Origin" not in created


def test_put_replaces_with_if_match(client, analyst, alice_token):
    note = tagged_draft(analyst)
    read = client.get(wap_url(note), **bearer(alice_token))
    document = read.json()
    document["body"] = [{"type": "TextualBody", "value": "Rewritten."}]
    del document["concerns"]
    error_of(send(client, "put", wap_url(note), document, alice_token), 428)
    response = send(client, "put", wap_url(note), document, alice_token, HTTP_IF_MATCH=read["ETag"])
    assert response.status_code == 200, response.content
    data = response.json()
    assert data["body"] == [
        {
            "type": "TextualBody",
            "purpose": "commenting",
            "value": "Rewritten.",
            "format": "text/markdown",
        }
    ]
    # Left out of the replacement: gone.
    assert data["concerns"] == [] and data["version"] == 2
    assert response["ETag"] == f'"{note.pk}-v2"'
    stale = send(client, "put", wap_url(note), document, alice_token, HTTP_IF_MATCH=read["ETag"])
    assert error_of(stale, 412)["code"] == "precondition_failed"


def test_put_sending_back_what_get_returned_changes_nothing_but_the_version(
    client, analyst, alice_token
):
    quote = {"type": "TextQuoteSelector", "exact": art().text[:12]}
    note = tagged_draft(analyst, selectors=[quote])
    read = client.get(wap_url(note), **bearer(alice_token))
    response = send(
        client, "put", wap_url(note), read.json(), alice_token, HTTP_IF_MATCH=read["ETag"]
    )
    assert response.status_code == 200, response.content
    before, after = read.json(), response.json()
    for key in ("body", "target", "concerns", "safeguards", "provision"):
        assert after[key] == before[key], key


def test_put_cannot_move_the_annotation_nor_drop_body_or_target(client, analyst, alice_token):
    note = draft(analyst)
    etag = client.get(wap_url(note), **bearer(alice_token))["ETag"]
    for payload, field in (
        ({"bodyValue": "x", "target": "art_23"}, "target.source"),
        ({"bodyValue": "x", "target": "http://other.example/"}, "target.source"),
        ({"target": "art_24"}, "body.value"),
        ({"bodyValue": "x"}, "target"),
    ):
        response = send(client, "put", wap_url(note), payload, alice_token, HTTP_IF_MATCH=etag)
        assert field in error_of(response, 422)["fields"], payload
    note.refresh_from_db()
    assert note.version == 1 and note.body == "A draft note."


def test_patch_with_tagging_bodies(client, analyst, alice_token):
    note = tagged_draft(analyst)
    etag = client.get(wap_url(note), **bearer(alice_token))["ETag"]
    response = send(
        client,
        "patch",
        wap_url(note),
        {"body": [{"type": "TextualBody", "purpose": "tagging", "value": "privacy"}]},
        alice_token,
        HTTP_IF_MATCH=etag,
    )
    assert response.status_code == 200, response.content
    data = response.json()
    assert [b["value"] for b in data["body"]] == ["A draft note.", "privacy"]
    assert data["concerns"] == ["weak-procedural-safeguards"]


def test_every_write_follows_the_json_apis_permissions(
    client, analyst, other_analyst, editor, alice_token, bob_token, erin_token
):
    mine = draft(analyst)
    etag = f'"{mine.pk}-v1"'
    document = {"bodyValue": "Changed.", "target": "art_24"}
    for method in ("put", "patch"):
        error_of(send(client, method, wap_url(mine), document, HTTP_IF_MATCH=etag), 401)
        # A draft is its author's alone: others do not even see it.
        for raw in (bob_token, erin_token):
            error_of(send(client, method, wap_url(mine), document, raw, HTTP_IF_MATCH=etag), 404)
    error_of(client.delete(wap_url(mine)), 401)
    for raw in (bob_token, erin_token):
        error_of(client.delete(wap_url(mine), **bearer(raw)), 404)
    # Submitted work: editors may edit it, its author and other analysts may not.
    annotation_submit(annotation=mine, user=analyst)
    for raw in (alice_token, bob_token):
        response = send(
            client, "put", wap_url(mine), document, raw, HTTP_IF_MATCH=f'"{mine.pk}-v2"'
        )
        assert error_of(response, 403)["code"] == "forbidden"
    edited = send(
        client, "put", wap_url(mine), document, erin_token, HTTP_IF_MATCH=f'"{mine.pk}-v2"'
    )
    assert edited.status_code == 200, edited.content
    assert edited.json()["body"][0]["value"] == "Changed."


def test_delete_a_draft(client, analyst, alice_token):
    note = draft(analyst)
    error_of(client.delete(wap_url(note), **bearer(alice_token), HTTP_IF_MATCH='"0-v9"'), 412)
    response = client.delete(wap_url(note), **bearer(alice_token))
    assert response.status_code == 204
    assert response["Link"] == RESOURCE_LINK
    assert not Annotation.objects.filter(pk=note.pk).exists()


# --- The protocol's MUSTs ----------------------------------------------------------------------
# A port, in our words, of web-platform-tests' annotation-protocol/server "MUST" checks
# (server-musts-manual.html), run against our container and one published annotation. Where
# TreatyWatch deliberately differs, the test says how: annotations target the Convention's
# provisions, so the W3C test's "http://www.example.com/index.html" target becomes a provision,
# and its PUT moving the target to another page becomes a PUT changing the quoted words.


@pytest.fixture
def must(client, analyst, editor):
    """The container (two pages of one annotation each) and one annotation, as read by a W3C
    client: GET with Accept: application/ld+json."""
    first = published_annotation(analyst, editor, "First.")
    published_annotation(analyst, editor, "Second.")
    container = client.get(CONTAINER + "?page_size=1", HTTP_ACCEPT="application/ld+json")
    annotation = client.get(wap_url(first), HTTP_ACCEPT="application/ld+json")
    return {"container": container, "annotation": annotation, "first": first}


def _allows(response, method: str) -> bool:
    return method in [m.strip() for m in response["Allow"].split(",")]


def test_must_container_iri_ends_in_a_slash(must):
    assert must["container"].json()["id"].split("?")[0].endswith("/")


@pytest.mark.parametrize("resource", ["container", "annotation"])
@pytest.mark.parametrize("method", ["GET", "HEAD", "OPTIONS"])
def test_must_allow_lists_get_head_and_options(must, resource, method):
    assert _allows(must[resource], method)


@pytest.mark.parametrize("resource", ["container", "annotation"])
def test_must_content_type_etag_vary_and_link(must, resource):
    response = must[resource]
    assert response["Content-Type"].startswith("application/ld+json")
    assert response["ETag"]
    assert "Accept" in [v.strip() for v in response["Vary"].split(",")]
    assert response["Link"]


def test_must_container_describes_itself_as_basic_container_and_collection(must):
    types = must["container"].json()["type"]
    assert "BasicContainer" in types and "AnnotationCollection" in types


def test_must_container_advertises_its_type_and_constraints(must):
    link = must["container"]["Link"]
    assert '<http://www.w3.org/ns/ldp#BasicContainer>; rel="type"' in link
    assert (
        '<http://www.w3.org/TR/annotation-protocol/>; rel="http://www.w3.org/ns/ldp#constrainedBy"'
        in link
    )


def test_must_container_content_location_is_its_id(must):
    response = must["container"]
    assert response["Content-Location"] == response.json()["id"]


@pytest.mark.parametrize("resource", ["container", "annotation"])
def test_must_head_and_options_answer_200(client, must, resource):
    path = CONTAINER if resource == "container" else wap_url(must["first"])
    head = client.head(path)
    assert head.status_code == 200 and head.content == b""
    options = client.options(path)
    assert options.status_code == 200 and _allows(options, "GET")


def test_must_pages_link_to_container_next_and_prev(client, must):
    collection = must["container"].json()
    first = client.get(collection["first"]["id"]).json()
    assert first["partOf"]["id"] == collection["id"]
    assert "next" in first
    last = client.get(collection["last"]).json()
    assert "prev" in last and last["partOf"]["id"] == collection["id"]


def test_must_annotation_link_is_the_ldp_resource_type(must):
    assert must["annotation"]["Link"] == RESOURCE_LINK


def test_must_cross_origin_clients_may_read_the_protocols_headers(must):
    for resource in ("container", "annotation"):
        exposed = {h.strip() for h in must[resource]["Access-Control-Expose-Headers"].split(",")}
        assert {"Allow", "Content-Location", "ETag", "Link", "Vary"} <= exposed


@pytest.fixture
def created(client, analyst):
    token = token_for(analyst)
    response = send(
        client,
        "post",
        CONTAINER,
        {
            "@context": W3C_CONTEXT,
            "type": "Annotation",
            "body": {"type": "TextualBody", "value": "I like this provision!"},
            "target": f"{BASE}/convention/articles/24/#art_24",
        },
        token,
        content_type="application/ld+json",
    )
    return response, token


def test_must_creation_answers_201_with_an_id_in_the_container(created):
    response, _token = created
    assert response.status_code == 201
    data = response.json()
    assert data["id"].startswith(f"{BASE}{CONTAINER}")
    assert response["Location"] == data["id"]


def test_must_creation_preserves_canonical(client, analyst):
    response = send(
        client,
        "post",
        CONTAINER,
        {
            "type": "Annotation",
            "bodyValue": "x",
            "target": "art_24",
            "canonical": "urn:uuid:6f1c5a32-8a4e-4b83-9d27-1a1d2b0c3e4f",
        },
        token_for(analyst),
    )
    assert response.json().get("canonical") == "urn:uuid:6f1c5a32-8a4e-4b83-9d27-1a1d2b0c3e4f"


def test_a_note_made_here_has_its_own_lasting_identity_and_an_edit_keeps_it(client, created):
    response, token = created
    document = response.json()
    canonical = document["canonical"]
    assert canonical.startswith("urn:uuid:") and "via" not in document
    fresh = {key: value for key, value in document.items() if key not in ("id", "canonical")}
    other = send(client, "post", CONTAINER, fresh, token).json()
    assert other["canonical"].startswith("urn:uuid:") and other["canonical"] != canonical
    document |= {"canonical": "urn:uuid:00000000-0000-4000-8000-000000000000", "via": "urn:x:1"}
    document["body"][0]["value"] = "Edited."
    updated = send(client, "put", document["id"], document, token, HTTP_IF_MATCH=response["ETag"])
    assert updated.status_code == 200, updated.content
    assert updated.json()["canonical"] == canonical and "via" not in updated.json()


@pytest.mark.parametrize(
    "identity", ["javascript:alert(1)", "not an address", "/relative/path", "urn:", ["a", "b"]]
)
def test_a_canonical_or_via_that_is_no_address_is_refused(client, analyst, identity):
    for key in ("canonical", "via"):
        response = send(
            client,
            "post",
            API + "annotations",
            {"bodyValue": "x", "target": "art_24", key: identity},
            token_for(analyst),
            content_type="application/json",
        )
        assert key in error_of(response, 422)["fields"]
    assert not Annotation.objects.exists()


def test_must_update_is_done_with_put(client, created):
    response, token = created
    document = response.json()
    words = art().text[:15]
    document["target"] = {
        "source": document["target"]["source"],
        "selector": {"type": "TextQuoteSelector", "exact": words},
    }
    updated = send(client, "put", document["id"], document, token, HTTP_IF_MATCH=response["ETag"])
    assert updated.status_code == 200, updated.content
    assert updated.json()["target"]["selector"][0]["exact"] == words


def test_must_delete_answers_204(client, created):
    response, token = created
    assert client.delete(response.json()["id"], **bearer(token)).status_code == 204


def test_container_query_budget_does_not_grow(client, analyst, editor):
    """The container costs what GET /annotations costs (count + page + 3 prefetches), with 5
    annotations as with 60; a minimal container only counts."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def queries(path, **headers) -> int:
        with CaptureQueriesContext(connection) as captured:
            response = client.get(path, {"page_size": 100}, **headers)
        assert response.status_code == 200
        return len(captured.captured_queries)

    counts = []
    for added in (5, 55):
        many_published(analyst, editor, added)
        # The database's first-use checks (SQLite's JSON support, on reading rows) aside.
        client.get(CONTAINER)
        counts.append(
            (
                queries(CONTAINER),
                queries(API + "annotations"),
                queries(
                    CONTAINER,
                    HTTP_PREFER=PREFER.format("http://www.w3.org/ns/ldp#PreferMinimalContainer"),
                ),
            )
        )
    assert counts[0] == counts[1], counts
    container, json_api, minimal = counts[0]
    assert container == json_api and minimal == container - 4, counts


# --- The protocol's SHOULDs (web-platform-tests server-manual.html's [RECOMMENDED] checks) -----


def test_should_minimal_container_names_its_pages_and_holds_no_annotations(client, analyst, editor):
    published_annotation(analyst, editor, "One.")
    minimal = client.get(
        CONTAINER, HTTP_PREFER=PREFER.format("http://www.w3.org/ns/ldp#PreferMinimalContainer")
    )
    data = minimal.json()
    assert data["total"] == 1 and isinstance(data["first"], str) and isinstance(data["last"], str)
    assert "items" not in data and "ldp:contains" not in data
    assert "Prefer" in minimal["Vary"] and "Prefer" not in minimal
    page = client.get(data["first"].removeprefix(BASE)).json()
    assert page["items"] and all("@context" in item for item in page["items"])


def test_should_a_deleted_annotation_is_gone_for_every_method(client, created):
    response, token = created
    address = response.json()["id"].removeprefix(BASE)
    assert client.delete(address, **bearer(token)).status_code == 204
    assert client.get(address, **bearer(token)).status_code == 404
    assert client.delete(address, **bearer(token)).status_code == 404
    gone = send(client, "put", address, response.json(), token, HTTP_IF_MATCH=response["ETag"])
    assert gone.status_code == 404


def test_the_migration_gives_notes_made_here_a_lasting_identity_and_imported_ones_none(analyst):
    import importlib

    from django.apps import apps

    migration = importlib.import_module("provisions.migrations.0019_annotation_canonical_via")
    mine, imported = draft(analyst), draft(analyst, "Imported.")
    Annotation.objects.filter(pk=mine.pk).update(canonical="")
    Annotation.objects.filter(pk=imported.pk).update(
        canonical="", imported_from="w3c", imported_id="https://example.org/a/1"
    )
    migration.give_notes_made_here_a_canonical_identity(apps, None)
    mine.refresh_from_db()
    imported.refresh_from_db()
    assert mine.canonical.startswith("urn:uuid:") and imported.canonical == ""

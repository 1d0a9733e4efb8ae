"""JSON API writes with personal tokens: each endpoint's contract and each error status."""

import json

import pytest
from django.test import Client

from provisions.api import annotation_views
from provisions.api import auth as api_auth
from provisions.models import Annotation, ProvisionLink
from provisions.services import annotation_submit, annotation_update, link_propose
from tests.helpers import (
    API,
    art,
    bearer,
    draft,
    error_of,
    make_member,
    post,
    published_annotation,
    token_for,
)

pytestmark = [pytest.mark.django_db, pytest.mark.openapi]


def patch(client, path, data, raw, **extra):
    return client.patch(
        API + path, json.dumps(data), content_type="application/json", **bearer(raw), **extra
    )


# --- POST /annotations -----------------------------------------------------------------------


def test_create_annotation_by_eid(client, analyst, alice_token):
    provision = art()
    words = provision.text[5:25]
    response = post(
        client,
        "annotations",
        {
            "@context": "http://www.w3.org/ns/anno.jsonld",
            "type": "Annotation",
            "motivation": "commenting",
            "body": {"type": "TextualBody", "value": "Too *broad*.", "format": "text/markdown"},
            "target": {
                "source": "art_24",
                "selector": {"type": "TextQuoteSelector", "exact": words},
            },
            "concerns": ["weak-procedural-safeguards"],
            "safeguards": ["laws-meet-human-rights-standards"],
            "tags": ["scope"],
        },
        alice_token,
    )
    assert response.status_code == 201, response.content
    data = response.json()
    annotation = Annotation.objects.get()
    assert response["Location"] == f"http://testserver/api/v1/annotations/{annotation.pk}"
    assert data["id"] == response["Location"]
    assert response["ETag"] == f'"{annotation.pk}-v1"'
    assert data["status"] == "draft" and annotation.author == analyst
    assert data["body"]["value"] == "Too *broad*."
    assert data["target"]["selector"][1] == {"type": "TextPositionSelector", "start": 5, "end": 25}
    assert data["concerns"] == ["weak-procedural-safeguards"]
    assert data["safeguards"] == ["laws-meet-human-rights-standards"]
    assert data["tags"] == ["scope"]


def test_create_by_permalink_submitted(client, alice_token):
    response = post(
        client,
        "annotations",
        {
            "bodyValue": "Whole provision.",
            "target": {"source": "http://testserver/convention/articles/24/#art_24"},
            "status": "submitted",
        },
        alice_token,
    )
    assert response.status_code == 201, response.content
    data = response.json()
    assert data["status"] == "submitted"
    assert "selector" not in data["target"]
    assert data["target"]["source"].endswith("/convention/articles/24/#art_24")


def test_create_a_reply(client, analyst, editor, alice_token):
    parent = published_annotation(editor, editor)
    response = post(
        client,
        "annotations",
        {"bodyValue": "I agree.", "inReplyTo": f"{API}annotations/{parent.pk}"},
        alice_token,
    )
    assert response.status_code == 201, response.content
    data = response.json()
    assert data["inReplyTo"] == f"http://testserver/api/v1/annotations/{parent.pk}"
    assert data["provision"] == parent.provision.eid


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"bodyValue": "x", "target": {"source": "art_999"}}, "target.source"),
        (
            {"bodyValue": "x", "target": {"source": "http://testserver/concerns/x/#art_24"}},
            "target.source",
        ),
        (
            {"bodyValue": "x", "target": {"source": "/convention/articles/23/#art_24"}},
            "target.source",
        ),
        ({"bodyValue": "x"}, "target"),
        ({"target": "art_24"}, "body.value"),
        ({"body": {"value": "   "}, "target": "art_24"}, "body.value"),
        ({"body": {"value": 5}, "target": "art_24"}, "body.value"),
        ({"bodyValue": "x", "target": "art_24", "concerns": ["no-such-concern"]}, "concerns"),
        ({"bodyValue": "x", "target": "art_24", "safeguards": ["nope"]}, "safeguards"),
        ({"bodyValue": "x", "target": "art_24", "concerns": "serious-crime-scope"}, "concerns"),
        (
            {
                "bodyValue": "x",
                "target": {
                    "source": "art_24",
                    "selector": [
                        {"type": "TextQuoteSelector", "exact": "words that are not in the text"}
                    ],
                },
            },
            "target.selector",
        ),
        (
            {
                "bodyValue": "x",
                "target": {
                    "source": "art_24",
                    "selector": [{"type": "TextPositionSelector", "start": 0, "end": 10**6}],
                },
            },
            "target.selector",
        ),
        ({"bodyValue": "x", "target": "art_24", "status": "published"}, "status"),
        ({"bodyValue": "x", "target": "art_24", "motivation": "shouting"}, "motivation"),
        ({"bodyValue": "x", "target": "art_24", "inReplyTo": 10**9}, "inReplyTo"),
        ({"bodyValue": "x", "target": "art_24", "colour": "red"}, "colour"),
    ],
)
def test_invalid_annotation_is_422_with_fields(client, alice_token, payload, field):
    error = error_of(post(client, "annotations", payload, alice_token), 422)
    assert error["code"] == "validation_failed"
    assert field in error["fields"], error
    assert not Annotation.objects.exists()


def test_malformed_json_is_400(client, alice_token):
    for body in ('{"bodyValue": ', "[1, 2]", "NaN", b"\xff\xfe"):
        error = error_of(post(client, "annotations", body, alice_token), 400)
        assert error["code"] == "malformed_json"


def test_wrong_content_type_is_415(client, alice_token):
    response = client.post(
        API + "annotations", "bodyValue=x", content_type="text/plain", **bearer(alice_token)
    )
    assert error_of(response, 415)["code"] == "unsupported_media_type"
    form = client.post(API + "annotations", {"bodyValue": "x"}, **bearer(alice_token))
    error_of(form, 415)
    ld = post(
        client,
        "annotations",
        {"bodyValue": "x", "target": "art_24"},
        alice_token,
        CONTENT_TYPE="application/ld+json",
    )
    assert ld.status_code == 201


def test_body_over_64_kb_is_413_before_parsing(client, alice_token):
    big = json.dumps({"bodyValue": "x" * (65 * 1024), "target": "art_24"})
    error = error_of(post(client, "annotations", big, alice_token), 413)
    assert error["code"] == "payload_too_large"
    # Refused on the declared length, even when the body is not JSON at all.
    error_of(post(client, "annotations", "{" * (70 * 1024), alice_token), 413)


def test_writes_need_a_valid_token(client, analyst):
    response = post(client, "annotations", {"bodyValue": "x", "target": "art_24"})
    error = error_of(response, 401)
    assert error["code"] == "unauthorized"
    assert response["WWW-Authenticate"].startswith("Bearer")
    bad = post(client, "annotations", {}, "tw_not-a-real-token")
    error_of(bad, 401)
    assert 'error="invalid_token"' in bad["WWW-Authenticate"]
    basic = client.post(
        API + "annotations",
        {},
        content_type="application/json",
        HTTP_AUTHORIZATION="Basic YWxpY2U6cHc=",
    )
    error_of(basic, 401)


def test_a_session_is_not_enough_to_write(client, analyst):
    client.force_login(analyst)
    response = post(client, "annotations", {"bodyValue": "x", "target": "art_24"})
    error_of(response, 401)
    assert not Annotation.objects.exists()


def test_write_only_addresses_say_401_before_405(client, analyst):
    error_of(client.get(API + "annotations/1/submit"), 401)
    error_of(client.get(API + "annotations/1/submit", **bearer(token_for(analyst))), 405)


def test_members_without_a_role_cannot_write(client):
    reader = make_member("reader", None)
    response = post(
        client, "annotations", {"bodyValue": "x", "target": "art_24"}, token_for(reader)
    )
    assert error_of(response, 403)["code"] == "forbidden"


def test_token_writes_are_exempt_from_csrf(analyst, alice_token):
    strict = Client(enforce_csrf_checks=True)
    response = post(strict, "annotations", {"bodyValue": "x", "target": "art_24"}, alice_token)
    assert response.status_code == 201


def test_writes_are_rate_limited_per_token(client, analyst, alice_token, settings, monkeypatch):
    settings.TREATYWATCH_API_WRITES_PER_MINUTE = 3
    monkeypatch.setattr(api_auth, "_clock", lambda: 1_000_000_050.0)  # 30 s into a minute
    for _ in range(3):
        assert (
            post(
                client, "annotations", {"bodyValue": "x", "target": "art_24"}, alice_token
            ).status_code
            == 201
        )
    response = post(client, "annotations", {"bodyValue": "x", "target": "art_24"}, alice_token)
    assert error_of(response, 429)["code"] == "rate_limited"
    assert response["Retry-After"] == "30"
    assert Annotation.objects.count() == 3
    # Another token of the same member has its own allowance; reads are never limited.
    assert (
        post(
            client,
            "annotations",
            {"bodyValue": "x", "target": "art_24"},
            token_for(analyst, "second"),
        ).status_code
        == 201
    )
    assert client.get(API + "annotations", **bearer(alice_token)).status_code == 200
    # The next minute starts afresh.
    monkeypatch.setattr(api_auth, "_clock", lambda: 1_000_000_100.0)
    assert (
        post(client, "annotations", {"bodyValue": "x", "target": "art_24"}, alice_token).status_code
        == 201
    )


# --- PATCH / DELETE /annotations/<id> --------------------------------------------------------


def test_patch_with_if_match_updates_and_returns_the_new_etag(client, analyst, alice_token):
    annotation = draft(analyst, concerns=["serious-crime-scope"])
    url = f"annotations/{annotation.pk}"
    etag = client.get(API + url, **bearer(alice_token))["ETag"]
    provision = art()
    response = patch(
        client,
        url,
        {
            "body": {"value": "Rewritten."},
            "target": {"selector": [{"type": "TextPositionSelector", "start": 0, "end": 7}]},
            "concerns": [],
            "safeguards": ["laws-meet-human-rights-standards"],
            "tags": ["new"],
        },
        alice_token,
        HTTP_IF_MATCH=etag,
    )
    assert response.status_code == 200, response.content
    data = response.json()
    assert response["ETag"] == f'"{annotation.pk}-v2"' != etag
    assert data["version"] == 2
    assert data["body"]["value"] == "Rewritten."
    assert data["target"]["selector"][0]["exact"] == provision.text[:7]
    assert data["concerns"] == [] and data["safeguards"] == ["laws-meet-human-rights-standards"]
    assert data["tags"] == ["new"]
    # The old ETag is now stale.
    stale = patch(client, url, {"bodyValue": "Again."}, alice_token, HTTP_IF_MATCH=etag)
    assert error_of(stale, 412)["code"] == "precondition_failed"
    assert stale["ETag"] == response["ETag"]


def test_patch_without_if_match_is_428(client, analyst, alice_token):
    annotation = draft(analyst)
    response = patch(client, f"annotations/{annotation.pk}", {"bodyValue": "x"}, alice_token)
    assert error_of(response, 428)["code"] == "precondition_required"
    annotation.refresh_from_db()
    assert annotation.version == 1


@pytest.mark.parametrize("header", ["*", " * ", "*, *"])
def test_patch_with_if_match_star_is_428_not_a_blind_overwrite(
    client, analyst, alice_token, header
):
    """`*` matches any version, so it cannot say which one the client read (issue 11, §7)."""
    annotation = draft(analyst)
    annotation_update(annotation=annotation, user=analyst, version=1, body="Saved elsewhere.")
    response = patch(
        client,
        f"annotations/{annotation.pk}",
        {"bodyValue": "Blind."},
        alice_token,
        HTTP_IF_MATCH=header,
    )
    assert error_of(response, 428)["code"] == "precondition_required"
    assert response["ETag"] == f'"{annotation.pk}-v2"'
    annotation.refresh_from_db()
    assert annotation.body == "Saved elsewhere." and annotation.version == 2


def test_patch_with_star_beside_a_real_etag_checks_the_real_one(client, analyst, alice_token):
    annotation = draft(analyst)
    url = f"annotations/{annotation.pk}"
    stale = patch(
        client, url, {"bodyValue": "x"}, alice_token, HTTP_IF_MATCH=f'*, "{annotation.pk}-v9"'
    )
    assert error_of(stale, 412)["code"] == "precondition_failed"
    fresh = patch(
        client, url, {"bodyValue": "y"}, alice_token, HTTP_IF_MATCH=f'*, "{annotation.pk}-v1"'
    )
    assert fresh.status_code == 200, fresh.content
    annotation.refresh_from_db()
    assert annotation.body == "y" and annotation.version == 2


def test_patch_racing_another_edit_is_409(client, analyst, alice_token, monkeypatch):
    annotation = draft(analyst)
    etag = f'"{annotation.pk}-v1"'
    real_update = annotation_views.services.annotation_update

    def someone_else_saves_first(**kwargs):
        annotation_update(annotation=kwargs["annotation"], user=analyst, version=1, body="Other.")
        return real_update(**kwargs)

    monkeypatch.setattr(annotation_views.services, "annotation_update", someone_else_saves_first)
    response = patch(
        client,
        f"annotations/{annotation.pk}",
        {"bodyValue": "Mine."},
        alice_token,
        HTTP_IF_MATCH=etag,
    )
    error = error_of(response, 409)
    assert error["code"] == "edit_conflict"
    assert response["ETag"] == f'"{annotation.pk}-v2"'
    annotation.refresh_from_db()
    assert annotation.body == "Other."


def test_patch_refusals(client, analyst, other_analyst, editor, alice_token):
    submitted = draft(analyst, status="submitted")
    url = f"annotations/{submitted.pk}"
    etag = f'"{submitted.pk}-v1"'
    # The author cannot edit once submitted; another analyst cannot edit at all.
    error_of(patch(client, url, {"bodyValue": "x"}, alice_token, HTTP_IF_MATCH=etag), 403)
    bob = token_for(other_analyst)
    error_of(patch(client, url, {"bodyValue": "x"}, bob, HTTP_IF_MATCH=etag), 403)
    # Editors may edit submitted work.
    ok = patch(client, url, {"bodyValue": "Edited."}, token_for(editor), HTTP_IF_MATCH=etag)
    assert ok.status_code == 200
    mine = draft(analyst)
    mine_url = f"annotations/{mine.pk}"
    mine_etag = f'"{mine.pk}-v1"'
    error_of(patch(client, mine_url, {}, alice_token, HTTP_IF_MATCH=mine_etag), 422)
    moved = {"target": {"source": "art_5"}}
    error = error_of(patch(client, mine_url, moved, alice_token, HTTP_IF_MATCH=mine_etag), 422)
    assert "target.source" in error["fields"]
    error_of(
        patch(client, mine_url, {"status": "published"}, alice_token, HTTP_IF_MATCH=mine_etag), 422
    )
    # Someone else's draft does not exist for this token.
    error_of(patch(client, mine_url, {"bodyValue": "x"}, bob, HTTP_IF_MATCH=mine_etag), 404)


def test_delete_own_draft(client, analyst, other_analyst, alice_token):
    annotation = draft(analyst)
    url = API + f"annotations/{annotation.pk}"
    error_of(client.delete(url, **bearer(token_for(other_analyst))), 404)
    error_of(client.delete(url, HTTP_IF_MATCH='"x-v9"', **bearer(alice_token)), 412)
    response = client.delete(url, **bearer(alice_token))
    assert response.status_code == 204
    assert not Annotation.objects.filter(pk=annotation.pk).exists()
    error_of(client.delete(url, **bearer(alice_token)), 404)
    submitted = draft(analyst, status="submitted")
    error_of(client.delete(API + f"annotations/{submitted.pk}", **bearer(alice_token)), 403)


# --- submit / publish ------------------------------------------------------------------------


def test_submit_then_publish_makes_it_public(client, analyst, alice_token, erin_token):
    annotation = draft(analyst)
    url = f"annotations/{annotation.pk}"
    submitted = post(client, url + "/submit", None, alice_token)
    assert submitted.status_code == 200, submitted.content
    assert submitted.json()["status"] == "submitted"
    assert client.get(API + url).status_code == 404
    error_of(post(client, url + "/publish", None, alice_token), 403)
    published = post(client, url + "/publish", {}, erin_token)
    assert published.status_code == 200
    assert published.json()["status"] == "published"
    assert published["ETag"] == f'"{annotation.pk}-v3"'
    assert client.get(API + url).json()["status"] == "published"
    # Publishing twice is a validation error, not a crash.
    assert error_of(post(client, url + "/publish", None, erin_token), 422)["fields"]["status"]


def test_submit_refusals(client, analyst, other_analyst, alice_token):
    mine = draft(analyst)
    annotation_submit(annotation=mine, user=analyst)
    url = f"annotations/{mine.pk}/submit"
    # Submitted work is visible to other analysts, but only the author submits.
    error_of(post(client, url, None, token_for(other_analyst)), 403)
    error_of(post(client, url, None, alice_token), 422)
    error_of(post(client, url, None, alice_token, HTTP_IF_MATCH='"0-v0"'), 412)
    error_of(post(client, "annotations/999999/submit", None, alice_token), 404)
    error_of(post(client, url, {"extra": 1}, alice_token), 422)


# --- Links -----------------------------------------------------------------------------------


def test_propose_link_then_editor_approves(client, analyst, alice_token, erin_token):
    response = post(
        client,
        "links",
        {
            "provision": "art_24",
            "concern": "serious-crime-scope",
            "kind": "raises",
            "rationale": "Conditions are left to domestic law.",
            "sources": ["https://example.org/analysis"],
            "confidence": "high",
        },
        alice_token,
    )
    assert response.status_code == 201, response.content
    data = response.json()
    link = ProvisionLink.objects.get(pk=data["id"])
    assert response["Location"] == f"http://testserver/api/v1/links/{link.pk}"
    assert data["status"] == "proposed" and link.proposed_by == analyst
    assert data["sources"] == ["https://example.org/analysis"]
    assert client.get(API + f"links/{link.pk}").status_code == 404  # not public yet

    error_of(post(client, f"links/{link.pk}/approve", None, alice_token), 403)
    approved = post(client, f"links/{link.pk}/approve", {"note": "Agreed."}, erin_token)
    assert approved.status_code == 200
    assert approved.json()["status"] == "approved"
    assert approved.json()["review_note"] == "Agreed."
    assert client.get(API + f"links/{link.pk}").json()["status"] == "approved"


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"concern": "serious-crime-scope", "rationale": "x"}, "provision"),
        ({"provision": "art_24", "rationale": "x"}, "concern"),
        (
            {
                "provision": "art_24",
                "concern": "serious-crime-scope",
                "safeguard": "laws-meet-human-rights-standards",
                "rationale": "x",
            },
            "concern",
        ),
        ({"provision": "art_24", "concern": "nope", "rationale": "x"}, "concern"),
        ({"provision": "art_24", "concern": "serious-crime-scope"}, "rationale"),
        (
            {
                "provision": "art_24",
                "concern": "serious-crime-scope",
                "rationale": "x",
                "kind": "likes",
            },
            "kind",
        ),
        (
            {
                "provision": "art_24",
                "concern": "serious-crime-scope",
                "rationale": "x",
                "confidence": "total",
            },
            "confidence",
        ),
        (
            {
                "provision": "art_24",
                "concern": "serious-crime-scope",
                "rationale": "x",
                "sources": ["javascript:alert(1)"],
            },
            "sources",
        ),
        ({"provision": "art_24", "safeguard": "nope", "rationale": "x"}, "safeguard"),
    ],
)
def test_invalid_link_is_422(client, alice_token, payload, field):
    before = ProvisionLink.objects.count()
    error = error_of(post(client, "links", payload, alice_token), 422)
    assert field in error["fields"], error
    assert ProvisionLink.objects.count() == before


def test_approve_refusals(client, analyst, erin_token):
    link = link_propose(
        provision=art(), proposer=analyst, concern="serious-crime-scope", rationale="x"
    )
    error_of(post(client, "links/999999/approve", None, erin_token), 404)
    error_of(post(client, f"links/{link.pk}/approve", {"note": 3}, erin_token), 422)
    assert post(client, f"links/{link.pk}/approve", None, erin_token).status_code == 200
    error_of(post(client, f"links/{link.pk}/approve", None, erin_token), 422)  # already approved


def test_nul_characters_in_the_body_are_400(client, alice_token):
    payload = '{"bodyValue": "x", "target": "art_24", "tags": ["a\\u0000b"]}'
    assert error_of(post(client, "annotations", payload, alice_token), 400)
    assert not Annotation.objects.exists()

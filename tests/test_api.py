"""JSON API reads: each endpoint's contract, W3C shape, visibility, CORS, ETags, query budgets,
and an OpenAPI document that covers every address.

Helpers here (`token_for`, `bearer`, `published_annotation`, …) are shared by the other
tests/test_api_*.py files.
"""

import re
from datetime import datetime

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

from provisions.api import urls as api_urls
from provisions.models import ProvisionLink
from provisions.services import (
    annotation_create,
    annotation_publish,
    annotation_reject,
    link_propose,
)
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
from tests.openapi_check import api_document, check_response

pytestmark = [pytest.mark.django_db, pytest.mark.openapi]


def ids(page: dict) -> list[str]:
    return [item["id"].rsplit("/", 1)[1] for item in page["items"]]


# --- Index, treaty, articles -----------------------------------------------------------------


def test_index_points_to_every_collection(client):
    response = client.get(API)
    assert response.status_code == 200
    data = response.json()
    assert data["openapi"] == "http://testserver/api/v1/openapi.json"
    assert data["annotations"] == "http://testserver/api/v1/annotations"
    assert data["annotation_container"] == "http://testserver/api/v1/annotations/"
    assert data["context"] == "http://testserver/api/v1/context.jsonld"
    for address in data.values():
        if address.startswith("http://testserver/"):
            assert client.get(address.removeprefix("http://testserver")).status_code == 200


def test_treaty_has_facts_chapters_and_article_titles(client):
    response = client.get(API + "treaty")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    data = response.json()
    assert "Cybercrime" in data["short_title"]
    assert data["text_version_label"]
    assert len(data["chapters"]) == 9
    numbers = [a["number"] for chapter in data["chapters"] for a in chapter["articles"]]
    assert numbers == list(range(1, 69))
    chapter_iv = next(c for c in data["chapters"] if c["number"] == "IV")
    art24 = next(a for a in chapter_iv["articles"] if a["number"] == 24)
    assert art24["title"] == "Conditions and safeguards"
    assert art24["url"] == "http://testserver/convention/articles/24/"
    assert art24["api_url"] == "http://testserver/api/v1/articles/24"


def test_article_has_provisions_summary_and_only_approved_links(client, analyst):
    link_propose(
        provision=art(), proposer=analyst, concern="serious-crime-scope", rationale="Proposed."
    )
    response = client.get(API + "articles/24")
    assert response.status_code == 200
    data = response.json()
    assert data["number"] == 24 and data["eid"] == "art_24"
    assert data["summary"]
    assert data["chapter"]["number"] == "IV"
    provision = data["provisions"][0]
    assert set(provision) >= {"eid", "kind", "label", "text", "is_official_text", "links"}
    assert provision["eid"] == "art_24"
    assert provision["is_official_text"] is False
    assert provision["url"] == "http://testserver/convention/articles/24/#art_24"
    links = [link for p in data["provisions"] for link in p["links"]]
    assert links and all(link["status"] == "approved" for link in links)
    assert "weak-procedural-safeguards" in {link["concern"] for link in links}
    assert data["annotations_url"] == "http://testserver/api/v1/annotations?article=24"


@pytest.mark.parametrize("number", ["999", "0", "99999999999999999999999"])
def test_unknown_article_is_a_json_404(client, number):
    response = client.get(API + f"articles/{number}")
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"


def test_unknown_api_address_is_a_json_404_for_any_method(client):
    for method in ("get", "post", "delete"):
        response = getattr(client, method)(API + "no-such-thing/here")
        assert response.status_code == 404
        assert response.json()["error"]["code"] == "not_found"


# --- Concerns and safeguards -----------------------------------------------------------------


def test_concerns_list_with_counts(client):
    data = client.get(API + "concerns").json()
    assert len(data["items"]) == 11
    scope = next(c for c in data["items"] if c["slug"] == "serious-crime-scope")
    assert scope["approved_link_count"] >= 3
    assert scope["api_url"] == "http://testserver/api/v1/concerns/serious-crime-scope"


def test_concern_detail_has_approved_links(client, analyst):
    link_propose(
        provision=art("art_5"),
        proposer=analyst,
        concern="serious-crime-scope",
        rationale="Not yet reviewed.",
    )
    response = client.get(API + "concerns/serious-crime-scope")
    assert response.status_code == 200
    data = response.json()
    articles = {link["article"] for link in data["links"]}
    assert {2, 23, 35} <= articles
    assert 5 not in articles
    assert all(link["status"] == "approved" for link in data["links"])
    assert client.get(API + "concerns/no-such-concern").status_code == 404


def test_safeguards_list_and_detail(client):
    data = client.get(API + "safeguards").json()
    assert len(data["items"]) == 6
    slug = "laws-meet-human-rights-standards"
    detail = client.get(API + f"safeguards/{slug}").json()
    assert detail["slug"] == slug
    assert detail["links"] and all(link["safeguard"] == slug for link in detail["links"])
    assert client.get(API + "safeguards/nope").status_code == 404


# --- Links -----------------------------------------------------------------------------------


def test_links_are_paginated_with_next_and_prev(client):
    first = client.get(API + "links", {"page_size": 10}).json()
    assert first["total"] == ProvisionLink.objects.approved().count()
    assert len(first["items"]) == 10
    assert first["prev"] is None
    assert first["next"].startswith("http://testserver/api/v1/links?")
    second = client.get(first["next"]).json()
    assert second["page"] == 2
    assert second["prev"] and "page=1" in second["prev"]
    assert {i["id"] for i in first["items"]}.isdisjoint(i["id"] for i in second["items"])


def test_link_filters(client):
    by_article = client.get(API + "links", {"article": 24}).json()
    assert by_article["total"] and all(i["article"] == 24 for i in by_article["items"])
    by_concern = client.get(API + "links", {"concern": "serious-crime-scope"}).json()
    assert by_concern["total"] and all(
        i["concern"] == "serious-crime-scope" for i in by_concern["items"]
    )
    slug = "laws-meet-human-rights-standards"
    by_safeguard = client.get(API + "links", {"safeguard": slug}).json()
    assert by_safeguard["total"] and all(i["safeguard"] == slug for i in by_safeguard["items"])
    assert client.get(API + "links", {"article": "x"}).status_code == 400


def test_proposed_links_are_hidden_from_anonymous_readers(client, analyst, other_analyst):
    link = link_propose(
        provision=art(), proposer=analyst, concern="serious-crime-scope", rationale="Maybe."
    )
    anonymous = client.get(API + "links", {"article": 24, "page_size": 100}).json()
    assert link.pk not in {i["id"] for i in anonymous["items"]}
    assert client.get(API + f"links/{link.pk}").status_code == 404
    # Analysts see proposals, as in the review discussion.
    seen = client.get(API + "links", {"status": "proposed"}, **bearer(token_for(other_analyst)))
    assert [i["id"] for i in seen.json()["items"]] == [link.pk]
    detail = client.get(API + f"links/{link.pk}", **bearer(token_for(analyst)))
    assert detail.status_code == 200 and detail.json()["status"] == "proposed"


def test_rejected_links_stay_hidden_from_anonymous_readers(client, analyst, editor):
    from provisions.services import link_reject

    link = link_propose(
        provision=art(), proposer=analyst, concern="serious-crime-scope", rationale="Maybe."
    )
    link_reject(link=link, editor=editor, reason="Not this article.")
    assert client.get(API + f"links/{link.pk}").status_code == 404
    assert client.get(API + "links", {"status": "rejected"}).json()["total"] == 0


# --- Annotations: W3C shape ------------------------------------------------------------------


def test_published_annotation_is_a_w3c_web_annotation(client, analyst, editor):
    provision = art()
    words = provision.text[10:40]
    annotation = published_annotation(
        analyst,
        editor,
        "Proportionality is left to **domestic law**.",
        selectors=[{"type": "TextQuoteSelector", "exact": words}],
        concerns=["weak-procedural-safeguards"],
        demands=["laws-meet-human-rights-standards"],
        tags=["Proportionality"],
    )
    response = client.get(API + f"annotations/{annotation.pk}")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/ld+json")
    data = response.json()
    assert data["@context"] == [
        "http://www.w3.org/ns/anno.jsonld",
        "http://testserver/api/v1/context.jsonld",
    ]
    assert data["id"] == f"http://testserver/api/v1/annotations/{annotation.pk}"
    assert data["type"] == "Annotation"
    for key in ("created", "modified"):
        parsed = datetime.fromisoformat(data[key])
        assert parsed.tzinfo is not None
    assert data["creator"] == {"type": "Person", "name": "Alice Analyst"}
    assert data["body"] == {
        "type": "TextualBody",
        "value": "Proportionality is left to **domestic law**.",
        "format": "text/markdown",
    }
    assert data["target"]["source"] == "http://testserver/convention/articles/24/#art_24"
    quote, position = data["target"]["selector"]
    assert quote == {
        "type": "TextQuoteSelector",
        "exact": words,
        "prefix": provision.text[:10],
        "suffix": provision.text[40:72],
    }
    assert position == {"type": "TextPositionSelector", "start": 10, "end": 40}
    assert data["concerns"] == ["weak-procedural-safeguards"]
    assert data["safeguards"] == ["laws-meet-human-rights-standards"]
    assert data["tags"] == ["Proportionality"]
    assert data["status"] == "published"
    assert isinstance(data["version"], int) and data["version"] == annotation.version
    assert data["inReplyTo"] is None
    assert "@" not in response.content.decode().replace("@context", "")  # no e-mail anywhere


def test_whole_provision_annotation_has_no_selector(client, analyst, editor):
    annotation = published_annotation(analyst, editor)
    data = client.get(API + f"annotations/{annotation.pk}").json()
    assert "selector" not in data["target"]


def test_reply_points_to_its_parent_and_a_nameless_creator_is_a_member(client, editor):
    nameless = make_member("nameless", "Analysts")
    nameless.member.display_name = ""
    nameless.member.save()
    parent = published_annotation(nameless, editor)
    reply = annotation_create(
        provision=parent.provision, author=editor, body="Agreed.", in_reply_to=parent
    )
    annotation_publish(annotation=reply, editor=editor)
    data = client.get(API + f"annotations/{reply.pk}").json()
    assert data["inReplyTo"] == f"http://testserver/api/v1/annotations/{parent.pk}"
    assert data["motivation"] == "replying"
    parent_data = client.get(API + f"annotations/{parent.pk}").json()
    # No public name chosen: never the username (issue 11 §5).
    assert parent_data["creator"]["name"] == "A TreatyWatch member"


# --- Annotations: list and filters -----------------------------------------------------------


def test_annotation_filters(client, analyst, editor):
    a24 = published_annotation(
        analyst,
        editor,
        "About SURVEILLANCE powers.",
        concerns=["serious-crime-scope"],
        tags=["Data Retention"],
    )
    a5 = published_annotation(
        analyst, editor, "Another note.", eid="art_5", demands=["laws-meet-human-rights-standards"]
    )

    def listed(**params):
        response = client.get(API + "annotations", params)
        assert response.status_code == 200
        return [int(i) for i in ids(response.json())]

    assert listed() == [a5.pk, a24.pk]  # newest first
    assert listed(article=24) == [a24.pk]
    assert listed(provision="art_5") == [a5.pk]
    assert listed(concern="serious-crime-scope") == [a24.pk]
    assert listed(safeguard="laws-meet-human-rights-standards") == [a5.pk]
    assert listed(tag="Data Retention") == [a24.pk]
    assert listed(tag="data-retention") == [a24.pk]
    assert listed(tag="data retention") == [a24.pk]
    assert listed(q="surveillance") == [a24.pk]
    assert listed(q="nothing like this") == []
    assert listed(status="published") == [a5.pk, a24.pk]


def test_annotation_pagination(client, analyst, editor):
    for n in range(5):
        published_annotation(analyst, editor, f"Note {n}.")
    page = client.get(API + "annotations", {"page_size": 2, "page": 2}).json()
    assert page["total"] == 5 and page["page"] == 2 and len(page["items"]) == 2
    assert "page=3" in page["next"] and "page=1" in page["prev"]
    last = client.get(page["next"]).json()
    assert len(last["items"]) == 1 and last["next"] is None
    largest = client.get(API + "annotations", {"page_size": 100, "page": 100_000}).json()
    assert largest["page_size"] == 100 and largest["page"] == 100_000 and largest["items"] == []
    beyond = client.get(API + "annotations", {"page": 50}).json()
    assert beyond["items"] == [] and beyond["total"] == 5
    # Above the documented maximum is refused, not silently served as the maximum.
    bad_values = (
        {"page": "0"},
        {"page": "x"},
        {"page": "100001"},
        {"page_size": "-1"},
        {"page_size": "101"},
        {"page_size": "1000"},
    )
    for bad in bad_values:
        response = client.get(API + "annotations", bad)
        assert response.status_code == 400, bad
        assert list(response.json()["error"]["fields"]) == list(bad), bad


def test_openapi_pagination_maximums_are_the_ones_enforced(client):
    """The document's `maximum`s for page and page_size are the limits the API refuses beyond."""
    from provisions.api.endpoint import MAX_PAGE, MAX_PAGE_SIZE

    document = client.get(API + "openapi.json").json()
    params = document["components"]["parameters"]
    listed = document["paths"]["/annotations"]["get"]["parameters"]
    assert {"$ref": "#/components/parameters/page_size"} in listed
    assert params["page"]["schema"] == {"type": "integer", "minimum": 1, "maximum": MAX_PAGE}
    assert params["page_size"]["schema"]["maximum"] == MAX_PAGE_SIZE
    for name, maximum in (("page", MAX_PAGE), ("page_size", MAX_PAGE_SIZE)):
        assert client.get(API + "annotations", {name: maximum}).status_code == 200
        assert client.get(API + "annotations", {name: maximum + 1}).status_code == 400


# --- Visibility ------------------------------------------------------------------------------


def test_anonymous_readers_never_see_unpublished_annotations(client, analyst, editor):
    visible = published_annotation(analyst, editor)
    a_draft = draft(analyst)
    submitted = draft(analyst, status="submitted")
    rejected = draft(analyst, status="submitted")
    annotation_reject(annotation=rejected, editor=editor, reason="Off topic.")
    listed = ids(client.get(API + "annotations", {"page_size": 100}).json())
    assert listed == [str(visible.pk)]
    for hidden in (a_draft, submitted, rejected):
        assert client.get(API + f"annotations/{hidden.pk}").status_code == 404
    for status in ("draft", "submitted", "rejected"):
        assert client.get(API + "annotations", {"status": status}).json()["total"] == 0


def test_a_draft_is_visible_to_its_authors_token_only(client, analyst, other_analyst, editor):
    a_draft = draft(analyst)
    url = API + f"annotations/{a_draft.pk}"
    assert client.get(url, **bearer(token_for(analyst))).status_code == 200
    assert client.get(url, **bearer(token_for(other_analyst))).status_code == 404
    assert client.get(url, **bearer(token_for(editor))).status_code == 404
    mine = client.get(API + "annotations", {"status": "draft"}, **bearer(token_for(analyst)))
    assert ids(mine.json()) == [str(a_draft.pk)]


def test_a_signed_in_session_does_not_widen_what_the_api_shows(client, analyst):
    a_draft = draft(analyst)
    client.force_login(analyst)
    assert client.get(API + f"annotations/{a_draft.pk}").status_code == 404


# --- ETag ------------------------------------------------------------------------------------


def test_annotation_etag_and_not_modified(client, analyst, editor):
    annotation = published_annotation(analyst, editor)
    url = API + f"annotations/{annotation.pk}"
    response = client.get(url)
    etag = response["ETag"]
    assert etag == f'"{annotation.pk}-v{annotation.version}"'
    cached = client.get(url, HTTP_IF_NONE_MATCH=etag)
    assert cached.status_code == 304
    assert cached["ETag"] == etag
    assert cached.content == b""
    assert client.get(url, HTTP_IF_NONE_MATCH=f"W/{etag}").status_code == 304
    assert client.get(url, HTTP_IF_NONE_MATCH='"1-v999"').status_code == 200


# --- CORS and methods ------------------------------------------------------------------------


def test_reads_are_open_cross_origin(client):
    for method in ("get", "head"):
        response = getattr(client, method)(API + "treaty", HTTP_ORIGIN="https://elsewhere.example")
        assert response.status_code == 200
        assert response["Access-Control-Allow-Origin"] == "*"
    missing = client.get(API + "articles/999")
    assert missing["Access-Control-Allow-Origin"] == "*"


def test_preflight_is_granted_for_reads_only(client):
    read = client.options(
        API + "annotations",
        HTTP_ORIGIN="https://elsewhere.example",
        HTTP_ACCESS_CONTROL_REQUEST_METHOD="GET",
    )
    assert read.status_code == 204
    assert read["Access-Control-Allow-Origin"] == "*"
    assert "GET" in read["Access-Control-Allow-Methods"]
    assert "POST" not in read["Access-Control-Allow-Methods"]
    write = client.options(
        API + "annotations",
        HTTP_ORIGIN="https://elsewhere.example",
        HTTP_ACCESS_CONTROL_REQUEST_METHOD="POST",
    )
    assert "Access-Control-Allow-Origin" not in write
    assert "Access-Control-Allow-Methods" not in write


def test_writes_carry_no_cors_headers(client, analyst):
    response = client.post(
        API + "annotations",
        {"target": {"source": "art_24"}, "body": {"value": "x"}},
        content_type="application/json",
        HTTP_ORIGIN="https://elsewhere.example",
        **bearer(token_for(analyst)),
    )
    assert response.status_code == 201
    assert "Access-Control-Allow-Origin" not in response
    refused = client.post(API + "annotations", {}, content_type="application/json")
    assert refused.status_code == 401
    assert "Access-Control-Allow-Origin" not in refused


def test_method_not_allowed_is_json_with_allow(client):
    response = client.put(API + "treaty", {}, content_type="application/json")
    assert response.status_code == 405
    assert response.json()["error"]["code"] == "method_not_allowed"
    assert response["Allow"] == "GET, HEAD, OPTIONS"
    response = client.delete(API + "annotations")
    assert response.status_code == 405
    assert "POST" in response["Allow"]


# --- Query budgets ---------------------------------------------------------------------------


def test_annotation_list_query_budget_does_not_grow(
    client, analyst, editor, django_assert_max_num_queries
):
    """The list costs the same with 5 and with 60 annotations, anonymously and with a token."""
    raw = token_for(analyst)
    client.get(API + "annotations", **bearer(raw))  # last_used_at is written once a minute
    counts = []
    for added, total in ((5, 5), (55, 60)):
        many_published(analyst, editor, added)
        with django_assert_max_num_queries(5) as anonymous:  # count + page + 3 prefetches
            response = client.get(API + "annotations", {"page_size": 100})
        assert len(response.json()["items"]) == total
        # With a token: + the token and the member's groups.
        with django_assert_max_num_queries(7) as with_token:
            response = client.get(API + "annotations", {"page_size": 100}, **bearer(raw))
        assert len(response.json()["items"]) == total
        counts.append((len(anonymous.captured_queries), len(with_token.captured_queries)))
    assert counts[0] == counts[1], counts


@pytest.mark.parametrize(
    ("path", "budget"),
    [
        ("treaty", 3),
        ("articles/24", 3),
        ("concerns", 1),
        ("concerns/serious-crime-scope", 2),
        ("safeguards", 1),
        ("safeguards/laws-meet-human-rights-standards", 2),
        ("links?page_size=100", 2),
        ("openapi.json", 0),
    ],
)
def test_read_endpoints_have_fixed_query_budgets(client, path, budget, django_assert_num_queries):
    with django_assert_num_queries(budget):  # exactly: what each endpoint reads is known
        response = client.get(API + path)
    assert response.status_code == 200


# --- OpenAPI ---------------------------------------------------------------------------------


def _api_routes() -> list[str]:
    """Every route in provisions/api/urls.py as an OpenAPI path ("/articles/{number}")."""
    routes = []
    for pattern in api_urls.urlpatterns:
        assert isinstance(pattern, URLPattern | URLResolver)
        if pattern.name == "not_found":  # the catch-all JSON 404, not an endpoint
            continue
        route = str(pattern.pattern)
        routes.append("/" + re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", route))
    return routes


def test_openapi_document_describes_every_route(client):
    response = client.get(API + "openapi.json")
    assert response.status_code == 200
    assert response["Access-Control-Allow-Origin"] == "*"
    doc = response.json()
    assert doc["openapi"].startswith("3.1")
    assert doc["servers"] == [{"url": "http://testserver/api/v1"}]
    routes = _api_routes()
    assert len(routes) >= 15
    for route in routes:
        assert route in doc["paths"], route
    assert set(doc["paths"]) == set(routes)
    # Every path parameter in a route is declared.
    for route in routes:
        for name in re.findall(r"{(\w+)}", route):
            for operation in doc["paths"][route].values():
                declared = {
                    doc["components"]["parameters"][p["$ref"].rsplit("/", 1)[1]]["name"]
                    for p in operation["parameters"]
                }
                assert name in declared, (route, name)


def test_openapi_references_resolve_and_errors_are_described(client):
    doc = client.get(API + "openapi.json").json()
    text = str(doc)
    for ref in set(re.findall(r"'\$ref': '#/components/(\w+)/(\w+)'", text)):
        assert ref[1] in doc["components"][ref[0]], ref
    responses = doc["paths"]["/annotations/{pk}"]["patch"]["responses"]
    for status in (
        "200",
        "400",
        "401",
        "403",
        "404",
        "409",
        "412",
        "413",
        "415",
        "422",
        "428",
        "429",
    ):
        assert status in responses
    assert doc["components"]["securitySchemes"]["bearerAuth"]["scheme"] == "bearer"


def test_openapi_document_is_valid_openapi_3_1(client):
    """The served document passes openapi-spec-validator (tests/openapi_check.py checks every
    response of this file, test_api_writes.py and test_api_tokens.py against it)."""
    from openapi_spec_validator import validate

    served = client.get(API + "openapi.json").json()
    validate(served)
    assert served == api_document()


def test_the_openapi_check_refuses_what_the_document_does_not_say():
    """The response check is not a formality: an unknown key, a missing one, a wrong type, an
    undocumented status and an undocumented media type each fail."""
    from django.http import JsonResponse

    link = {"items": [], "total": 0, "page": 1, "page_size": 50, "next": None, "prev": None}
    check_response("GET", API + "links", JsonResponse(link))  # as documented
    wrong = [
        JsonResponse({**link, "extra": 1}),
        JsonResponse({key: value for key, value in link.items() if key != "total"}),
        JsonResponse({**link, "total": "none"}),
        JsonResponse(link, status=201),
        JsonResponse(link, content_type="text/plain"),
        JsonResponse({"error": {"code": "x", "message": "", "fields": {}}}, status=404),
    ]
    for response in wrong:
        with pytest.raises(AssertionError):
            check_response("GET", API + "links", response)


def test_api_views_are_classified_for_the_access_walk():
    from provisions.access import ACCESS_ATTR

    resolver = get_resolver()
    api = next(
        p for p in resolver.url_patterns if isinstance(p, URLResolver) and p.app_name == "api"
    )
    levels = {p.name: getattr(p.callback, ACCESS_ATTR, None) for p in api.url_patterns}
    assert levels["annotations"] == "public"
    assert levels["annotation_publish"] == "analyst"
    assert levels["link_approve"] == "analyst"
    assert None not in levels.values()


def test_nul_characters_in_filters_are_harmless(client, analyst, editor):
    published_annotation(analyst, editor, "Plain note.")
    response = client.get(
        API + "annotations", {"q": "no\x00such", "tag": "\x00", "concern": "\x00"}
    )
    assert response.status_code == 200
    assert response.json()["total"] == 0


def test_unknown_status_filter_is_400_with_a_message(client):
    for path in ("annotations", "links"):
        error = client.get(API + path, {"status": "secret"}).json()["error"]
        assert error["code"] == "bad_request"
        assert error["fields"]["status"][0].startswith("Choose one of:")

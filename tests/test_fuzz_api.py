"""Hostile and random input to every API write (and the reads' query strings): never a server
error, always the API's error shape (`{"error": {"code", "message", "fields"}}`), and nothing
half-written.

JSON can carry what a form cannot: lone surrogates (`"\\ud800"`), NUL, numbers past any integer
column, floats where ints belong, lists where strings belong, deep nesting. Each example runs in
its own rolled-back savepoint and counts the rows before and after, as in test_fuzz_forms.py.
"""

import json

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from provisions.models import Annotation, Provision, ProvisionLink
from provisions.services import annotation_create, annotation_publish
from tests.fuzzing import (
    CONCERNS,
    DEMANDS,
    Counts,
    RealQuote,
    hostile_text,
    rolled_back,
    typed,
    typed_sources,
    typed_tag_slugs,
)
from tests.helpers import token_for

pytestmark = [pytest.mark.django_db, pytest.mark.openapi]

ERROR_CODES = {
    "malformed_json",
    "bad_request",
    "unauthorized",
    "forbidden",
    "not_found",
    "method_not_allowed",
    "edit_conflict",
    "precondition_failed",
    "payload_too_large",
    "unsupported_media_type",
    "validation_failed",
    "precondition_required",
    "rate_limited",
}

# --- Strategies ------------------------------------------------------------------------------

surrogate = st.characters(categories=["Cs"])
api_text = st.one_of(
    hostile_text(),
    # Only JSON can carry these; json.dumps escapes them as \ud800.
    st.lists(st.one_of(surrogate, st.characters()), min_size=1, max_size=20).map("".join),
    st.sampled_from(["\ud800", "a\udfffb", "\x00", "art_24\x00", "\udc80" * 3]),
)
huge_int = st.one_of(
    st.integers(-(2**80), 2**80),
    st.sampled_from([2**31, 2**53, 2**53 + 1, 2**63, 2**64, -(2**63) - 1, 10**400]),
)
json_scalar = st.one_of(
    st.none(),
    st.booleans(),
    huge_int,
    st.floats(allow_nan=False, allow_infinity=False),
    api_text,
)
json_value = st.recursive(
    json_scalar,
    lambda children: st.one_of(
        st.lists(children, max_size=4), st.dictionaries(api_text, children, max_size=4)
    ),
    max_leaves=8,
)


def either(good):
    """A well-formed value most of the time, anything JSON can say otherwise."""
    return st.one_of(good, json_value)


quote_selector = st.fixed_dictionaries(
    {
        "type": either(st.just("TextQuoteSelector")),
        "exact": either(st.builds(RealQuote, st.integers(0, 2_000), st.integers(1, 80))),
    },
    optional={"prefix": either(api_text), "suffix": either(api_text)},
)
position_selector = st.fixed_dictionaries(
    {
        "type": either(st.just("TextPositionSelector")),
        "start": either(huge_int),
        "end": either(huge_int),
    }
)
selectors = either(
    st.one_of(
        quote_selector,
        st.lists(st.one_of(quote_selector, position_selector, json_value), max_size=3),
    )
)
target = either(
    st.one_of(
        st.sampled_from(["art_24", "http://testserver/convention/articles/24/#art_24"]),
        st.fixed_dictionaries(
            {"source": either(st.sampled_from(["art_24", "art_24__para_9", "http://[::1"]))},
            optional={"selector": selectors},
        ),
    )
)
body = either(
    st.fixed_dictionaries(
        {"type": either(st.just("TextualBody")), "value": either(api_text)},
        optional={"format": either(st.sampled_from(["text/markdown", "text/html"]))},
    )
)
names = either(st.lists(st.one_of(st.sampled_from(CONCERNS + DEMANDS), api_text), max_size=16))
annotation_document = st.fixed_dictionaries(
    {},
    optional={
        "type": either(st.just("Annotation")),
        "motivation": either(st.sampled_from(["commenting", "replying", "linking"])),
        "body": body,
        "bodyValue": either(api_text),
        "target": target,
        "concerns": names,
        "safeguards": names,
        "tags": names,
        "status": either(st.sampled_from(["draft", "submitted", "published"])),
        "inReplyTo": either(st.sampled_from(["REAL", "²", "9" * 5000, "http://[::1"])),
        "@context": either(st.just("http://www.w3.org/ns/anno.jsonld")),
    },
)
DROP = object()  # a mutation that leaves the field out


@st.composite
def mutated(draw, base: dict, hostile: dict):
    """A valid document with up to three fields replaced or dropped: the deep checks (the
    ones behind the first refusal) are reached far more often than by random documents."""
    document = json.loads(json.dumps(base))
    for key in draw(st.lists(st.sampled_from(sorted(hostile)), max_size=3, unique=True)):
        value = draw(st.one_of(hostile[key], st.just(DROP)))
        if value is DROP:
            document.pop(key, None)
        else:
            document[key] = value
    return document


VALID_ANNOTATION = {
    "type": "Annotation",
    "body": {
        "type": "TextualBody",
        "value": "Left to **domestic law**.",
        "format": "text/markdown",
    },
    "target": {"source": "art_24", "selector": [{"type": "TextQuoteSelector", "exact": "law"}]},
    "concerns": ["serious-crime-scope"],
    "tags": ["proportionality"],
}
annotation_mutation = mutated(
    VALID_ANNOTATION,
    {
        "type": json_value,
        "motivation": json_value,
        "body": body,
        "bodyValue": either(api_text),
        "target": target,
        "concerns": names,
        "safeguards": names,
        "tags": names,
        "status": either(st.sampled_from(["draft", "submitted", "published"])),
        "inReplyTo": either(
            st.sampled_from(["REAL", "²", "٣", "9" * 5000, "http://[::1", "/api/v1/annotations/x"])
        ),
        "extra": json_value,
    },
)
annotation_documents = st.one_of(annotation_document, annotation_mutation)
link_document = st.fixed_dictionaries(
    {},
    optional={
        "provision": either(st.sampled_from(["art_24", "art_7"])),
        "concern": either(st.sampled_from(CONCERNS)),
        "safeguard": either(st.sampled_from(DEMANDS)),
        "kind": either(st.sampled_from(["raises", "mitigates", "lacks_safeguard"])),
        "rationale": either(api_text),
        "sources": either(
            st.lists(st.one_of(st.just("https://example.org/a"), api_text), max_size=12)
        ),
        "confidence": either(st.sampled_from(["high", "medium", "low"])),
    },
)
link_documents = st.one_of(
    link_document,
    mutated(
        {
            "provision": "art_24",
            "concern": "serious-crime-scope",
            "rationale": "Left to domestic law.",
            "sources": ["https://example.org/a"],
        },
        {
            "provision": either(st.sampled_from(["http://[::1", "/convention/articles/24/#x"])),
            "concern": json_value,
            "safeguard": either(st.sampled_from(DEMANDS)),
            "kind": json_value,
            "rationale": either(api_text),
            "sources": either(st.lists(api_text, max_size=12)),
            "confidence": json_value,
        },
    ),
)
approve_document = st.fixed_dictionaries(
    {},
    optional={
        "note": either(api_text),
        "kind": either(st.sampled_from(["raises", "mitigates"])),
        "rationale": either(api_text),
        "sources": either(st.lists(st.just("https://example.org/b"), max_size=3)),
        "confidence": either(st.sampled_from(["high", "low"])),
    },
)
if_match = st.one_of(
    st.just("CURRENT"), st.just("*"), st.just('"1-v999"'), st.text(max_size=30), st.none()
)
raw_bodies = st.one_of(
    st.binary(max_size=300),
    st.sampled_from(
        [
            b"",
            b"null",
            b"[]",
            b'"text"',
            b"1e999",
            b'{"body": 1e999}',
            b'{"bodyValue": NaN}',
            b"\xff\xfe{}",
            b'{"bodyValue": "\xed\xa0\x80"}',  # a surrogate encoded as (invalid) UTF-8
            b'{"a": ' * 100_000 + b"1" + b"}" * 100_000,
            b"[" * 100_000,
            b'{"bodyValue": "' + b"a" * (65 * 1024) + b'"}',
        ]
    ),
)
content_types = st.sampled_from(
    ["application/json", "application/ld+json", "text/plain", "application/x-www-form-urlencoded"]
)


def resolve(value, text: str, reply_to: int):
    """Replace the stand-ins (RealQuote, "REAL") by real words and ids."""
    if isinstance(value, RealQuote):
        return value.within(text)
    if value == "REAL":
        return reply_to
    if isinstance(value, dict):
        return {key: resolve(item, text, reply_to) for key, item in value.items()}
    if isinstance(value, list):
        return [resolve(item, text, reply_to) for item in value]
    return value


# --- Fixtures and checks ---------------------------------------------------------------------


@pytest.fixture(autouse=True)
def unlimited_writes(settings):
    settings.TREATYWATCH_API_WRITES_PER_MINUTE = 10**9


def _bearer(user) -> dict:
    raw = token_for(user, "fuzz")
    return {"Authorization": f"Bearer {raw}"}


@pytest.fixture
def analyst_auth(analyst):
    return _bearer(analyst)


@pytest.fixture
def editor_auth(editor):
    return _bearer(editor)


@pytest.fixture
def published(other_analyst, editor):
    annotation = annotation_create(
        provision=Provision.objects.get(eid="art_24"),
        author=other_analyst,
        body="Published, to reply to.",
        status="submitted",
    )
    return annotation_publish(annotation=annotation, editor=editor)


def send(client, method: str, url: str, document, headers, content_type="application/json"):
    # ensure_ascii: lone surrogates travel as \ud800 escapes, as any JSON library sends them.
    payload = document if isinstance(document, bytes) else json.dumps(document)
    call = getattr(client, method.lower())
    return call(url, payload, content_type=content_type, headers=headers)


def assert_api_error(response) -> dict:
    """The API's one error shape, with a known code."""
    assert response.status_code < 500, response.content[:500]
    assert response["Content-Type"].startswith("application/json")
    error = json.loads(response.content)["error"]
    assert error["code"] in ERROR_CODES, error
    assert isinstance(error["message"], str) and error["message"]
    assert isinstance(error["fields"], dict)
    if error["code"] == "validation_failed":
        # A refusal of the content says which field, and why.
        assert error["fields"] and all(error["fields"].values()), error
    return error


def sent_note(document: dict) -> str:
    if "bodyValue" in document:
        return document["bodyValue"]
    body = document["body"]
    return (body[0] if isinstance(body, list) else body)["value"]


def assert_annotation_as_sent(annotation: Annotation, document: dict, *, was=None) -> None:
    """What was saved is what was sent, cleaned; what was not sent is as it `was` (an edit) or
    empty (a new annotation)."""
    if "body" in document or "bodyValue" in document:
        assert annotation.body == typed(sent_note(document))
    else:
        assert was is not None and annotation.body == was.body
    for key, relation in (("concerns", "concerns"), ("safeguards", "demands"), ("tags", "tags")):
        stored = set(getattr(annotation, relation).values_list("slug", flat=True))
        if key not in document:
            before = getattr(was, relation).values_list("slug", flat=True) if was else []
            assert stored == set(before), key
        elif key == "tags":
            assert stored == typed_tag_slugs(document[key] or []), key
        else:
            assert stored == {slug.strip() for slug in document[key] or []}, key


def assert_link_as_sent(link: ProvisionLink, document: dict) -> None:
    for key, stored in (("rationale", link.rationale), ("note", link.review_note)):
        if key in document:
            assert stored == typed(document[key]), key
    if "sources" in document:
        assert link.sources == typed_sources(" ".join(document["sources"] or []))
    for key in ("kind", "confidence"):
        if document.get(key) is not None:  # null: the default
            assert getattr(link, key) == document[key], key


# --- Writes ----------------------------------------------------------------------------------


@given(document=annotation_documents)
# Found: inReplyTo "²" and 5,000 digits passed isdigit() and failed in int(); an address
# urlsplit refuses failed too; a lone surrogate failed in the database (all 500s).
@example(document={**VALID_ANNOTATION, "inReplyTo": "²"})
@example(document={**VALID_ANNOTATION, "inReplyTo": "9" * 5000})
@example(document={**VALID_ANNOTATION, "inReplyTo": "http://[::1"})
@example(document={**VALID_ANNOTATION, "tags": ["\ud800"]})
def test_create_annotation(client, analyst_auth, published, article_text, document):
    document = resolve(document, article_text, published.pk)
    with rolled_back():
        before = Counts.now()
        response = send(client, "POST", "/api/v1/annotations", document, analyst_auth)
        if response.status_code == 201:
            created = before.one_annotation_more()
            assert response["Location"].endswith(f"/api/v1/annotations/{created.pk}")
            reply = bool(document.get("inReplyTo"))
            assert created.in_reply_to_id == (published.pk if reply else None)
            # A reply is team discussion: submitted at once, whatever status was sent.
            assert created.status == ("submitted" if reply else document.get("status", "draft"))
            assert_annotation_as_sent(created, document)
            assert json.loads(response.content)["body"]["value"] == created.body
        else:
            assert_api_error(response)
            before.unchanged("POST /annotations")


@given(raw=raw_bodies, content_type=content_types)
@example(raw=b'{"bodyValue": "' + b"a" * (65 * 1024) + b'"}', content_type="application/json")
@example(raw=b"[" * 100_000, content_type="application/json")
@example(raw=b'{"bodyValue": "\xed\xa0\x80"}', content_type="application/json")
@example(raw=b'{"bodyValue": 1e999}', content_type="application/json")
def test_create_annotation_from_broken_bodies(client, analyst_auth, raw, content_type):
    with rolled_back():
        before = Counts.now()
        response = send(client, "POST", "/api/v1/annotations", raw, analyst_auth, content_type)
        error = assert_api_error(response)
        if len(raw) > 64 * 1024:
            assert response.status_code == 413 and error["code"] == "payload_too_large"
        before.unchanged("POST /annotations (broken body)")


@given(document=annotation_documents, match=if_match)
@example(document={"concerns": ["\ud800"]}, match="CURRENT")  # found: a 500
def test_edit_annotation(client, analyst_auth, draft, published, article_text, document, match):
    document = resolve(document, article_text, published.pk)
    headers = dict(analyst_auth)
    if match == "CURRENT":
        headers["If-Match"] = f'"{draft.pk}-v{draft.version}"'
    elif match is not None:
        headers["If-Match"] = match
    with rolled_back():
        before = Counts.now()
        response = send(client, "PATCH", f"/api/v1/annotations/{draft.pk}", document, headers)
        if response.status_code == 200:
            before.edited(draft)
            edited = Annotation.objects.get(pk=draft.pk)
            assert edited.version == draft.version + 1
            assert_annotation_as_sent(edited, document, was=draft)
        else:
            assert_api_error(response)
            before.unchanged("PATCH /annotations/<id>")


@given(document=link_documents)
# Found: a provision address urlsplit refuses ("http://[::1") was a 500.
@example(document={"provision": "http://[::1", "concern": "serious-crime-scope", "rationale": "x"})
@example(document={"provision": "art_24", "concern": "\udc80", "rationale": "x"})
def test_propose_link(client, analyst_auth, document):
    with rolled_back():
        before = Counts.now()
        response = send(client, "POST", "/api/v1/links", document, analyst_auth)
        if response.status_code == 201:
            before.one_link_more()
            link = ProvisionLink.objects.latest("pk")
            assert link.status == "proposed"
            assert link.provision.eid == document["provision"]
            # An empty or null concern or safeguard is none.
            assert (link.concern and link.concern.slug) == (document.get("concern") or None)
            assert (link.demand and link.demand.slug) == (document.get("safeguard") or None)
            assert_link_as_sent(link, document)
        else:
            assert_api_error(response)
            before.unchanged("POST /links")


@given(document=st.one_of(approve_document, raw_bodies))
def test_approve_link(client, editor_auth, proposed_link, document):
    with rolled_back():
        before = Counts.now()
        response = send(
            client, "POST", f"/api/v1/links/{proposed_link.pk}/approve", document, editor_auth
        )
        if response.status_code == 200:
            before.one_revision_more()
            link = ProvisionLink.objects.get(pk=proposed_link.pk)
            assert link.status == "approved"
            if isinstance(document, bytes):  # an empty body (or white space) changes nothing
                sent = json.loads(document) if document.strip() else {}
            else:
                sent = document
            assert_link_as_sent(link, sent if isinstance(sent, dict) else {})
        else:
            assert_api_error(response)
            before.unchanged("POST /links/<id>/approve")


@given(
    action=st.sampled_from(["submit", "publish", "delete"]),
    document=st.one_of(json_value, raw_bodies),
    match=if_match,
    as_editor=st.booleans(),
)
def test_state_changes(
    client, analyst_auth, editor_auth, draft, action, document, match, as_editor
):
    headers = dict(editor_auth if as_editor else analyst_auth)
    if match == "CURRENT":
        headers["If-Match"] = f'"{draft.pk}-v{draft.version}"'
    elif match is not None:
        headers["If-Match"] = match
    with rolled_back():
        before = Counts.now()
        if action == "delete":
            response = client.delete(f"/api/v1/annotations/{draft.pk}", headers=headers)
        else:
            url = f"/api/v1/annotations/{draft.pk}/{action}"
            response = send(client, "POST", url, document, headers)
        if response.status_code >= 300:
            assert_api_error(response)
            before.unchanged(action)
        elif action == "delete":
            assert response.status_code == 204
            assert not Annotation.objects.filter(pk=draft.pk).exists()
        else:
            assert response.status_code == 200
            before.one_revision_more()


@given(
    path=st.sampled_from(["annotations", "links", "annotations/999999", "nowhere/x"]),
    method=st.sampled_from(["PUT", "PATCH", "DELETE", "POST"]),
    authorization=st.one_of(
        st.none(), st.just("Bearer tw_not-a-token"), st.text(max_size=40), st.just("Basic eDp5")
    ),
)
def test_writes_without_a_valid_token(client, path, method, authorization):
    headers = {"Authorization": authorization} if authorization is not None else {}
    with rolled_back():
        before = Counts.now()
        response = client.generic(
            method, f"/api/v1/{path}", b"{}", content_type="application/json", headers=headers
        )
        error = assert_api_error(response)
        assert response.status_code in (401, 404, 405)
        assert error["code"] in ("unauthorized", "not_found", "method_not_allowed")
        before.unchanged(f"{method} {path}")


# --- Reads -----------------------------------------------------------------------------------


@given(
    path=st.sampled_from(["annotations", "links"]),
    params=st.dictionaries(
        st.sampled_from(
            [
                "page",
                "page_size",
                "article",
                "provision",
                "concern",
                "safeguard",
                "tag",
                "q",
                "status",
            ]  # fmt: skip
        ),
        st.one_of(hostile_text(40), huge_int.map(str)),
    ),
)
def test_list_filters(client, path, params):
    response = client.get(f"/api/v1/{path}", params)
    if response.status_code == 200:
        items = json.loads(response.content)["items"]
        # Anonymous readers only ever get public work, whatever the filters say.
        public = "published" if path == "annotations" else "approved"
        assert all(item["status"] == public for item in items), params
    else:
        assert response.status_code == 400
        assert_api_error(response)


@given(number=huge_int)
def test_addresses_with_huge_ids(client, number):
    for url in (f"/api/v1/annotations/{number}", f"/api/v1/links/{number}",
                f"/api/v1/articles/{number}"):  # fmt: skip
        response = client.get(url)
        assert response.status_code in (200, 404), url
        if response.status_code == 404:
            assert_api_error(response)
        else:  # the thing at that address, not another (no wrap-around, no clamping)
            found = json.loads(response.content)
            if url.startswith("/api/v1/articles/"):
                assert 1 <= number <= 68 and found["number"] == number, url
            elif url.startswith("/api/v1/links/"):
                assert found["id"] == number and found["status"] == "approved", url
            else:
                assert found["id"].endswith(f"/annotations/{number}"), url

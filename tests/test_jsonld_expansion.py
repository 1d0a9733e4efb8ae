"""JSON-LD expansion (pyld) of everything TreatyWatch serves as JSON-LD loses no key.

A JSON-LD processor drops every key its contexts do not define, silently; so a key we serve
that no context defines is data a linked-data client never sees. pyld expands the JSON API's
and the Web Annotation Protocol's annotations (plain, tagged, quoted, imported, reply, copy with
canonical and via), a container page and the JSON-LD download, with a document loader that
never touches the network: the W3C context from tests/vendor/w3c-anno-context (unchanged, with
its provenance), ours from the app itself. Every key of the document must come back as an IRI.
"""

import json
from pathlib import Path

import pytest
from pyld import jsonld

from provisions.models import Annotation
from provisions.services import annotation_create, annotation_submit
from tests.helpers import API, art, bearer, draft, published_annotation, token_for

pytestmark = pytest.mark.django_db

W3C = "http://www.w3.org/ns/anno.jsonld"
W3C_FILE = Path(__file__).parent / "vendor" / "w3c-anno-context" / "anno.jsonld"
OURS = "http://testserver/api/v1/context.jsonld"
# The extension terms the issue names: each must have an IRI of ours.
EXTENSION_TERMS = {
    "provision",
    "concerns",
    "safeguards",
    "status",
    "version",
    "anchorState",
    "published",
    "inReplyTo",
    "tags",
    "importedFrom",
    "sourceVersion",
    "officialText",
}


@pytest.fixture
def loader(client):
    """A pyld document loader: the vendored W3C context, ours from the app; nothing else."""

    def load(url, options=None):
        if url == W3C:
            document = json.loads(W3C_FILE.read_text())
        elif url == OURS:
            response = client.get(API + "context.jsonld")
            assert response.status_code == 200
            document = response.json()
        else:
            raise AssertionError(f"the expansion asked for {url}, which is not served locally")
        return {"contextUrl": None, "documentUrl": url, "document": document}

    return load


def keys_of(value):
    """Every key of a JSON document, JSON-LD keywords and what @context holds aside, and keys
    whose value is null (JSON-LD's way of saying "no value": expansion leaves them out)."""
    if isinstance(value, dict):
        for key, item in value.items():
            if key == "@context" or item is None:
                continue
            if not key.startswith("@"):
                yield key
            yield from keys_of(item)
    elif isinstance(value, list):
        for item in value:
            yield from keys_of(item)


def expanded_keys(value):
    """Every property IRI of an expanded document."""
    if isinstance(value, dict):
        for key, item in value.items():
            if not key.startswith("@"):
                yield key
            yield from expanded_keys(item)
    elif isinstance(value, list):
        for item in value:
            yield from expanded_keys(item)


def defined_terms(loader) -> dict[str, str]:
    """term → IRI, as the two contexts define them (scoped contexts included)."""
    active = jsonld.expand(
        {"@context": [W3C, OURS], "@id": "urn:x"}, {"documentLoader": loader}
    )  # loads both: a context error fails here
    assert active == []
    ours = loader(OURS)["document"]["@context"]
    w3c = loader(W3C)["document"]["@context"]
    found = {}
    for term, definition in {**w3c, **ours}.items():
        if isinstance(definition, dict):
            found[term] = definition.get("@id", "")
            for inner, scoped in definition.get("@context", {}).items():
                found[f"{term}.{inner}"] = scoped["@id"]
        elif not term.startswith("@"):
            found[term] = definition
    return found


def assert_nothing_dropped(document, loader):
    expanded = jsonld.expand(document, {"documentLoader": loader, "base": "http://testserver/"})
    assert expanded, "expansion gave nothing: the document is not JSON-LD"
    served, kept = set(keys_of(document)), set(expanded_keys(expanded))
    # Each key served comes back as an IRI: count them by their local names.
    local = {iri.rpartition("#")[2].rpartition("/")[2] for iri in kept}
    w3c_names = {
        "motivation": "motivatedBy",
        "body": "hasBody",
        "target": "hasTarget",
        "source": "hasSource",
        "selector": "hasSelector",
        "purpose": "hasPurpose",
        "format": "format",
        "value": "value",
        "name": "name",
        "creator": "creator",
        "created": "created",
        "modified": "modified",
        "label": "label",
        "total": "totalItems",
        "first": "first",
        "last": "last",
        "next": "next",
        "prev": "prev",
        "partOf": "partOf",
        "items": "items",
        "startIndex": "startIndex",
    }
    scoped = {"id": "originalId"}  # importedFrom's `id` (its own context) is a property
    missing = {
        key
        for key in served - {"id", "type"}
        if w3c_names.get(key, key) not in local and scoped.get(key, key) not in local
    }
    assert missing == set(), (missing, sorted(kept))
    assert all(iri.startswith(("http://", "https://")) for iri in kept), sorted(kept)


@pytest.fixture
def documents(client, analyst, editor):
    token = token_for(analyst)
    auth = bearer(token)
    note = draft(analyst, concerns=["weak-procedural-safeguards"], tags=["scope"])
    annotation_submit(annotation=note, user=analyst)
    quoted = annotation_create(
        provision=art(),
        author=analyst,
        body="Quoted.",
        selectors=[{"type": "TextQuoteSelector", "exact": art().text[:15]}],
    )
    parent = published_annotation(analyst, editor, "Parent.")
    reply = annotation_create(provision=art(), author=analyst, body="Reply.", in_reply_to=parent)
    Annotation.objects.filter(pk=quoted.pk).update(
        imported_from="hypothesis",
        imported_id="8nQ2kEZ4Ee",
        original_creator="Rosa Example",
        via="https://hypothes.is/a/8nQ2kEZ4Ee",
    )
    copy = client.post(
        API + "annotations/",
        json.dumps(
            {
                "type": "Annotation",
                "id": "https://example.org/annotations/1",
                "canonical": "urn:uuid:6f1c5a32-8a4e-4b83-9d27-1a1d2b0c3e4f",
                "bodyValue": "A copy.",
                "target": "art_24",
            }
        ),
        content_type="application/ld+json",
        **auth,
    ).json()
    found = {"wap copy": copy}
    for label, annotation in (("note", note), ("quoted", quoted), ("reply", reply)):
        found[f"json api {label}"] = client.get(f"{API}annotations/{annotation.pk}", **auth).json()
        found[f"wap {label}"] = client.get(f"{API}annotations/{annotation.pk}/", **auth).json()
    found["wap page"] = client.get(API + "annotations/?page=1&page_size=3", **auth).json()
    found["download"] = json.loads(
        b"".join(client.get("/export/annotations.jsonld").streaming_content)
    )
    return found


def test_every_extension_term_has_an_iri_of_ours(loader):
    terms = defined_terms(loader)
    for term in EXTENSION_TERMS:
        assert terms.get(term, "").startswith(OURS + "#") or term == "inReplyTo", term
    assert terms["inReplyTo"] == "https://www.w3.org/ns/activitystreams#inReplyTo"
    for inner in ("source", "id", "creator", "created"):
        assert terms[f"importedFrom.{inner}"].startswith(OURS + "#")


@pytest.mark.parametrize(
    "label",
    [
        "wap copy",
        "json api note",
        "json api quoted",
        "json api reply",
        "wap note",
        "wap quoted",
        "wap reply",
        "wap page",
        "download",
    ],
)
def test_expansion_drops_no_key_we_serve(documents, loader, label):
    assert_nothing_dropped(documents[label], loader)


def test_an_undefined_key_would_be_caught(documents, loader):
    """The check is not blind: a key no context defines is named."""
    document = {**documents["wap note"], "undefinedKey": "lost"}
    with pytest.raises(AssertionError, match="undefinedKey"):
        assert_nothing_dropped(document, loader)

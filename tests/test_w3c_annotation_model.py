"""Every annotation shape TreatyWatch serves, against the W3C's own test schemas.

The schemas are the web-platform-tests annotation-model MUST assertions, vendored unchanged in
tests/vendor/w3c-annotation-model (README there: source, commits, licence, and which assertions
are not vendored). Each assertion file is a JSON Schema (draft 4) that a conforming annotation,
page or collection is valid against; they `$ref` each other by file name, so they are registered
under those names. jsonschema checks `format: uri` only with an optional package, so the check
is given here: an absolute URI (a scheme, a colon, no spaces or forbidden characters).
"""

import hashlib
import json
import re
from pathlib import Path

import jsonschema
import pytest
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT4

from provisions.models import Annotation
from provisions.services import annotation_create
from tests.helpers import API, art, bearer, draft, published_annotation, token_for

pytestmark = pytest.mark.django_db

VENDOR = Path(__file__).parent / "vendor" / "w3c-annotation-model"
CONTAINER = API + "annotations/"
_ABSOLUTE_URI = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:[^\s<>\"{}|\\^`]+$")


def _load(path: Path) -> dict:
    return json.loads(path.read_text())


def _registry() -> Registry:
    resources = [
        (path.name, Resource.from_contents(_load(path), default_specification=DRAFT4))
        for path in sorted(VENDOR.rglob("*.json"))
    ]
    return Registry().with_resources(resources)


REGISTRY = _registry()
FORMATS = jsonschema.FormatChecker(formats=["date-time"])
FORMATS.checks("uri")(lambda value: not isinstance(value, str) or bool(_ABSOLUTE_URI.match(value)))


def assertions(test_file: str) -> list[str]:
    """The assertion files a W3C .test file lists that are vendored (README: which are not)."""
    listed = _load(VENDOR / test_file)["assertions"]
    return [name for name in listed if (VENDOR / name).exists()]


ANNOTATION_MUSTS = assertions("annotations/annotationMusts.test")
PAGE_MUSTS = assertions("collections/pages/pageMusts.test")
# Our pages' `partOf` is the Web Annotation Protocol's own form (§4.2's example: an object with
# the collection's `id` and `total`); this assertion wants the bare IRI. Checked below on `id`.
PAGE_PART_OF = "collections/pages/5.2-pagePartOfValidated.json"


def failures(document: dict, names: list[str]) -> list[str]:
    """The W3C error message of every assertion `document` fails."""
    found = []
    for name in names:
        schema = _load(VENDOR / name)
        validator = jsonschema.Draft4Validator(schema, registry=REGISTRY, format_checker=FORMATS)
        if not validator.is_valid(document):
            found.append(f"{name}: {schema['errorMessage']}")
    return found


def test_the_vendored_files_are_unchanged():
    for sums in (VENDOR / "SHA256SUMS", VENDOR.parent / "w3c-anno-context" / "SHA256SUMS"):
        for line in sums.read_text().splitlines():
            digest, name = line.split(maxsplit=1)
            data = (sums.parent / name).read_bytes()
            assert hashlib.sha256(data).hexdigest() == digest, name


def test_the_oracle_refuses_what_the_model_forbids():
    """The schemas run for real: a document breaking each MUST is caught."""
    assert len(ANNOTATION_MUSTS) == 12 and len(PAGE_MUSTS) == 8
    good = {
        "@context": "http://www.w3.org/ns/anno.jsonld",
        "id": "http://example.org/anno1",
        "type": "Annotation",
        "target": "http://example.com/page1",
    }
    assert failures(good, ANNOTATION_MUSTS) == []
    for broken in (
        {k: v for k, v in good.items() if k != "target"},
        {**good, "@context": "http://example.org/other.jsonld"},
        {**good, "id": "not a uri"},
        {**good, "body": "http://example.org/b", "bodyValue": "both"},
        {**good, "created": "yesterday"},
        {**good, "canonical": ["urn:a", "urn:b"]},
        {**good, "via": "no uri"},
    ):
        assert failures(broken, ANNOTATION_MUSTS), broken


@pytest.fixture
def shapes(client, analyst, editor):
    """Every annotation shape the API serves: (label, document)."""
    token = token_for(analyst)
    auth = bearer(token)
    note = draft(analyst, tags=["scope", "Proportionality"])
    words = art().text[:20]
    quoted = annotation_create(
        provision=art(),
        author=analyst,
        body="On these words.",
        selectors=[{"type": "TextQuoteSelector", "exact": words}],
    )
    parent = published_annotation(analyst, editor, "A thread.")
    reply = annotation_create(provision=art(), author=analyst, body="Reply.", in_reply_to=parent)
    copied = client.post(
        CONTAINER,
        json.dumps(
            {
                "type": "Annotation",
                "id": "https://hypothes.is/a/8nQ2kEZ4Ee-aB3fXr1tVKw",
                "canonical": "urn:uuid:6f1c5a32-8a4e-4b83-9d27-1a1d2b0c3e4f",
                "bodyValue": "Copied from elsewhere.",
                "target": "art_24",
            }
        ),
        content_type="application/ld+json",
        **auth,
    ).json()
    assert copied["via"] == "https://hypothes.is/a/8nQ2kEZ4Ee-aB3fXr1tVKw"
    imported = Annotation.objects.filter(pk=note.pk)
    imported.update(
        imported_from="w3c",
        imported_id="https://notes.example.org/a/1",
        original_creator="Rosa",
        via="https://notes.example.org/a/1",
        canonical="",
    )

    def get(path, **extra):
        response = client.get(path, **auth, **extra)
        assert response.status_code == 200, (path, response.content)
        return response.json()

    found = [("wap copy with canonical and via", copied)]
    for label, annotation in (
        ("tagged, imported", note),
        ("quoted", quoted),
        ("reply", reply),
        ("published", parent),
    ):
        found.append((f"json api {label}", get(f"{API}annotations/{annotation.pk}")))
        found.append((f"wap {label}", get(f"{CONTAINER}{annotation.pk}/")))
    listing = get(f"{API}annotations")
    found += [("json api list item", item) for item in listing["items"]]
    container = get(CONTAINER, HTTP_PREFER='return=representation;include="x"')
    page = get(CONTAINER + "?page=1&page_size=2")
    iris = get(CONTAINER + "?page=1&iris=1")
    return {"annotations": found, "container": container, "page": page, "iris": iris}


def test_every_annotation_we_serve_meets_the_w3c_annotation_musts(shapes):
    annotations = shapes["annotations"]
    bodies = [a["body"] for _, a in annotations if isinstance(a.get("body"), list)]
    assert "tagging" in {body.get("purpose") for listed in bodies for body in listed}
    assert any("via" in a and "canonical" in a for _, a in annotations)
    problems = {label: failures(a, ANNOTATION_MUSTS) for label, a in annotations}
    assert {label: p for label, p in problems.items() if p} == {}
    # And the annotations embedded in a page.
    for item in shapes["page"]["items"] + shapes["container"]["first"]["items"]:
        assert failures(item, ANNOTATION_MUSTS) == []


def test_every_page_we_serve_meets_the_w3c_page_musts(shapes):
    page, container, iris = shapes["page"], shapes["container"], shapes["iris"]
    assert "next" in page and all(isinstance(item, str) for item in iris["items"])
    others = [name for name in PAGE_MUSTS if name != PAGE_PART_OF]
    for document in (page, container, iris):  # a page, or a collection with its first page
        assert failures(document, others) == []
    # partOf: the protocol's object form; its id is the IRI the model's assertion asks for.
    for document in (page, iris):
        assert failures({**document, "partOf": document["partOf"]["id"]}, [PAGE_PART_OF]) == []


def test_the_container_meets_the_w3c_collection_definitions(shapes):
    """collectionMusts.test's assertion files are not in the copy read (README); these are the
    definitions they are built on, in the same combination."""
    container = shapes["container"]
    definitions = "collections.json#/definitions/"
    schema = {
        "allOf": [
            {"$ref": "id.json#/definitions/idValueFound"},
            {"$ref": definitions + "annotationCollectionTypeValueFound"},
            {"$ref": definitions + "labelDefinition"},
            {"$ref": definitions + "totalFound"},
            {"$ref": definitions + "firstRequiredIfTotalMoreThanZero"},
            {"$ref": definitions + "firstValidIfPresent"},
            {"$ref": definitions + "lastValidIfPresent"},
            {
                "properties": {
                    "@context": {"$ref": definitions + "contextValueInArrayFound"},
                }
            },
        ]
    }
    validator = jsonschema.Draft4Validator(schema, registry=REGISTRY, format_checker=FORMATS)
    assert [error.message for error in validator.iter_errors(container)] == []
    assert not validator.is_valid({**container, "total": -1})


def test_a_note_on_the_arabic_text_meets_the_musts(client, analyst, arabic):
    """`language` and `textDirection` on the target (W3C §3.2.1), in both APIs' forms."""
    text = "جملة تجريبية رقم 2-8؛"
    note = annotation_create(
        provision=art("art_2__subpara_h"),
        author=analyst,
        body="On the Arabic words.",
        selectors=[{"type": "TextQuoteSelector", "exact": text[5:15]}],
        language="ar",
    )
    auth = bearer(token_for(analyst))
    for path in (f"{API}annotations/{note.pk}", f"{CONTAINER}{note.pk}/"):
        document = client.get(path, **auth).json()
        assert document["target"]["language"] == "ar", path
        assert document["target"]["textDirection"] == "rtl", path
        assert failures(document, ANNOTATION_MUSTS) == [], path

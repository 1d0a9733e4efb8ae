"""Check the API against its own OpenAPI document (provisions/api/openapi/).

`api_document()` is the document the app serves, validated once with openapi-spec-validator.
`check_response(method, path, response)` finds the operation the request reached and validates
what came back against it with jsonschema: the status must be one the operation lists, and a
JSON body must match that status's schema for the response's media type. A status, media type
or field the document does not describe fails the test that received it.

Tests marked `openapi` (tests/test_api*.py) get a test client that does this for every
/api/v1/ response (tests/conftest.py); the behaviour is the contract, so where they disagree
the document is fixed, unless the behaviour is the bug.
"""

import json
import re
from functools import cache
from urllib.parse import urlsplit

from jsonschema import Draft202012Validator
from openapi_spec_validator import validate
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

API_PREFIX = "/api/v1"
DOCUMENT_URI = "urn:treatywatch:openapi"


@cache
def api_document() -> dict:
    """The served document (for http://testserver), checked against the OpenAPI 3.1 schema."""
    from django.test import RequestFactory

    from provisions.api.openapi.document import build_document

    document = build_document(RequestFactory().get(f"{API_PREFIX}/openapi.json"))
    validate(document)
    return document


@cache
def _registry() -> Registry:
    resource = Resource.from_contents(api_document(), default_specification=DRAFT202012)
    return Registry().with_resource(DOCUMENT_URI, resource)


def _pointer(base: str, *parts: str) -> str:
    """A JSON pointer: `base` (already a pointer) followed by escaped names."""
    return base + "".join("/" + part.replace("~", "~0").replace("/", "~1") for part in parts)


@cache
def _routes() -> list[tuple[re.Pattern, str]]:
    routes = []
    for template in api_document()["paths"]:
        pattern = re.sub(r"\\{(\w+)\\}", r"[^/]+", re.escape(template))
        routes.append((re.compile(f"^{pattern}$"), template))
    return routes


def operation_for(method: str, path: str) -> tuple[str, dict] | None:
    """(path template, operation) that a request reached; None when no documented path does."""
    relative = urlsplit(path).path.removeprefix(API_PREFIX) or "/"
    for pattern, template in _routes():
        if pattern.match(relative):
            operation = api_document()["paths"][template].get(method.lower())
            return (template, operation) if operation else (template, {})
    return None


def _resolve(response: dict) -> tuple[dict, str | None]:
    """A response object and its pointer within the document, following one $ref."""
    ref = response.get("$ref")
    if not ref:
        return response, None
    pointer = ref.removeprefix("#")
    target = api_document()
    for part in pointer.strip("/").split("/"):
        target = target[part.replace("~1", "/").replace("~0", "~")]
    return target, pointer


def check_response(method: str, path: str, response) -> None:
    """Fail (AssertionError) when the response is not what the document promises."""
    if method.upper() in ("HEAD", "OPTIONS"):
        return  # HTTP's own (a GET without its body; CORS preflight), not API operations
    found = operation_for(method, path)
    if found is None:
        return  # an address the API does not have: its catch-all 404 is checked by its tests
    template, operation = found
    where = f"{method.upper()} {path} → {response.status_code}"
    if not operation:
        # A method the document does not list for this path is refused: 405, or 401 first to
        # a caller without a token on a write-only address.
        assert response.status_code in (401, 405), f"{where}: not in the OpenAPI document"
        error = json.loads(response.content)
        _validate(error, "/components/schemas/Error", where)
        return
    status = str(response.status_code)
    responses = operation.get("responses", {})
    assert status in responses, f"{where}: status not documented for {template}"
    described, pointer = _resolve(responses[status])
    if pointer is None:
        pointer = _pointer("", "paths", template, method.lower(), "responses", status)
    content = described.get("content")
    if not content:
        assert not response.content, f"{where}: a body the document does not describe"
        return
    media = response["Content-Type"]
    assert media in content or media.split(";")[0] in content, (
        f"{where}: media type {media!r} not documented ({', '.join(content)})"
    )
    media_key = media if media in content else media.split(";")[0]
    _validate(
        json.loads(response.content), _pointer(pointer, "content", media_key, "schema"), where
    )


def _validate(instance, pointer: str, where: str) -> None:
    validator = Draft202012Validator(
        {"$ref": f"{DOCUMENT_URI}#{pointer}"},
        registry=_registry(),
        format_checker=Draft202012Validator.FORMAT_CHECKER,
    )
    errors = sorted(validator.iter_errors(instance), key=lambda e: list(e.absolute_path))
    assert not errors, f"{where}: " + "; ".join(
        f"{'/'.join(map(str, e.absolute_path)) or '(root)'}: {e.message[:200]}" for e in errors[:5]
    )

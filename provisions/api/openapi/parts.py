"""The OpenAPI document's building blocks: references, closed objects, responses, operations."""

from provisions.api.endpoint import MAX_PAGE, MAX_PAGE_SIZE

JSON = "application/json"
W3C_JSON = 'application/ld+json; profile="http://www.w3.org/ns/anno.jsonld"'


def ref(kind: str, name: str) -> dict:
    return {"$ref": f"#/components/{kind}/{name}"}


def schema_ref(name: str) -> dict:
    return ref("schemas", name)


def nullable(type_name: str, **extra) -> dict:
    return {"type": [type_name, "null"], **extra}


def closed(properties: dict, *, optional=(), **extra) -> dict:
    """An object with exactly these keys (all present unless `optional`), and no others: the
    tests validate every response against it, so a key added or dropped is noticed."""
    return {
        "type": "object",
        "required": [name for name in properties if name not in optional],
        "properties": properties,
        "additionalProperties": False,
        **extra,
    }


def error_refs(*statuses: str) -> dict:
    return {status: ref("responses", f"Error{status}") for status in statuses}


def ok(schema: dict, description: str, media: str = JSON, headers=None) -> dict:
    response = {"description": description, "content": {media: {"schema": schema}}}
    if headers:
        response["headers"] = headers
    return response


def json_body(schema: dict, *, required: bool = True) -> dict:
    return {
        "required": required,
        "content": {JSON: {"schema": schema}, "application/ld+json": {"schema": schema}},
    }


READ_SECURITY = [{}, {"bearerAuth": []}]
WRITE_SECURITY = [{"bearerAuth": []}]
READ_ERRORS = ("400", "401", "404", "405")
WRITE_ERRORS = ("400", "401", "403", "404", "405", "413", "415", "422", "429")


def read_operation(
    summary: str, schema: dict, *, parameters=(), media=JSON, headers=None, extra=None
):
    operation = {
        "summary": summary,
        "security": READ_SECURITY,
        "parameters": list(parameters),
        "responses": {"200": ok(schema, "OK", media, headers), **error_refs(*READ_ERRORS)},
    }
    operation["responses"].update(extra or {})
    return operation


def write_operation(
    summary: str, *, body=None, responses: dict, parameters=(), errors=WRITE_ERRORS
):
    operation = {
        "summary": summary,
        "security": WRITE_SECURITY,
        "parameters": list(parameters),
        "responses": {**responses, **error_refs(*errors)},
    }
    if body is not None:
        operation["requestBody"] = body
    return operation


def page_schema(item: str) -> dict:
    return closed(
        {
            "total": {"type": "integer", "minimum": 0},
            "page": {"type": "integer", "minimum": 1, "maximum": MAX_PAGE},
            "page_size": {"type": "integer", "minimum": 1, "maximum": MAX_PAGE_SIZE},
            "next": nullable("string", format="uri"),
            "prev": nullable("string", format="uri"),
            "items": {"type": "array", "items": schema_ref(item)},
        }
    )

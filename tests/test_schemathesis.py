"""schemathesis against the live server: the API does what its OpenAPI document says.

pytest-django's live_server runs the app on a real port; schemathesis reads the OpenAPI document
the server itself serves (/api/v1/openapi.json) and sends every operation a few generated
requests, anonymous reads and token-authenticated writes alike, checking each answer with its
default checks (no server error; status code, content type, headers and body as documented).

Bounded so that the suite stays quick: a few examples per operation, derandomized (the same
requests every run: a failure here is reproducible, never flaky), no shrinking of failures.
"""

import pytest
import requests
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from schemathesis.specs.openapi.checks import positive_data_acceptance

from tests.helpers import make_member, published_annotation, token_for

# Transactional (live_server): the `seeded` fixture puts the Convention back for each test.
pytestmark = [pytest.mark.django_db(transaction=True)]

EXAMPLES_PER_OPERATION = 3
BOUNDED = settings(
    max_examples=EXAMPLES_PER_OPERATION,
    derandomize=True,
    deadline=None,
    database=None,
    phases=[Phase.explicit, Phase.generate],
    suppress_health_check=list(HealthCheck),
)


@pytest.fixture
def api_schema(seeded, live_server):
    """The OpenAPI document as the live server serves it (its `servers` is the live address)."""
    member = make_member("alice", "Analysts", "Alice Analyst")
    editor = make_member("erin", "Editors", "Erin Editor")
    # Something to read, and to try to change: a published note.
    published_annotation(member, editor, "A published note.")
    response = requests.get(f"{live_server.url}/api/v1/openapi.json", timeout=30)
    assert response.status_code == 200
    loaded = schemathesis.openapi.from_dict(response.json())
    loaded.config.update(base_url=f"{live_server.url}/api/v1")
    return loaded, token_for(member)


def exercise(operation, headers: dict, excluded: list) -> None:
    """A few generated requests to one operation, each answer checked against the document."""

    @BOUNDED
    @given(case=operation.as_strategy())
    def check(case):
        case.call_and_validate(headers=headers, excluded_checks=excluded, timeout=30)

    check()


def test_the_live_api_matches_its_openapi_document(api_schema):
    """Every operation, a few examples each; all failures are listed together. (schemathesis's
    own pytest plugin does not run under pytest 9, so hypothesis drives its strategies here.)"""
    loaded, token = api_schema
    failures, operations = [], 0
    for result in loaded.get_all_operations():
        operation = result.ok()
        operations += 1
        write = operation.method.upper() not in ("GET", "HEAD", "OPTIONS")
        headers = {"Authorization": f"Bearer {token}"} if write else {}
        # A write the schema allows may still be refused for what no JSON Schema can say: an
        # eid that names no provision, a note that is not the token's, `If-Match: *` (428, as
        # documented), a stale version (412). Those refusals are documented answers (4xx with
        # the error shape, checked); "schema-valid means accepted" is checked for reads only.
        excluded = [positive_data_acceptance] if write else []
        try:
            exercise(operation, headers, excluded)
        except (Exception, BaseExceptionGroup) as error:  # every operation's failure is reported
            failures.append(f"{operation.label}: {str(error)[:1500]}")
    assert operations >= 20
    assert failures == [], "\n\n".join(failures)

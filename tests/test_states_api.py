"""The states' take-away: the JSON API (/api/v1/states, /api/v1/states/<code>, documented and
validated against the OpenAPI document), the CSV and JSON files, and the Atom feed of status
changes. Only published commitments are ever shown."""

import csv
import io
import json

import pytest
from jsonschema import Draft202012Validator
from referencing import Registry
from referencing.jsonschema import DRAFT202012

from provisions.models import Party, SafeguardDemand
from provisions.services.commitments import commitment_create, commitment_publish
from provisions.services.treaty_status import treaty_status_import

pytestmark = pytest.mark.django_db

SOURCE = "https://treaties.example.org/XVIII-16"


@pytest.fixture
def facts(analyst, editor):
    treaty_status_import(
        text="party,action,date,reference,articles,text,source,confidence\n"
        f"MLI,ratification,2026-02-01,C.N.9.2026.TREATIES-XVIII.16,,,{SOURCE},confirmed\n"
        f"MLI,reservation,2026-02-01,,art_24,Reserved **in part**.,{SOURCE},\n"
    )
    demand = SafeguardDemand.objects.order_by("position").first()
    published = commitment_create(
        party=Party.objects.get(code="MLI"),
        demand=demand,
        author=analyst,
        level="partly",
        evidence_url="https://gov.example.org/mali",
        submit=True,
    )
    commitment_publish(commitment=published, editor=editor)
    commitment_create(  # a draft: never in any export
        party=Party.objects.get(code="RWA"),
        demand=demand,
        author=analyst,
        level="contrary",
        evidence_url="https://gov.example.org/secret-draft",
    )
    return demand


def validator_for(client, name):
    doc = client.get("/api/v1/openapi.json").json()
    registry = Registry().with_resource("urn:doc", DRAFT202012.create_resource(doc))
    schema = {"$ref": f"urn:doc#/components/schemas/{name}"}
    return Draft202012Validator(schema, registry=registry)


def test_the_states_api_lists_every_party_with_the_counts(client, facts):
    response = client.get("/api/v1/states")
    assert response.status_code == 200
    data = response.json()
    validator_for(client, "PartyList").validate(data)
    assert data["summary"]["signatories"] == 5
    assert data["summary"]["instruments_counting"] == 1
    assert data["summary"]["instruments_missing"] == 39
    assert len(data["items"]) == 196
    mali = next(item for item in data["items"] if item["code"] == "MLI")
    assert mali["status"] == "party" and mali["consent"] == {
        "kind": "ratification",
        "date": "2026-02-01",
    }
    assert mali["declarations"][0]["provisions"][0]["citation"] == "Article 24"
    levels = {c["demand"]: c["level"] for c in mali["commitments"]}
    assert levels[facts.slug] == "partly" and list(levels.values()).count("unknown") == 5
    assert "secret-draft" not in response.content.decode()


def test_one_party_in_the_api(client, facts):
    response = client.get("/api/v1/states/mli")
    assert response.status_code == 200
    data = response.json()
    validator_for(client, "PartyDetail").validate(data)
    assert data["code"] == "MLI" and data["url"] == "http://testserver/states/mli/"
    assert data["actions"][-1]["reference"] == "C.N.9.2026.TREATIES-XVIII.16"
    assert client.get("/api/v1/states/euu").json()["counts_towards_entry_into_force"] is False
    for missing in ("xyz", "mlii", "m"):
        response = client.get(f"/api/v1/states/{missing}")
        assert response.status_code == 404 and response.json()["error"]["code"]


def test_the_csv_and_json_files(client, facts):
    response = client.get("/states/export.csv")
    assert response["Content-Disposition"] == 'attachment; filename="treatywatch-states.csv"'
    rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert len(rows) == 196
    mali = next(row for row in rows if row["code"] == "MLI")
    assert (mali["status"], mali["consent_kind"], mali["declarations"]) == (
        "party",
        "ratification",
        "1",
    )
    assert SOURCE in json.loads(mali["sources"])  # a JSON array, whatever a source holds
    document = json.loads(client.get("/states/export.json").content)
    assert document["summary"]["parties"] == 1
    assert "secret-draft" not in json.dumps(document)


def test_the_feed_of_status_changes(client, facts):
    response = client.get("/feeds/states.atom")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/atom+xml")
    body = response.content.decode()
    assert "Mali: Ratification on 2026-02-01" in body
    assert "Mali: Reservation on 2026-02-01" in body
    assert "http://testserver/states/mli/#action-" in body

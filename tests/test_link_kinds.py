"""Links mean what they say: a kind belongs to its target (concern kinds for concerns, demand
kinds for safeguard demands). The services, the forms, the API, the database and the data
migration that fixed older rows all follow ProvisionLink.kinds_for."""

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse

from provisions.models import ProvisionLink, Revision
from provisions.services.links import link_approve, link_propose
from tests.helpers import art, error_of, post, run_data_migration, text_of, token_for

pytestmark = pytest.mark.django_db

CONCERN = "serious-crime-scope"
DEMAND = "laws-meet-human-rights-standards"


@pytest.mark.parametrize("kind", ["safeguard_applies", "lacks_safeguard", "partly_meets"])
def test_a_concern_refuses_demand_kinds(analyst, kind):
    with pytest.raises(ValidationError) as refused:
        link_propose(provision=art(), proposer=analyst, concern=CONCERN, kind=kind, rationale="x")
    message = refused.value.message_dict["kind"][0]
    assert "is not a kind for a concern" in message
    assert "Raises this concern" in message
    assert not ProvisionLink.objects.filter(rationale="x").exists()


@pytest.mark.parametrize("kind", ["raises", "mitigates"])
def test_a_demand_refuses_concern_kinds(analyst, kind):
    with pytest.raises(ValidationError) as refused:
        link_propose(provision=art(), proposer=analyst, demand=DEMAND, kind=kind, rationale="x")
    assert "is not a kind for a safeguard demand" in refused.value.message_dict["kind"][0]


def test_each_target_takes_its_own_kinds(analyst):
    for kind in ProvisionLink.CONCERN_KINDS:
        link = link_propose(
            provision=art(), proposer=analyst, concern=CONCERN, kind=kind, rationale="ok"
        )
        assert link.kind == kind
    for kind in ProvisionLink.DEMAND_KINDS:
        link = link_propose(
            provision=art(), proposer=analyst, demand=DEMAND, kind=kind, rationale="ok"
        )
        assert link.kind == kind


def test_edit_then_approve_refuses_the_other_targets_kind(analyst, editor):
    link = link_propose(provision=art(), proposer=analyst, demand=DEMAND, rationale="x")
    with pytest.raises(ValidationError) as refused:
        link_approve(link=link, editor=editor, kind="raises")
    assert "kind" in refused.value.message_dict
    link.refresh_from_db()
    assert (link.status, link.kind) == ("proposed", "safeguard_applies")


def test_the_database_refuses_a_wrong_pairing(analyst):
    link = link_propose(provision=art(), proposer=analyst, demand=DEMAND, rationale="x")
    with pytest.raises(IntegrityError), transaction.atomic():
        ProvisionLink.objects.filter(pk=link.pk).update(kind="raises")


def test_the_propose_form_says_why(client, analyst):
    client.force_login(analyst)
    url = reverse("provisions:propose_link", kwargs={"number": 24})
    page = text_of(client.get(url))
    assert '<optgroup label="For a concern">' in page
    assert '<optgroup label="For a safeguard demand">' in page
    response = client.post(
        url,
        {
            "provision": "art_24",
            "demand": DEMAND,
            "kind": "raises",
            "rationale": "Why.",
            "confidence": "medium",
        },
    )
    html = text_of(response)
    assert "is not a kind for a safeguard demand" in html
    # What was typed stays in the form.
    assert "Why." in html
    assert not ProvisionLink.objects.filter(rationale="Why.").exists()


def test_the_review_edit_form_offers_only_the_targets_kinds(client, analyst, editor):
    link_propose(provision=art(), proposer=analyst, demand=DEMAND, rationale="Queue me.")
    client.force_login(editor)
    html = text_of(client.get(reverse("provisions:review")))
    form = html[html.index("Queue me.") :]
    select = form[form.index('name="kind"') : form.index("</select>")]
    assert "Where this safeguard applies" in select
    assert "Raises this concern" not in select


def test_the_api_refuses_a_wrong_pairing(client, analyst):
    payload = {"provision": "art_24", "safeguard": DEMAND, "rationale": "x", "kind": "raises"}
    error = error_of(post(client, "links", payload, token_for(analyst)), 422)
    assert "is not a kind for a safeguard demand" in error["fields"]["kind"][0]


@pytest.mark.django_db(transaction=True)
def test_the_migration_corrects_old_rows_and_keeps_the_old_kind_in_history(seeded):
    def prepare(apps):
        Link = apps.get_model("provisions", "ProvisionLink")
        Provision = apps.get_model("provisions", "Provision")
        Concern = apps.get_model("provisions", "Concern")
        Demand = apps.get_model("provisions", "SafeguardDemand")
        provision = Provision.objects.get(eid="art_24")
        demand = Demand.objects.get(slug=DEMAND)
        concern = Concern.objects.get(slug=CONCERN)
        wrong_demand = Link.objects.create(
            provision=provision, demand=demand, kind="raises", rationale="old", version=1
        )
        wrong_concern = Link.objects.create(
            provision=provision, concern=concern, kind="lacks_safeguard", rationale="old"
        )
        right = Link.objects.create(
            provision=provision, concern=concern, kind="raises", rationale="fine"
        )
        return wrong_demand, wrong_concern, right

    wrong_demand, wrong_concern, right = run_data_migration("0011_link_kind_fits_target", prepare)
    kinds = dict(ProvisionLink.objects.values_list("pk", "kind"))
    assert kinds[wrong_demand.pk] == "lacks_safeguard"
    assert kinds[wrong_concern.pk] == "raises"
    assert kinds[right.pk] == "raises"
    revision = Revision.objects.get(target_type="link", target_id=wrong_demand.pk)
    assert "“Raises this concern”" in revision.note
    assert revision.snapshot["kind"] == "lacks_safeguard"
    assert not Revision.objects.filter(target_type="link", target_id=right.pk).exists()

"""The scorecard: commitments follow the annotations' workflow (analysts propose, editors publish,
history, audit, one visibility rule), the matrix and its gap views, a party's page, the
safeguard pages, and a published commitment showing at once on cached pages."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from provisions.models import AuditEvent, Commitment, Party, Revision, SafeguardDemand
from provisions.services.commitments import (
    commitment_create,
    commitment_publish,
    commitment_reject,
    commitment_submit,
    commitment_update,
)
from provisions.services.treaty_status import treaty_status_import
from tests.helpers import text_of

pytestmark = pytest.mark.django_db

EVIDENCE = "https://gov.example.org/statement"
DEMAND = "laws-meet-human-rights-standards"


def propose(author, code="MLI", level="committed", submit=True, **extra):
    return commitment_create(
        party=Party.objects.get(code=code),
        demand=SafeguardDemand.objects.get(slug=DEMAND),
        author=author,
        level=level,
        evidence_url=EVIDENCE,
        quote="We will apply Article 24 with judicial review.",
        evidence_date=datetime.date(2026, 3, 1),
        submit=submit,
        **extra,
    )


def test_analysts_propose_editors_publish_with_history_and_audit(analyst, editor):
    commitment = propose(analyst, submit=False)
    assert commitment.status == "draft"
    commitment = commitment_submit(commitment=commitment, user=analyst)
    with pytest.raises(PermissionDenied):
        commitment_publish(commitment=commitment, editor=analyst)
    commitment = commitment_publish(commitment=commitment, editor=editor)
    assert commitment.status == "published" and commitment.published_at is not None
    actions = list(
        Revision.objects.filter(target_type="commitment", target_id=commitment.pk)
        .order_by("pk")
        .values_list("action", flat=True)
    )
    assert actions == ["created", "submitted", "published"]
    assert AuditEvent.objects.filter(action="commitment.published", actor=editor).exists()


def test_a_claim_needs_evidence_and_bad_input_is_refused(analyst):
    mali = Party.objects.get(code="MLI")
    demand = SafeguardDemand.objects.get(slug=DEMAND)
    with pytest.raises(ValidationError, match="source of the evidence"):
        commitment_create(party=mali, demand=demand, author=analyst, level="committed")
    with pytest.raises(ValidationError):
        commitment_create(
            party=mali, demand=demand, author=analyst, level="partly", evidence_url="javascript:x"
        )
    with pytest.raises(ValidationError):
        commitment_create(party=mali, demand=demand, author=analyst, level="mostly")
    assert not Commitment.objects.exists()


def test_only_the_author_edits_a_draft_and_a_stale_version_is_refused(analyst, other_analyst):
    commitment = propose(analyst, submit=False)
    with pytest.raises(PermissionDenied):
        commitment_update(commitment=commitment, user=other_analyst, version=1, level="none")
    commitment = commitment_update(commitment=commitment, user=analyst, version=1, level="partly")
    assert (commitment.level, commitment.version) == ("partly", 2)
    with pytest.raises(ValidationError, match="changed this commitment"):
        commitment_update(commitment=commitment, user=analyst, version=1, level="none")


def test_one_visibility_rule_for_commitments(client, analyst, other_analyst, editor):
    draft = propose(analyst, submit=False)
    submitted = propose(analyst, code="RWA")
    url = f"/scorecard/commitments/{draft.pk}/"
    assert client.get(url).status_code == 404
    assert client.get(f"/scorecard/commitments/{submitted.pk}/").status_code == 404
    client.force_login(other_analyst)
    assert client.get(url).status_code == 404
    assert client.get(f"/scorecard/commitments/{submitted.pk}/").status_code == 200
    client.force_login(editor)
    assert client.get(url).status_code == 404  # nobody reads another's draft
    client.force_login(analyst)
    assert client.get(url).status_code == 200


def test_the_scorecard_matrix_and_gap_views(client, analyst, editor):
    treaty_status_import(
        text="party,action,date,reference,articles,text,source,confidence\n"
        f"MLI,ratification,2026-02-01,,,,{EVIDENCE},\n"
        f"RWA,ratification,2026-02-01,,,,{EVIDENCE},\n"
    )
    commitment_publish(commitment=propose(analyst, code="MLI"), editor=editor)
    commitment_publish(commitment=propose(analyst, code="SAU", level="contrary"), editor=editor)
    propose(analyst, code="RWA")  # submitted, not published: does not count yet
    html = text_of(client.get("/scorecard/"))
    ratified = html[html.index('id="ratified-without"') : html.index('id="signed-without"')]
    assert "Rwanda" in ratified and "Mali" not in ratified
    signed = html[html.index('id="signed-without"') : html.index('id="matrix"')]
    assert "Saudi Arabia" in signed and "Mauritius" in signed and "Mali" not in signed
    assert 'class="level level-committed"' in html and ">Committed</a>" in html
    assert ">Contrary</a>" in html
    assert html.count(">Unknown</span>") == 196 * 6 - 2 + 1  # + the legend's


def test_a_party_page_and_a_safeguard_page_show_published_commitments(client, analyst, editor):
    commitment_publish(commitment=propose(analyst, code="MLI", level="partly"), editor=editor)
    party = text_of(client.get("/states/mli/"))
    assert ">Partly committed</a>" in party and "judicial review" in party
    demand = text_of(client.get(f"/safeguards/{DEMAND}/"))
    section = demand[demand.index("Where the states stand on this demand") :]
    assert 'href="/scorecard/commitments/' in section and "Mali" in section


def test_publishing_shows_at_once_on_cached_pages(client, settings, analyst, editor):
    settings.TREATYWATCH_PAGE_CACHE = True
    for url in ("/scorecard/", "/states/mli/", f"/safeguards/{DEMAND}/"):
        client.get(url)
        assert client.get(url)["X-Page-Cache"] == "hit"
    commitment = commitment_publish(commitment=propose(analyst), editor=editor)
    for url in ("/scorecard/", "/states/mli/", f"/safeguards/{DEMAND}/"):
        assert commitment.get_absolute_url() in text_of(client.get(url)), url
    commitment_reject(commitment=commitment, editor=editor, reason="Misquoted.")
    assert commitment.get_absolute_url() not in text_of(client.get("/scorecard/"))


def test_the_web_workflow(client, analyst, editor):
    client.force_login(analyst)
    response = client.post(
        "/scorecard/propose/",
        {
            "party": "MLI",
            "demand": DEMAND,
            "level": "committed",
            "evidence_url": EVIDENCE,
            "quote": "",
            "evidence_date": "2026-03-01",
            "intent": "submit",
        },
    )
    commitment = Commitment.objects.get()
    assert response.status_code == 302 and commitment.status == "submitted"
    # A missing source is a clear error, and what was typed comes back.
    response = client.post(
        "/scorecard/propose/",
        {"party": "MLI", "demand": DEMAND, "level": "partly", "quote": "keep me"},
    )
    html = text_of(response, 400)
    assert "Give the source of the evidence" in html and "keep me" in html
    assert client.post(f"/scorecard/commitments/{commitment.pk}/publish/").status_code == 403
    client.force_login(editor)
    assert "Mali" in text_of(client.get("/review/commitments/"))
    client.post(f"/scorecard/commitments/{commitment.pk}/publish/")
    commitment.refresh_from_db()
    assert commitment.status == "published"

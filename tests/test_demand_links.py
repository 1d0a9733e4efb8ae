"""Seeded safeguard-demand links (issue 17): each has a rationale of its own, grounded in the
coalition's statement and citing it, or is not seeded at all; `seed` never rewrites them; and
migration 0016 corrects databases seeded with the old boilerplate, leaving edited rows alone."""

import importlib
import json
from io import StringIO
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.utils.html import escape

from provisions.models import AuditEvent, ProvisionLink, Revision
from provisions.services.links import _clean_sources, link_approve, link_reject
from tests.helpers import run_data_migration, text_of

pytestmark = pytest.mark.django_db

MIGRATION = importlib.import_module("provisions.migrations.0016_demand_links_sourced_rationales")
BOILERPLATE = MIGRATION.BOILERPLATE
STATEMENT = MIGRATION.STATEMENT
FIXTURE = Path(settings.BASE_DIR) / "fixtures" / "coalition-statement.json"

# The decision of issue 17, pinned: (demand, article) → kind. consult-civil-society → Article 57
# was removed (the statement ties consultation to no subject of the Convention).
KEPT = {
    ("laws-meet-human-rights-standards", 6): "partly_meets",
    ("laws-meet-human-rights-standards", 24): "partly_meets",
    ("limit-cross-border-cooperation", 35): "safeguard_applies",
    ("limit-cross-border-cooperation", 40): "safeguard_applies",
    ("right-to-decline-cooperation", 40): "safeguard_applies",
    ("transparency-on-implementation", 57): "safeguard_applies",
    ("assistance-tied-to-rights", 54): "safeguard_applies",
    ("assistance-tied-to-rights", 56): "safeguard_applies",
}


def _demand_links():
    return ProvisionLink.objects.filter(demand__isnull=False, is_editorial=True).select_related(
        "demand", "provision__article"
    )


def test_the_seeded_demand_links_are_the_grounded_ones():
    links = {(link.demand.slug, link.provision.article.number): link for link in _demand_links()}
    assert {pair: link.kind for pair, link in links.items()} == KEPT
    assert not ProvisionLink.objects.filter(demand__slug="consult-civil-society").exists()
    assert all(link.status == "approved" for link in links.values())


def test_every_seeded_link_has_a_source_and_every_demand_link_its_own_rationale():
    seeded = list(ProvisionLink.objects.filter(is_editorial=True))
    assert seeded and all(link.sources for link in seeded)
    rationales = [link.rationale for link in seeded]
    for link in _demand_links():
        assert rationales.count(link.rationale) == 1, link
        assert link.sources == [STATEMENT]
        # An editor can save the link as it is: its sources pass the services' own check.
        assert _clean_sources(link.sources) == link.sources


def test_the_boilerplate_is_gone_from_the_seed_and_its_data():
    assert not ProvisionLink.objects.filter(rationale=BOILERPLATE).exists()
    assert "this is where the coalition's demand would apply" not in FIXTURE.read_text()
    # The migration's copy of each rationale is the seed's (the migration cannot read it).
    data = json.loads(FIXTURE.read_text(encoding="utf-8"))
    seeded = {
        (item["slug"], number): link
        for item in data["safeguard_demands"]
        for link in item["links"]
        for number in link["articles"]
    }
    assert set(seeded) == set(MIGRATION.SOURCED)
    for pair, values in MIGRATION.SOURCED.items():
        assert seeded[pair]["why"] == values["rationale"]
        assert (seeded[pair]["kind"], seeded[pair]["confidence"]) == (
            values["kind"],
            values["confidence"],
        )
        assert seeded[pair]["sources"] == [STATEMENT]


def test_each_safeguard_page_shows_its_demand_and_its_sourced_rationales(client):
    for link in _demand_links():
        html = text_of(client.get(link.demand.get_absolute_url()))
        assert f'<blockquote class="coalition-point"><p>{escape(link.demand.point)}</p>' in html
        assert f"<p>{escape(link.rationale)}</p>" in html
        assert f'<a href="{STATEMENT}" rel="nofollow noopener noreferrer">' in html
        assert link.get_kind_display() in html
    html = text_of(client.get("/safeguards/consult-civil-society/"))
    assert "Do not sign or ratify the Convention unless you commit to consulting" in html
    assert "No approved link yet." in html


def test_seed_never_rewrites_a_demand_link_an_editor_corrected_or_rejected(editor):
    corrected = _demand_links().get(demand__slug="right-to-decline-cooperation")
    link_approve(link=corrected, editor=editor, rationale="An editor's own words.")
    rejected = _demand_links().get(
        demand__slug="assistance-tied-to-rights", provision__eid="art_56"
    )
    link_reject(link=rejected, editor=editor, reason="Too remote.")
    out = StringIO()
    call_command("seed", stdout=out)
    assert "nothing to change" in out.getvalue()
    corrected.refresh_from_db()
    rejected.refresh_from_db()
    assert corrected.rationale == "An editor's own words."
    assert rejected.status == "rejected"


def test_seed_creates_a_missing_demand_link():
    _demand_links().filter(demand__slug="right-to-decline-cooperation").delete()
    call_command("seed", stdout=StringIO())
    link = _demand_links().get(demand__slug="right-to-decline-cooperation")
    assert (link.provision.eid, link.kind, link.sources) == (
        "art_40",
        "safeguard_applies",
        [STATEMENT],
    )


@pytest.mark.django_db(transaction=True)
def test_the_migration_replaces_the_boilerplate_and_leaves_edited_rows_alone(seeded):
    def prepare(apps):
        Link = apps.get_model("provisions", "ProvisionLink")
        Demand = apps.get_model("provisions", "SafeguardDemand")
        Provision = apps.get_model("provisions", "Provision")
        # As the old seed left them: boilerplate, no source, "where it applies".
        old_seed = {"rationale": BOILERPLATE, "sources": [], "kind": "safeguard_applies"}
        boilerplate = Link.objects.get(
            demand__slug="laws-meet-human-rights-standards", provision__eid="art_24"
        )
        Link.objects.filter(pk=boilerplate.pk).update(**old_seed, confidence="medium")
        edited = Link.objects.get(demand__slug="right-to-decline-cooperation")
        Link.objects.filter(pk=edited.pk).update(
            rationale="An editor's own words.", sources=[], kind="safeguard_applies", version=3
        )
        ungrounded = Link.objects.create(
            provision=Provision.objects.get(eid="art_57"),
            demand=Demand.objects.get(slug="consult-civil-society"),
            is_editorial=True,
            status="approved",
            reviewed_at=boilerplate.reviewed_at,
            confidence="medium",
            **old_seed,
        )
        return boilerplate, edited, ungrounded

    boilerplate, edited, ungrounded = run_data_migration(
        "0016_demand_links_sourced_rationales", prepare
    )

    fixed = ProvisionLink.objects.get(pk=boilerplate.pk)
    values = MIGRATION.SOURCED[("laws-meet-human-rights-standards", 24)]
    assert fixed.rationale == values["rationale"] and fixed.sources == [STATEMENT]
    assert (fixed.kind, fixed.version) == ("partly_meets", 2)
    history = list(Revision.objects.filter(target_type="link", target_id=fixed.pk).order_by("pk"))
    assert [(r.action, r.version) for r in history] == [("seeded", 1), ("corrected", 2)]
    assert history[0].snapshot["rationale"] == BOILERPLATE
    assert history[1].snapshot["rationale"] == values["rationale"]
    assert AuditEvent.objects.filter(action="link.corrected", detail__id=fixed.pk).count() == 1

    untouched = ProvisionLink.objects.get(pk=edited.pk)
    assert (untouched.rationale, untouched.sources, untouched.version) == (
        "An editor's own words.",
        [],
        3,
    )
    assert not Revision.objects.filter(target_type="link", target_id=edited.pk).exists()

    dropped = ProvisionLink.objects.get(pk=ungrounded.pk)
    assert dropped.status == "rejected" and "Not grounded" in dropped.review_note
    assert dropped.rationale == BOILERPLATE  # kept as it was, in its history too
    assert not ProvisionLink.objects.public().filter(pk=dropped.pk).exists()
    assert Revision.objects.get(target_id=dropped.pk, action="rejected").note == dropped.review_note
    assert AuditEvent.objects.get(action="link.rejected", detail__id=dropped.pk).detail["reason"]
    # Nothing else was touched: only these two links have a history.
    assert set(Revision.objects.filter(target_type="link").values_list("target_id", flat=True)) == {
        fixed.pk,
        dropped.pk,
    }

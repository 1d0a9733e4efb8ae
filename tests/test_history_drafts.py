"""What an annotation was while it was a draft stays with its author (issue 11, section 2).

Editors read an annotation's history from its first submission on: revisions written while it
was a draft are not listed, not used as the "before" of the first version they see, and cannot
be restored; the team's activity does not list them either. The author sees them all.
"""

import importlib

import pytest
from django.apps import apps
from django.core.exceptions import PermissionDenied

from provisions.models import Annotation, Revision
from provisions.services import (
    annotation_create,
    annotation_reject,
    annotation_restore,
    annotation_submit,
    annotation_update,
)
from tests.helpers import make_member, verify_session

pytestmark = pytest.mark.django_db


@pytest.fixture
def drafted(analyst, art24):
    """Written as a draft, rewritten in draft, then submitted: versions 1 and 2 are private."""
    annotation = annotation_create(
        provision=art24, author=analyst, body="Ministry leak: first private thoughts"
    )
    annotation = annotation_update(
        annotation=annotation,
        user=analyst,
        version=1,
        body="The safeguards are left to domestic law.",
        tags=["private-tag"],
    )
    annotation = annotation_update(
        annotation=annotation, user=analyst, version=2, body="Safeguards: left to domestic law."
    )
    return annotation_submit(annotation=annotation, user=analyst)


def history_html(client, annotation) -> str:
    response = client.get(f"/history/annotation/{annotation.pk}/")
    assert response.status_code == 200
    return response.content.decode()


def test_editor_sees_the_history_from_the_first_submission_on(client, editor, drafted):
    client.force_login(editor)
    html = history_html(client, drafted)
    assert html.count('class="revision"') == 1
    assert "Version 4: submitted" in html
    assert "Version 1: created" not in html and "Version 3: edited" not in html
    # Neither listed nor used as the "before" side: the submitted text is the starting point.
    assert "Ministry leak" not in html and "private thoughts" not in html
    assert "The first recorded version:" in html
    assert "<del>" not in html and "<ins>" not in html
    assert "Safeguards: left to domestic law." in html
    assert "Restore this version" not in html


def test_the_author_sees_every_version_of_their_own_note(client, art24):
    # An editor who writes a note is its author: the draft-era versions are theirs to read.
    author = make_member("edna", "Editors", "Edna Editor")
    note = annotation_create(provision=art24, author=author, body="Edna first thoughts")
    note = annotation_update(annotation=note, user=author, version=1, body="Edna final words")
    annotation_submit(annotation=note, user=author)
    client.force_login(author)
    verify_session(client, author)
    html = history_html(client, note)
    assert html.count('class="revision"') == 3
    assert "Edna first thoughts" in html and "Version 1: created" in html


def test_a_draft_again_after_rejection_hides_that_draft_stretch(client, analyst, editor, art24):
    note = annotation_create(
        provision=art24, author=analyst, body="Submitted wording", status="submitted"
    )
    note = annotation_reject(annotation=note, editor=editor, reason="Quote the article.")
    note = annotation_update(
        annotation=note, user=analyst, version=2, body="Half-finished private rewrite"
    )
    note = annotation_update(annotation=note, user=analyst, version=3, body="Resubmitted wording")
    annotation_submit(annotation=note, user=analyst)
    client.force_login(editor)
    html = history_html(client, note)
    assert [v for v in range(1, 6) if f"Version {v}: " in html] == [1, 2, 5]
    assert "Half-finished" not in html and "private rewrite" not in html
    # Version 5 is compared with version 2 (rejected), both of which the editor has read.
    assert '<ins><span class="visually-hidden">added: </span>Resubmitted</ins>' in html


def test_an_editor_cannot_restore_a_draft_era_version(client, editor, drafted):
    private = Revision.objects.get(target_type="annotation", target_id=drafted.pk, version=1)
    client.force_login(editor)
    response = client.post(f"/history/annotation/{drafted.pk}/restore/", {"revision": private.pk})
    assert response.status_code == 404
    # The service refuses too, whoever calls it.
    with pytest.raises(PermissionDenied):
        annotation_restore(annotation=drafted, editor=editor, revision=private, reason="Back.")
    drafted.refresh_from_db()
    assert drafted.version == 4 and drafted.body == "Safeguards: left to domestic law."
    assert not Revision.objects.filter(action="restored").exists()


def test_team_activity_lists_no_draft_era_revision(client, other_analyst, editor, drafted):
    for user in (other_analyst, editor):
        client.force_login(user)
        html = client.get("/workspace/").content.decode()
        activity = html[html.index('id="activity"') :]
        assert activity.count(f'href="/annotations/{drafted.pk}/"') == 1
        assert "submitted" in activity and "created" not in activity


def test_each_revision_records_the_status_after_its_change(analyst, editor, drafted):
    statuses = list(
        Revision.objects.filter(target_type="annotation", target_id=drafted.pk)
        .order_by("version")
        .values_list("version", "target_status")
    )
    assert statuses == [(1, "draft"), (2, "draft"), (3, "draft"), (4, "submitted")]


def test_the_migration_fills_the_status_in_from_each_snapshot(editor, drafted):
    migration = importlib.import_module("provisions.migrations.0006_revision_target_status")
    revisions = Revision.objects.filter(target_type="annotation", target_id=drafted.pk)
    revisions.update(target_status="")
    # A row written before snapshots said anything about status stays private.
    nameless = revisions.get(version=4)
    nameless.snapshot = {k: v for k, v in nameless.snapshot.items() if k != "status"}
    nameless.save()
    migration.status_from_snapshots(apps, None)
    assert dict(revisions.values_list("version", "target_status")) == {
        1: "draft",
        2: "draft",
        3: "draft",
        4: "",
    }
    assert Annotation.objects.get(pk=drafted.pk).status == "submitted"
    assert not Revision.objects.visible_to(editor).filter(pk=nameless.pk).exists()

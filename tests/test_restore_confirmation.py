"""Issue 17: restoring a version asks first, says what will go live, and needs a reason.

GET /history/<kind>/<pk>/restore/?revision=<id> is the confirmation page; the POST restores with
the editor's reason, which the new revision and the audit log keep.
"""

import pytest
from django.test import Client
from django.urls import reverse

from provisions.models import Annotation, AuditEvent, Concern, Provision, Revision
from provisions.services import (
    annotation_update,
    link_approve,
    link_propose,
)
from provisions.services.annotations import MAX_REVIEW_NOTE_CHARS
from tests.helpers import (
    REASON,
    confirm_url,
    first_revision,
    note_edited_by_editor,
    post_restore,
    text_of,
    verify_session,
)

pytestmark = pytest.mark.django_db


def unchanged(note: Annotation, version: int) -> bool:
    note.refresh_from_db()
    return (
        note.version == version
        and not Revision.objects.filter(action="restored").exists()
        and not AuditEvent.objects.filter(action__endswith=".restored").exists()
    )


def test_the_confirmation_says_the_restored_text_goes_public_at_once(client, analyst, editor):
    note = note_edited_by_editor(analyst, editor, publish=True)
    client.force_login(editor)
    html = text_of(client.get(confirm_url(note, first_revision(note))))
    assert "Restore version 1?" in html
    # What goes live, and that it goes live now (the note is published).
    assert "This note is published: readers will see the restored text as soon as you confirm" in (
        html
    )
    preview = html[html.index('id="restored-heading"') : html.index('id="changes-heading"')]
    assert "The <em>first</em> wording." in preview and "#first" in preview
    assert Concern.objects.get(slug="weak-procedural-safeguards").title in preview
    assert "second" not in preview
    # What changes against the current content: a word diff and the tags.
    changes = html[html.index('id="changes-heading"') : html.index("restore-confirm")]
    assert '<span class="visually-hidden">removed: </span>second</del>' in changes
    assert '<span class="visually-hidden">added: </span>first</ins>' in changes
    # The form asks for the reason and posts the revision; opening the page changed nothing.
    form = html[html.index("restore-confirm") :]
    assert 'name="reason"' in form and "required" in form
    assert f'name="revision" value="{first_revision(note).pk}"' in form
    assert unchanged(note, 3)


@pytest.mark.parametrize(
    ("status", "says"),
    [
        ("submitted", "This note is under review: the restored text is not public."),
        ("rejected", "This note was sent back to its author: the restored text is not public."),
    ],
)
def test_the_confirmation_says_when_the_restored_text_stays_private(
    client, analyst, editor, status, says
):
    from provisions.services import annotation_reject

    note = note_edited_by_editor(analyst, editor, publish=False)
    if status == "rejected":
        note = annotation_reject(annotation=note, editor=editor, reason="Needs a source.")
    client.force_login(editor)
    html = text_of(client.get(confirm_url(note, first_revision(note))))
    assert says in html and "as soon as you confirm" not in html


def test_the_link_confirmation_says_an_approved_link_changes_at_once(client, analyst, editor):
    link = link_propose(
        provision=Provision.objects.get(eid="art_24"),
        proposer=analyst,
        concern="serious-crime-scope",
        rationale="Any serious crime.",
        confidence="low",
    )
    link = link_approve(link=link, editor=editor, rationale="Narrowed.", confidence="high")
    client.force_login(editor)
    url = reverse("provisions:link_history_restore", kwargs={"pk": link.pk})
    revision = first_revision(link, "link")
    html = text_of(client.get(f"{url}?revision={revision.pk}"))
    assert "This link is approved: readers will see the restored rationale" in html
    assert "Any serious crime." in html and "Confidence: Low" in html
    response = client.post(url, {"revision": revision.pk, "reason": "Narrowed too far."})
    assert response.status_code == 302
    event = AuditEvent.objects.get(action="link.restored")
    assert event.detail["from_version"] == 1 and event.detail["reason"] == "Narrowed too far."


@pytest.mark.parametrize(
    ("reason", "message"),
    [
        ("", "Say why you restore this version"),
        ("   \n\t ", "Say why you restore this version"),
        ("\x00", "Null characters are not allowed."),
    ],
)
def test_a_restore_without_a_reason_is_refused_and_changes_nothing(
    client, analyst, editor, reason, message
):
    note = note_edited_by_editor(analyst, editor, publish=True)
    client.force_login(editor)
    response = post_restore(client, note, first_revision(note), reason)
    html = text_of(response, 400)
    assert message in html
    assert 'aria-invalid="true"' in html  # the field is marked, beside its message
    assert "Restore version 1?" in html  # still the confirmation, with what will go live
    assert unchanged(note, 3) and note.body == "A second wording."


def test_a_too_long_reason_is_refused_and_kept_for_correction(client, analyst, editor):
    note = note_edited_by_editor(analyst, editor, publish=True)
    client.force_login(editor)
    long_reason = "x" * (MAX_REVIEW_NOTE_CHARS + 1)
    html = text_of(post_restore(client, note, first_revision(note), long_reason), 400)
    assert f"At most {MAX_REVIEW_NOTE_CHARS} characters" in html
    assert long_reason in html  # nothing typed is lost
    assert unchanged(note, 3)


def test_the_restore_keeps_the_reason_in_the_revision_and_the_audit_log(client, analyst, editor):
    note = note_edited_by_editor(analyst, editor, publish=True)
    client.force_login(editor)
    response = post_restore(client, note, first_revision(note), f"  {REASON}  ")
    assert response.status_code == 302
    assert response["Location"] == reverse("provisions:annotation_history", kwargs={"pk": note.pk})
    note.refresh_from_db()
    # As now: a new revision with the old content, the status unchanged (public at once).
    assert (note.body, note.version, note.status) == ("The *first* wording.", 4, "published")
    restored = Revision.objects.get(target_type="annotation", target_id=note.pk, version=4)
    assert restored.action == "restored" and restored.note == f"from version 1: {REASON}"
    event = AuditEvent.objects.get(action="annotation.restored")
    assert event.actor == editor
    assert (event.detail["from_version"], event.detail["reason"]) == (1, REASON)
    audit = text_of(client.get(reverse("provisions:audit")))
    assert "The editor&#x27;s rewording lost the &lt;b&gt;author&#x27;s&lt;/b&gt; point." in audit
    # Readers see the restored text.
    client.logout()
    assert "The <em>first</em> wording." in text_of(client.get(note.get_absolute_url()))


def test_an_editor_without_the_second_factor_is_sent_to_it(analyst, editor):
    from tests.helpers import give_authenticator

    note = note_edited_by_editor(analyst, editor, publish=True)
    give_authenticator(editor)
    half_signed_in = Client()
    half_signed_in.force_login(editor)
    for response in (
        half_signed_in.get(confirm_url(note, first_revision(note))),
        post_restore(half_signed_in, note, first_revision(note)),
    ):
        assert response.status_code == 302
        assert response["Location"].startswith("/accounts/two-factor/verify/")
    assert unchanged(note, 3)


def test_the_restore_needs_the_csrf_token(analyst, editor):
    note = note_edited_by_editor(analyst, editor, publish=True)
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(editor)
    verify_session(strict, editor)
    assert strict.get(confirm_url(note, first_revision(note))).status_code == 200
    assert post_restore(strict, note, first_revision(note)).status_code == 403
    assert unchanged(note, 3)


def test_a_revision_of_something_else_or_none_is_not_found(client, analyst, editor):
    note = note_edited_by_editor(analyst, editor, publish=True)
    other = note_edited_by_editor(analyst, editor, publish=True)
    client.force_login(editor)
    url = reverse("provisions:annotation_history_restore", kwargs={"pk": note.pk})
    for query in (f"?revision={first_revision(other).pk}", "?revision=²", "?revision=", ""):
        assert client.get(url + query).status_code == 404
    assert post_restore(client, note, first_revision(other)).status_code == 404
    assert unchanged(note, 3)


def test_the_confirmation_costs_the_same_queries_however_long_the_history(
    client, analyst, editor, django_assert_num_queries
):
    note = note_edited_by_editor(analyst, editor, publish=True)
    url = confirm_url(note, first_revision(note))
    client.force_login(editor)
    # Session, user, device, groups (4); the annotation, the revision (2); the current
    # concerns, demands and tags (3); the restored version's concerns (1: it has no demand,
    # and an empty list costs none); the navigation's badges: workspace (3), review (2).
    with django_assert_num_queries(15):
        text_of(client.get(url))
    for _ in range(20):
        note = annotation_update(
            annotation=note, user=editor, version=note.version, body=f"v{note.version}"
        )
    with django_assert_num_queries(15):
        text_of(client.get(url))

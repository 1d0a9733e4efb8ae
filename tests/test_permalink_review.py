"""Issue 17: an annotation's permalink offers a (two-factor verified) editor every decision the
review queue offers for it — the same partial, posting to the queue's own actions — and the
editor comes back to the permalink with a message."""

import pytest
from django.test import Client
from django.urls import reverse

from provisions.models import Annotation, AuditEvent
from provisions.services import annotation_reject
from tests.helpers import ROLES, draft, give_authenticator, published_annotation, text_of

pytestmark = pytest.mark.django_db

DECISION = 'id="editor-decision-title"'


def submitted(analyst) -> Annotation:
    return draft(analyst, "A submitted note on Article 24.", status="submitted")


def publish_url(note) -> str:
    return reverse("provisions:review_annotation_publish", kwargs={"pk": note.pk})


def reject_url(note) -> str:
    return reverse("provisions:review_annotation_reject", kwargs={"pk": note.pk})


def permalink(client, note) -> str:
    return text_of(client.get(note.get_absolute_url()))


def test_a_submitted_note_offers_the_editor_publish_and_reject(client, analyst, editor):
    note = submitted(analyst)
    client.force_login(editor)
    html = permalink(client, note)
    section = html[html.index(DECISION) :]
    # The queue's own forms (its actions, no htmx swap here), saying where to come back.
    assert f'action="{publish_url(note)}"' in section
    assert f'action="{reject_url(note)}"' in section
    assert section.count('<input type="hidden" name="back" value="permalink">') == 2
    assert "data-hx-post" not in section
    assert "Reason (the author will read it)" in section and "Send back to the author" in section
    assert f'href="{reverse("provisions:annotation_history", kwargs={"pk": note.pk})}"' in section


def test_the_queue_offers_the_same_forms(client, analyst, editor):
    """One partial: the queue's item holds the same two forms, with htmx."""
    note = submitted(analyst)
    client.force_login(editor)
    html = text_of(client.get(reverse("provisions:review")))
    item = html[html.index(f'id="review-annotation-{note.pk}"') :]
    assert f'action="{publish_url(note)}"' in item and f'action="{reject_url(note)}"' in item
    assert f'data-hx-post="{publish_url(note)}"' in item
    assert 'name="back"' not in html


def test_a_published_note_offers_withdrawal_only(client, analyst, editor):
    note = published_annotation(analyst, editor)
    client.force_login(editor)
    section = permalink(client, note).split(DECISION, 1)[1]
    assert f'action="{publish_url(note)}"' not in section
    assert f'action="{reject_url(note)}"' in section
    assert "Withdraw and send back…" in section
    assert "leaves the public pages at once" in section


def test_a_rejected_note_offers_no_decision(client, analyst, editor):
    note = annotation_reject(annotation=submitted(analyst), editor=editor, reason="Source?")
    client.force_login(editor)
    section = permalink(client, note).split(DECISION, 1)[1]
    assert "Nothing to decide" in section
    assert f'action="{publish_url(note)}"' not in section
    assert f'action="{reject_url(note)}"' not in section


@pytest.mark.parametrize("role", ROLES)
def test_only_an_editor_sees_the_decisions_and_may_post_them(
    client, analyst, other_analyst, editor, role
):
    note = submitted(analyst)
    shown = published_annotation(analyst, editor, "A published note.")
    users = {"analyst": analyst, "other_analyst": other_analyst, "editor": editor}
    if role != "anonymous":
        client.force_login(users[role])
    # Anonymous readers see the published note; analysts also the submitted one.
    pages = [shown] if role == "anonymous" else [shown, note]
    for page in pages:
        html = permalink(client, page)
        assert (DECISION in html) == (role == "editor")
        assert ("/review/annotations/" in html) == (role == "editor")
    publish = client.post(publish_url(note), {"back": "permalink"})
    reject = client.post(reject_url(shown), {"back": "permalink", "reason": "Withdrawn."})
    if role == "editor":
        assert publish["Location"] == note.get_absolute_url()
        assert reject["Location"] == shown.get_absolute_url()
    elif role == "anonymous":
        assert all("/accounts/login/" in r["Location"] for r in (publish, reject))
    else:
        assert publish.status_code == 403 and reject.status_code == 403
    note.refresh_from_db()
    shown.refresh_from_db()
    expected = ("published", "rejected") if role == "editor" else ("submitted", "published")
    assert (note.status, shown.status) == expected


def test_an_editor_without_the_second_factor_sees_no_decision(analyst, editor):
    note = published_annotation(analyst, editor)
    give_authenticator(editor)
    half_signed_in = Client()
    half_signed_in.force_login(editor)
    assert DECISION not in permalink(half_signed_in, note)
    response = half_signed_in.post(reject_url(note), {"back": "permalink", "reason": "No."})
    assert response["Location"].startswith("/accounts/two-factor/verify/")
    note.refresh_from_db()
    assert note.status == "published"


def test_publishing_from_the_permalink_comes_back_to_it_with_a_message(client, analyst, editor):
    note = submitted(analyst)
    client.force_login(editor)
    response = client.post(publish_url(note), {"back": "permalink"}, follow=True)
    assert response.redirect_chain == [(note.get_absolute_url(), 302)]
    html = text_of(response)
    assert f"Published: annotation {note.pk} on Article 24" in html
    note.refresh_from_db()
    assert note.status == "published"
    assert AuditEvent.objects.filter(action="annotation.published").count() == 1
    # Now published: the permalink offers what the state allows (no second publish).
    assert f'action="{publish_url(note)}"' not in html


def test_rejecting_from_the_permalink_keeps_the_reason(client, analyst, editor):
    note = submitted(analyst)
    client.force_login(editor)
    response = client.post(
        reject_url(note), {"back": "permalink", "reason": "Which paragraph?"}, follow=True
    )
    assert response.redirect_chain == [(note.get_absolute_url(), 302)]
    html = text_of(response)
    assert f"Sent back to the author: annotation {note.pk} on Article 24" in html
    assert "reason: Which paragraph?" in html  # the permalink shows the rejection's reason
    note.refresh_from_db()
    assert (note.status, note.review_reason) == ("rejected", "Which paragraph?")
    assert AuditEvent.objects.get(action="annotation.rejected").detail["reason"] == (
        "Which paragraph?"
    )


@pytest.mark.parametrize(
    ("reason", "error"),
    [
        ("   ", "Give the author a reason for the rejection."),
        ("y" * 5001, "At most 5000 characters, please."),
    ],
)
def test_a_refused_rejection_comes_back_beside_its_form_with_what_was_typed(
    client, analyst, editor, reason, error
):
    note = submitted(analyst)
    client.force_login(editor)
    response = client.post(reject_url(note), {"back": "permalink", "reason": reason}, follow=True)
    assert response.redirect_chain == [(note.get_absolute_url(), 302)]
    section = text_of(response).split(DECISION, 1)[1]
    assert error in section
    assert '<details class="review-more" open>' in section  # the form stays open
    assert 'aria-invalid="true"' in section
    if reason.strip():
        assert reason in section  # nothing typed is lost
    note.refresh_from_db()
    assert note.status == "submitted"
    assert not AuditEvent.objects.filter(action__startswith="annotation.").exists()
    # Shown once: the next visit is a fresh form.
    assert error not in permalink(client, note)


def test_a_decision_another_editor_already_took_is_explained_on_the_permalink(
    client, analyst, editor
):
    note = published_annotation(analyst, editor)
    client.force_login(editor)
    response = client.post(publish_url(note), {"back": "permalink"}, follow=True)
    assert response.redirect_chain == [(note.get_absolute_url(), 302)]
    assert "Only a submitted annotation can be published." in text_of(response)


def test_the_editors_permalink_costs_a_fixed_number_of_queries(
    client, analyst, editor, django_assert_num_queries
):
    note = submitted(analyst)
    client.force_login(editor)
    # Session, user, device, groups (4); the note with its author and provision (1); its
    # concerns, demands, tags (3); the navigation's badges: workspace (3), review (2); the
    # replies (1). The decisions add none.
    with django_assert_num_queries(14):
        permalink(client, note)

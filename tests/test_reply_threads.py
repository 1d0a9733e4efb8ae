"""A thread whose first note went back to its author's drafts (issue 11, section 2).

Rejected, then edited by its author, a thread's first note is a draft again while the replies to
it stay submitted. Then no one else reads it through a reply: the review queue's reply context
and the reply's own page show only what the reader may see, and a new reply (API or page form)
to a visible reply is refused rather than attached to the invisible first note.
"""

import pytest

from provisions.models import Annotation, Provision
from provisions.services import annotation_create, annotation_reject, annotation_update
from tests.helpers import API, bearer, make_member, token_for, verify_session

pytestmark = pytest.mark.django_db

PRIVATE_REWRITE = "Rewritten in private after the rejection"


@pytest.fixture
def thread(analyst, other_analyst, editor):
    """Alice's note, Bob's reply to it, then Alice's note rejected and back in her drafts."""
    root = annotation_create(
        provision=Provision.objects.get(eid="art_24"),
        author=analyst,
        body="Submitted wording of the first note",
        status="submitted",
    )
    reply = annotation_create(
        provision=root.provision, author=other_analyst, body="Bob answers Alice", in_reply_to=root
    )
    root = annotation_reject(annotation=root, editor=editor, reason="Quote the article.")
    root = annotation_update(annotation=root, user=analyst, version=2, body=PRIVATE_REWRITE)
    assert root.status == "draft" and reply.status == "submitted"
    return {"root": root, "reply": reply}


@pytest.fixture
def carol():
    return make_member("carol", "Analysts", "Carol Analyst")


def test_review_queue_shows_no_reply_context_from_a_draft(client, editor, thread):
    client.force_login(editor)
    verify_session(client, editor)
    response = client.get("/review/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "Bob answers Alice" in html  # the reply itself waits for review
    assert PRIVATE_REWRITE not in html
    assert "In reply to Alice Analyst" not in html


def test_review_queue_still_shows_the_context_the_editor_may_read(
    client, analyst, other_analyst, editor
):
    root = annotation_create(
        provision=Provision.objects.get(eid="art_5"),
        author=analyst,
        body="A submitted first note",
        status="submitted",
    )
    annotation_create(
        provision=root.provision, author=other_analyst, body="A reply", in_reply_to=root
    )
    client.force_login(editor)
    verify_session(client, editor)
    html = client.get("/review/").content.decode()
    context = html[html.index('class="reply-context"') :]
    assert context.startswith('class="reply-context">In reply to Alice Analyst')
    assert "<q>A submitted first note</q>" in context[: context.index("</p>")]


def test_a_reply_page_does_not_lead_to_a_hidden_first_note(client, carol, thread):
    client.force_login(carol)
    response = client.get(f"/annotations/{thread['reply'].pk}/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "Bob answers Alice" in html
    assert PRIVATE_REWRITE not in html
    assert f'href="/annotations/{thread["root"].pk}/"' not in html
    assert 'id="reply"' not in html  # nothing to join


def test_the_api_refuses_a_reply_that_would_join_a_hidden_draft(client, carol, thread):
    response = client.post(
        API + "annotations",
        {"bodyValue": "Carol replies", "inReplyTo": f"{API}annotations/{thread['reply'].pk}"},
        content_type="application/json",
        **bearer(token_for(carol)),
    )
    assert response.status_code == 422, response.content
    assert "inReplyTo" in response.json()["error"]["fields"]
    assert not Annotation.objects.filter(author=carol).exists()
    assert not thread["root"].replies.exclude(pk=thread["reply"].pk).exists()


def test_the_reply_form_refuses_a_reply_that_would_join_a_hidden_draft(client, carol, thread):
    client.force_login(carol)
    response = client.post(
        f"/annotations/{thread['reply'].pk}/reply/", {"body": "Carol replies"}, follow=True
    )
    assert response.status_code == 200
    assert "You can reply to submitted or published annotations only." in (
        response.content.decode()
    )
    assert not Annotation.objects.filter(author=carol).exists()


def test_the_author_of_the_first_note_cannot_reply_to_their_own_draft_either(
    client, analyst, thread
):
    # Alice may see her draft, but a draft is not open to replies.
    client.force_login(analyst)
    client.post(f"/annotations/{thread['reply'].pk}/reply/", {"body": "Alice replies"})
    assert not Annotation.objects.filter(author=analyst, in_reply_to__isnull=False).exists()


def test_replies_to_an_open_thread_still_join_it(client, analyst, other_analyst, carol):
    root = annotation_create(
        provision=Provision.objects.get(eid="art_5"),
        author=analyst,
        body="Open first note",
        status="submitted",
    )
    reply = annotation_create(
        provision=root.provision, author=other_analyst, body="First reply", in_reply_to=root
    )
    response = client.post(
        API + "annotations",
        {"bodyValue": "Carol joins", "inReplyTo": f"{API}annotations/{reply.pk}"},
        content_type="application/json",
        **bearer(token_for(carol)),
    )
    assert response.status_code == 201, response.content
    assert Annotation.objects.get(author=carol).in_reply_to_id == root.pk


def test_the_api_does_not_point_a_reply_at_a_hidden_first_note(client, carol, thread):
    """Reading the reply, nobody but the first note's author learns which note it answers."""
    reply_url = f"{API}annotations/{thread['reply'].pk}"
    root_url = f"http://testserver{API}annotations/{thread['root'].pk}"
    as_carol = client.get(reply_url, **bearer(token_for(carol)))
    assert as_carol.status_code == 200 and as_carol.json()["inReplyTo"] is None
    listed = client.get(f"{API}annotations", **bearer(token_for(carol))).json()["items"]
    assert [item["inReplyTo"] for item in listed] == [None]
    as_author = client.get(reply_url, **bearer(token_for(thread["root"].author)))
    assert as_author.json()["inReplyTo"] == root_url

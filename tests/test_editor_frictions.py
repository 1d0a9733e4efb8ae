"""Issue 17, "the editor's and analyst's small frictions": each point, on each surface it names."""

import pytest
from django.urls import reverse

from provisions.models import Annotation
from tests.helpers import art, error_of, post, post_annotation, token_for

pytestmark = pytest.mark.django_db

IMAGE_NOTES = [
    "See ![the chart](https://example.org/chart.png) here.",
    "By reference: ![chart][c]\n\n[c]: https://example.org/chart.png",
]
REFUSAL = "Notes cannot show images"


# --- 1. A Markdown image is refused with a message, not silently dropped --------------------


@pytest.mark.parametrize("body", IMAGE_NOTES)
def test_form_refuses_an_image_and_keeps_the_note(client, analyst, body):
    """Guards: saving through the form used to store the note with the image silently gone."""
    client.force_login(analyst)
    response = post_annotation(client, body=body)
    html = response.content.decode()
    assert response.status_code == 200
    assert REFUSAL in html
    assert "https://example.org/chart.png" in html  # what was typed is still in the field
    assert not Annotation.objects.exists()


def test_a_link_to_an_image_is_still_accepted(client, analyst):
    """Guards against refusing too much: the advice given (a plain link) must save."""
    client.force_login(analyst)
    response = post_annotation(client, body="See [the chart](https://example.org/chart.png).")
    assert response.status_code == 302
    assert Annotation.objects.count() == 1


def test_no_js_preview_says_an_image_would_be_refused(client, analyst):
    client.force_login(analyst)
    html = post_annotation(client, body=IMAGE_NOTES[0], action="preview").content.decode()
    assert REFUSAL in html
    assert not Annotation.objects.exists()


def test_htmx_preview_says_an_image_would_be_refused(client, analyst):
    client.force_login(analyst)
    response = client.post(reverse("provisions:annotation_preview"), {"body": IMAGE_NOTES[0]})
    assert response.status_code == 200
    assert REFUSAL in response.content.decode()


def test_api_refuses_an_image_with_a_field_error(client, analyst):
    art()
    error = error_of(
        post(
            client,
            "annotations",
            {"bodyValue": IMAGE_NOTES[0], "target": "art_24"},
            token_for(analyst),
        ),
        422,
    )
    assert any(REFUSAL in message for message in error["fields"]["body.value"])
    assert not Annotation.objects.exists()


# --- 2. The audit log records a rejection's reason --------------------------------------------


def test_rejecting_an_annotation_or_a_link_records_the_reason_on_the_audit_page(
    client, analyst, editor
):
    """Guards: the audit event of a rejection used to hold only the object's type and id."""
    from provisions.models import AuditEvent
    from provisions.services import (
        annotation_create,
        annotation_reject,
        link_propose,
        link_reject,
    )

    annotation = annotation_create(provision=art(), author=analyst, body="one", status="submitted")
    annotation_reject(annotation=annotation, editor=editor, reason="Needs a <b>source</b>.")
    link = link_propose(
        provision=art(), proposer=analyst, concern="gender-risks", rationale="Because."
    )
    link_reject(link=link, editor=editor, reason="Not what Article 24 says.")
    assert AuditEvent.objects.get(action="annotation.rejected").detail["reason"] == (
        "Needs a <b>source</b>."
    )
    assert AuditEvent.objects.get(action="link.rejected").detail["reason"] == (
        "Not what Article 24 says."
    )
    client.force_login(editor)
    html = client.get(reverse("provisions:audit")).content.decode()
    assert "Needs a &lt;b&gt;source&lt;/b&gt;." in html  # shown, escaped
    assert "Not what Article 24 says." in html

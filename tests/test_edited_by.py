"""Issue 17: a note whose words an editor changed says "edited by <the editor's public name>"
wherever readers see who wrote it (AnnotationQuerySet.with_body_editor, read from revisions)."""

import re

import pytest
from django.urls import reverse
from django.utils import timezone

from provisions.models import Annotation, Member, Provision, Revision
from provisions.services import (
    annotation_create,
    annotation_publish,
    annotation_reject,
    annotation_restore,
    annotation_submit,
    annotation_update,
)
from tests.helpers import text_of

pytestmark = pytest.mark.django_db

CONCERN = "weak-procedural-safeguards"
EDITED = "edited by Erin Editor"


def art24() -> Provision:
    return Provision.objects.get(eid="art_24")


def submitted(analyst, body="Zyxwordle: the safeguards are left to domestic law.") -> Annotation:
    return annotation_create(
        provision=art24(), author=analyst, body=body, concerns=[CONCERN], status="submitted"
    )


def reworded(note, editor, body="Zyxwordle: the safeguards are left to each State.", **more):
    return annotation_update(annotation=note, user=editor, version=note.version, body=body, **more)


def surfaces(note) -> dict[str, str]:
    """Every page that shows a published note with its author, as a reader gets it."""
    return {
        "permalink": note.get_absolute_url(),
        "article": reverse("provisions:article", kwargs={"number": 24}),
        "concern": reverse("provisions:concern", kwargs={"slug": CONCERN}),
        "home": reverse("provisions:home"),
        "brief": reverse("provisions:article_brief", kwargs={"number": 24}),
        "search": reverse("provisions:search") + "?q=Zyxwordle",
    }


def test_an_editors_rewording_is_credited_on_every_reading_surface(client, analyst, editor):
    note = annotation_publish(annotation=reworded(submitted(analyst), editor), editor=editor)
    for name, url in surfaces(note).items():
        html = text_of(client.get(url))
        assert "Alice Analyst" in html, name  # the author stays the author
        assert EDITED in html, name
        assert not re.search(r"\berin\b", html), name  # never the username


def test_a_reply_reworded_by_an_editor_says_so_in_the_thread(client, analyst, editor):
    note = annotation_publish(annotation=submitted(analyst, "First note."), editor=editor)
    reply = annotation_create(provision=art24(), author=analyst, body="A reply.", in_reply_to=note)
    reply = reworded(reply, editor, "A clearer reply.")
    annotation_publish(annotation=reply, editor=editor)
    for url in (note.get_absolute_url(), reverse("provisions:article", kwargs={"number": 24})):
        html = text_of(client.get(url))
        assert html.count(EDITED) == 1, url  # the reply, not its thread's first note
        assert html.index("A clearer reply.") < html.index(EDITED)


def test_no_credit_when_the_editor_changed_no_word(client, analyst, editor):
    """Tags and concerns are not the note's words."""
    note = submitted(analyst)
    note = annotation_update(annotation=note, user=editor, version=note.version, tags=["scope"])
    annotation_publish(annotation=note, editor=editor)
    assert "edited by" not in text_of(client.get(note.get_absolute_url()))


def test_no_credit_when_the_author_rewrote_the_words_last(client, analyst, editor):
    note = reworded(submitted(analyst), editor)
    note = annotation_reject(annotation=note, editor=editor, reason="Say it your way.")
    note = annotation_update(
        annotation=note, user=analyst, version=note.version, body="Zyxwordle: my own words."
    )
    annotation_submit(annotation=note, user=analyst)
    note = annotation_publish(annotation=Annotation.objects.get(pk=note.pk), editor=editor)
    assert "edited by" not in text_of(client.get(note.get_absolute_url()))


def test_a_restore_by_an_editor_is_credited(client, analyst, editor):
    note = annotation_publish(annotation=submitted(analyst), editor=editor)
    note = reworded(note, editor, "Zyxwordle: an editor's wording.")
    first = Revision.objects.get(target_type="annotation", target_id=note.pk, version=1)
    annotation_restore(annotation=note, editor=editor, revision=first, reason="Back.")
    assert EDITED in text_of(client.get(note.get_absolute_url()))


def test_an_editor_without_a_usable_public_name_is_credited_anonymously(client, analyst, editor):
    Member.objects.filter(user=editor).update(display_name="erin@example.org")
    note = annotation_publish(annotation=reworded(submitted(analyst), editor), editor=editor)
    html = text_of(client.get(note.get_absolute_url()))
    assert "edited by A TreatyWatch member" in html
    assert "erin@example.org" not in html


def test_the_article_page_costs_the_same_queries_with_many_reworded_notes(
    client, analyst, editor, django_assert_num_queries
):
    """The credit is a subquery of the notes' own query: no query per note."""

    def add_reworded(n: int) -> None:
        notes = Annotation.objects.bulk_create(
            Annotation(
                provision=art24(),
                author=analyst,
                body=f"Reworded {i}",
                body_html=f"<p>Reworded {i}</p>",
                status="published",
                published_at=timezone.now(),
            )
            for i in range(n)
        )
        Revision.objects.bulk_create(
            Revision(
                target_type="annotation",
                target_id=note.pk,
                version=version,
                action=action,
                target_status="submitted",
                actor=actor,
                snapshot={"body": body},
            )
            for note in notes
            for version, action, actor, body in (
                (1, "created", analyst, "Original"),
                (2, "edited", editor, note.body),
            )
        )

    url = reverse("provisions:article", kwargs={"number": 24})
    add_reworded(3)
    with django_assert_num_queries(10) as small:
        assert text_of(client.get(url)).count(EDITED) == 3
    add_reworded(30)
    with django_assert_num_queries(len(small.captured_queries)):
        assert text_of(client.get(url)).count(EDITED) == 33

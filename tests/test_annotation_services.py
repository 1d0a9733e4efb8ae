"""Annotation and link services: each rule and each refusal."""

import importlib

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from provisions.models import Annotation, ProvisionLink, Revision, Tag
from provisions.services import (
    EditConflict,
    annotation_create,
    annotation_delete,
    annotation_publish,
    annotation_reject,
    annotation_restore,
    annotation_submit,
    annotation_update,
    link_approve,
    link_propose,
    link_reject,
    link_restore,
)
from provisions.services.history import annotation_snapshot
from tests.helpers import make_member

pytestmark = pytest.mark.django_db


def quote_of(provision, words):
    assert words in provision.text
    return [{"type": "TextQuoteSelector", "exact": words}]


def test_create_with_quote_computes_positions_and_context(analyst, art24):
    words = "proportionality"
    annotation = annotation_create(
        provision=art24,
        author=analyst,
        body="Proportionality is left to **domestic law**.",
        selectors=quote_of(art24, words),
        concerns=["weak-procedural-safeguards"],
        demands=["laws-meet-human-rights-standards"],
        tags=["safeguards", "#Proportionality"],
    )
    quote = annotation.selector("TextQuoteSelector")
    position = annotation.selector("TextPositionSelector")
    assert quote["exact"] == words
    assert art24.text[position["start"] : position["end"]] == words
    assert quote["prefix"] == art24.text[max(0, position["start"] - 32) : position["start"]]
    assert len(quote["suffix"]) <= 32
    assert annotation.status == "draft" and annotation.version == 1
    assert "<strong>domestic law</strong>" in annotation.body_html
    assert [c.slug for c in annotation.concerns.all()] == ["weak-procedural-safeguards"]
    assert sorted(t.name for t in annotation.tags.all()) == ["Proportionality", "safeguards"]
    assert Revision.objects.filter(target_id=annotation.pk, action="created").exists()


def test_the_first_revision_records_the_relations_as_stored(analyst, art24):
    """Create records its first revision from what it has just set, without reading it back:
    the snapshot must be the one a read from the database gives."""
    annotation = annotation_create(
        provision=art24,
        author=analyst,
        body="Relations kept",
        concerns=["serious-crime-scope", "protected-activities"],
        demands=["consult-civil-society"],
        tags=["Zeta", "alpha", "#Mid tag"],
    )
    revision = Revision.objects.get(target_id=annotation.pk, action="created")
    annotation = Annotation.objects.get(pk=annotation.pk)
    assert revision.snapshot == annotation_snapshot(annotation)
    assert revision.snapshot["tags"] == ["Mid tag", "Zeta", "alpha"]
    assert revision.snapshot["concerns"] == ["protected-activities", "serious-crime-scope"]
    bare = annotation_create(provision=art24, author=analyst, body="No relations")
    assert Revision.objects.get(target_id=bare.pk).snapshot == annotation_snapshot(bare)


def test_position_only_selector_is_completed(analyst, art24):
    annotation = annotation_create(
        provision=art24,
        author=analyst,
        body="x",
        selectors=[{"type": "TextPositionSelector", "start": 0, "end": 4}],
    )
    assert annotation.quote == art24.text[:4]


def test_wrong_positions_are_corrected_from_the_quote(analyst, art24):
    words = "domestic law"
    annotation = annotation_create(
        provision=art24,
        author=analyst,
        body="x",
        selectors=[
            {"type": "TextQuoteSelector", "exact": words},
            {"type": "TextPositionSelector", "start": 0, "end": len(words)},
        ],
    )
    start, end = (annotation.selector("TextPositionSelector")[k] for k in ("start", "end"))
    assert art24.text[start:end] == words


@pytest.mark.parametrize(
    ("selectors", "field"),
    [
        ([{"type": "TextQuoteSelector", "exact": "words that are not there"}], "quote"),
        ([{"type": "TextQuoteSelector", "exact": "   "}], "quote"),
        ([{"type": "TextPositionSelector", "start": 5, "end": 100000}], "selectors"),
        ([{"type": "TextPositionSelector", "start": 9, "end": 3}], "selectors"),
        ([{"type": "TextPositionSelector", "start": "x", "end": 3}], "selectors"),
        ([{"type": "CssSelector", "value": "p"}], "selectors"),
        ("not a list", "selectors"),
    ],
)
def test_bad_selectors_are_refused(analyst, art24, selectors, field):
    with pytest.raises(ValidationError) as error:
        annotation_create(provision=art24, author=analyst, body="x", selectors=selectors)
    assert field in error.value.message_dict
    assert not Annotation.objects.exists()


@pytest.mark.parametrize("body", ["", "   \n ", "\x00\x01"])
def test_empty_body_is_refused(analyst, art24, body):
    with pytest.raises(ValidationError) as error:
        annotation_create(provision=art24, author=analyst, body=body)
    assert "body" in error.value.message_dict


def test_unknown_concern_slug_is_refused_and_nothing_is_saved(analyst, art24):
    with pytest.raises(ValidationError):
        annotation_create(provision=art24, author=analyst, body="x", concerns=["no-such"])
    assert not Annotation.objects.exists()


def test_too_many_or_too_long_tags_are_refused(analyst, art24):
    with pytest.raises(ValidationError):
        annotation_create(
            provision=art24, author=analyst, body="x", tags=[f"t{i}" for i in range(13)]
        )
    with pytest.raises(ValidationError):
        annotation_create(provision=art24, author=analyst, body="x", tags=["x" * 41])


def test_only_members_in_a_role_may_annotate(db, art24):
    outsider = make_member("outsider", None)
    with pytest.raises(PermissionDenied):
        annotation_create(provision=art24, author=outsider, body="x")


def test_lifecycle_submit_publish(analyst, editor, art24):
    annotation = annotation_create(provision=art24, author=analyst, body="x")
    annotation = annotation_submit(annotation=annotation, user=analyst)
    assert annotation.status == "submitted" and annotation.submitted_at
    with pytest.raises(PermissionDenied):
        annotation_publish(annotation=annotation, editor=analyst)
    annotation = annotation_publish(annotation=annotation, editor=editor)
    assert annotation.status == "published" and annotation.published_at
    assert annotation.reviewed_by == editor
    with pytest.raises(ValidationError):
        annotation_publish(annotation=annotation, editor=editor)


def test_cannot_publish_a_draft(analyst, editor, art24):
    annotation = annotation_create(provision=art24, author=analyst, body="x")
    with pytest.raises(ValidationError):
        annotation_publish(annotation=annotation, editor=editor)


def test_only_the_author_submits(analyst, other_analyst, art24):
    annotation = annotation_create(provision=art24, author=analyst, body="x")
    with pytest.raises(PermissionDenied):
        annotation_submit(annotation=annotation, user=other_analyst)


def test_reject_needs_a_reason_and_the_author_can_rework(analyst, editor, art24):
    annotation = annotation_create(provision=art24, author=analyst, body="x", status="submitted")
    with pytest.raises(ValidationError):
        annotation_reject(annotation=annotation, editor=editor, reason=" ")
    annotation = annotation_reject(annotation=annotation, editor=editor, reason="Cite a source")
    assert annotation.status == "rejected" and annotation.review_reason == "Cite a source"
    annotation = annotation_update(
        annotation=annotation, user=analyst, version=annotation.version, body="better"
    )
    assert annotation.status == "draft"


def test_update_and_stale_conflict(analyst, art24):
    annotation = annotation_create(provision=art24, author=analyst, body="first")
    annotation_update(annotation=annotation, user=analyst, version=1, body="second")
    with pytest.raises(EditConflict) as conflict:
        annotation_update(annotation=annotation, user=analyst, version=1, body="stale edit")
    assert conflict.value.current.body == "second"
    assert conflict.value.attempted["body"] == "stale edit"
    annotation.refresh_from_db()
    assert annotation.body == "second" and annotation.version == 2


def test_others_cannot_edit_or_delete_a_draft(analyst, other_analyst, editor, art24):
    annotation = annotation_create(provision=art24, author=analyst, body="x")
    for user in (other_analyst, editor):
        with pytest.raises(PermissionDenied):
            annotation_update(annotation=annotation, user=user, version=1, body="y")
        with pytest.raises(PermissionDenied):
            annotation_delete(annotation=annotation, user=user)


def test_author_cannot_edit_after_submission_but_editor_can(analyst, editor, art24):
    annotation = annotation_create(provision=art24, author=analyst, body="x", status="submitted")
    with pytest.raises(PermissionDenied):
        annotation_update(annotation=annotation, user=analyst, version=1, body="y")
    edited = annotation_update(annotation=annotation, user=editor, version=1, body="y")
    assert edited.body == "y" and edited.status == "submitted"


def test_delete_own_draft_keeps_a_revision(analyst, art24):
    annotation = annotation_create(provision=art24, author=analyst, body="x")
    pk = annotation.pk
    annotation_delete(annotation=annotation, user=analyst)
    assert not Annotation.objects.filter(pk=pk).exists()
    assert Revision.objects.filter(target_id=pk, action="deleted").exists()


def test_replies_are_one_level_and_only_to_visible_work(analyst, other_analyst, art24):
    draft = annotation_create(provision=art24, author=analyst, body="draft")
    with pytest.raises(ValidationError):
        annotation_create(provision=art24, author=other_analyst, body="re", in_reply_to=draft)
    root = annotation_create(provision=art24, author=analyst, body="root", status="submitted")
    reply = annotation_create(provision=art24, author=other_analyst, body="re", in_reply_to=root)
    nested = annotation_create(provision=art24, author=analyst, body="re2", in_reply_to=reply)
    assert reply.in_reply_to == root and nested.in_reply_to == root


def test_restore_brings_back_an_earlier_body(analyst, editor, art24):
    annotation = annotation_create(
        provision=art24, author=analyst, body="original", status="submitted"
    )
    annotation_update(annotation=annotation, user=editor, version=1, body="changed")
    first = Revision.objects.get(target_id=annotation.pk, action="created")
    with pytest.raises(PermissionDenied):
        annotation_restore(annotation=annotation, editor=analyst, revision=first, reason="Back.")
    restored = annotation_restore(
        annotation=annotation, editor=editor, revision=first, reason="Back."
    )
    assert restored.body == "original" and restored.version == 3


def test_visibility_rules(analyst, other_analyst, editor, art24):
    from django.contrib.auth.models import AnonymousUser

    draft = annotation_create(provision=art24, author=analyst, body="d")
    submitted = annotation_create(provision=art24, author=analyst, body="s", status="submitted")
    published = annotation_publish(
        annotation=annotation_create(provision=art24, author=analyst, body="p", status="submitted"),
        editor=editor,
    )
    rejected = annotation_reject(
        annotation=annotation_create(provision=art24, author=analyst, body="r", status="submitted"),
        editor=editor,
        reason="no",
    )

    def seen(user):
        return set(Annotation.objects.visible_to(user).values_list("pk", flat=True))

    assert seen(AnonymousUser()) == {published.pk}
    assert seen(analyst) == {draft.pk, submitted.pk, published.pk, rejected.pk}
    assert seen(other_analyst) == {submitted.pk, published.pk}
    assert seen(editor) == {submitted.pk, published.pk, rejected.pk}


def test_link_propose_approve_reject_restore(analyst, editor, art24):
    with pytest.raises(ValidationError):
        link_propose(provision=art24, proposer=analyst, rationale="x")
    with pytest.raises(ValidationError):
        link_propose(
            provision=art24,
            proposer=analyst,
            rationale="x",
            concern="gender-risks",
            sources=["javascript:alert(1)"],
        )
    link = link_propose(
        provision=art24,
        proposer=analyst,
        concern="gender-risks",
        rationale="Gender blind",
        sources=["https://example.org/analysis"],
        confidence="low",
    )
    assert link.status == "proposed" and link.kind == "raises"
    with pytest.raises(PermissionDenied):
        link_approve(link=link, editor=analyst)
    link = link_approve(link=link, editor=editor, note="ok", rationale="Gender-blind safeguards")
    assert link.status == "approved" and link.rationale == "Gender-blind safeguards"
    assert link.reviewed_by == editor and link.reviewed_at
    first = Revision.objects.get(target_type="link", target_id=link.pk, action="proposed")
    link = link_restore(link=link, editor=editor, revision=first, reason="Back.")
    assert link.rationale == "Gender blind"
    with pytest.raises(ValidationError):
        link_reject(link=link, editor=editor, reason="")
    link = link_reject(link=link, editor=editor, reason="Not supported by the sources")
    assert link.status == "rejected"
    assert not ProvisionLink.objects.public().filter(pk=link.pk).exists()


def test_link_needs_exactly_one_point(analyst, art24):
    with pytest.raises(ValidationError):
        link_propose(
            provision=art24,
            proposer=analyst,
            rationale="x",
            concern="gender-risks",
            demand="consult-civil-society",
        )


def test_tags_in_any_script_are_kept_and_found_again(analyst, art24):
    tags = ["مراقبة", "слежка", "监控", "Privacidad ñ", "#Übermittlung"]
    annotation = annotation_create(provision=art24, author=analyst, body="x", tags=tags)
    assert sorted(annotation.tags.values_list("slug", flat=True)) == sorted(
        ["مراقبة", "слежка", "监控", "privacidad-ñ", "übermittlung"]
    )
    # The same words again (another case, another spacing) are the same tags.
    again = annotation_create(
        provision=art24, author=analyst, body="y", tags=["PRIVACIDAD  Ñ", "Слежка"]
    )
    assert set(again.tags.all()) <= set(annotation.tags.all())
    with pytest.raises(ValidationError, match="letter or digit"):
        annotation_create(provision=art24, author=analyst, body="z", tags=["!!! ???"])


def test_tags_made_before_get_slugs_in_their_own_script(db):
    """Migration 0005: a tag stored with an ASCII-only slug gets the slug its name now gives."""
    from django.apps import apps

    migration = importlib.import_module("provisions.migrations.0005_tag_slugs_any_script")
    old = Tag.objects.create(name="privacidad ñ", slug="privacidad-n")
    ascii_only = Tag.objects.create(name="oversight", slug="oversight")
    migration.slugs_in_any_script(apps, None)
    old.refresh_from_db()
    ascii_only.refresh_from_db()
    assert (old.slug, ascii_only.slug) == ("privacidad-ñ", "oversight")

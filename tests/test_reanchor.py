"""Re-anchoring: after an import every annotation and link is carried to the new text, or
flagged for an editor; nothing is lost, nothing is deleted, nothing lands silently on the wrong
words.

The second sample (convention-sample-v2.txt) changes words in recital 2 and in article 2(c),
removes sub-paragraph 3.2 (b) (so the old (c) is now (b)) and moves a sentence from 6.2 to 6.3.
"""

import pytest
from rapidfuzz import fuzz

from provisions.anchoring import make_selectors, position_of
from provisions.importing.reanchor import (
    CONTEXT_THRESHOLD,
    FUZZY_THRESHOLD,
    Outcome,
    context_span,
    fuzzy_span,
    nearest_surviving,
    reanchor,
    resolve,
)
from provisions.models import Annotation, Concern, Provision, Revision, Treaty
from provisions.services import annotation_create, annotation_publish, link_propose
from tests.helpers import V2, annotate, fresh, import_sample

pytestmark = pytest.mark.django_db


def reanchored(obj, target_type: str = "annotation"):
    return list(
        Revision.objects.filter(target_type=target_type, target_id=obj.pk, action="reanchored")
    )


@pytest.fixture
def notes(official, analyst):
    """Annotations on the first official text, one per case."""
    return {
        "unchanged": annotate(analyst, "art_6__para_3", "open for accession by any State"),
        "moved_elsewhere": annotate(
            analyst,
            "art_6__para_2",
            "Instruments of ratification shall be deposited with the sample depositary.",
        ),
        "moved_within": annotate(analyst, "preamble__recital_2", "resolved to answer that harm"),
        "edited": annotate(
            analyst, "preamble__recital_2", "can also be used to cause harm, and resolved"
        ),
        "deleted": annotate(
            analyst, "art_3__para_2__subpara_b", "With the intent of obtaining test records"
        ),
        "rewritten": annotate(
            analyst, "art_2__subpara_c", "a person who keeps test records for others"
        ),
        "on_dropped_eid": annotate(
            analyst, "art_3__para_2__subpara_c", "connected to another sample system"
        ),
        "whole_dropped": annotate(analyst, "art_3__para_2__subpara_c"),
        "whole_kept": annotate(analyst, "art_6__para_1"),
    }


# --- The cases, end to end ----------------------------------------------------------------------


def test_unchanged_quote_stays_anchored_without_a_revision(notes):
    before = fresh(notes["unchanged"])
    import_sample("convention-sample-v2.txt", V2)
    after = fresh(notes["unchanged"])
    assert after.anchor_state == Annotation.Anchor.ANCHORED
    assert (after.provision.eid, after.selectors, after.version) == (
        "art_6__para_3",
        before.selectors,
        before.version,
    )
    assert reanchored(after) == []


def test_quote_moved_to_another_provision_follows_it(notes):
    import_sample("convention-sample-v2.txt", V2)
    after = fresh(notes["moved_elsewhere"])
    assert after.anchor_state == Annotation.Anchor.ANCHORED
    assert after.provision.eid == "art_6__para_3"
    start, end = position_of(after.selectors)
    assert after.provision.text[start:end] == after.quote
    assert after.provision.text.endswith(after.quote)
    (revision,) = reanchored(after)
    assert revision.actor is None
    assert "found again in art_6__para_3" in revision.note
    assert revision.snapshot["provision"] == "art_6__para_3"


def test_quote_shifted_within_its_provision_gets_new_positions(notes):
    old_start, _end = position_of(notes["moved_within"].selectors)
    import_sample("convention-sample-v2.txt", V2)
    after = fresh(notes["moved_within"])
    assert after.anchor_state == Annotation.Anchor.ANCHORED
    assert after.provision.eid == "preamble__recital_2"
    start, end = position_of(after.selectors)
    assert start == old_start + len("serious ")
    assert after.provision.text[start:end] == "resolved to answer that harm"


def assert_fuzzy_on(annotation: Annotation, eid: str, quote: str) -> Revision:
    """Fuzzy, its selectors on `quote` in `eid`; returns the import's revision."""
    after = fresh(annotation)
    assert (after.anchor_state, after.provision.eid) == (Annotation.Anchor.FUZZY, eid)
    assert after.quote == quote
    start, end = position_of(after.selectors)
    assert after.provision.text[start:end] == quote
    (revision,) = reanchored(after)
    assert "needs an editor's confirmation" in revision.note
    return revision


def test_edited_quote_becomes_fuzzy_pointing_at_the_closest_words(notes):
    import_sample("convention-sample-v2.txt", V2)
    assert_fuzzy_on(
        notes["edited"],
        "preamble__recital_2",
        "can also be used to cause serious harm, and resolved",
    )


def test_deleted_quote_is_orphaned_and_keeps_its_old_selectors(notes):
    before = fresh(notes["deleted"])
    import_sample("convention-sample-v2.txt", V2)
    after = fresh(notes["deleted"])
    assert after.anchor_state == Annotation.Anchor.ORPHANED
    assert after.selectors == before.selectors
    assert after.quote == "With the intent of obtaining test records"
    assert after.provision.eid == "art_3__para_2__subpara_b"  # the eid is still in the text
    assert after.version == before.version + 1
    assert len(reanchored(after)) == 1


def test_quote_rewritten_between_the_same_context_is_fuzzy_not_orphaned(notes):
    # "keeps test records for others" → "holds test records on behalf of others": too changed
    # for the quote alone (80), but between the same "“Custodian” shall mean" and ";".
    assert (
        fuzz.ratio(
            "a person who keeps test records for others",
            "a person who holds test records on behalf of others",
        )
        < FUZZY_THRESHOLD
    )
    import_sample("convention-sample-v2.txt", V2)
    revision = assert_fuzzy_on(
        notes["rewritten"],
        "art_2__subpara_c",
        "a person who holds test records on behalf of others",
    )
    assert "changed between the same words before and after it" in revision.note


def test_quote_on_a_dropped_provision_is_found_in_its_article(notes):
    import_sample("convention-sample-v2.txt", V2)
    after = fresh(notes["on_dropped_eid"])
    assert after.anchor_state == Annotation.Anchor.ANCHORED
    assert after.provision.eid == "art_3__para_2__subpara_b"
    assert after.quote == "connected to another sample system"


def test_whole_provision_annotation_follows_its_eid_or_moves_to_the_parent(notes):
    import_sample("convention-sample-v2.txt", V2)
    kept = fresh(notes["whole_kept"])
    assert (kept.provision.eid, kept.anchor_state) == ("art_6__para_1", "anchored")
    assert reanchored(kept) == []
    moved = fresh(notes["whole_dropped"])
    assert moved.provision.eid == "art_3__para_2"
    assert moved.anchor_state == Annotation.Anchor.FUZZY
    assert moved.selectors == []
    (revision,) = reanchored(moved)
    assert "art_3__para_2__subpara_c left the text; moved to art_3__para_2" in revision.note


def test_nothing_is_deleted(notes):
    count = Annotation.objects.count()
    import_sample("convention-sample-v2.txt", V2)
    assert Annotation.objects.count() == count
    assert Provision.objects.filter(eid="art_3__para_2__subpara_c").exists()
    # Nothing hangs on the dropped provision any more.
    dropped = Provision.objects.get(eid="art_3__para_2__subpara_c")
    assert not dropped.annotations.exists()


def test_the_import_reports_the_counts(notes):
    report = import_sample("convention-sample-v2.txt", V2)
    anchors = report.reanchoring
    # unchanged + whole_kept; moved_elsewhere, moved_within, on_dropped_eid; edited, rewritten
    # (by its context) and whole_dropped (to its parent); deleted.
    assert (anchors.anchored, anchors.moved, anchors.fuzzy, anchors.orphaned) == (2, 3, 3, 1)
    assert anchors.moved_to_parent == 1
    text = "\n".join(report.lines())
    assert (
        "Annotations re-anchored: 2 in place, 3 moved to where their quote is now, "
        "3 fuzzy (to confirm), 1 orphaned (to fix)."
    ) in text
    assert "Editors fix these under /review/anchors/." in text


def test_replies_follow_the_annotation_they_answer(notes, other_analyst):
    reply = annotation_create(
        provision=notes["moved_elsewhere"].provision,
        author=other_analyst,
        body="Agreed.",
        in_reply_to=notes["moved_elsewhere"],
    )
    report = import_sample("convention-sample-v2.txt", V2)
    assert fresh(reply).provision.eid == "art_6__para_3"
    assert report.reanchoring.replies_moved == 1
    assert len(reanchored(reply)) == 1


def test_links_on_a_dropped_provision_move_to_the_parent_flagged(official, analyst):
    link = link_propose(
        provision=Provision.objects.get(eid="art_3__para_2__subpara_c"),
        proposer=analyst,
        concern=Concern.objects.first(),
        rationale="Broad wording.",
    )
    kept = link_propose(
        provision=Provision.objects.get(eid="art_3__para_2__subpara_a"),
        proposer=analyst,
        concern=Concern.objects.first(),
        rationale="Also broad.",
    )
    report = import_sample("convention-sample-v2.txt", V2)
    link.refresh_from_db()
    assert link.provision.eid == "art_3__para_2"
    assert link.needs_review
    assert link.version == 2
    (revision,) = reanchored(link, "link")
    assert revision.snapshot["provision"] == "art_3__para_2"
    assert report.reanchoring.links_to_parent == 1
    kept.refresh_from_db()
    assert (kept.provision.eid, kept.needs_review, kept.version) == (
        "art_3__para_2__subpara_a",
        False,
        1,
    )


def test_a_fuzzy_anchor_stays_fuzzy_until_an_editor_confirms(notes):
    import_sample("convention-sample-v2.txt", V2)
    fuzzy = fresh(notes["edited"])
    revisions = Revision.objects.count()
    treaty = Treaty.objects.get()
    again = reanchor(treaty=treaty, article_ids=[], include_preamble=True, label="again")
    assert fresh(notes["edited"]).anchor_state == Annotation.Anchor.FUZZY
    assert fresh(notes["edited"]).selectors == fuzzy.selectors
    assert again.annotations[Outcome.UNCHANGED] >= 1
    assert Revision.objects.count() == revisions


def test_annotations_on_the_editorial_summary_are_resolved_by_the_first_import(db, analyst):
    summary = Provision.objects.get(eid="art_1")
    words = summary.text.split(".")[0][:40]
    on_words = annotate(analyst, "art_1", words)
    whole = annotate(analyst, "art_1")
    import_sample("convention-sample.txt")
    assert fresh(on_words).anchor_state == Annotation.Anchor.ORPHANED
    assert fresh(on_words).quote == words
    assert fresh(whole).anchor_state == Annotation.Anchor.ANCHORED
    assert fresh(whole).provision.pk == summary.pk


def test_second_import_of_the_same_text_touches_no_annotation(notes):
    import_sample("convention-sample-v2.txt", V2)
    revisions = Revision.objects.count()
    report = import_sample("convention-sample-v2.txt", "Once more")
    assert not report.has_changes
    assert Revision.objects.count() == revisions


def test_article_page_shows_an_orphan_apart_with_its_old_quote_never_highlighted(
    client, notes, editor
):
    annotation_publish(annotation=notes["deleted"], editor=editor)
    import_sample("convention-sample-v2.txt", V2)
    html = client.get("/convention/articles/3/").content.decode()
    text, aside = html.split('class="links-panel"', 1)
    assert "With the intent of obtaining test records" not in text
    assert f'data-annotations="{notes["deleted"].pk}"' not in html
    assert "Annotations whose text has changed" in aside
    assert "With the intent of obtaining test records" in aside


# --- The rules, without the database ---------------------------------------------------------


def provision(eid: str, text: str, article_id: int | None = 1) -> Provision:
    return Provision(eid=eid, text=text, article_id=article_id)


def note_on(where: Provision, start: int, end: int) -> Annotation:
    return Annotation(provision=where, selectors=make_selectors(where.text, start, end))


def test_nearest_surviving_walks_up_the_eid():
    art, para = provision("art_3", ""), provision("art_3__para_2", "x")
    current = {"art_3": art, "art_3__para_2": para}
    assert nearest_surviving("art_3__para_2__subpara_b", current) is para
    assert nearest_surviving("art_3__para_4__subpara_a", current) is art
    assert nearest_surviving("art_3__para_2", current) is para
    assert nearest_surviving("art_9__para_1", current) is None


def test_prefix_and_suffix_tell_two_occurrences_apart():
    old = provision("art_1__para_1", "The record kept here. Later, the record sent abroad.")
    start = old.text.index("the record sent") + 0
    annotation = note_on(old, start, start + len("the record"))
    new = provision("art_1__para_1", "Now: the record kept here. Later on, the record sent abroad.")
    result = resolve(annotation, {new.eid: new}, [new])
    assert result.outcome == Outcome.MOVED
    found, _end = position_of(result.selectors)
    assert new.text[found:].startswith("the record sent abroad")


def test_the_home_provision_wins_a_tie():
    home_old = provision("art_1__para_2", "Data shall be kept.")
    annotation = note_on(home_old, 0, len("Data shall be kept"))
    other = provision("art_1__para_1", "Data shall be kept.")
    home = provision("art_1__para_2", "Moved. Data shall be kept.")
    result = resolve(annotation, {p.eid: p for p in (other, home)}, [other, home])
    assert result.provision is home


def test_threshold_separates_small_edits_from_look_alike_formulae():
    assert FUZZY_THRESHOLD == 85
    inserted = fuzzy_span(
        "to cause harm, and resolved", "can also be used to cause serious harm, and resolved to"
    )
    assert inserted[0] >= FUZZY_THRESHOLD
    look_alike = fuzzy_span(
        "establish as a sample offence the access to the whole",
        "needed to establish as a sample offence the damaging, deletion or alteration",
    )
    assert look_alike[0] < FUZZY_THRESHOLD


def test_fuzzy_span_keeps_whole_words_and_drops_punctuation_the_quote_lacked():
    score, start, end = fuzzy_span(
        "the orderly handling of test records",
        "To set out shared sample rules for the orderly handling of test data;",
    )
    text = "To set out shared sample rules for the orderly handling of test data;"
    assert text[start:end] == "the orderly handling of test data"
    assert score >= FUZZY_THRESHOLD
    assert fuzzy_span("", "anything") is None
    assert fuzzy_span("zzzz qqqq", "Each State Party shall adopt") is None


# --- The context rule: a changed quote between unchanged words ---------------------------------

REVIEW = (
    "The order shall be subject to independent review of the grounds justifying the "
    "interception, within a reasonable time."
)


def resolve_edit(old_text: str, quote: str, new_text: str):
    old = provision("art_1__para_1", old_text)
    start = old_text.index(quote)
    new = provision("art_1__para_1", new_text)
    return resolve(note_on(old, start, start + len(quote)), {new.eid: new}, [new])


def test_one_word_changed_inside_an_unchanged_context_is_fuzzy_with_the_new_words():
    quote = "independent review of the grounds justifying"
    new_text = REVIEW.replace("independent review", "judicial review")
    # Alone, the changed quote is not close enough: the old rule orphaned it.
    assert fuzz.ratio(quote, "judicial review of the grounds justifying") < FUZZY_THRESHOLD
    result = resolve_edit(REVIEW, quote, new_text)
    assert (result.outcome, result.by_context) == (Outcome.FUZZY, True)
    start, end = position_of(result.selectors)
    assert new_text[start:end] == "judicial review of the grounds justifying"
    assert result.selectors[0]["prefix"].endswith("subject to ")
    assert CONTEXT_THRESHOLD <= result.score < FUZZY_THRESHOLD


def test_the_context_rule_also_finds_the_quote_moved_within_its_provision():
    new_text = "A first sentence was added here. " + REVIEW.replace("independent", "judicial")
    result = resolve_edit(REVIEW, "independent review of the grounds justifying", new_text)
    start, end = position_of(result.selectors)
    assert (result.outcome, new_text[start:end]) == (
        Outcome.FUZZY,
        "judicial review of the grounds justifying",
    )


def test_a_quote_that_began_its_provision_is_found_by_the_words_after_it():
    quote = "The order shall be subject to independent review"
    edited = REVIEW.replace("independent review", "judicial review")
    # No prefix was stored; the suffix vouches alone, and the passage starts at a word.
    for new_text in (edited, "A sentence now comes first. " + edited):
        result = resolve_edit(REVIEW, quote, new_text)
        assert result.outcome == Outcome.FUZZY
        assert new_text[slice(*position_of(result.selectors))] == (
            "The order shall be subject to judicial review"
        )


@pytest.mark.parametrize(
    ("quote", "new_text", "why"),
    [
        (
            "independent review of the grounds justifying",
            REVIEW.replace(
                "independent review of the grounds justifying",
                "no review at all, whatever the reasons for",
            ),
            "the context is there, but the words between are not like the old ones",
        ),
        (
            "independent",
            REVIEW.replace("independent", "judicial"),
            "a one-word quote whose word was replaced: nothing of it is left to point at",
        ),
        (
            "independent review",
            REVIEW.replace("independent review", "judicial review"),
            "half of a short quote replaced",
        ),
        (
            "independent review of the grounds justifying",
            "The order shall be subject to judicial review of the grounds justifying "
            "its renewal, which the court decides alone.",
            "the words before are the same, the words after are not",
        ),
    ],
)
def test_a_wrong_anchor_is_worse_than_an_orphan(quote, new_text, why):
    result = resolve_edit(REVIEW, quote, new_text)
    assert result.outcome == Outcome.ORPHANED, why


def test_a_look_alike_sharing_only_the_words_before_is_not_the_quote():
    """Legal text repeats its opening formulae: the passage after the same prefix scores 74
    against the old quote (above CONTEXT_THRESHOLD), but what follows it differs, so the
    context does not vouch for it."""
    old = (
        "Each State Party shall adopt such measures as may be needed to establish as a sample "
        "offence the access to the whole or any part of a sample system without right."
    )
    new = (
        "Each State Party shall adopt such measures as may be needed to establish as a sample "
        "offence the damaging, deletion or alteration of test records without right."
    )
    quote = "establish as a sample offence the access to the whole"
    assert fuzz.ratio(quote, "establish as a sample offence the damaging, deletion") >= (
        CONTEXT_THRESHOLD
    )
    start = old.index(quote)
    selector = make_selectors(old, start, start + len(quote))[0]
    assert context_span(quote, selector["prefix"], selector["suffix"], new) is None
    assert resolve_edit(old, quote, new).outcome == Outcome.ORPHANED


def test_a_few_characters_of_context_prove_nothing():
    # A quote with next to no context (a short provision quoted almost whole): only the quote
    # itself can decide, and at 80 it is too changed.
    assert (
        context_span(
            "keeps test records for others", "a ", ";", "a holds test records on behalf of others;"
        )
        is None
    )

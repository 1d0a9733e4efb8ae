"""Nothing an analyst types can stall the server (issue 11 §4).

Guards each bound listed in docs/security.md ("Bounded work"): word diffs (history, edit
conflicts, versions), highlights, quote matching, re-anchoring and Markdown. Each worst case is
fed for real; the tests check that the bounded path was taken (a diff says it is not complete, a
count of work done stays linear) and that ordinary text still gets the exact answer. Wall-clock
limits are generous (several times the bound): the code they guard took from 20 s to minutes.
"""

import json
import random
import re
import time

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from provisions import diffing
from provisions.anchoring import MAX_QUOTE_CHARS, QUOTE, locate_quote
from provisions.diffing import MAX_DIFF_CHARS, WordDiff, deadline_in, tokens, word_diff
from provisions.highlight import MAX_NAMED, highlight
from provisions.importing import reanchor
from provisions.importing.extract import extract_text
from provisions.importing.importer import DEFAULT_LABEL, import_convention
from provisions.importing.joiner import Joiner
from provisions.importing.parser import parse_convention
from provisions.importing.reanchor import fuzzy_span
from provisions.importing.tree import Line
from provisions.models import Annotation, Provision, ProvisionVersion
from provisions.rendering import render_markdown
from provisions.services import annotation_create, annotation_submit, annotation_update
from provisions.services.anchors import anchor_pick
from provisions.services.annotations import MAX_BODY_CHARS
from tests.helpers import API, SAMPLES, bearer, token_for

# Every bounded step here is allowed at most this long on a slow, shared test machine (the
# slowest takes ~0.6 s alone, but 7.6 s was seen with the machine's two cores saturated); the
# tests also check *which* path was taken, so this bound only has to catch a return of the old
# quadratic behaviour (e.g. 20 s for the repeated-words diff, over 30 s for quote matching).
GENEROUS_SECONDS = 15


def timed(function, *args, **kwargs):
    started = time.perf_counter()
    result = function(*args, **kwargs)
    return result, time.perf_counter() - started


def random_words(*, seed: int, count: int, vocabulary: str = "abc") -> str:
    rng = random.Random(seed)
    return " ".join(rng.choice(vocabulary) for _ in range(count))


def assert_true_diff(diff: WordDiff, old: str, new: str) -> None:
    """The pieces read back as both texts: nothing lost, nothing invented."""
    assert "".join(text for op, text in diff if op != "ins") == old
    assert "".join(text for op, text in diff if op != "del") == new


# --- Word diffs --------------------------------------------------------------------------------


def test_ordinary_edits_are_compared_word_by_word():
    old = "The safeguards are weak <b>here</b>."
    new = "The safeguards are left to domestic law <b>here</b>."
    diff = word_diff(old, new)
    assert diff == [
        ("same", "The safeguards are "),
        ("del", "weak"),
        ("ins", "left to domestic law"),
        ("same", " <b>here</b>."),
    ]
    assert diff.complete
    # Neighbouring replacements read as one, with a space between what goes and what comes.
    diff = word_diff("it is a b c", "it is x y c")
    assert diff == [("same", "it is "), ("del", "a b"), ("ins", "x y"), ("same", " c")]
    assert [gap for _op, _text, gap in diff.shown] == [False, False, True, False]


def test_an_unchanged_markdown_link_is_one_unchanged_unit():
    """Issue 17: a link both versions share is shown unchanged, never removed and added."""
    link = '[UNODC\'s report](https://www.unodc.org/report "Annual report")'
    old = f"First point.\n{link} says so."
    new = f"First point, revised.\n{link} says so."
    diff = word_diff(old, new)
    assert_true_diff(diff, old, new)
    assert any(op == "same" and link in text for op, text in diff)
    assert all("[" not in text and "](" not in text for op, text in diff if op != "same")
    assert tokens(f"({link}), [a][ref] ![map](m.png)") == [
        "(",
        link,
        "),",
        " ",
        "[a][ref]",
        " ",
        "![map](m.png)",
    ]


def test_a_changed_link_is_shown_removed_and_added_whole():
    diff = word_diff(
        "see [the report](https://a.example/1) now", "see [the report](https://a.example/2) now"
    )
    assert diff == [
        ("same", "see "),
        ("del", "[the report](https://a.example/1)"),
        ("ins", "[the report](https://a.example/2)"),
        ("same", " now"),
    ]


def test_ten_thousand_repeated_words_diff_quickly_and_exactly():
    """The reported attack: a note of 10,000 repeated words and an edit of one of them."""
    old = " ".join(["a"] * 10_000)
    new = " ".join(["a"] * 5_000 + ["b"] + ["a"] * 4_999)
    assert len(old) <= MAX_BODY_CHARS
    diff, seconds = timed(word_diff, old, new)
    assert seconds < GENEROUS_SECONDS
    assert diff.complete
    assert diff == [("same", "a " * 5_000), ("del", "a"), ("ins", "b"), ("same", " a" * 4_999)]


@pytest.mark.parametrize(
    "old, new",
    [
        # Nothing in common word for word, with tokens repeated: the worst case for Myers.
        (
            " ".join(f"w{i % 97}" for i in range(6_000)),
            " ".join(f"w{i * 7 % 89}" for i in range(6_000)),
        ),
        # A three-word vocabulary in random order on both sides.
        (random_words(seed=1, count=10_000), random_words(seed=2, count=10_000)),
    ],
    ids=["unrelated", "random"],
)
def test_texts_that_differ_everywhere_are_time_boxed(old, new):
    diff, seconds = timed(word_diff, old, new)
    assert not diff.complete  # the time box cut it short: the bounded path was taken
    assert seconds < diffing.DIFF_SECONDS + GENEROUS_SECONDS
    assert_true_diff(diff, old, new)


def test_a_spent_page_deadline_gives_a_coarse_but_true_diff_at_once():
    old, new = "one two three four", "one deux three quatre"
    diff = word_diff(old, new, deadline=deadline_in(-1))
    assert_true_diff(diff, old, new)
    # The common prefix and suffix are still found (linear); the middle is not refined.
    assert diff[0] == ("same", "one ") and not diff.complete
    assert word_diff(old, new).complete  # with time, the same texts are compared word by word


def test_texts_above_the_cap_are_not_compared_word_by_word():
    old, new = "a " * (MAX_DIFF_CHARS // 2 + 1), "b " * 10
    diff, seconds = timed(word_diff, old, new)
    assert diff == [("del", old), ("ins", new)] and not diff.complete
    assert seconds < GENEROUS_SECONDS


# --- The pages that show diffs -----------------------------------------------------------------


@pytest.mark.django_db
def test_edit_conflict_on_ten_thousand_repeated_words_answers_quickly(client, analyst, art24):
    stored = " ".join(["a"] * 10_000)
    annotation = annotation_create(provision=art24, author=analyst, body="first")
    annotation_update(annotation=annotation, user=analyst, version=1, body=stored)
    mine = " ".join(["a"] * 5_000 + ["b"] + ["a"] * 4_999)
    client.force_login(analyst)
    url = f"/annotations/{annotation.pk}/edit/"
    response, seconds = timed(
        client.post, url, {"provision": "art_24", "body": mine, "version": "1"}
    )
    assert response.status_code == 409
    assert seconds < GENEROUS_SECONDS
    html = response.content.decode()
    assert '<del><span class="visually-hidden">removed: </span>a</del>' in html
    assert '<ins><span class="visually-hidden">added: </span>b</ins>' in html


@pytest.mark.django_db
def test_edit_form_refuses_a_note_too_long_before_comparing_it(client, analyst, art24):
    annotation = annotation_create(provision=art24, author=analyst, body="first")
    annotation_update(annotation=annotation, user=analyst, version=1, body="second")
    client.force_login(analyst)
    too_long = "a " * (MAX_BODY_CHARS // 2 + 1)
    response = client.post(
        f"/annotations/{annotation.pk}/edit/",
        {"provision": "art_24", "body": too_long, "version": "1"},
    )
    # A stale version and a body too long: the form says so; no conflict page compares it.
    assert response.status_code == 200
    assert (
        f"The note is too long (at most {MAX_BODY_CHARS} characters)." in response.content.decode()
    )
    annotation.refresh_from_db()
    assert annotation.body == "second" and annotation.version == 2


@pytest.mark.django_db
def test_preview_of_a_note_too_long_says_so(client, analyst):
    client.force_login(analyst)
    response = client.post(
        reverse("provisions:annotation_preview"), {"body": "x" * (MAX_BODY_CHARS + 5)}
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert f"a note holds at most {MAX_BODY_CHARS} characters" in html
    assert "x" * MAX_BODY_CHARS in html and "x" * (MAX_BODY_CHARS + 1) not in html


@pytest.mark.django_db
def test_history_of_many_long_unrelated_versions_loads_within_its_time_box(
    client, analyst, editor, art24
):
    """Each version differs everywhere from the last: the page's diffs share one time box."""
    annotation = annotation_create(provision=art24, author=analyst, body="first")
    annotation = annotation_submit(annotation=annotation, user=analyst)
    for seed in range(6):
        body = random_words(seed=seed, count=8_000)
        annotation = annotation_update(
            annotation=annotation, user=editor, version=annotation.version, body=body
        )
    client.force_login(editor)
    response, seconds = timed(client.get, f"/history/annotation/{annotation.pk}/")
    assert response.status_code == 200
    assert seconds < diffing.PAGE_DIFF_SECONDS + GENEROUS_SECONDS
    assert "Compared in large blocks" in response.content.decode()


@pytest.mark.django_db
def test_history_shows_an_unchanged_link_as_unchanged(client, analyst, editor, art24):
    link = "[the UNODC page](https://www.unodc.org/unodc/en/cybercrime/)"
    annotation = annotation_create(provision=art24, author=analyst, body=f"Weak.\n{link}")
    annotation = annotation_submit(annotation=annotation, user=analyst)
    annotation_update(
        annotation=annotation, user=editor, version=annotation.version, body=f"Too weak.\n{link}"
    )
    client.force_login(editor)
    html = client.get(f"/history/annotation/{annotation.pk}/").content.decode()
    assert (
        '<del><span class="visually-hidden">removed: </span>Weak.</del> '
        '<ins><span class="visually-hidden">added: </span>Too weak.</ins>\n'
        "[the UNODC page](https://www.unodc.org/unodc/en/cybercrime/)"
    ) in html
    assert Annotation.objects.get(pk=annotation.pk).version == 3


# --- Notes: one cap for the form, the service and the API ------------------------------------


@pytest.mark.django_db
def test_service_and_api_refuse_a_note_over_the_cap(client, analyst, art24):
    too_long = "x" * (MAX_BODY_CHARS + 1)
    with pytest.raises(ValidationError, match="too long"):
        annotation_create(provision=art24, author=analyst, body=too_long)
    response = client.post(
        f"{API}annotations",
        {"bodyValue": too_long, "target": {"source": "art_24"}},
        content_type="application/json",
        **bearer(token_for(analyst)),
    )
    assert response.status_code == 422
    error = response.json()["error"]
    assert "too long" in error["message"] + json.dumps(error["fields"])
    assert not Annotation.objects.exists()


@pytest.mark.parametrize(
    "text",
    [
        "[" * (MAX_BODY_CHARS // 2) + "]" * (MAX_BODY_CHARS // 2),
        "![a" * (MAX_BODY_CHARS // 3),
        "*a_" * (MAX_BODY_CHARS // 3),
        "|a|\n|-|\n" + "|a\n" * (MAX_BODY_CHARS // 3 - 3),
        ">" * MAX_BODY_CHARS,
        "[a](" * (MAX_BODY_CHARS // 4),
    ],
    ids=["brackets", "images", "emphasis", "table", "quotes", "links"],
)
def test_markdown_known_slow_shapes_render_quickly_at_the_cap(text):
    """markdown-it-py grows faster than linearly on these shapes; at the cap each stays cheap."""
    assert len(text) <= MAX_BODY_CHARS
    _html, seconds = timed(render_markdown, text)
    assert seconds < GENEROUS_SECONDS


# --- Highlights ------------------------------------------------------------------------------


def test_thousands_of_nested_highlights_cost_linear_work():
    text = "x" * 8_000
    spans = [(i, len(text) - i, i + 1) for i in range(3_000)]
    html, seconds = timed(highlight, text, spans)
    assert seconds < GENEROUS_SECONDS
    assert re.sub(r"<[^>]+>", "", html) == text  # only tags were added
    # 5,999 pieces; each mark names at most MAX_NAMED notes and counts the rest, so the HTML
    # grows with the number of highlights, not with its square (unbounded: about 90 MB).
    assert len(html) < 400 * 2 * len(spans)
    innermost = html[html.index('id="hl-3000"') :]
    named = " ".join(str(pk) for pk in range(1, MAX_NAMED + 1))
    assert f'data-annotations="{named}"' in innermost
    assert f"and {3_000 - MAX_NAMED} more" in innermost


def test_a_few_overlapping_highlights_name_every_note():
    html = highlight("abcdef", [(0, 4, 1), (2, 6, 2)])
    assert 'data-annotations="1 2">' in html and 'title="Annotated; see note #1, #2"' in html


# --- Quote matching and re-anchoring --------------------------------------------------------


def test_quote_matching_reads_only_a_bounded_context_around_each_occurrence():
    """20,000 occurrences and a prefix as long as the text: each occurrence is scored on at
    most CONTEXT_CHARS characters on either side (unbounded, this took minutes)."""
    text = "ab" * 20_000
    found, seconds = timed(locate_quote, text, "a", prefix=text, suffix="b" * 50_000, hint=20_000)
    assert found == 20_000  # every occurrence agrees as far as it is read: the hint decides
    assert seconds < GENEROUS_SECONDS
    # Context still tells occurrences apart.
    assert locate_quote("x shall y; z shall w", "shall", prefix="z ", suffix=" w") == 13


LEGAL_WORDS = (
    "surveillance",
    "interception",
    "jurisdiction",
    "extradition",
    "proportionality",
    "oversight",
    "retention",
    "disclosure",
    "cooperation",
    "confiscation",
    "prosecution",
    "safeguards",
    "remedy",
    "privacy",
    "expression",
    "assembly",
    "journalists",
    "encryption",
    "warrant",
    "judicial",
)


def _clauses(count: int) -> str:
    """Numbered clauses of eight words each from a legal vocabulary, always the same."""
    rng = random.Random(5)
    return " ".join(
        f"{i}. " + " ".join(rng.choice(LEGAL_WORDS) for _ in range(8)) + "." for i in range(count)
    )


def spy_on_alignment(monkeypatch) -> list[int]:
    """The lengths of what re-anchoring aligns with partial_ratio_alignment, as it runs."""
    aligned = []
    real = reanchor.fuzz.partial_ratio_alignment

    def spy(needle, haystack, **kwargs):
        aligned.append(len(needle))
        return real(needle, haystack, **kwargs)

    monkeypatch.setattr(reanchor.fuzz, "partial_ratio_alignment", spy)
    return aligned


def test_a_long_changed_quote_is_located_by_its_ends(monkeypatch):
    """The fuzzy search's cost grows with the cube of what it aligns: a 4,000-character quote
    took seconds per provision. Only its ends are aligned now; the answer is still right."""
    old_text = _clauses(120)
    start = old_text.index("30. ")
    end = old_text.index("80. ") - 1
    quote = old_text[start:end]
    assert len(quote) > 3_000
    middle = old_text.index("55. ")
    new_text = old_text[:middle] + "As amended, " + old_text[middle:]
    aligned = spy_on_alignment(monkeypatch)
    found, seconds = timed(fuzzy_span, quote, new_text)
    assert max(aligned) <= 500
    assert seconds < GENEROUS_SECONDS
    score, span_start, span_end = found
    assert score >= reanchor.FUZZY_THRESHOLD
    assert new_text[span_start:span_end] == new_text[start : end + len("As amended, ")]


def test_the_context_rule_locates_a_long_quote_by_its_ends_too(monkeypatch):
    """Rule 4 locates the old quote with its prefix and suffix: the same bound applies (only
    ends of at most 500 characters are aligned by partial_ratio_alignment)."""
    old_text = _clauses(120)
    start, end = old_text.index("30. "), old_text.index("80. ") - 1
    quote = old_text[start:end]
    prefix, suffix = old_text[start - 32 : start], old_text[end : end + 32]
    # Every fourth clause of the quote rewritten.
    new_text = old_text
    for number in range(30, 80, 4):
        clause = re.search(rf"{number}\. [^.]*\.", new_text)[0]
        new_text = new_text.replace(clause, f"{number}. Deleted by the corrigendum.")
    aligned = spy_on_alignment(monkeypatch)
    found, seconds = timed(reanchor.context_span, quote, prefix, suffix, new_text)
    assert aligned and max(aligned) <= 500
    assert seconds < GENEROUS_SECONDS
    score, span_start, span_end = found
    assert score >= reanchor.CONTEXT_THRESHOLD
    assert new_text[span_start:span_end].startswith("30. ")
    assert new_text[span_end:].startswith(" 80. ")


def test_a_short_changed_quote_is_still_aligned_whole(monkeypatch):
    text = "Each State Party shall adopt such legislative measures as may be necessary."
    aligned = []
    real = reanchor.fuzz.partial_ratio_alignment
    monkeypatch.setattr(
        reanchor.fuzz,
        "partial_ratio_alignment",
        lambda needle, haystack, **kw: aligned.append(needle) or real(needle, haystack, **kw),
    )
    score, start, end = fuzzy_span("shall adopt such legislative measures", text)
    assert aligned == ["shall adopt such legislative measures"]
    assert text[start:end] == "shall adopt such legislative measures" and score == 100


@pytest.mark.django_db
def test_picking_words_longer_than_a_quote_is_refused_first(editor, analyst, art24):
    annotation = annotation_create(
        provision=art24,
        author=analyst,
        body="note",
        selectors=[{"type": QUOTE, "exact": art24.text[:20]}],
    )
    annotation = annotation_submit(annotation=annotation, user=analyst)
    with pytest.raises(ValidationError, match="too long"):
        anchor_pick(
            annotation=annotation,
            editor=editor,
            version=annotation.version,
            provision=art24,
            exact="x" * (MAX_QUOTE_CHARS + 1),
        )


# --- Importing -------------------------------------------------------------------------------


def test_joining_the_lines_of_a_very_long_paragraph_is_linear():
    """A paragraph of 5,000 lines took minutes to join (each line was added to, and searched
    for a hyphen in, the whole text so far); 40,000 now take a fraction of a second."""
    joiner = Joiner([Line("cybercrime", page=1, blank_before=False)])
    lines = [("State Party shall adopt measures against cyber-", False), ("crime", False)]
    text, seconds = timed(joiner.join, lines * 20_000)
    assert seconds < GENEROUS_SECONDS
    # The document has "cybercrime" on one line: the line-end hyphen is a break, and dropped.
    assert text == " ".join(["State Party shall adopt measures against cybercrime"] * 20_000)
    pieces = [("non-", False), ("consensual", False), ("x\xad", False), ("y", False)]
    assert joiner.join(pieces) == "non-consensual xy"


@pytest.mark.django_db
def test_comparing_versions_that_differ_everywhere_stays_within_the_page_time_box(client):
    """The versions page compares every provision of an article under one time box."""
    sample = extract_text(SAMPLES / "convention-sample.txt")
    import_convention(convention=parse_convention(sample, expected_articles=6), label=DEFAULT_LABEL)
    provisions = list(Provision.objects.filter(article__number=3))
    assert len(provisions) >= 4
    for seed, provision in enumerate(provisions):
        # Before the import (a kept version) and now: unrelated texts of 8,000 words each.
        ProvisionVersion.objects.update_or_create(
            provision=provision,
            defaults={"label": "Editorial summaries", "text": random_words(seed=seed, count=8_000)},
        )
        provision.text = random_words(seed=seed + 100, count=8_000)
        provision.added_in = ""  # as if every provision had been there before
        provision.save(update_fields=["text", "added_in"])
    url = reverse("provisions:article_versions", kwargs={"number": 3})
    response, seconds = timed(client.get, url)
    assert response.status_code == 200
    assert seconds < diffing.PAGE_DIFF_SECONDS + GENEROUS_SECONDS
    # Each provision is shown changed, in large blocks once the page's box has run out.
    html = response.content.decode()
    assert html.count("Compared in large blocks") == len(provisions)

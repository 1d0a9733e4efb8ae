"""Nothing an analyst types can stall the server (issue 11 §4).

Guards each bound listed in docs/security.md ("Bounded work"): word diffs (history, edit
conflicts, versions), highlights, quote matching, re-anchoring and Markdown. Each worst case is
fed for real; the tests check that the bounded path was taken (a diff says it is not complete, a
count of work done stays linear) and that ordinary text still gets the exact answer. Wall-clock
limits are generous (several times the bound): the code they guard took from 20 s to minutes.
"""

import random
import time

import pytest
from django.urls import reverse

from provisions import diffing
from provisions.diffing import MAX_DIFF_CHARS, WordDiff, deadline_in, tokens, word_diff
from provisions.models import Annotation, Provision
from provisions.services import annotation_create, annotation_submit, annotation_update
from provisions.services.annotations import MAX_BODY_CHARS

# Every bounded step here is allowed at most this long on a slow, shared test machine; each one
# took far longer before it was bounded (e.g. 20 s for the repeated-words diff).
GENEROUS_SECONDS = 5


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
    assert seconds < 1


# --- The pages that show diffs -----------------------------------------------------------------


@pytest.fixture
def art24():
    return Provision.objects.get(eid="art_24")


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

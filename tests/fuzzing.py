"""What the fuzz tests (tests/test_fuzz_forms.py, tests/test_fuzz_api.py) share: the hypothesis
strategies for hostile text, the savepoint each example runs in, the row counts that prove a
refused request wrote nothing, and the contract for what is kept of what was typed."""

import unicodedata
from contextlib import contextmanager
from dataclasses import dataclass

from django.contrib.messages import get_messages
from django.db import transaction
from hypothesis import strategies as st

from provisions.models import Annotation, ProvisionLink, Revision, Tag
from provisions.services.annotations import tag_slug
from tests.xss_payloads import PAYLOADS

ODD_CHARACTERS = [
    "\x00", "\x01", "\x07", "\x08", "\x0b", "\x1b", "\x7f", "\x85", "\xa0", "\xad",
    "\u0301", "\u0345", "\u115f", "\u200b", "\u200d", "\u200e", "\u200f", "\u202a", "\u202e",
    "\u2028", "\u2029", "\u2066", "\u2069", "\u3000", "\ufeff", "\ufffd", "\ufffe", "\uffff",
    "\U0010ffff", "\ufdfa", "\U00012427", "ß", "İ", "ﬁ", "٣", "²", "½", "\r", "\n", "\t",
    "\\", "'", '"', "<", ">", "&", "%", "#", ",", ";", "{", "}", "[", "]", "*", "_", "`",
]  # fmt: skip
ODD_SEQUENCES = [
    "\U0001f3f3\ufe0f\u200d\U0001f308",  # a flag: four code points, one picture
    "\U0001f469\U0001f3fd\u200d\u2696\ufe0f",
    "\r\n",
    "e\u0301\u0301\u0301",
    "\u202eevil\u202c",
]
# Strings past each limit: notes (20,000), rationales (5,000), quotes (5,000), tags (40 / 600),
# built when drawn (their repr would be megabytes).
_OVERSIZED = [
    ("a", 20_001),
    ("é", 20_001),
    ("\U0001f3f3\ufe0f\u200d\U0001f308", 5_001),
    ("word ", 4_001),
    ("\x00", 20_001),
    ("<", 20_001),
    ("[", 20_001),
    ("*a", 10_001),
    ("> ", 10_001),
    ("1. ", 7_000),
]
oversized = st.sampled_from(range(len(_OVERSIZED))).map(
    lambda i: _OVERSIZED[i][0] * _OVERSIZED[i][1]
)
odd_character = st.one_of(
    st.sampled_from(ODD_CHARACTERS),
    st.characters(codec="utf-8", categories=["Cc", "Cf", "Co", "Mn", "Zs", "Zl", "Zp", "So"]),
)
odd_text = st.lists(
    st.one_of(odd_character, st.sampled_from(ODD_SEQUENCES), st.characters(codec="utf-8")),
    max_size=40,
).map("".join)


def hostile_text(max_size: int = 80) -> st.SearchStrategy[str]:
    """Text a person, a script or an attacker could type (encodable as UTF-8: HTTP forms are)."""
    return st.one_of(
        st.text(st.characters(codec="utf-8"), max_size=max_size),
        odd_text,
        st.sampled_from(PAYLOADS),
        oversized,
    )


numberish = st.one_of(
    st.integers(-(2**70), 2**70).map(str),
    st.sampled_from(["", " 3 ", "-0", "1e3", "0x1f", "٣", "²", "½", "NaN", "9" * 5_000, "1_0"]),
    hostile_text(12),
)
tag_list = st.one_of(
    st.lists(hostile_text(50), max_size=16).map(", ".join),
    st.integers(13, 40).map(lambda n: ", ".join(f"tag{i}" for i in range(n))),  # too many
    hostile_text(),
)
CONCERNS = ["serious-crime-scope", "weak-procedural-safeguards"]
DEMANDS = ["consult-civil-society", "laws-meet-human-rights-standards"]


def slugs(valid) -> st.SearchStrategy[list]:
    return st.lists(st.one_of(st.sampled_from(valid), hostile_text(30)), max_size=4)


@dataclass(frozen=True)
class RealQuote:
    """Stands for words really in the provision (drawn before its text is known)."""

    start: int
    length: int

    def within(self, text: str) -> str:
        start = self.start % max(1, len(text))
        return text[start : start + self.length] or text[:10]


quote = st.one_of(st.builds(RealQuote, st.integers(0, 2_000), st.integers(1, 80)), hostile_text())


def form_data(**fields) -> st.SearchStrategy[dict]:
    """A form's fields, each present or left out."""
    return st.fixed_dictionaries({}, optional=fields)


# --- Bookkeeping -----------------------------------------------------------------------------


@contextmanager
def rolled_back():
    """One example in a savepoint that is always rolled back (the test's own transaction stays)."""
    with transaction.atomic():
        try:
            yield
        finally:
            transaction.set_rollback(True)


@dataclass
class Counts:
    annotations: int
    links: int
    revisions: int
    tags: frozenset

    @classmethod
    def now(cls) -> "Counts":
        return cls(
            Annotation.objects.count(),
            ProvisionLink.objects.count(),
            Revision.objects.count(),
            frozenset(Tag.objects.values_list("slug", flat=True)),
        )

    def unchanged(self, where: str) -> None:
        assert Counts.now() == self, f"{where}: refused, yet something was written"

    def one_annotation_more(self) -> Annotation:
        after = Counts.now()
        newest = Annotation.objects.order_by("-pk").first()
        assert after.annotations == self.annotations + 1
        assert after.revisions == self.revisions + 1
        assert after.links == self.links
        self.tags_only_for(newest, after)
        return newest

    def edited(self, annotation: Annotation) -> None:
        after = Counts.now()
        assert (after.annotations, after.links) == (self.annotations, self.links)
        assert after.revisions == self.revisions + 1
        self.tags_only_for(annotation, after)

    def tags_only_for(self, annotation: Annotation, after: "Counts") -> None:
        new_tags = after.tags - self.tags
        assert self.tags <= after.tags
        assert new_tags <= set(annotation.tags.values_list("slug", flat=True))
        assert annotation.tags.count() <= 12
        assert 0 < len(annotation.body) <= 20_000

    def one_link_more(self) -> None:
        after = Counts.now()
        assert after.links == self.links + 1
        assert after.revisions == self.revisions + 1
        assert (after.annotations, after.tags) == (self.annotations, self.tags)

    def only_revisions_added(self, *, at_most: int) -> None:
        after = Counts.now()
        assert 0 <= after.revisions - self.revisions <= at_most
        assert (after.annotations, after.links, after.tags) == (
            self.annotations,
            self.links,
            self.tags,
        )

    def one_revision_more(self) -> None:
        after = Counts.now()
        assert after.revisions == self.revisions + 1
        assert (after.annotations, after.links, after.tags) == (
            self.annotations,
            self.links,
            self.tags,
        )


def shows_error(response) -> bool:
    html = response.content.decode()
    return any(mark in html for mark in ('class="errorlist', "form-errors", "message-error"))


# --- What is kept of what was typed ------------------------------------------------------------
# The contract, written out here rather than imported: a saved text is the typed text in Unicode
# NFC, without control or format characters (newlines and tabs stay), without surrounding white
# space. Anything else typed is kept as typed; what cannot be kept is refused.


def typed(text: str) -> str:
    text = unicodedata.normalize("NFC", text)
    kept = (c for c in text if c in "\n\t" or unicodedata.category(c) not in {"Cc", "Cf", "Cs"})
    return "".join(kept).strip()


def typed_tag_slugs(names) -> set[str]:
    """The tags a list of typed names makes: white space collapsed, a leading # dropped."""
    cleaned = (" ".join(typed(name).split()).lstrip("#") for name in names)
    return {tag_slug(name) for name in cleaned if name}


def typed_sources(text: str) -> list[str]:
    return list(dict.fromkeys(kept for kept in (typed(s) for s in text.split()) if kept))


def assert_saved_as_typed(annotation: Annotation, data: dict) -> None:
    """An annotation saved from a form holds exactly what the form said, cleaned."""
    assert annotation.body == typed(data["body"])
    tags = (data.get("tags") or "").split(",")
    assert set(annotation.tags.values_list("slug", flat=True)) == typed_tag_slugs(tags)
    for field in ("concerns", "demands"):
        stored = set(getattr(annotation, field).values_list("slug", flat=True))
        assert stored == set(data.get(field) or []), field


def error_messages(response) -> list[str]:
    return [m.message for m in get_messages(response.wsgi_request) if m.level_tag == "error"]

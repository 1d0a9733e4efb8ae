"""Carry annotations and links across a change of the Convention's text, and say what happened.

After an import, every annotation on the changed part of the text is resolved against the new
text, in this order (the first rule that applies wins):

1. its quote is still at the same place in its provision → `anchored`, nothing to change;
2. its quote is found, word for word, elsewhere in its provision or in another provision of the
   same article (the preamble counts as one article) → `anchored` there, with new positions and,
   if need be, on the other provision; several occurrences are told apart by the stored prefix
   and suffix, then by closeness to the old position;
3. a close but changed passage is found (see FUZZY_THRESHOLD) → `fuzzy`, its selectors pointing
   at that passage, for an editor to confirm;
4. its context is found — the words stored before and after the quote, unchanged or nearly —
   around a passage like the old quote (see CONTEXT_THRESHOLD; the rule Hypothesis's anchoring
   follows) → `fuzzy` as well: "independent review of the grounds justifying" → "judicial review
   of the grounds justifying" scores 80, below FUZZY_THRESHOLD, but sits between the same words;
5. nothing close → `orphaned`: the old selectors are kept (the article page shows the old quote
   apart and never highlights it) and an editor picks a new span.

An annotation on a whole provision (no selectors), a reply and a link have no quote: they follow
their eid. When the eid has left the text they move to the nearest surviving parent
(`art_3__para_2__subpara_b` → `art_3__para_2` → `art_3`) and are flagged: `fuzzy` for an
annotation, `needs_review` for a link. A fuzzy anchor stays fuzzy until an editor confirms it,
whatever later imports find. Nothing is deleted, and every annotation or link that changes gets
a history revision (action "reanchored", no actor: the import did it).
"""

import re
from collections import Counter
from dataclasses import dataclass, field
from os.path import commonprefix

from django.db.models import Q
from rapidfuzz import fuzz
from rapidfuzz.distance import Levenshtein

from provisions.anchoring import CONTEXT_CHARS, QUOTE, locate_quote, make_selectors, position_of
from provisions.models import Annotation, Provision, ProvisionLink, TextVersion, Treaty
from provisions.models.treaty import ENGLISH, quote_source_in
from provisions.services import history

# How alike (0–100, rapidfuzz's normalised Indel similarity, `fuzz.ratio`) the old quote and
# the passage found in the new text must be for a fuzzy anchor. 85 tolerates about one changed
# or inserted word in a quote of eight words or more ("to cause harm, and resolved" → "to cause
# serious harm, and resolved" scores 87; "a sample venue" → "the sample venue" in a longer
# quote 97). Below it lie the look-alikes that legal text is full of: the same formula
# followed by other words ("establish as a sample offence the access…" against "…the
# damaging…" scores 74) and quotes with a quarter of their words replaced (~80). A wrong fuzzy
# anchor would point a reader's note at words it never discussed, while an orphan only waits
# for an editor to paste the right words; so the threshold leans towards orphaning.
FUZZY_THRESHOLD = 85
# partial_ratio only locates candidate passages (it compares equal lengths, so an inserted
# word costs it more than it costs the final score); the threshold applies to the final score.
_LOCATE_CUTOFF = 60
# partial_ratio_alignment's cost grows with the cube of the quote's length (a 1,000-character
# quote takes about 0.1 s per provision, a 5,000-character one, the longest allowed, 12 s). A
# quote longer than _LOCATE_WHOLE_CHARS is located by its first and its last _LOCATE_PART_CHARS
# characters instead; the passage between them is then aligned in full, like any other, by
# Levenshtein.opcodes (bit-parallel: lengths multiplied / 64). docs/security.md lists the bound.
_LOCATE_WHOLE_CHARS = 500
_LOCATE_PART_CHARS = 250
# The context rule (rule 4). A passage counts as the old quote changed in place when the stored
# prefix and suffix agree with the text around it: at least CONTEXT_AGREEMENT of their
# characters, counted outwards from the passage, and at least CONTEXT_MIN_CHARS of them (a few
# characters such as "the " prove nothing). The passage itself must still
# score CONTEXT_THRESHOLD against the old quote: one changed word in a quote of five words or
# more. Context on one side only is not enough: legal text repeats its opening formulae ("Each
# State Party shall adopt such measures as may be needed to establish…"), and a passage that
# shares only its prefix with the old quote is a look-alike, not the same words edited.
CONTEXT_THRESHOLD = 70
CONTEXT_AGREEMENT = 0.75
CONTEXT_MIN_CHARS = 12
# How far from where the location puts them the ends of the passage are sought (plus
# CONTEXT_CHARS): each position costs a comparison of at most CONTEXT_CHARS characters.
_CONTEXT_SLACK_CHARS = 500
_WORD = re.compile(r"\S+")
_EDGE_PUNCTUATION = ".,;:“”\"'()"


class Outcome:
    UNCHANGED = "unchanged"  # same quote, same place (or a whole provision still there)
    MOVED = "moved"  # the exact quote found elsewhere: new positions, perhaps a new provision
    FUZZY = "fuzzy"  # a close but changed passage (alone, or between its old context)
    ORPHANED = "orphaned"  # nothing close: old selectors kept
    TO_PARENT = "to_parent"  # no quote, and its provision left the text


@dataclass
class ReanchorReport:
    annotations: Counter = field(default_factory=Counter)  # Outcome → how many annotations
    replies_moved: int = 0
    links_to_parent: int = 0

    @property
    def anchored(self) -> int:
        return self.annotations[Outcome.UNCHANGED]

    @property
    def moved(self) -> int:
        return self.annotations[Outcome.MOVED]

    @property
    def fuzzy(self) -> int:
        return self.annotations[Outcome.FUZZY] + self.annotations[Outcome.TO_PARENT]

    @property
    def orphaned(self) -> int:
        return self.annotations[Outcome.ORPHANED]

    @property
    def moved_to_parent(self) -> int:
        return self.annotations[Outcome.TO_PARENT]


@dataclass(frozen=True)
class Resolution:
    outcome: str
    provision: Provision
    selectors: list
    score: float | None = None
    by_context: bool = False  # a fuzzy anchor found by its prefix and suffix (rule 4)


# --- Resolving one quote ----------------------------------------------------------------------


def nearest_surviving(eid: str, current: dict[str, Provision]) -> Provision | None:
    """The provision itself if it is still in the text, else its nearest ancestor that is."""
    parts = eid.split("__")
    while parts:
        found = current.get("__".join(parts))
        if found is not None:
            return found
        parts.pop()
    return None


def _agreement(text: str, start: int, end: int, prefix: str, suffix: str) -> int:
    """How many characters of the stored context agree with the text around text[start:end]."""
    before = text[max(0, start - len(prefix)) : start]
    after = text[end : end + len(suffix)]
    return len(commonprefix([before[::-1], prefix[::-1]])) + len(commonprefix([after, suffix]))


def best_exact_match(
    quote: dict, start: int | None, home, candidates: list[Provision], text_of=None
):
    """(provision, start) of the best word-for-word occurrence of the quote, or None. The words
    searched are each provision's English text, or `text_of(provision)` (another language's;
    None: that provision has none)."""
    exact, prefix, suffix = quote["exact"], quote.get("prefix", ""), quote.get("suffix", "")
    best, best_key = None, None
    for provision in candidates:
        is_home = provision is home
        text = provision.text if text_of is None else text_of(provision)
        if text is None:
            continue
        found = locate_quote(text, exact, prefix, suffix, hint=start if is_home else None)
        if found is None:
            continue
        key = (
            _agreement(text, found, found + len(exact), prefix, suffix),
            is_home,
            -abs(found - start) if is_home and start is not None else 0,
        )
        if best_key is None or key > best_key:
            best, best_key = (provision, found), key
    return best


def _nearest(bounds: list[int], target: int) -> int:
    return min(bounds, key=lambda bound: (abs(bound - target), bound))


def _locate(exact: str, text: str) -> tuple[int, int] | None:
    """Roughly where in `text` the passage most like `exact` lies, or None if nothing is close."""

    def align(piece: str):
        return fuzz.partial_ratio_alignment(piece, text, score_cutoff=_LOCATE_CUTOFF)

    if len(exact) <= _LOCATE_WHOLE_CHARS:
        located = align(exact)
        return None if located is None else (located.dest_start, located.dest_end)
    head, tail = align(exact[:_LOCATE_PART_CHARS]), align(exact[-_LOCATE_PART_CHARS:])
    if head and tail and head.dest_start < tail.dest_end <= head.dest_start + 2 * len(exact):
        return head.dest_start, tail.dest_end
    if head:
        return head.dest_start, min(len(text), head.dest_start + len(exact))
    if tail:
        return max(0, tail.dest_end - len(exact)), tail.dest_end
    return None


def fuzzy_span(exact: str, text: str) -> tuple[float, int, int] | None:
    """(score, start, end) of the passage of `text` most like `exact`, cut at word boundaries."""
    if not exact.strip() or not text.strip():
        return None
    located = _locate(exact, text)
    if located is None:
        return None
    # Align the quote with the located passage and some text around it, then keep the stretch
    # from the first to the last run of agreeing characters, stretched by what the quote has
    # before and after them: an inserted word is then inside the span, not cut off.
    if len(exact) <= len(text):
        slack = len(exact) // 2 + 10
        low, high = max(0, located[0] - slack), min(len(text), located[1] + slack)
    else:
        low, high = 0, len(text)
    window = text[low:high]
    runs = [
        op
        for op in Levenshtein.opcodes(exact, window)
        if op.tag == "equal" and op.src_end - op.src_start >= min(3, len(exact))
    ]
    if not runs:
        return None
    start = low + runs[0].dest_start - runs[0].src_start
    end = low + runs[-1].dest_end + (len(exact) - runs[-1].src_end)
    words = list(_WORD.finditer(text))
    start = _nearest([word.start() for word in words], start)
    end = _nearest([word.end() for word in words if word.end() > start] or [len(text)], end)
    # A word's punctuation belongs to the span only if the quote had it too.
    while (
        end - start > 1 and text[end - 1] in _EDGE_PUNCTUATION and not exact.endswith(text[end - 1])
    ):
        end -= 1
    while (
        end - start > 1 and text[start] in _EDGE_PUNCTUATION and not exact.startswith(text[start])
    ):
        start += 1
    return fuzz.ratio(exact, text[start:end]), start, end


def _best_passage(find, home, candidates: list[Provision]):
    """(score, provision, start, end) of the best passage `find(text)` finds among the
    candidates (the home provision wins a tie), or None."""
    best = None
    for provision in candidates:
        found = find(provision.text)
        if found is None:
            continue
        key = (found[0], provision is home)
        if best is None or key > best[0]:
            best = (key, provision, found[1], found[2])
    if best is None:
        return None
    (score, _home), provision, start, end = best
    return score, provision, start, end


def _fuzzy_match(exact: str, home, candidates: list[Provision]):
    """The closest passage at or above FUZZY_THRESHOLD (rule 3)."""

    def find(text):
        found = fuzzy_span(exact, text)
        return found if found is not None and found[0] >= FUZZY_THRESHOLD else None

    return _best_passage(find, home, candidates)


def _context_at(text: str, at: int, context: str, *, before: bool) -> int:
    """How many characters of `context`, read outwards from `at`, agree with `text` there."""
    if before:
        return len(commonprefix([text[max(0, at - len(context)) : at][::-1], context[::-1]]))
    return len(commonprefix([text[at : at + len(context)], context]))


def _boundary(text: str, estimate: int, context: str, *, before: bool, slack: int) -> int:
    """The position near `estimate` where the most of `context` agrees with the text (the
    nearest on a tie); without context, the word boundary nearest to `estimate`."""
    if not context:
        words = list(_WORD.finditer(text))
        bounds = [w.start() for w in words] if before else [w.end() for w in words]
        return _nearest(bounds or [estimate], estimate)
    positions = range(max(0, estimate - slack), min(len(text), estimate + slack) + 1)
    return max(
        positions,
        key=lambda at: (_context_at(text, at, context, before=before), -abs(at - estimate)),
    )


def context_span(exact: str, prefix: str, suffix: str, text: str):
    """(score, start, end) of the passage of `text` between the old prefix and suffix that is
    like `exact` (rule 4, see CONTEXT_THRESHOLD), or None.

    The old quote with its context is located as one string (so the cost is bounded as for
    fuzzy_span: by its ends only when it is long); the passage starts where the old prefix ends
    and ends where the old suffix starts, each sought a little way either side of where the
    location puts it (a quote at the edge of its provision ends at the nearest word boundary)."""
    prefix, suffix = prefix[-CONTEXT_CHARS:], suffix[:CONTEXT_CHARS]
    context = len(prefix) + len(suffix)
    if not exact.strip() or not text.strip() or context < CONTEXT_MIN_CHARS:
        return None
    located = _locate(prefix + exact + suffix, text)
    if located is None:
        return None
    # Room for the words the new passage gained or lost, and for a location that is a little
    # off in text that repeats its words.
    slack = min(len(exact) // 2, _CONTEXT_SLACK_CHARS) + CONTEXT_CHARS
    start = _boundary(text, located[0] + len(prefix), prefix, before=True, slack=slack)
    end = _boundary(text, located[1] - len(suffix), suffix, before=False, slack=slack)
    if end <= start:
        return None
    agreed = _agreement(text, start, end, prefix, suffix)
    if agreed < CONTEXT_MIN_CHARS or agreed < CONTEXT_AGREEMENT * context:
        return None
    score = fuzz.ratio(exact, text[start:end])
    return (score, start, end) if score >= CONTEXT_THRESHOLD else None


def _context_match(quote: dict, home, candidates: list[Provision]):
    """The passage found between the quote's old prefix and suffix (rule 4)."""
    exact, prefix, suffix = quote["exact"], quote.get("prefix", ""), quote.get("suffix", "")
    return _best_passage(lambda text: context_span(exact, prefix, suffix, text), home, candidates)


def resolve(annotation: Annotation, current: dict[str, Provision], group: list[Provision]):
    """Where `annotation` belongs in the new text: a Resolution (nothing is saved here).

    `current`: the provisions in the text now, by eid; `group`: those of the annotation's
    article (or the preamble) in reading order.
    """
    old = annotation.provision
    home = current.get(old.eid)
    quote = annotation.selector(QUOTE)
    if not quote or not quote.get("exact"):
        # A whole provision (or selectors without a quote): it follows its eid.
        if home is not None:
            return Resolution(Outcome.UNCHANGED, home, annotation.selectors)
        parent = nearest_surviving(old.eid, current) or old
        return Resolution(Outcome.TO_PARENT, parent, annotation.selectors)

    exact = quote["exact"]
    span = position_of(annotation.selectors)
    start = span[0] if span else None
    if home is not None and start is not None and home.text[start : start + len(exact)] == exact:
        # The stored prefix and suffix stay as the annotator saw them: they still tell this
        # quote apart next time, and a note whose words did not move has no change to record.
        return Resolution(Outcome.UNCHANGED, home, annotation.selectors)
    candidates = ([home] if home is not None else []) + [p for p in group if p is not home]
    found = best_exact_match(quote, start, home, candidates)
    if found is not None:
        provision, at = found
        return Resolution(
            Outcome.MOVED, provision, make_selectors(provision.text, at, at + len(exact))
        )
    close = _fuzzy_match(exact, home, candidates)
    if close is not None:
        score, provision, begin, end = close
        return Resolution(
            Outcome.FUZZY, provision, make_selectors(provision.text, begin, end), score
        )
    by_context = _context_match(quote, home, candidates)
    if by_context is not None:
        score, provision, begin, end = by_context
        selectors = make_selectors(provision.text, begin, end)
        return Resolution(Outcome.FUZZY, provision, selectors, score, by_context=True)
    place = home or nearest_surviving(old.eid, current) or old
    return Resolution(Outcome.ORPHANED, place, annotation.selectors)


# --- Applying it to the database --------------------------------------------------------------


def _state_for(outcome: str, before: str) -> str:
    if outcome in (Outcome.UNCHANGED, Outcome.MOVED):
        # A fuzzy anchor is a guess until an editor confirms it; finding the guessed words
        # again proves nothing.
        return Annotation.Anchor.FUZZY if before == Annotation.Anchor.FUZZY else "anchored"
    if outcome == Outcome.ORPHANED:
        return Annotation.Anchor.ORPHANED
    return Annotation.Anchor.FUZZY


def _note(label: str, annotation: Annotation, resolution: Resolution, old_eid: str) -> str:
    where = resolution.provision.eid
    quote = annotation.quote
    prefix = f"Text version “{label}”: " if label else ""
    if resolution.outcome == Outcome.UNCHANGED:
        return f"{prefix}the quote is where it was ({where})."
    if resolution.outcome == Outcome.MOVED:
        return f"{prefix}the quote “{quote}” was found again in {where}."
    if resolution.outcome == Outcome.FUZZY and resolution.by_context:
        return (
            f"{prefix}the quote “{quote}” changed between the same words before and after it; "
            f"the passage there in {where} (similarity {resolution.score:.0f}) needs an "
            "editor's confirmation."
        )
    if resolution.outcome == Outcome.FUZZY:
        return (
            f"{prefix}the quote “{quote}” changed; the closest passage in {where} "
            f"(similarity {resolution.score:.0f}) needs an editor's confirmation."
        )
    if resolution.outcome == Outcome.TO_PARENT:
        return f"{prefix}{old_eid} left the text; moved to {where} for review."
    return f"{prefix}the quote “{quote}” is no longer in the text; old quote kept, not shown."


def _group_key(provision: Provision):
    return provision.article_id  # None: the preamble


def reanchor(
    *, treaty: Treaty, article_ids, include_preamble: bool, label: str = ""
) -> ReanchorReport:
    """Resolve every annotation and link on the given articles (and the preamble) anew.

    Call it after the provisions' texts were written and the dropped ones marked `retired_in`.
    """
    report = ReanchorReport()
    scope = Q(article_id__in=list(article_ids))
    if include_preamble:
        scope |= Q(article__isnull=True)
    provisions = list(Provision.objects.filter(scope, treaty=treaty).order_by("position"))
    current = {p.eid: p for p in provisions if not p.retired_in}
    groups: dict = {}
    for provision in current.values():
        groups.setdefault(_group_key(provision), []).append(provision)
    by_pk = {p.pk: p for p in provisions}
    versions = TextVersion.objects.oldest_first(treaty.pk)  # English: the provisions' own text

    # Notes made on another language's text are anchored in that text, which this English
    # import does not change (provisions.importing.language_import re-anchors those).
    roots = (
        Annotation.objects.filter(
            provision__in=provisions, in_reply_to__isnull=True, language=ENGLISH
        )
        .order_by("pk")
        .prefetch_related("replies")
    )
    for annotation in roots:
        old = by_pk[annotation.provision_id]
        annotation.provision = old
        resolution = resolve(annotation, current, groups.get(_group_key(old), []))
        report.annotations[resolution.outcome] += 1
        state = _state_for(resolution.outcome, annotation.anchor_state)
        # Which text the quote comes from (docs/importing.md): words found again elsewhere or
        # changed are taken from the new text; words still where they were keep the version
        # they were taken from (they are in both), unless that was our summary and the new text
        # is official; an orphan keeps its old words and the version they came from.
        source = (annotation.quote_source, annotation.quote_source_official)
        found = quote_source_in(resolution.provision, versions)
        if resolution.outcome in (Outcome.MOVED, Outcome.FUZZY, Outcome.TO_PARENT) or (
            resolution.outcome == Outcome.UNCHANGED
            and found.is_official_text != annotation.quote_source_official
        ):
            source = (found.label, found.is_official_text)
        if (
            resolution.provision.pk == old.pk
            and resolution.selectors == annotation.selectors
            and state == annotation.anchor_state
            and source == (annotation.quote_source, annotation.quote_source_official)
        ):
            continue
        note = _note(label, annotation, resolution, old.eid)
        annotation.provision = resolution.provision
        annotation.selectors = resolution.selectors
        annotation.anchor_state = state
        annotation.quote_source, annotation.quote_source_official = source
        annotation.version += 1
        annotation.save(update_fields=Annotation.ANCHOR_FIELDS)
        history.record(obj=annotation, action="reanchored", actor=None, note=note)
        for reply in annotation.replies.all():
            if reply.provision_id != annotation.provision_id:
                reply.provision = annotation.provision
                reply.version += 1
                reply.save(update_fields=["provision", "version", "updated_at"])
                history.record(
                    obj=reply,
                    action="reanchored",
                    actor=None,
                    note=f"Follows its annotation, now on {annotation.provision.eid}.",
                )
                report.replies_moved += 1

    dropped = [p for p in provisions if p.retired_in]
    for link in ProvisionLink.objects.filter(provision__in=dropped).order_by("pk"):
        old = by_pk[link.provision_id]
        parent = nearest_surviving(old.eid, current)
        if parent is None:
            continue
        link.provision = parent
        link.needs_review = True
        link.version += 1
        link.save(update_fields=["provision", "needs_review", "version"])
        prefix = f"Text version “{label}”: " if label else ""
        history.record(
            obj=link,
            action="reanchored",
            actor=None,
            note=f"{prefix}{old.eid} left the text; moved to {parent.eid} for review.",
        )
        report.links_to_parent += 1
    return report

"""Facets of a search (kind, chapter, concern, demand, tag): what the URL may select, and the
options shown with their counts, each facet counted as if its own selection were not made.
"""

from collections import Counter
from dataclasses import dataclass

from django.utils.translation import gettext_lazy

from provisions.search.hits import Hit

# At most this many annotations matching a search are counted (its facets and its total) and
# ranked: a common word at 100,000 annotations costs what this many cost. With more, the counts
# and the results are over the newest this many matches, and the page says so ("1,000+").
COUNT_CAP = 1_000
# At most this many values of one facet are read from a URL; more is not a person clicking.
MAX_FACET_VALUES = 30
# Tags are open-ended: the facet lists the most frequent ones (and any selected).
MAX_TAG_OPTIONS = 15
KIND_LABELS = {
    "article": gettext_lazy("Articles"),
    "concern": gettext_lazy("Concerns"),
    "demand": gettext_lazy("Safeguard demands"),
    "annotation": gettext_lazy("Annotations"),
}
FACETS = ("kind", "chapter", "concern", "demand", "tag")


@dataclass(slots=True)
class FacetOption:
    value: str  # as it appears in the URL
    label: object  # a str; a concern's or demand's title as the reader's language has it
    # (Shown); a chapter's, a results.ChapterLabel (marked up in a template)
    count: int
    selected: bool
    at_least: bool  # the count is over the newest COUNT_CAP matches only: a lower bound
    input_id: str


@dataclass(slots=True)
class Facet:
    name: str  # the URL parameter
    legend: str
    options: list[FacetOption]

    @property
    def labels(self) -> list:
        """The options' labels: a concern's or demand's title is editorial content (a Shown,
        models/translations.py), whose English the page marks when it is not translated."""
        return [option.label for option in self.options]


def passes(hit: Hit, selected: dict[str, set], ignore: str | None = None) -> bool:
    """AND across facets, OR within one; `ignore` leaves one facet out (for its own counts)."""
    return all(
        hit.values(name) & wanted for name, wanted in selected.items() if wanted and name != ignore
    )


def facet_counts(hits: list[Hit], selected: dict[str, set]) -> dict[str, Counter]:
    """Per facet value: matches that would remain with that value, given the other facets."""
    counts = {name: Counter() for name in FACETS}
    for hit in hits:
        for name in FACETS:
            if passes(hit, selected, ignore=name):
                counts[name].update(hit.values(name))
    return counts


def facet_options(
    name, choices, counts: Counter, selected: set, limit=None, at_least=frozenset()
) -> list[FacetOption]:
    """choices: [(key, URL value, label)] in display order; empty unselected ones are left out.
    at_least: the keys whose counts are lower bounds (more matches than were counted)."""
    shown = [
        (key, value, label)
        for key, value, label in choices
        if counts[key] or key in selected  # a selected value stays, so it can be unticked
    ]
    if limit is not None and len(shown) > limit:
        top = {key for key, _count in counts.most_common(limit)}
        shown = [choice for choice in shown if choice[0] in top or choice[0] in selected]
    return [
        FacetOption(
            value=value,
            label=label,
            count=counts[key],
            selected=key in selected,
            at_least=key in at_least,
            input_id=f"facet-{name}-{value}",
        )
        for key, value, label in shown
    ]

"""The whole search: a (cleaned, non-empty) query, with the facet selections of the URL, becomes
the facets with their counts and the requested page of results, in a number of queries that
does not grow with the number of matches.
"""

from dataclasses import dataclass

from django.core.paginator import Paginator
from django.utils.translation import gettext as _

from provisions.citations import CitationMatch, parse_citation, resolve_citation
from provisions.models import Chapter, Concern, SafeguardDemand, Tag
from provisions.queries.headings import HeadingTitles
from provisions.queries.translations import with_translations
from provisions.search.annotation_matches import AnnotationMatches, Counted
from provisions.search.facets import (
    FACETS,
    KIND_LABELS,
    MAX_FACET_VALUES,
    MAX_TAG_OPTIONS,
    Facet,
    facet_counts,
    facet_options,
    passes,
)
from provisions.search.hits import KINDS, Hit, article_hits, point_hits
from provisions.search.results import ChapterLabel, load_page

RESULTS_PER_PAGE = 20


@dataclass(slots=True)
class SearchOutcome:
    total: int  # matches after the facets
    page: object  # django.core.paginator.Page of Result
    facets: list[Facet]
    any_selected: bool
    # More annotations matched than were counted (facets.COUNT_CAP): only the newest
    # `count_cap` were counted and ranked, `total` and the facets' counts are lower bounds, and
    # the pages end after `total` results.
    capped: bool = False
    count_cap: int = 0
    # When the query is a citation ("art. 24(2)"): the provision it names, shown first.
    cited: CitationMatch | None = None


def search(
    query: str,
    *,
    user,
    selected: dict[str, list[str]],
    page=1,
    language: str = "en",
    headings=None,
) -> SearchOutcome:
    """Run a (cleaned, non-empty) query for this user with facet selections from the URL.

    selected maps facet names ("kind", "chapter", "concern", "demand", "tag") to the values of
    the URL; unknown values are ignored. `language`: the reader's text language, whose
    version of the text is searched too, and first; `headings`, the page's HeadingTitles
    (queries/headings.py), titles the article results and the chapter filter in it.
    """
    citation = parse_citation(query)
    cited = resolve_citation(citation) if citation else None  # one query, citations only
    headings = headings or HeadingTitles(language)  # loads nothing until a heading is shown
    hits = [*article_hits(query, language), *point_hits(query)]  # the few: in Python
    annotations = AnnotationMatches(query, user)  # the many: in the database

    # The treaty too: a heading is looked up by treaty and number (queries/headings.py).
    chapters = list(Chapter.objects.order_by("position").only("pk", "treaty", "number", "title"))
    # Their titles in the reader's language: one query more each in another.
    concerns = list(
        with_translations(Concern.objects.order_by("position").only("pk", "slug", "title"))
    )
    demands = list(
        with_translations(SafeguardDemand.objects.order_by("position").only("pk", "slug", "title"))
    )
    # Only tags the user may see on some annotation: a draft's tag is neither listed nor, when
    # named in the URL, kept as a selected facet (which would tell that it exists).
    tags = list(Tag.objects.visible_to(user).order_by("name"))
    # NUL is dropped: PostgreSQL refuses it in a query, and no slug or number holds one.
    wanted = {
        name: [str(v).replace("\x00", "")[:100] for v in selected.get(name, ())][:MAX_FACET_VALUES]
        for name in FACETS
    }
    choices = {
        "kind": [(kind, kind, str(KIND_LABELS[kind])) for kind in KINDS],
        # In the reader's language, like every heading (queries/headings.py).
        "chapter": [(c.pk, c.number, ChapterLabel(c, headings)) for c in chapters],
        "concern": [(c.pk, c.slug, c.shown("title")) for c in concerns],
        "demand": [(d.pk, d.slug, d.shown("title")) for d in demands],
        "tag": [(t.pk, t.slug, f"#{t.name}") for t in tags],
    }
    active = {
        name: {key for key, value, _label in choices[name] if value in wanted[name]}
        for name in FACETS
    }
    counts = facet_counts(hits, active)
    counted = annotations.counted(active)
    capped = counted.capped
    for name in FACETS:
        counts[name].update(counted.counts[name])
    legends = {
        "kind": _("Kind of result"),
        "chapter": _("Chapter"),
        "concern": _("Concern"),
        "demand": _("Safeguard demand"),
        "tag": _("Tag"),
    }
    facets = [
        Facet(
            name,
            legends[name],
            facet_options(
                name,
                choices[name],
                counts[name],
                active[name],
                limit=MAX_TAG_OPTIONS if name == "tag" else None,
                # Articles, concerns and demands are counted in full, annotations up to the cap.
                at_least=_lower_bounds(name, choices[name], capped),
            ),
        )
        for name in FACETS
    ]

    merged = _MergedHits(
        sorted((hit for hit in hits if passes(hit, active)), key=lambda hit: hit.sort_key),
        counted,
    )
    page_obj = Paginator(merged, RESULTS_PER_PAGE).get_page(page)
    page_obj.object_list = load_page(list(page_obj.object_list), query, user, language, headings)
    return SearchOutcome(
        total=len(merged),
        page=page_obj,
        facets=[facet for facet in facets if facet.options],
        any_selected=any(active.values()),
        cited=cited,
        capped=capped,
        count_cap=annotations.count_cap,
    )


def _lower_bounds(name: str, choices, capped: bool) -> set:
    """The values of a facet whose counts are lower bounds: with more matching annotations than
    were counted, every value an annotation may have."""
    if not capped:
        return set()
    if name == "kind":
        return {"annotation"}
    return {key for key, _value, _label in choices}


class _MergedHits:
    """All results in order, for the paginator: the few hits in memory merged with the best
    ranked annotations, of which only as many as the requested page needs become hits."""

    def __init__(self, few: list[Hit], annotations: Counted):
        self.few, self.annotations = few, annotations

    def __len__(self) -> int:
        return len(self.few) + self.annotations.total

    def __getitem__(self, index: slice) -> list[Hit]:
        stop = min(index.stop, len(self))
        best = self.annotations.best(stop)
        return sorted([*self.few, *best], key=lambda hit: hit.sort_key)[index.start : stop]

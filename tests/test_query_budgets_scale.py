"""Query budgets at two data sizes: the public pages and the API list cost the same number of
queries with 5 or 200 annotations on Article 24 and 10 or 300 extra links (the guard against
N+1 regressions; bench/ measures the time).

The page cache is off in tests (treatywatch/test_settings.py): these are the queries of a render,
what a cache miss costs.
"""

import re

import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone

from provisions.models import (
    Annotation,
    Concern,
    Provision,
    ProvisionLink,
    SafeguardDemand,
    Tag,
)

pytestmark = pytest.mark.django_db

CONCERN = "weak-procedural-safeguards"
DEMAND = "laws-meet-human-rights-standards"
# (address, budget): the budget holds at both sizes, and both sizes cost exactly the same.
PAGES = [
    ("/", 9),
    ("/convention/", 3),
    ("/convention/articles/24/", 10),
    ("/concerns/", 2),
    (f"/concerns/{CONCERN}/", 7),
    (f"/concerns/{CONCERN}/?page=3", 7),
    ("/safeguards/", 2),
    (f"/safeguards/{DEMAND}/", 8),
    ("/coverage/", 7),
    ("/search/?q=surveillance", 11),
    ("/api/v1/annotations?article=24", 5),
    ("/api/v1/annotations?article=24&page_size=100", 5),
]


def add_annotations(author, n: int) -> None:
    """n published annotations on Article 24, each with a concern, a demand, two tags and a
    published reply: every relation a page shows."""
    provision = Provision.objects.get(eid="art_24")
    concern = Concern.objects.get(slug=CONCERN)
    demand = SafeguardDemand.objects.get(slug=DEMAND)
    tags = Tag.objects.bulk_create(
        [Tag(name=f"scale {i} {n}", slug=f"scale-{i}-{n}") for i in range(2)]
    )
    now = timezone.now()

    def annotation(i, parent=None):
        return Annotation(
            provision=provision,
            author=author,
            in_reply_to=parent,
            body=f"Note {i} on surveillance",
            body_html=f"<p>Note {i} on surveillance</p>",
            status="published",
            published_at=now,
            selectors=[
                {"type": "TextQuoteSelector", "exact": provision.text[i % 40 : i % 40 + 6]},
                {"type": "TextPositionSelector", "start": i % 40, "end": i % 40 + 6},
            ],
        )

    parents = Annotation.objects.bulk_create(annotation(i) for i in range(n))
    Annotation.objects.bulk_create(annotation(i, parent) for i, parent in enumerate(parents))
    Annotation.concerns.through.objects.bulk_create(
        Annotation.concerns.through(annotation_id=a.pk, concern_id=concern.pk) for a in parents
    )
    Annotation.demands.through.objects.bulk_create(
        Annotation.demands.through(annotation_id=a.pk, safeguarddemand_id=demand.pk)
        for a in parents
    )
    Annotation.tags.through.objects.bulk_create(
        Annotation.tags.through(annotation_id=a.pk, tag_id=t.pk) for a in parents for t in tags
    )


def add_links(n: int) -> None:
    concerns = list(Concern.objects.all())
    demands = list(SafeguardDemand.objects.all())
    provisions = list(Provision.objects.filter(article__number__in=[24, 25, 26, 35]))
    ProvisionLink.objects.bulk_create(
        ProvisionLink(
            provision=provisions[i % len(provisions)],
            concern=concerns[i % len(concerns)] if i % 3 else None,
            demand=None if i % 3 else demands[i % len(demands)],
            kind="raises" if i % 3 else "safeguard_applies",
            rationale=f"scale {i}",
            status="approved",
            reviewed_at=timezone.now(),
        )
        for i in range(n)
    )


def query_counts(client, django_assert_max_num_queries) -> dict[str, int]:
    counts = {}
    for url, budget in PAGES:
        with django_assert_max_num_queries(budget) as captured:
            response = client.get(url)
        assert response.status_code == 200, url
        counts[url] = len(captured.captured_queries)
    with django_assert_max_num_queries(9) as captured:
        assert client.get("/convention/articles/24/", HTTP_HX_REQUEST="true").status_code == 200
    counts["article fragment"] = len(captured.captured_queries)
    return counts


def test_public_pages_and_api_list_cost_the_same_queries_at_two_sizes(
    client, analyst, django_assert_max_num_queries
):
    add_annotations(analyst, 5)
    add_links(10)
    small = query_counts(client, django_assert_max_num_queries)
    add_annotations(analyst, 195)
    add_links(290)
    large = query_counts(client, django_assert_max_num_queries)
    assert large == small, (small, large)
    html = client.get("/convention/articles/24/").content.decode()
    assert html.count('class="annotation-card') >= 200  # the large size is really on the page


def test_signed_in_article_page_costs_the_same_at_two_sizes(
    client, analyst, editor, django_assert_max_num_queries
):
    """Members never get the cached page, so their render must not grow either."""
    client.force_login(editor)
    add_annotations(analyst, 5)
    with django_assert_max_num_queries(20) as small:
        assert client.get("/convention/articles/24/").status_code == 200
    add_annotations(analyst, 195)
    add_links(300)
    with django_assert_max_num_queries(20) as large:
        assert client.get("/convention/articles/24/").status_code == 200
    assert len(large.captured_queries) == len(small.captured_queries)


def test_concern_and_safeguard_pages_show_their_analysis_a_page_at_a_time(client, analyst):
    """A concern tied to thousands of annotations must not become a page of megabytes: 25 per
    page, in the order of the text, every one reachable by the numbered links."""
    per_page = 25
    add_annotations(analyst, 2 * per_page + 3)
    for url in (f"/concerns/{CONCERN}/", f"/safeguards/{DEMAND}/"):
        seen = []
        for number in (1, 2, 3):
            html = client.get(f"{url}?page={number}").content.decode()
            cards = re.findall(r'id="annotation-(\d+)"', html)
            assert len(cards) == (per_page if number < 3 else 3), (url, number)
            seen += cards
            assert f"Page {number} of 3." in html
            assert "53 published annotations, in the order of the text." in html
        assert len(set(seen)) == 2 * per_page + 3
        first = client.get(url).content.decode()
        assert 'rel="next" href="?page=2#annotations-title"' in first
        assert '<span class="visually-hidden">Page </span>3</a>' in first
        # A page past the end or not a number is answered with the nearest page, not an error.
        assert client.get(f"{url}?page=99").status_code == 200
        assert client.get(f"{url}?page=abc").status_code == 200


STATE_PAGES = [
    ("/states/", 2),
    ("/states/mli/", 5),
    ("/states/map.svg", 2),
    ("/scorecard/", 4),
    (f"/safeguards/{DEMAND}/", 4),  # no annotations here: PAGES above counts those
    ("/states/export.csv", 7),
    ("/states/export.json", 7),
    ("/api/v1/states", 7),
    ("/api/v1/states/mli", 5),  # Mali has no declaration: no provisions to prefetch
    ("/feeds/states.atom", 2),
    # Names in other languages come from CLDR, not the database: the same budgets, but for the
    # one query that reads the demands' editorial translations where a page names demands
    # (docs/editorial-translations.md).
    ("/fr/states/", 2),
    ("/ar/states/mli/", 6),
    ("/zh-hans/states/map.svg", 2),
    ("/ru/scorecard/", 5),
    ("/es/feeds/states.atom", 2),
]


def add_treaty_actions(n: int) -> None:
    """n parties that signed and ratified, each with a declaration on Article 24 (bulk)."""
    import datetime

    from provisions.models import Declaration, Party, TreatyAction

    source = "https://treaties.example.org/XVIII-16"
    parties = list(Party.objects.filter(actions__isnull=True, kind="state")[:n])
    TreatyAction.objects.bulk_create(
        TreatyAction(party=p, kind=kind, date=datetime.date(2026, 1, 1), source=source)
        for p in parties
        for kind in ("signature", "ratification")
    )
    declarations = Declaration.objects.bulk_create(
        Declaration(party=p, kind="declaration", date=datetime.date(2026, 1, 1), source=source)
        for p in parties
    )
    provision = Provision.objects.get(eid="art_24")
    Declaration.provisions.through.objects.bulk_create(
        Declaration.provisions.through(declaration_id=d.pk, provision_id=provision.pk)
        for d in declarations
    )
    # And a published commitment of each of them (and of Mali) to every demand.
    from provisions.models import Commitment

    author = get_user_model().objects.get(username="alice")
    now = timezone.now()
    Commitment.objects.bulk_create(
        Commitment(
            party=p,
            demand=demand,
            level="committed",
            evidence_url=source,
            author=author,
            status="published",
            published_at=now,
        )
        for p in [*parties, Party.objects.get(code="MLI")]
        for demand in SafeguardDemand.objects.all()
    )


def test_state_pages_cost_the_same_queries_at_two_sizes(client, analyst, django_assert_num_queries):
    """/states/ reads every party with its actions in two queries, whatever their number; a
    party's page adds its declarations; the article page one query for its declarations."""
    pages = [*STATE_PAGES, ("/convention/articles/24/", 6)]

    def counts():
        found = {}
        for url, budget in pages:
            with django_assert_num_queries(budget):
                assert client.get(url).status_code == 200, url
            found[url] = budget
        return found

    add_treaty_actions(5)
    small = counts()
    add_treaty_actions(120)
    large = counts()
    assert large == small, (small, large)
    assert "125 parties shown" in client.get("/states/?status=party").content.decode()

"""Every public reading page: content, 404s, and a query budget that ignores data volume."""

import re

import pytest
from django.urls import reverse
from django.utils import timezone

from provisions.models import Concern, Provision, ProvisionLink, SafeguardDemand
from tests.helpers import text_of

pytestmark = pytest.mark.django_db


def test_home_shows_treaty_concerns_and_coverage(client):
    response = client.get("/")
    html = response.content.decode()
    assert response.status_code == 200
    assert "United Nations Convention against Cybercrime" in html
    assert "Powers reach any &#x27;serious crime&#x27;" in html
    assert "Coverage at a glance" in html
    assert "IV. Procedural measures and law enforcement" in html


def test_toc_lists_all_chapters_and_articles(client):
    html = client.get("/convention/").content.decode()
    for n in range(1, 69):
        assert f'href="/convention/articles/{n}/"' in html
    assert html.count('class="toc-chapter"') == 9
    assert "unconfirmed title" in html


def test_article_24_page(client):
    response = client.get("/convention/articles/24/")
    html = response.content.decode()
    assert response.status_code == 200
    assert 'id="art_24"' in html
    assert "Conditions and safeguards" in html
    assert "Editorial summary — not the official text" in html
    # Chapter breadcrumb and previous / next.
    assert "Chapter IV. Procedural measures and law enforcement" in html
    assert 'rel="prev" href="/convention/articles/23/"' in html
    assert 'rel="next" href="/convention/articles/25/"' in html
    # Linked concern with kind, rationale, confidence and sources; linked demand.
    assert "Weak domestic safeguards in the procedural chapter" in html
    assert "Raises this concern" in html
    assert "Confidence" in html and "Medium" in html
    assert "Ensure national laws meet international human-rights standards" in html


def test_first_and_last_article_have_one_neighbour(client):
    first = text_of(client.get("/convention/articles/1/"))
    last = text_of(client.get("/convention/articles/68/"))
    assert 'rel="prev"' not in first and 'rel="next"' in first
    assert 'rel="next"' not in last and 'rel="prev"' in last


def test_concern_serious_crime_scope_shows_articles_2_23_35(client):
    html = client.get("/concerns/serious-crime-scope/").content.decode()
    for n in (2, 23, 35):
        assert f'href="/convention/articles/{n}/#art_{n}"' in html
    assert "Chapter I. General provisions" in html
    assert "Chapter IV. Procedural measures and law enforcement" in html
    assert "punishable by at least four years" in html


def test_concern_and_safeguard_lists(client):
    html = client.get("/concerns/").content.decode()
    assert len(set(re.findall(r'href="/concerns/([a-z-]+)/"', html))) == 11
    html = client.get("/safeguards/").content.decode()
    assert len(set(re.findall(r'href="/safeguards/([a-z-]+)/"', html))) == 6


def test_safeguard_detail(client):
    # The test's own link, not the seed's (editors may correct or reject those).
    ProvisionLink.objects.filter(demand__slug="right-to-decline-cooperation").delete()
    ProvisionLink.objects.create(
        provision=Provision.objects.get(eid="art_40"),
        demand=SafeguardDemand.objects.get(slug="right-to-decline-cooperation"),
        kind="safeguard_applies",
        rationale="Where a State would decline.",
        sources=["https://example.org/why"],
        status="approved",
        reviewed_at=timezone.now(),
    )
    html = text_of(client.get("/safeguards/right-to-decline-cooperation/"))
    assert "Reserve the right to decline cooperation" in html
    assert 'href="/convention/articles/40/#art_40"' in html
    assert "<p>Where a State would decline.</p>" in html
    assert '<a href="https://example.org/why" rel="nofollow noopener noreferrer">' in html


def test_every_safeguard_page_describes_its_demand(client):
    """Each demand's page says what the coalition asks, in the statement's words as reported."""
    from provisions.models import SafeguardDemand

    demands = list(SafeguardDemand.objects.all())
    assert len(demands) == 6
    for demand in demands:
        assert demand.point.startswith("Do not sign or ratify the Convention unless you commit to")
        html = text_of(client.get(demand.get_absolute_url()))
        assert f'<blockquote class="coalition-point"><p>{demand.point}</p>' in html
        assert "joint statement, October 2025 (paraphrased)" in html


def test_about_names_signatories_and_editorial_nature(client):
    html = client.get("/about/").content.decode()
    for name in ("Access Now", "Human Rights Watch", "Fundación Karisma", "EngageMedia"):
        assert name in html
    assert "editorial mapping" in html


def test_only_approved_links_are_public(client, analyst):
    concern = Concern.objects.get(slug="gender-risks")
    provision = Provision.objects.get(eid="art_30")
    ProvisionLink.objects.create(
        provision=provision, concern=concern, rationale="SECRET-PROPOSAL", proposed_by=analyst
    )
    for url in ("/convention/articles/30/", "/concerns/gender-risks/"):
        assert "SECRET-PROPOSAL" not in text_of(client.get(url))


@pytest.mark.parametrize(
    "url",
    [
        "/convention/articles/0/",
        "/convention/articles/69/",
        "/concerns/nope/",
        "/safeguards/nope/",
        "/nowhere/",
    ],
)
def test_friendly_404(client, url):
    response = client.get(url)
    assert response.status_code == 404
    assert "We could not find that page" in response.content.decode()


def test_healthz(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json()["database"] == "up"


def test_healthz_costs_exactly_one_query(django_assert_num_queries):
    """Its own `SELECT 1`, nothing else: no middleware (sessions, authentication, two-factor,
    idle timeout, axes, private responses) reads the database for an anonymous monitor."""
    from django.test import Client

    Client().get("/healthz")  # warm: anything done once per process is not counted below
    with django_assert_num_queries(1) as queries:
        response = Client().get("/healthz")
    assert response.status_code == 200
    assert queries.captured_queries[0]["sql"].strip() == "SELECT 1"


PAGES = [
    ("provisions:home", {}),
    ("provisions:toc", {}),
    ("provisions:article", {"number": 24}),
    ("provisions:concerns", {}),
    ("provisions:concern", {"slug": "weak-procedural-safeguards"}),
    ("provisions:safeguards", {}),
    ("provisions:safeguard", {"slug": "laws-meet-human-rights-standards"}),
    ("provisions:about", {}),
]


def _add_links(n):
    concerns = list(Concern.objects.all())
    provisions = list(Provision.objects.filter(article__number__in=[24, 25, 26, 35]))
    ProvisionLink.objects.bulk_create(
        ProvisionLink(
            provision=provisions[i % len(provisions)],
            concern=concerns[i % len(concerns)],
            rationale=f"extra {i}",
            status="approved",
            reviewed_at="2025-11-01T00:00:00Z",
        )
        for i in range(n)
    )


@pytest.mark.parametrize(("name", "kwargs"), PAGES)
def test_query_budget_does_not_grow_with_links(client, django_assert_max_num_queries, name, kwargs):
    url = reverse(name, kwargs=kwargs)
    budget = 8  # fixed per page: no N+1 over links, concerns or articles
    with django_assert_max_num_queries(budget) as before:
        assert client.get(url).status_code == 200
    _add_links(120)
    with django_assert_max_num_queries(budget) as after:
        assert client.get(url).status_code == 200
    assert len(after.captured_queries) == len(before.captured_queries), url

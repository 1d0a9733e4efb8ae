"""The benchmark's data generator (bench/generate.py), on a tiny size.

Guards: the counts it promises (the featured article's exact published count, replies, links),
rows as the services would have left them (rendered bodies, valid selectors, one revision whose
snapshot is what services.history records), the same data for the same seed, progress lines,
refusal to run twice, and that no cached page survives it.
"""

import io

import pytest
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.core.management import call_command
from django.db import connection, transaction
from django.test import Client

from bench.generate import LOGIN_ANALYST, generate
from provisions.anchoring import normalise_selectors
from provisions.cache.process_pages import process_pages
from provisions.models import Annotation, ProvisionLink, Revision
from provisions.rendering import render_markdown
from provisions.services import history

pytestmark = pytest.mark.django_db

TOTAL, FEATURED, LINKS = 80, 20, 12


@pytest.fixture
def generated():
    lines = []
    report = generate(
        TOTAL,
        featured=FEATURED,
        links=LINKS,
        login_password="bench-pass-12345",
        progress=lines.append,
    )
    return report, lines


def test_counts_and_the_featured_article(generated):
    report, _ = generated
    annotations = Annotation.objects.filter(author__username__startswith="bench-")
    assert annotations.count() == TOTAL == report.annotations
    on_24 = annotations.filter(provision__article__number=24)
    assert on_24.filter(status="published", in_reply_to__isnull=True).count() == FEATURED
    assert report.featured_published == FEATURED
    # Also some published replies there, and work the public never sees.
    assert on_24.filter(status="published", in_reply_to__isnull=False).exists()
    assert on_24.exclude(status="published").exists()
    assert report.replies == annotations.filter(in_reply_to__isnull=False).count() > 0
    assert set(annotations.values_list("status", flat=True)) == {
        "draft",
        "submitted",
        "published",
        "rejected",
    }
    assert annotations.filter(provision__article__number__in=[5, 15, 45]).exists()  # spread out
    assert annotations.exclude(provision__article__number=24).filter(tags__isnull=False).exists()
    assert ProvisionLink.objects.filter(is_editorial=False).count() == LINKS == report.links


def test_rows_look_as_the_services_would_have_left_them(generated):
    for annotation in Annotation.objects.filter(author__username__startswith="bench-"):
        assert annotation.body_html == render_markdown(annotation.body)
        if annotation.selectors:
            assert normalise_selectors(annotation.provision.text, annotation.selectors) == (
                annotation.selectors
            )
        if annotation.in_reply_to_id:
            assert annotation.in_reply_to.status == "published"
            assert annotation.in_reply_to.in_reply_to_id is None  # threads one level deep
            assert annotation.provision_id == annotation.in_reply_to.provision_id
        if annotation.status == "published":
            assert annotation.published_at and annotation.reviewed_by_id
        revision = Revision.objects.get(target_type="annotation", target_id=annotation.pk)
        assert revision.snapshot == history.annotation_snapshot(annotation)
        assert revision.version == annotation.version
    for link in ProvisionLink.objects.filter(is_editorial=False):
        revision = Revision.objects.get(target_type="link", target_id=link.pk)
        assert revision.snapshot == history.link_snapshot(link)
        assert (link.reviewed_at is None) == (link.status == "proposed")


def test_bodies_are_rendered_once_per_template(generated):
    report, _ = generated
    distinct = Annotation.objects.values("body").distinct().count()
    assert report.bodies_rendered == distinct < TOTAL


def test_progress_lines_count_and_end_with_a_summary(generated):
    _, lines = generated
    batches = [line for line in lines if "annotations" in line and "%" in line]
    assert batches and f"{TOTAL}/{TOTAL} (100%)" in batches[-1]
    assert lines[-1].startswith("Done in ")


def test_the_login_analyst_has_the_password_and_the_role(generated):
    user = get_user_model().objects.get(username=LOGIN_ANALYST)
    assert user.check_password("bench-pass-12345")
    assert user.groups.filter(name="Analysts").exists()
    assert not get_user_model().objects.get(username="bench-analyst-01").has_usable_password()


def test_refuses_a_database_that_already_has_bench_data(generated):
    with pytest.raises(RuntimeError, match="already holds benchmark data"):
        generate(TOTAL, featured=FEATURED, progress=lambda line: None)


def test_the_same_seed_gives_the_same_data():
    class Undo(Exception):
        pass

    def once():
        try:
            with transaction.atomic():
                generate(TOTAL, featured=FEATURED, links=LINKS, progress=lambda line: None)
                rows = list(
                    Annotation.objects.filter(author__username__startswith="bench-")
                    .order_by("pk")
                    .values_list(
                        "provision__eid", "body", "status", "selectors", "author__username"
                    )
                )
                raise Undo
        except Undo:
            return rows

    assert once() == once()


@pytest.mark.skipif(connection.vendor != "postgresql", reason="search vectors are PostgreSQL's")
def test_search_vectors_are_filled(generated):
    assert not Annotation.objects.filter(search_vector__isnull=True).exists()


def test_no_cached_page_survives_the_generation(settings):
    settings.TREATYWATCH_PAGE_CACHE = True
    cache.clear()
    process_pages.clear()
    Client().get("/convention/articles/24/")
    assert Client().get("/convention/articles/24/")["X-Page-Cache"] == "hit"
    generate(TOTAL, featured=FEATURED, links=LINKS, progress=lambda line: None)
    response = Client().get("/convention/articles/24/")
    assert response["X-Page-Cache"] == "miss"
    assert response.content.decode().count('class="annotation-card') == FEATURED


def test_management_command():
    out = io.StringIO()
    call_command("generate_bench_data", annotations=TOTAL, featured=FEATURED, stdout=out)
    assert "(100%)" in out.getvalue()
    assert Annotation.objects.filter(author__username__startswith="bench-").count() == TOTAL

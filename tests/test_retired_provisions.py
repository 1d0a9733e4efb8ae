"""A provision dropped by an import is kept for comparison but no longer read, found or exported."""

import pytest

from provisions.models import Provision
from tests.helpers import text_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def retired():
    article_provision = Provision.objects.get(eid="art_30")
    return Provision.objects.create(
        treaty=article_provision.treaty,
        article=article_provision.article,
        parent=article_provision,
        eid="art_30__para_9",
        kind="paragraph",
        label="9",
        position=30_900,
        text="Zebrafishlike wording that a later import dropped.",
        is_official_text=True,
        retired_in="Official v2",
    )


def test_not_on_the_article_page_nor_in_the_annotate_form(client, analyst, retired):
    assert "Zebrafishlike" not in text_of(client.get("/convention/articles/30/"))
    client.force_login(analyst)
    form = text_of(client.get("/convention/articles/30/annotate/"))
    assert "art_30__para_9" not in form


def test_not_found_by_search(client, retired):
    html = text_of(client.get("/search/?q=Zebrafishlike"))
    assert 'href="/convention/articles/30/' not in html


def test_not_in_exports(client, retired):
    for url in ("/convention/articles/30/export.json", "/export/dataset.json"):
        assert "Zebrafishlike" not in text_of(client.get(url)), url

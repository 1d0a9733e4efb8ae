"""Database constraints guard the data even when code forgets to."""

import pytest
from django.db import IntegrityError, transaction

from provisions.models import Article, Concern, Provision, ProvisionLink, SafeguardDemand

pytestmark = pytest.mark.django_db


def test_link_needs_exactly_one_target():
    provision = Provision.objects.get(eid="art_24")
    concern = Concern.objects.first()
    demand = SafeguardDemand.objects.first()
    with pytest.raises(IntegrityError), transaction.atomic():
        ProvisionLink.objects.create(
            provision=provision, rationale="both", concern=concern, demand=demand
        )
    with pytest.raises(IntegrityError), transaction.atomic():
        ProvisionLink.objects.create(provision=provision, rationale="neither")


def test_link_status_and_confidence_are_checked():
    provision = Provision.objects.get(eid="art_24")
    concern = Concern.objects.first()
    with pytest.raises(IntegrityError), transaction.atomic():
        ProvisionLink.objects.create(
            provision=provision, concern=concern, rationale="x", status="maybe"
        )
    with pytest.raises(IntegrityError), transaction.atomic():
        ProvisionLink.objects.create(
            provision=provision, concern=concern, rationale="x", confidence="certain"
        )


def test_reviewed_link_needs_a_review_time():
    provision = Provision.objects.get(eid="art_24")
    with pytest.raises(IntegrityError), transaction.atomic():
        ProvisionLink.objects.create(
            provision=provision, concern=Concern.objects.first(), rationale="x", status="approved"
        )


def test_eid_is_unique_per_treaty_and_well_formed():
    existing = Provision.objects.get(eid="art_24")
    with pytest.raises(IntegrityError), transaction.atomic():
        Provision.objects.create(
            treaty=existing.treaty,
            article=existing.article,
            eid="art_24",
            kind="article",
            position=1,
            text="duplicate",
        )
    with pytest.raises(IntegrityError), transaction.atomic():
        Provision.objects.create(
            treaty=existing.treaty,
            article=existing.article,
            eid="Art 24!",
            kind="article",
            position=2,
            text="bad eid",
        )


def test_article_numbers_are_unique():
    article = Article.objects.get(number=24)
    with pytest.raises(IntegrityError), transaction.atomic():
        Article.objects.create(
            treaty=article.treaty, chapter=article.chapter, number=24, title="again", summary="x"
        )


def test_point_kinds_are_named_once():
    """The cache's point kinds are the models' (docs/architecture.md)."""
    from provisions.cache.scopes import POINT_KINDS
    from provisions.models import POINT_MODELS

    assert tuple(POINT_MODELS) == POINT_KINDS
    assert {model.public_name for model in POINT_MODELS.values()} == {"concern", "safeguard"}

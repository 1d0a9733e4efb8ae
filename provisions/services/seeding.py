"""Load the Convention's structure and the coalition statement from the bundled fixtures.

Idempotent: each object is found by its natural key and only written when it differs, so a
second run changes nothing (and reports zero changes). A safeguard demand's links are the
exception: created when missing and never rewritten, since editors correct them afterwards.
"""

import datetime
import json
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.db import transaction

from provisions.cache.generations import everything_changed
from provisions.models import (
    Article,
    Chapter,
    Concern,
    Organisation,
    Provision,
    ProvisionLink,
    SafeguardDemand,
    Statement,
    Treaty,
)
from provisions.search.vectors import update_search_vectors

FIXTURES = Path(settings.BASE_DIR) / "fixtures"
TREATY_SLUG = "un-cybercrime-convention"
STATEMENT_SLUG = "coalition-2025"


@dataclass
class SeedReport:
    created: dict[str, int] = field(default_factory=dict)
    updated: dict[str, int] = field(default_factory=dict)

    def count(self, model, created: bool, changed: bool) -> None:
        name = model._meta.verbose_name_plural
        if created:
            self.created[name] = self.created.get(name, 0) + 1
        elif changed:
            self.updated[name] = self.updated.get(name, 0) + 1

    @property
    def changes(self) -> int:
        return sum(self.created.values()) + sum(self.updated.values())


def _upsert(report: SeedReport, model, lookup: dict, values: dict):
    """get_or_create, then update only the fields that differ (so re-runs write nothing)."""
    obj, created = model.objects.get_or_create(**lookup, defaults=values)
    changed = False
    if not created:
        for name, value in values.items():
            if getattr(obj, name) != value:
                setattr(obj, name, value)
                changed = True
        if changed:
            obj.save(update_fields=list(values))
    report.count(model, created, changed)
    return obj


def _create_missing(report: SeedReport, model, lookup: dict, values: dict):
    """get_or_create and nothing more: for rows that editors own once they exist (the
    statement, its signatories, concerns, demands and their links), so that a re-seed on
    deploy never overwrites an editor's correction nor brings back a rejected link. Fixes to
    the shipped data reach existing databases through a data migration (as 0016 did)."""
    obj, created = model.objects.get_or_create(**lookup, defaults=values)
    report.count(model, created, False)
    return obj


def _date(value: str | None):
    return datetime.date.fromisoformat(value) if value else None


@transaction.atomic
def seed_convention(*, data: dict | None = None, report: SeedReport | None = None) -> SeedReport:
    data = data or json.loads((FIXTURES / "convention.json").read_text(encoding="utf-8"))
    report = report or SeedReport()
    facts = data["treaty"]
    treaty = _upsert(
        report,
        Treaty,
        {"slug": TREATY_SLUG},
        {
            "short_title": facts["short_title"],
            "subtitle": facts.get("subtitle", ""),
            "also_known_as": facts.get("also_known_as", []),
            "adopted_on": _date(facts["adopted"]["date"]),
            "adopted_by": facts["adopted"]["by"],
            "opened_for_signature_on": _date(facts["opened_for_signature"]["date"]),
            "signature_place": facts["opened_for_signature"]["place"],
            "signature_then": facts["opened_for_signature"].get("then", ""),
            "signatories_at_opening": facts.get("signatories_at_hanoi_ceremony"),
            "entry_into_force_rule": facts.get("entry_into_force_rule", ""),
            "reference": facts.get("treaty_collection_reference", ""),
            "sources": facts.get("sources", []),
        },
    )
    for position, chapter_data in enumerate(data["chapters"], start=1):
        chapter = _upsert(
            report,
            Chapter,
            {"treaty": treaty, "number": chapter_data["number"]},
            {"position": position, "title": chapter_data["title"]},
        )
        for article_data in chapter_data["articles"]:
            number = article_data["number"]
            article, created = Article.objects.get_or_create(
                treaty=treaty,
                number=number,
                defaults={
                    "chapter": chapter,
                    "title": article_data["title"],
                    "title_confirmed": article_data.get("checked", False),
                    "title_source": article_data.get("source", ""),
                    "summary": article_data["summary"],
                },
            )
            changed = False
            if not created:
                # Once the official text confirmed a title, the import owns it: never revert.
                values = {"chapter": chapter, "summary": article_data["summary"]}
                if not article.title_confirmed:
                    values |= {
                        "title": article_data["title"],
                        "title_confirmed": article_data.get("checked", False),
                        "title_source": article_data.get("source", ""),
                    }
                for name, value in values.items():
                    if getattr(article, name) != value:
                        setattr(article, name, value)
                        changed = True
                if changed:
                    article.save()
            report.count(Article, created, changed)
            _seed_article_provision(report, treaty, article)
    update_search_vectors(articles=treaty.articles.all(), provisions=treaty.provisions.all())
    if report.changes:
        everything_changed()
    return report


def _seed_article_provision(report: SeedReport, treaty: Treaty, article: Article) -> None:
    provision = Provision.objects.filter(treaty=treaty, eid=article.eid).first()
    if provision is None:
        Provision.objects.create(
            treaty=treaty,
            article=article,
            eid=article.eid,
            kind=Provision.Kind.ARTICLE,
            label=str(article.number),
            position=article.number * 1000,
            text=article.summary,
            is_official_text=False,
        )
        report.count(Provision, True, False)
    elif not provision.is_official_text and provision.text != article.summary:
        # Until the official text is imported, the provision reads as the summary.
        provision.text = article.summary
        provision.save(update_fields=["text"])
        report.count(Provision, False, True)


@transaction.atomic
def seed_statement(*, data: dict | None = None, report: SeedReport | None = None) -> SeedReport:
    data = data or json.loads((FIXTURES / "coalition-statement.json").read_text(encoding="utf-8"))
    report = report or SeedReport()
    treaty = Treaty.objects.get(slug=TREATY_SLUG)
    info = data["statement"]
    statement = _create_missing(
        report,
        Statement,
        {"slug": STATEMENT_SLUG},
        {
            "title": info["title"],
            "issued": info["issued"],
            "occasion": info.get("occasion", ""),
            "supporters_count_text": info.get("supporters_count_text", ""),
            "also_signed": info.get("also", ""),
            "calls_also": data.get("calls_also", []),
            "about_mappings": data.get("about", ""),
        },
    )
    # Signatories are seeded once, with the statement: an editor may correct a name, and a
    # lookup by name would then bring the old spelling back as a second signatory.
    if not statement.signatories.exists():
        for position, name in enumerate(info["named_signatories"], start=1):
            _create_missing(
                report, Organisation, {"statement": statement, "name": name}, {"position": position}
            )

    provisions = {
        p.article.number: p
        for p in Provision.objects.filter(
            treaty=treaty, kind=Provision.Kind.ARTICLE
        ).select_related("article")
    }

    for position, item in enumerate(data["concerns"], start=1):
        concern = _create_missing(
            report,
            Concern,
            {"slug": item["slug"]},
            {
                "statement": statement,
                "title": item["title"],
                "point": item["seed_point"],
                "position": position,
            },
        )
        for link in item["links"]:
            for number in link["articles"]:
                _create_missing(
                    report,
                    ProvisionLink,
                    {"provision": provisions[number], "concern": concern, "is_editorial": True},
                    {
                        "kind": ProvisionLink.Kind.RAISES,
                        "rationale": link["why"],
                        "sources": link.get("sources", []),
                        "confidence": link["confidence"],
                        "locator_hint": link.get("paragraph_hint", ""),
                        **_approved_editorially(),
                    },
                )

    for position, item in enumerate(data["safeguard_demands"], start=1):
        demand = _create_missing(
            report,
            SafeguardDemand,
            {"slug": item["slug"]},
            {
                "statement": statement,
                "title": item["title"],
                # The demand in the statement's words as reported (shown as paraphrased).
                "point": item.get("seed_point", ""),
                "position": position,
            },
        )
        for link in item["links"]:
            for number in link["articles"]:
                _create_missing(
                    report,
                    ProvisionLink,
                    {"provision": provisions[number], "demand": demand, "is_editorial": True},
                    {
                        "kind": link["kind"],
                        "rationale": link["why"],
                        "sources": link["sources"],
                        "confidence": link["confidence"],
                        **_approved_editorially(),
                    },
                )
    update_search_vectors(concerns=Concern.objects.all(), demands=SafeguardDemand.objects.all())
    if report.changes:
        everything_changed()
    return report


# The statement was published in October 2025; its editorial links count as reviewed then.
EDITORIAL_REVIEW_TIME = datetime.datetime(2025, 10, 27, tzinfo=datetime.UTC)


def _approved_editorially() -> dict:
    return {"status": ProvisionLink.Status.APPROVED, "reviewed_at": EDITORIAL_REVIEW_TIME}


def seed_demo() -> list[str]:
    """Demo members and analysis; returns lines telling a person how to sign in."""
    from provisions.services.demo import create_demo_content

    return create_demo_content()

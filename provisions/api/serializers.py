"""Models → plain dicts for the JSON API (and for anything else that exports JSON).

Plain functions, no framework. Callers pass querysets that already carry the related objects a
function reads (see each docstring), so serialising a page of rows costs no extra queries.
`request` is only used for `request.build_absolute_uri(path)`: outside a request (an export
command), pass any object with that method.
Annotations, as W3C Web Annotations, are in w3c.py.
"""

from django.urls import reverse

from provisions.models import (
    Article,
    Chapter,
    Provision,
    ProvisionLink,
    Treaty,
)


def iso(value) -> str | None:
    """A date or datetime as ISO 8601 (the API's and the downloads' one format), or None."""
    return value.isoformat() if value else None


def absolute(request, path: str) -> str:
    return request.build_absolute_uri(path)


def provision_permalink(provision: Provision, request) -> str:
    """Absolute address of a provision in the reading pages (article page + "#eid").

    Needs provision.article loaded (select_related("provision__article") from an annotation).
    """
    return absolute(request, provision.get_absolute_url())


def link_to_dict(link: ProvisionLink, request) -> dict:
    """A concern/safeguard → provision link. Reads link.provision.article, concern and demand."""
    return {
        "id": link.pk,
        "url": absolute(request, reverse("api:link", kwargs={"pk": link.pk})),
        "provision": link.provision.eid,
        "provision_url": provision_permalink(link.provision, request),
        "article": link.provision.article.number if link.provision.article_id else None,
        "concern": link.concern.slug if link.concern_id else None,
        "safeguard": link.demand.slug if link.demand_id else None,
        "kind": link.kind,
        "rationale": link.rationale,
        "sources": list(link.sources),
        "confidence": link.confidence,
        "locator_hint": link.locator_hint,
        "is_editorial": link.is_editorial,
        "status": link.status,
        "proposed_at": iso(link.proposed_at),
        "reviewed_at": iso(link.reviewed_at),
        "review_note": link.review_note,
        "version": link.version,
    }


def article_summary_to_dict(article: Article, request) -> dict:
    return {
        "number": article.number,
        "eid": article.eid,
        "title": article.title,
        "title_confirmed": article.title_confirmed,
        "url": absolute(request, article.get_absolute_url()),
        "api_url": absolute(request, reverse("api:article", kwargs={"number": article.number})),
    }


def chapter_to_dict(chapter: Chapter, articles: list[Article], request) -> dict:
    return {
        "number": chapter.number,
        "position": chapter.position,
        "title": chapter.title,
        "articles": [article_summary_to_dict(article, request) for article in articles],
    }


def treaty_to_dict(treaty: Treaty, chapters: list[dict]) -> dict:
    """The treaty's facts; `chapters` are already serialised (chapter_to_dict)."""
    return {
        "slug": treaty.slug,
        "short_title": treaty.short_title,
        "subtitle": treaty.subtitle,
        "also_known_as": list(treaty.also_known_as),
        "adopted_on": iso(treaty.adopted_on),
        "adopted_by": treaty.adopted_by,
        "opened_for_signature_on": iso(treaty.opened_for_signature_on),
        "signature_place": treaty.signature_place,
        "signature_then": treaty.signature_then,
        "signatories_at_opening": treaty.signatories_at_opening,
        "entry_into_force_rule": treaty.entry_into_force_rule,
        "reference": treaty.reference,
        "sources": list(treaty.sources),
        "text_version_label": treaty.text_version_label,
        "chapters": chapters,
    }


def provision_to_dict(provision: Provision, links: list[ProvisionLink], request) -> dict:
    return {
        "eid": provision.eid,
        "kind": provision.kind,
        "label": provision.label,
        "text": provision.text,
        "is_official_text": provision.is_official_text,
        "url": provision_permalink(provision, request),
        "links": [link_to_dict(link, request) for link in links],
    }


def article_to_dict(
    article: Article, provisions: list[Provision], links: list[ProvisionLink], request
) -> dict:
    """An article with its provisions in reading order, each with its (approved) links.

    Reads article.chapter; links need provision__article, concern and demand loaded.
    """
    by_provision: dict[int, list[ProvisionLink]] = {}
    for link in links:
        by_provision.setdefault(link.provision_id, []).append(link)
    for provision in provisions:
        # The provisions belong to this article: spare provision_permalink a query each.
        provision.article = article
    return {
        **article_summary_to_dict(article, request),
        "summary": article.summary,
        "title_source": article.title_source,
        "chapter": {"number": article.chapter.number, "title": article.chapter.title},
        "provisions": [
            provision_to_dict(provision, by_provision.get(provision.pk, []), request)
            for provision in provisions
        ],
        "annotations_url": absolute(request, reverse("api:annotations"))
        + f"?article={article.number}",
    }


def point_to_dict(point, request, *, links=None) -> dict:
    """A concern or a safeguard demand; paths and query keys use its public word
    ("concern" / "safeguard", StatementPoint.public_name)."""
    name = point.public_name
    data = {
        "slug": point.slug,
        "title": point.title,
        "point": point.point,
        "position": point.position,
        "url": absolute(request, point.get_absolute_url()),
        "api_url": absolute(request, reverse(f"api:{name}", kwargs={"slug": point.slug})),
        "annotations_url": absolute(request, reverse("api:annotations")) + f"?{name}={point.slug}",
    }
    # Present when the queryset was annotated with StatementPointQuerySet.with_link_counts().
    if hasattr(point, "approved_link_count"):
        data["approved_link_count"] = point.approved_link_count
        data["article_count"] = point.article_count
    if links is not None:
        data["links"] = [link_to_dict(link, request) for link in links]
    return data


# --- Where the states stand ------------------------------------------------------------------


def party_to_dict(status, request, *, summary=None, declarations=None, commitments=None) -> dict:
    """One party's status (a provisions.treaty_status.PartyStatus, whose actions are loaded).

    declarations: the party's Declaration rows with provisions prefetched; commitments:
    [(demand, the latest published Commitment or None)]. Each is included when given.
    """
    party = status.party
    data = {
        "code": party.code,
        "name": party.name,
        "kind": party.kind,
        "region": party.region or None,
        "subregion": party.subregion or None,
        "counts_towards_entry_into_force": party.counts_towards_entry_into_force,
        "status": status.standing,
        "signed_on": iso(status.signature.date) if status.signature else None,
        "consent": (
            {"kind": status.consent.kind, "date": iso(status.consent.date)}
            if status.consent
            else None
        ),
        "in_force_from": iso(status.in_force_from),
        "actions": [
            {
                "action": action.kind,
                "date": iso(action.date),
                "reference": action.reference or None,
                "note": action.note or None,
                "source": action.source,
                "confidence": action.confidence,
                "demo": action.is_demo,
            }
            for action in status.actions
        ],
        "url": absolute(request, party.get_absolute_url()),
        "api_url": absolute(request, reverse("api:state", kwargs={"code": party.slug})),
    }
    if declarations is not None:
        data["declarations"] = [
            {
                "kind": declaration.kind,
                "date": iso(declaration.date),
                "text": declaration.text,
                "provisions": [
                    {
                        "eid": provision.eid,
                        "citation": provision.citation,
                        "url": absolute(request, provision.get_absolute_url()),
                    }
                    for provision in declaration.provisions.all()
                ],
                "reference": declaration.reference or None,
                "source": declaration.source,
                "confidence": declaration.confidence,
                "demo": declaration.is_demo,
            }
            for declaration in declarations
        ]
    if commitments is not None:
        data["commitments"] = [
            {
                "demand": demand.slug,
                "level": commitment.level if commitment else "unknown",
                "evidence_url": (commitment.evidence_url or None) if commitment else None,
                "quote": (commitment.quote or None) if commitment else None,
                "evidence_date": iso(commitment.evidence_date) if commitment else None,
                "published_at": iso(commitment.published_at) if commitment else None,
                "url": absolute(request, commitment.get_absolute_url()) if commitment else None,
            }
            for demand, commitment in commitments
        ]
    return data


def states_summary_to_dict(summary) -> dict:
    """The counts and dates of a provisions.treaty_status.Overview."""
    return {
        "signatories": summary.signatories,
        "parties": summary.parties,
        "instruments_counting": summary.counting,
        "instruments_needed": summary.needed,
        "instruments_missing": summary.missing,
        "entry_into_force": iso(summary.entry_into_force),
        "signature_closes": iso(summary.signature_closes),
        "signature_open": summary.signature_open,
        "as_of": iso(summary.today),
    }

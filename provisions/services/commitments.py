"""Writes to the scorecard's commitments: propose, edit, submit, publish, reject.

The workflow is the annotations' (draft → submitted → published | rejected): analysts propose,
only editors publish or reject; every change records a revision; publishing and rejecting are
audited and retire the cached pages that show the scorecard.
"""

import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import URLValidator
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from provisions import roles
from provisions.cache.generations import invalidate
from provisions.cache.scopes import point_scope
from provisions.models import Commitment, Party, SafeguardDemand
from provisions.services import history
from provisions.services.workflow import parsed_version, rejection_reason, require_editor, submit
from provisions.text import clean_text
from provisions.treaty_status import CACHE_SCOPE

MAX_QUOTE_CHARS = 5_000
EDITABLE_FIELDS = {"level", "evidence_url", "quote", "evidence_date"}
_url = URLValidator(schemes=["http", "https"])


def _clean(values: dict) -> dict:
    """Check and normalise the fields given; a clear error per field, nothing saved."""
    cleaned = {}
    if "level" in values:
        if values["level"] not in Commitment.Level.values:
            raise ValidationError({"level": _("Choose one of the listed levels.")})
        cleaned["level"] = values["level"]
    if "evidence_url" in values:
        url = " ".join(clean_text(values["evidence_url"] or "").split())
        if url:
            try:
                if len(url) > 500:
                    raise ValidationError("too long")
                _url(url)
            except ValidationError:
                raise ValidationError(
                    {"evidence_url": _("Give an http(s) web address of at most 500 characters.")}
                ) from None
        cleaned["evidence_url"] = url
    if "quote" in values:
        quote = clean_text(values["quote"] or "").strip()
        if len(quote) > MAX_QUOTE_CHARS:
            raise ValidationError(
                {"quote": _("At most %(n)s characters.") % {"n": MAX_QUOTE_CHARS}}
            )
        cleaned["quote"] = quote
    if "evidence_date" in values:
        date = values["evidence_date"]
        if date is not None and not isinstance(date, datetime.date):
            raise ValidationError({"evidence_date": _("Give a date as YYYY-MM-DD.")})
        if date is not None and date > timezone.localdate():
            raise ValidationError({"evidence_date": _("The date cannot be in the future.")})
        cleaned["evidence_date"] = date
    return cleaned


def _require_evidence(commitment: Commitment) -> None:
    """Any level but "unknown" is a claim about a State: it needs a source."""
    if commitment.level != Commitment.Level.UNKNOWN and not commitment.evidence_url:
        raise ValidationError(
            {"evidence_url": _("Give the source of the evidence: a web address.")}
        )


def _scorecard_changed(commitment: Commitment) -> None:
    invalidate(CACHE_SCOPE, point_scope("demand", commitment.demand.slug))


def _locked(commitment: Commitment) -> Commitment:
    return (
        Commitment.objects.select_for_update()
        .select_related("party", "demand")
        .get(pk=commitment.pk)
    )


@transaction.atomic
def commitment_create(
    *,
    party: Party,
    demand: SafeguardDemand,
    author,
    level: str,
    evidence_url: str = "",
    quote: str = "",
    evidence_date: datetime.date | None = None,
    submit: bool = False,
) -> Commitment:
    if not roles.is_analyst(author):
        raise PermissionDenied(_("Only analysts and editors can propose a commitment."))
    values = _clean(
        {
            "level": level,
            "evidence_url": evidence_url,
            "quote": quote,
            "evidence_date": evidence_date,
        }
    )
    commitment = Commitment(party=party, demand=demand, author=author, **values)
    _require_evidence(commitment)
    if submit:
        commitment.status = Commitment.Status.SUBMITTED
        commitment.submitted_at = timezone.now()
    commitment.save()
    history.record(obj=commitment, action="created", actor=author)
    return commitment


@transaction.atomic
def commitment_update(*, commitment: Commitment, user, version: int, **changes) -> Commitment:
    unknown = set(changes) - EDITABLE_FIELDS
    if unknown:
        raise ValidationError({"__all__": _("Cannot change: %(f)s") % {"f": ", ".join(unknown)}})
    current = _locked(commitment)
    is_author = current.author_id == user.pk
    if is_author:
        if current.status not in (Commitment.Status.DRAFT, Commitment.Status.REJECTED):
            raise PermissionDenied(_("Only drafts can be edited. Ask an editor to return it."))
    elif not (roles.is_editor(user) and current.status == Commitment.Status.SUBMITTED):
        raise PermissionDenied(_("You can only edit your own drafts."))
    if parsed_version(version) != current.version:
        raise ValidationError(
            {"version": _("Someone changed this commitment since you opened it: reload it.")}
        )
    for name, value in _clean(changes).items():
        setattr(current, name, value)
    _require_evidence(current)
    if is_author and current.status == Commitment.Status.REJECTED:
        current.status = Commitment.Status.DRAFT
    current.version += 1
    current.save()
    history.record(obj=current, action="edited", actor=user)
    return current


@transaction.atomic
def commitment_submit(*, commitment: Commitment, user) -> Commitment:
    current = _locked(commitment)
    submit(current, user=user, not_the_author=_("Only the author can submit a commitment."))
    return current


def _review(current: Commitment, *, editor, status: str, action: str, reason: str = ""):
    was_public = current.status == Commitment.Status.PUBLISHED
    history.record_review(current, editor=editor, status=status, action=action, reason=reason)
    if was_public or status == Commitment.Status.PUBLISHED:
        _scorecard_changed(current)
    return current


@transaction.atomic
def commitment_publish(*, commitment: Commitment, editor) -> Commitment:
    require_editor(editor)
    current = _locked(commitment)
    if current.status != Commitment.Status.SUBMITTED:
        raise ValidationError({"status": _("Only a submitted commitment can be published.")})
    _require_evidence(current)
    return _review(current, editor=editor, status=Commitment.Status.PUBLISHED, action="published")


@transaction.atomic
def commitment_reject(*, commitment: Commitment, editor, reason: str) -> Commitment:
    require_editor(editor)
    reason = rejection_reason(reason)
    current = _locked(commitment)
    if current.status not in (Commitment.Status.SUBMITTED, Commitment.Status.PUBLISHED):
        raise ValidationError(
            {"status": _("Only a submitted or published commitment can be rejected.")}
        )
    return _review(
        current, editor=editor, status=Commitment.Status.REJECTED, action="rejected", reason=reason
    )

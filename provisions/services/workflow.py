"""The review workflow's write steps that annotations and commitments share.

Both go draft → submitted → published | rejected (provisions/models/workflow.py holds the states
and who may read what). Each service locks its own row and checks its own rules; the steps here
are the ones they take alike: who may review, reading the version an edit started from, the
editor's reason, and the author's submission (history.record_submission / record_review write
the revision and the audit entry).
"""

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext as _

from provisions import roles
from provisions.services import history
from provisions.text import clean_text

# An editor's reason or note on a review: refused past this, never cut (nothing typed is lost).
MAX_REVIEW_NOTE_CHARS = 5_000


def require_editor(user) -> None:
    if not roles.is_editor(user):
        raise PermissionDenied(_("Only editors can do this."))


def parsed_version(version) -> int:
    """The version an edit says it started from (optimistic locking), as a number."""
    try:
        return int(version)
    except (TypeError, ValueError):
        raise ValidationError({"version": _("Missing or invalid version.")}) from None


def clean_review_note(value, *, field: str) -> str:
    """An editor's reason or note as it is kept; too long is a clear error, not a cut."""
    value = clean_text(value or "").strip()
    if len(value) > MAX_REVIEW_NOTE_CHARS:
        raise ValidationError(
            {field: _("At most %(n)s characters, please.") % {"n": MAX_REVIEW_NOTE_CHARS}}
        )
    return value


def rejection_reason(reason) -> str:
    """The reason an editor gives the author for a rejection: required."""
    reason = clean_review_note(reason, field="reason")
    if not reason:
        raise ValidationError({"reason": _("Give the author a reason for the rejection.")})
    return reason


def submit(current, *, user, not_the_author: str) -> None:
    """The author sends their (locked) draft, or their rejected work, to the editors;
    `not_the_author` is the refusal anyone else gets."""
    if current.author_id != user.pk:
        raise PermissionDenied(not_the_author)
    if current.status not in (current.Status.DRAFT, current.Status.REJECTED):
        raise ValidationError({"status": _("Only a draft can be submitted.")})
    history.record_submission(current, user=user)

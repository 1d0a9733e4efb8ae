"""The audit log: who did what that matters for trust, and from where.

Sign-ins and their failures, sign-outs, two-factor changes, publications, approvals,
rejections, deletions, restores, exports and API tokens each leave one `AuditEvent`. Editors
read and filter them at /review/audit/. Passwords, codes and tokens are never recorded: for a
failed sign-in only the username that was typed.
"""

import ipaddress

from django.conf import settings
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from provisions.models import AuditEvent

MAX_REPR_CHARS = 300
MAX_USERNAME_CHARS = 150

# Every action the app records, with what a person reads in the audit log's filter.
ACTIONS = {
    "sign_in.succeeded": _("Signed in"),
    "sign_in.failed": _("Sign-in failed"),
    "sign_out": _("Signed out"),
    "two_factor.enabled": _("Two-factor sign-in set up"),
    "two_factor.replaced": _("Authenticator replaced"),
    "two_factor.verified": _("Second factor confirmed"),
    "two_factor.failed": _("Wrong two-factor code"),
    "two_factor.recovery_codes_created": _("New recovery codes"),
    "session.confirmed": _("Password confirmed for a sensitive change"),
    "annotation.published": _("Annotation published"),
    "annotation.rejected": _("Annotation rejected"),
    "annotation.deleted": _("Draft deleted"),
    "annotation.restored": _("Annotation restored"),
    "link.approved": _("Link approved"),
    "link.rejected": _("Link rejected"),
    "link.restored": _("Link restored"),
    # Written by data migrations that correct seeded links (0016), with no actor.
    "link.corrected": _("Link corrected by a data migration"),
    "dataset.exported": _("Dataset exported"),
    "treaty_status.imported": _("Treaty status imported"),
    "annotations.imported": _("Annotations imported from a file"),
    "commitment.published": _("Commitment published"),
    "commitment.rejected": _("Commitment rejected"),
    "api_token.created": _("API token created"),
    "api_token.revoked": _("API token revoked"),
    "statement.created": _("Concern, demand or signatory added"),
    "statement.changed": _("Concern, demand or signatory corrected"),
    "translation.created": _("Translation added"),
    "translation.edited": _("Translation changed"),
    "translation.removed": _("Translation removed"),
    "member.created": _("Member created"),
    "member.role_changed": _("Member's role changed"),
    "member.deactivated": _("Member deactivated"),
    "enrolment_link.created": _("Enrolment link made"),
    "enrolment_link.used": _("Authenticator enrolled with a link"),
    "enrolment_link.refused": _("Enrolment link refused"),
    "two_factor.reset": _("Two-factor sign-in reset by an operator"),
}


# What a person reads for each key an event's `detail` may hold (the audit log's "Details"). A
# key missing here is shown as it is stored.
DETAIL_LABELS = {
    "type": pgettext_lazy("audit log detail", "kind of object"),
    "id": pgettext_lazy("audit log detail", "number"),
    "token_id": pgettext_lazy("audit log detail", "token number"),
    "prefix": pgettext_lazy("audit log detail", "token prefix"),
    "two_factor_verified": pgettext_lazy("audit log detail", "made after two-factor sign-in"),
    "editor_powers": pgettext_lazy("audit log detail", "editor powers"),
    "expires_at": pgettext_lazy("audit log detail", "expires"),
    "reason": pgettext_lazy("audit log detail", "reason"),
    "role": pgettext_lazy("audit log detail", "role"),
    "from": pgettext_lazy("audit log detail", "from"),
    "to": pgettext_lazy("audit log detail", "to"),
    "from_version": pgettext_lazy("audit log detail", "from version"),
    "fields": pgettext_lazy("audit log detail", "fields changed"),
    "during": pgettext_lazy("audit log detail", "during"),
    "added": pgettext_lazy("audit log detail", "added"),
    "changed": pgettext_lazy("audit log detail", "changed"),
    "of": pgettext_lazy("audit log detail", "translation of"),
    "language": pgettext_lazy("audit log detail", "language"),
    "file": pgettext_lazy("audit log detail", "file"),
    "source": pgettext_lazy("audit log detail", "source"),
    "created": pgettext_lazy("audit log detail", "created"),
    "orphans": pgettext_lazy("audit log detail", "orphans"),
    "already": pgettext_lazy("audit log detail", "already there"),
    "username": pgettext_lazy("audit log detail", "username typed"),
    "second_factor": pgettext_lazy("audit log detail", "second factor"),
    "migration": pgettext_lazy("audit log detail", "data migration"),
}

# The codes the app stores as values of those keys, as a person reads them. Other values are
# names, numbers or words someone typed (a rejection's reason), shown as they are.
DETAIL_VALUES = {
    # why a token was revoked (services/tokens.py) or a member signed out (middleware.py)
    "owner": pgettext_lazy("audit log value", "revoked by its owner"),
    "password_changed": pgettext_lazy("audit log value", "the password changed"),
    "authenticator_replaced": pgettext_lazy("audit log value", "the authenticator was replaced"),
    "group_left": pgettext_lazy("audit log value", "the member left the group that gave it"),
    "idle": pgettext_lazy("audit log value", "inactive for too long"),
    "expired": pgettext_lazy("audit log value", "the session expired"),
    # roles
    "analyst": pgettext_lazy("audit log value", "Analyst"),
    "editor": pgettext_lazy("audit log value", "Editor"),
    "none": pgettext_lazy("audit log value", "none"),
    # when a code was wrong
    "sign-in": pgettext_lazy("audit log value", "sign-in"),
    "set-up": pgettext_lazy("audit log value", "setting up two-factor sign-in"),
    "enrolment": pgettext_lazy("audit log value", "enrolment"),
    "confirmation": pgettext_lazy("audit log value", "confirming the password"),
    # the second factor used to sign in
    "authenticator": pgettext_lazy("audit log value", "authenticator app"),
    "recovery_code": pgettext_lazy("audit log value", "recovery code"),
}


def request_ip(request) -> str | None:
    """The client's address: REMOTE_ADDR, or the entry our own proxies added to X-Forwarded-For.

    With TREATYWATCH_TRUSTED_PROXY_HOPS = n, the n-th entry from the right of X-Forwarded-For
    is the address our outermost proxy saw; anything further left was written by the client and
    is ignored. Returns None for anything that is not an IP address.
    """
    hops = settings.TREATYWATCH_TRUSTED_PROXY_HOPS
    candidate = request.META.get("REMOTE_ADDR", "")
    if hops > 0:
        forwarded = [part.strip() for part in request.headers.get("X-Forwarded-For", "").split(",")]
        forwarded = [part for part in forwarded if part]
        if len(forwarded) >= hops:
            candidate = forwarded[-hops]
    try:
        return str(ipaddress.ip_address(candidate))
    except ValueError:
        return None


def attempted_username(request, credentials) -> str:
    """The username a sign-in attempt typed, as django-axes counts it: trimmed and lower-cased,
    so that "Alice" and "alice " share one allowance of failures."""
    value = (credentials or {}).get("username")
    if value is None and request is not None and request.method == "POST":
        value = request.POST.get("username")
    return str(value or "").strip().lower()[:MAX_USERNAME_CHARS]


def audit_record(*, action: str, actor=None, obj=None, detail=None, request=None) -> AuditEvent:
    """Record one event. `actor` is who did it (None when nobody is signed in), `obj` what it
    was done to, `detail` a small JSON-able dict (never a secret), `request` where from."""
    detail = dict(detail or {})
    if obj is not None and getattr(obj, "pk", None) is not None:
        detail.setdefault("type", obj._meta.model_name)
        detail.setdefault("id", obj.pk)
    if actor is not None and not getattr(actor, "is_authenticated", False):
        actor = None
    return AuditEvent.objects.create(
        actor=actor,
        action=action,
        object_repr=str(obj)[:MAX_REPR_CHARS] if obj is not None else "",
        detail=detail,
        ip_address=request_ip(request) if request is not None else None,
    )

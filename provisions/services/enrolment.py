"""Enrolment links: how a member who has no second factor yet gets their first authenticator.

Whoever knows an editor's password must not be the one who chooses the editor's second factor, so
an editor account without an authenticator cannot set one up on its own
(`two_factor.two_factor_enable` refuses). It needs a one-time enrolment link, made by an operator
(`manage.py enrolment_link USERNAME`) or by another editor on /review/members/, and the member's
password: the link is opened in a session signed in as the member it was made for.

A link is random (256 bits), stored only as its SHA-256, good for one member, once, and for
`LINK_HOURS`. Making a new link for a member cancels their earlier unused ones. Every link made,
used or refused is in the audit log.
"""

import secrets
from datetime import timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from provisions import roles
from provisions.models import EnrolmentLink
from provisions.services import two_factor
from provisions.services.audit import audit_record
from provisions.services.tokens import hash_token

LINK_HOURS = 48
# A token is 43 characters (token_urlsafe(32)); anything much longer is not one of ours.
MAX_TOKEN_CHARS = 100


class EnrolmentRefused(Exception):
    """The link is unknown, used, expired, cancelled, or made for another member."""


def enrolment_path(token: str) -> str:
    """The link's path on this site (commands and pages put the site's address in front)."""
    return reverse("provisions:enrol_start", kwargs={"token": token})


def _usable_link(token, user, *, lock: bool = False) -> EnrolmentLink | None:
    if not isinstance(token, str) or not 0 < len(token) <= MAX_TOKEN_CHARS:
        return None
    links = EnrolmentLink.objects.filter(
        token_hash=hash_token(token),
        user=user,
        user__is_active=True,
        used_at__isnull=True,
        expires_at__gt=timezone.now(),
    )
    if lock:
        links = links.select_for_update()
    return links.first()


def enrolment_link_usable(*, token, user) -> bool:
    """Whether `token` is a live link made for `user` (enrolment_complete also checks, under a
    lock, that they have no second factor yet)."""
    return _usable_link(token, user) is not None


@transaction.atomic
def enrolment_link_create(
    *, user, actor=None, reset_devices: bool = False, request=None
) -> tuple[EnrolmentLink, str]:
    """A new enrolment link for `user`; returns it and the raw token (shown only now).

    `actor` is the editor who makes it on the members page, or None for an operator's command.
    An editor cannot make one for themselves. Only an operator may `reset_devices`: delete the
    member's authenticator and recovery codes first (a lost phone, once the member's identity is
    confirmed through another channel).
    """
    if actor is not None:
        if not roles.is_editor(actor):
            raise PermissionDenied
        if actor.pk == user.pk:
            raise ValidationError(
                _("Another editor or an operator makes your enrolment link, not you.")
            )
        if reset_devices:
            raise PermissionDenied
    if not user.is_active:
        raise ValidationError(_("This account is deactivated."))
    if reset_devices:
        two_factor.two_factor_remove(user=user)
        audit_record(action="two_factor.reset", actor=actor, obj=user, request=request)
    elif two_factor.has_second_factor(user):
        raise ValidationError(
            _(
                "%(name)s already has two-factor sign-in: they replace their authenticator "
                "themselves, after signing in with it."
            )
            % {"name": user.get_username()}
        )
    # One live link per member: an earlier one, perhaps sent somewhere unsafe, stops working.
    EnrolmentLink.objects.filter(user=user, used_at__isnull=True).delete()
    raw = secrets.token_urlsafe(32)
    link = EnrolmentLink.objects.create(
        user=user,
        token_hash=hash_token(raw),
        created_by=actor,
        expires_at=timezone.now() + timedelta(hours=LINK_HOURS),
    )
    audit_record(
        action="enrolment_link.created",
        actor=actor,
        obj=user,
        detail={"expires_at": link.expires_at.isoformat(timespec="minutes")},
        request=request,
    )
    return link, raw


def enrolment_complete(*, token, user, key: str, code: str, request=None):
    """Enrol `user`'s first authenticator with the link `token` and a code from the app.

    Returns (device, recovery codes). Raises EnrolmentRefused (and records it) for a link that
    cannot be used by `user`, and ValidationError for a wrong code (recorded; the link stays
    usable).
    """
    try:
        with transaction.atomic():
            link = _usable_link(token, user, lock=True)
            if link is None or two_factor.has_second_factor(user):
                raise EnrolmentRefused
            device, codes, _replaced = two_factor.two_factor_enable(
                user=user, key=key, code=code, enrolment=link
            )
            link.used_at = timezone.now()
            link.save(update_fields=["used_at"])
    except EnrolmentRefused:
        enrolment_refused(user=user, request=request)
        raise
    except ValidationError:
        audit_record(
            action="two_factor.failed",
            actor=user,
            detail={"during": "enrolment"},
            request=request,
        )
        raise
    audit_record(action="enrolment_link.used", actor=user, obj=user, request=request)
    audit_record(action="two_factor.enabled", actor=user, obj=user, request=request)
    return device, codes


def enrolment_refused(*, user, request=None) -> None:
    """Record that `user` presented a link they cannot use (never the link itself)."""
    audit_record(action="enrolment_link.refused", actor=user, obj=user, request=request)

"""Writes to members: create an account in a role, change its role, deactivate it, let a member
choose their public name, remember when they last saw their workspace.

Accounts are created by an operator on the command line (`manage.py create_member`) or by an
editor on /review/members/, never by self sign-up: the coalition decides who analyses and who
publishes. A member's role is their group (Analysts or Editors), changed only by
`member_set_role`; the admin does not manage users or groups (provisions/admin.py). Every change
here is in the audit log; `actor` is the editor who made it, or None for an operator's command.
"""

import secrets

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from provisions import roles
from provisions.cache.generations import everything_changed
from provisions.models import Annotation, EnrolmentLink, Member, Revision
from provisions.public_names import clean_name, contains_email
from provisions.services.audit import audit_record
from provisions.services.tokens import REVOKED_GROUP_LEFT, api_tokens_revoke_all

# The role names a person types, and the group each one means.
ROLE_GROUPS = {"analyst": roles.ANALYSTS, "editor": roles.EDITORS}


def _clean_username(username) -> str:
    User = get_user_model()
    username = (username or "").strip()
    if not username:
        raise ValidationError({"username": _("Give a username.")})
    field = User._meta.get_field(User.USERNAME_FIELD)
    if len(username) > field.max_length:
        raise ValidationError(
            {"username": _("A username is at most %(n)s characters.") % {"n": field.max_length}}
        )
    try:
        User.username_validator(username)
    except ValidationError as error:
        raise ValidationError({"username": error.messages}) from None
    # Case-insensitive: "Alice" and "alice" would be the same person to everyone reading.
    if User.objects.filter(**{f"{User.USERNAME_FIELD}__iexact": username}).exists():
        raise ValidationError(
            {"username": _("The username “%(u)s” is already taken.") % {"u": username}}
        )
    return username


def _clean_email(email) -> str:
    email = (email or "").strip()
    try:
        validate_email(email)
    except ValidationError:
        raise ValidationError(
            {"email": _("“%(e)s” is not an e-mail address.") % {"e": email[:100]}}
        ) from None
    return email


def role_of(user) -> str:
    """The member's role as a person reads it: "editor", "analyst", or "" for neither."""
    names = roles.group_names(user)
    if roles.EDITORS in names:
        return "editor"
    return "analyst" if roles.ANALYSTS in names else ""


def _clean_public_name(value, *, user, field: str = "public_name") -> str:
    """A public name as it is stored, or a ValidationError on `field` saying why not.

    `user` is the member choosing it (None for a new account): their own name is not "taken".
    """
    name = clean_name(value)
    max_length = Member._meta.get_field("display_name").max_length
    if len(name) > max_length:
        raise ValidationError(
            {field: _("A public name is at most %(n)s characters.") % {"n": max_length}}
        )
    if contains_email(name):
        raise ValidationError({field: _("A public name cannot contain an e-mail address.")})
    if name:
        others = Member.objects.filter(display_name__iexact=name)
        if user is not None:
            others = others.exclude(user=user)
        # Compared case-insensitively, as people read it; the database constraint
        # (member_public_name_unique) settles two members choosing it at the same moment.
        if others.exists():
            raise ValidationError({field: _("Another member already uses this public name.")})
    return name


def _check_role(role) -> str:
    if role not in ROLE_GROUPS:
        raise ValidationError(
            {"role": _("The role must be one of: %(r)s.") % {"r": ", ".join(ROLE_GROUPS)}}
        )
    return role


def _check_actor(actor, user=None) -> None:
    """An editor acting on the members page (never on their own account), or None for an
    operator's command."""
    if actor is None:
        return
    if not roles.is_editor(actor):
        raise PermissionDenied
    if user is None:
        return
    if actor.pk == user.pk:
        raise ValidationError(
            _("Another editor or an operator changes your own account, not you: ask them.")
        )
    if user.is_superuser:
        # An operator's account: changed by operators, on the command line.
        raise PermissionDenied


def _role_group(role: str) -> Group:
    group = Group.objects.filter(name=ROLE_GROUPS[role]).first()
    if group is None:
        raise ValidationError(
            {
                "role": _("The group “%(g)s” is missing: run the migrations.")
                % {"g": ROLE_GROUPS[role]}
            }
        )
    return group


@transaction.atomic
def member_create(
    *,
    username: str,
    email: str,
    role: str,
    display_name: str = "",
    actor=None,
    request=None,
) -> tuple:
    """Create a user in the role's group with a random one-time password; return both.

    Editors are also staff, so that they can use /admin/ (their group grants the permissions).
    """
    _check_actor(actor)
    _check_role(role)
    username = _clean_username(username)
    email = _clean_email(email)
    display_name = _clean_public_name(display_name, user=None, field="display_name")
    group = _role_group(role)

    password = secrets.token_urlsafe(12)
    user = get_user_model().objects.create_user(
        username=username, email=email, password=password, is_staff=role == "editor"
    )
    user.groups.add(group)
    Member.objects.create(user=user, display_name=display_name)
    audit_record(
        action="member.created", actor=actor, obj=user, detail={"role": role}, request=request
    )
    return user, password


@transaction.atomic
def member_set_role(*, user, role: str, actor=None, request=None):
    """Make `user` an analyst or an editor: exactly that one of the two groups, staff for
    editors. The one place a member's groups change (anything that must follow a change of
    role, such as revoking what the old role allowed, belongs here). No change, no event."""
    _check_actor(actor, user)
    if not user.is_active:
        raise ValidationError(_("This account is deactivated."))
    group = _role_group(_check_role(role))
    before = role_of(user)
    current = set(user.groups.filter(name__in=ROLE_GROUPS.values()).values_list("name", flat=True))
    if current == {group.name} and user.is_staff == (role == "editor"):
        return user
    if current - {group.name}:
        # Leaving a group ends the member's API tokens (docs/security.md). Done here, first, so
        # that the audit log names who did it and from where; the m2m_changed receiver in
        # provisions/signals.py then finds nothing left to revoke.
        api_tokens_revoke_all(user=user, reason=REVOKED_GROUP_LEFT, actor=actor, request=request)
    user.groups.remove(*Group.objects.filter(name__in=ROLE_GROUPS.values()).exclude(pk=group.pk))
    user.groups.add(group)
    user.is_staff = role == "editor"
    user.save(update_fields=["is_staff"])
    user.__dict__.pop("_treatywatch_groups", None)  # roles.group_names' cache on this object
    audit_record(
        action="member.role_changed",
        actor=actor,
        obj=user,
        detail={"from": before or "none", "to": role},
        request=request,
    )
    return user


@transaction.atomic
def member_deactivate(*, user, actor=None, request=None):
    """Close an account: it can no longer sign in, its sessions stop working at their next
    request (Django refuses inactive users), its API tokens stop working
    (services.tokens.api_token_authenticate) and its unused enrolment links are cancelled.
    Its work stays, under its public name."""
    _check_actor(actor, user)
    if not user.is_active:
        return user
    user.is_active = False
    user.save(update_fields=["is_active"])
    EnrolmentLink.objects.filter(user=user, used_at__isnull=True).delete()
    audit_record(action="member.deactivated", actor=actor, obj=user, request=request)
    return user


def member_mark_workspace_seen(*, user) -> Member:
    """Remember that the member has now seen everything that happened to their work."""
    member, _created = Member.objects.get_or_create(user=user)
    member.workspace_seen_at = timezone.now()
    member.save(update_fields=["workspace_seen_at"])
    return member


@transaction.atomic
def member_set_public_name(*, user, public_name: str) -> Member:
    """Set (or, with "", clear) the name under which the member's work is shown to everyone.

    Refused with a ValidationError on `public_name`: longer than the field, holding an e-mail
    address (anything@anything), or another member's public name (case-insensitive). Control
    characters and bidirectional overrides are dropped, spaces collapsed.
    """
    name = _clean_public_name(public_name, user=user)
    member, _created = Member.objects.select_for_update().get_or_create(user=user)
    if member.display_name == name:
        return member
    member.display_name = name
    try:
        with transaction.atomic():
            member.save(update_fields=["display_name"])
    except IntegrityError:
        raise ValidationError(
            {"public_name": _("Another member already uses this public name.")}
        ) from None
    reworded = Revision.objects.filter(
        actor=user, target_type=Revision.Target.ANNOTATION, action__in=Revision.BODY_ACTIONS
    )
    if (
        Annotation.objects.filter(author=user, status=Annotation.Status.PUBLISHED).exists()
        or reworded.exists()
    ):
        # The name is on every cached page and download that shows their published work
        # (articles, concerns, search, home, feed, exports), or says "edited by" them on notes
        # whose words they changed as an editor: a rare write, so retire them all.
        everything_changed()
    return member

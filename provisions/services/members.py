"""Writes to members: create an account in a role, remember when they last saw their workspace.

Accounts are created by an administrator on the command line (`manage.py create_member`), never
by self sign-up: the coalition decides who analyses and who publishes.
"""

import secrets
import unicodedata

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from provisions import roles
from provisions.models import Member

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


@transaction.atomic
def member_create(*, username: str, email: str, role: str, display_name: str = "") -> tuple:
    """Create a user in the role's group with a random one-time password; return both.

    Editors are also staff, so that they can use /admin/ (their group grants the permissions).
    """
    if role not in ROLE_GROUPS:
        raise ValidationError(
            {"role": _("The role must be one of: %(r)s.") % {"r": ", ".join(ROLE_GROUPS)}}
        )
    username = _clean_username(username)
    email = _clean_email(email)
    # Control characters (NUL, escape…) are dropped: PostgreSQL refuses NUL, XML (the feed)
    # refuses most of them, and a name has no use for any. Joiners and marks stay.
    display_name = "".join(
        ch for ch in " ".join((display_name or "").split()) if unicodedata.category(ch) != "Cc"
    )
    max_name = Member._meta.get_field("display_name").max_length
    if len(display_name) > max_name:
        raise ValidationError(
            {"display_name": _("A display name is at most %(n)s characters.") % {"n": max_name}}
        )
    group = Group.objects.filter(name=ROLE_GROUPS[role]).first()
    if group is None:
        raise ValidationError(
            {
                "role": _("The group “%(g)s” is missing: run the migrations.")
                % {"g": ROLE_GROUPS[role]}
            }
        )

    password = secrets.token_urlsafe(12)
    user = get_user_model().objects.create_user(
        username=username, email=email, password=password, is_staff=role == "editor"
    )
    user.groups.add(group)
    Member.objects.create(user=user, display_name=display_name)
    return user, password


def member_mark_workspace_seen(*, user) -> Member:
    """Remember that the member has now seen everything that happened to their work."""
    member, _created = Member.objects.get_or_create(user=user)
    member.workspace_seen_at = timezone.now()
    member.save(update_fields=["workspace_seen_at"])
    return member

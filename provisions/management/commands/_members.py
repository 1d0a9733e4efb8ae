"""What the member commands share: find a member by username, turn a refusal into an error."""

from contextlib import contextmanager

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management.base import CommandError
from django.utils.translation import gettext as _


def member_named(username: str):
    User = get_user_model()
    user = User.objects.filter(**{f"{User.USERNAME_FIELD}__iexact": username.strip()}).first()
    if user is None:
        raise CommandError(_("No member with the username “%(u)s”.") % {"u": username})
    return user


@contextmanager
def refusals_as_errors():
    try:
        yield
    except ValidationError as error:
        raise CommandError(" ".join(error.messages)) from None
    except PermissionDenied as error:
        raise CommandError(str(error) or _("Not allowed.")) from None

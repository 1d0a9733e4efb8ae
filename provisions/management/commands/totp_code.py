"""`manage.py totp_code USERNAME`: print the code a member's authenticator shows now.

For development only (the demo editor of `seed --demo` must type a code to sign in): it refuses
to run unless DEBUG is on, since it would let anyone with shell access skip the second factor.
"""

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from provisions.services.two_factor import authenticator_of, current_code


class Command(BaseCommand):
    help = "Development only (DEBUG): print the current two-factor code of USERNAME."

    def add_arguments(self, parser):
        parser.add_argument("username")

    def handle(self, *args, username: str, **options):
        if not settings.DEBUG:
            raise CommandError(_("totp_code works only in development (DJANGO_DEBUG=1)."))
        user = get_user_model().objects.filter(username=username).first()
        device = authenticator_of(user) if user is not None else None
        if device is None:
            raise CommandError(
                _("%(username)s has no authenticator set up.") % {"username": username}
            )
        self.stdout.write(current_code(device))

"""`manage.py deactivate_member USERNAME`: close an account (recorded in the audit log).

The member cannot sign in any more, their sessions and API tokens stop working, their unused
enrolment links are cancelled; their published work stays.
"""

from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from provisions.management.commands._members import member_named, refusals_as_errors
from provisions.services.members import member_deactivate


class Command(BaseCommand):
    help = "Deactivate a member's account."

    def add_arguments(self, parser):
        parser.add_argument("username")

    def handle(self, *args, username, **options):
        user = member_named(username)
        with refusals_as_errors():
            member_deactivate(user=user)
        self.stdout.write(
            self.style.SUCCESS(_("Deactivated “%(u)s”.") % {"u": user.get_username()})
        )

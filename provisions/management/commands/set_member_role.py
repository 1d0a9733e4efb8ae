"""`manage.py set_member_role USERNAME --role analyst|editor`: move a member to that role.

An editor who has no authenticator yet also needs an enrolment link (`enrolment_link`).
"""

from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from provisions.management.commands._members import member_named, refusals_as_errors
from provisions.services import two_factor
from provisions.services.members import ROLE_GROUPS, member_set_role


class Command(BaseCommand):
    help = "Make a member an analyst or an editor (recorded in the audit log)."

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--role", required=True, help=f"One of: {', '.join(ROLE_GROUPS)}.")

    def handle(self, *args, username, role, **options):
        user = member_named(username)
        with refusals_as_errors():
            member_set_role(user=user, role=role)
        self.stdout.write(
            self.style.SUCCESS(
                _("“%(u)s” is now an %(role)s.") % {"u": user.get_username(), "role": role}
            )
        )
        if two_factor.needs_enrolment_link(user):
            self.stdout.write(
                _(
                    "They have no authenticator yet: make them an enrolment link with "
                    "`manage.py enrolment_link %(u)s`."
                )
                % {"u": user.get_username()}
            )

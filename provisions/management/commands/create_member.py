"""`manage.py create_member USERNAME --email E --role analyst|editor [--display-name N]`.

Prints a one-time password; the new member signs in with it and changes it at once. An editor
also needs an enrolment link for their first authenticator (`enrolment_link`, printed below).
"""

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.urls import reverse
from django.utils.translation import gettext as _

from provisions.services.members import ROLE_GROUPS, member_create


class Command(BaseCommand):
    help = "Create an analyst or editor account with a one-time password."

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--email", required=True, help="The member's e-mail address.")
        parser.add_argument("--role", required=True, help=f"One of: {', '.join(ROLE_GROUPS)}.")
        parser.add_argument(
            "--display-name",
            default="",
            help="Their public name, shown beside their work (they can change it later).",
        )

    def handle(self, *args, username, email, role, display_name, **options):
        try:
            user, password = member_create(
                username=username, email=email, role=role, display_name=display_name
            )
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from None
        self.stdout.write(
            self.style.SUCCESS(
                _("Created %(role)s “%(username)s”.") % {"role": role, "username": user.username}
            )
        )
        self.stdout.write(_("One-time password: %(password)s") % {"password": password})
        self.stdout.write(
            _(
                "Give it to them privately. After signing in at %(login)s they should change it "
                "at once at %(change)s."
            )
            % {"login": reverse("login"), "change": reverse("password_change")}
        )
        if role == "editor":
            self.stdout.write(
                _(
                    "Editors set up two-factor sign-in with a one-time enrolment link: make it "
                    "with `manage.py enrolment_link %(username)s`."
                )
                % {"username": user.username}
            )

"""`manage.py enrolment_link USERNAME [--site URL] [--reset-devices]`: a one-time link with which
the member sets up their first authenticator (editors cannot without one; docs/security.md).

Prints the link once (only its hash is kept); it works for that member, once, for 48 hours, and
making another cancels it. `--reset-devices` first deletes the member's authenticator and recovery
codes — for a member who lost both, once you have confirmed who is asking through another
channel.
"""

from django.conf import settings
from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from provisions.management.commands._members import member_named, refusals_as_errors
from provisions.services.enrolment import LINK_HOURS, enrolment_link_create, enrolment_path


def default_site() -> str:
    """The site's address: the first trusted origin, or the development server under DEBUG."""
    origins = list(settings.CSRF_TRUSTED_ORIGINS)
    if origins:
        return origins[0]
    return "http://127.0.0.1:8000" if settings.DEBUG else ""


class Command(BaseCommand):
    help = "Make a one-time enrolment link for a member's first authenticator and print it."

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument(
            "--site",
            default=None,
            help="The site's address, e.g. https://treatywatch.example.org "
            "(default: the first of DJANGO_CSRF_TRUSTED_ORIGINS).",
        )
        parser.add_argument(
            "--reset-devices",
            action="store_true",
            help="First delete the member's authenticator and recovery codes (a lost phone).",
        )

    def handle(self, *args, username, site, reset_devices, **options):
        user = member_named(username)
        with refusals_as_errors():
            link, raw = enrolment_link_create(user=user, reset_devices=reset_devices)
        site = (site if site is not None else default_site()).rstrip("/")
        if reset_devices:
            self.stdout.write(
                _("Deleted the authenticator and recovery codes of “%(u)s”.")
                % {"u": user.get_username()}
            )
        self.stdout.write(
            _(
                "Enrolment link for “%(u)s”, good once until %(until)s UTC (%(hours)s hours). "
                "Give it to them privately; they open it and sign in with their password:"
            )
            % {
                "u": user.get_username(),
                "until": link.expires_at.strftime("%Y-%m-%d %H:%M"),
                "hours": LINK_HOURS,
            }
        )
        if not site:
            self.stdout.write(_("(Put the site's address in front of it, or pass --site.)"))
        self.stdout.write(f"{site}{enrolment_path(raw)}")

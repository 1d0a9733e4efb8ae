"""`manage.py create_api_token USERNAME [--name NAME]`: a personal API token, printed once.

The token is the last line of the output, so scripts can take it with `| tail -n 1`.
"""

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management.base import BaseCommand, CommandError

from provisions.services import api_token_create


class Command(BaseCommand):
    help = "Create a personal API token for a member and print it (it is not stored readable)."

    def add_arguments(self, parser):
        parser.add_argument("username", help="The member the token acts as.")
        parser.add_argument(
            "--name", default="Command line", help="What the token is for, e.g. a script's name."
        )

    def handle(self, *args, username: str, name: str, **options):
        User = get_user_model()
        try:
            user = User.objects.get(**{User.USERNAME_FIELD: username})
        except User.DoesNotExist:
            raise CommandError(f"No member with the username {username!r}.") from None
        try:
            token, raw = api_token_create(user=user, name=name)
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from None
        except PermissionDenied as error:
            raise CommandError(str(error) or "Not allowed.") from None
        self.stdout.write(
            f"Created API token “{token.name}” for {username} (starts with {token.prefix})."
        )
        self.stdout.write("Copy it now: only its hash is kept, it cannot be shown again.")
        self.stdout.write(raw)

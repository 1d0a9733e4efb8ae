"""`manage.py create_api_token USERNAME [--name NAME]`: a personal API token, printed once.

The token is the last line of the output, so scripts can take it with `| tail -n 1`.

The command cannot see a second factor, so the token it makes follows the rule for a sign-in
without one (provisions/services/tokens.py): it carries at most the member's analyst powers,
never an editor's, and an editor account gets none (editors make theirs in /workspace/tokens/
after two-factor sign-in).
"""

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management.base import BaseCommand, CommandError

from provisions.services import api_token_create
from provisions.services.tokens import token_lifetime


class Command(BaseCommand):
    help = (
        "Create a personal API token for a member and print it (it is not stored readable). "
        "The token reads what the member may read and writes as an analyst if the member is in "
        "Analysts; it never carries editor powers (publishing, approving), because no second "
        "factor is proved here, and an account in Editors gets no token from this command: "
        "editors create theirs in /workspace/tokens/ after two-factor sign-in. It expires after "
        "TREATYWATCH_API_TOKEN_DAYS days (90 by default) and is revoked when the member's "
        "password changes, their authenticator is replaced or they leave a group."
    )

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
            token, raw = api_token_create(user=user, name=name, two_factor_verified=False)
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from None
        except PermissionDenied as error:
            raise CommandError(str(error) or "Not allowed.") from None
        self.stdout.write(
            f"Created API token “{token.name}” for {username} (starts with {token.prefix}), "
            f"without editor powers, valid until {token.expires_at:%Y-%m-%d %H:%M} UTC "
            f"({token_lifetime().days} days)."
        )
        self.stdout.write("Copy it now: only its hash is kept, it cannot be shown again.")
        self.stdout.write(raw)

"""Whether a session confirmed it is really the member, a few minutes ago.

Creating an API token, replacing the authenticator and making new recovery codes ask for the
password again — and a current code from a member who has a second factor (every editor) —
unless the session did so in the last few minutes (TREATYWATCH_CONFIRM_SECONDS), like GitHub's
"sudo mode". The page that asks is views/confirm.py.

Views call `confirmation_needed(request, next_url)`: None when the session is confirmed,
otherwise the answer to send (a redirect to /accounts/confirm/, or 403 with `HX-Redirect` for
htmx).
"""

import time

from django.conf import settings
from django.urls import reverse

from provisions import roles
from provisions.access import send_to, with_next
from provisions.services import two_factor

CONFIRMED_KEY = "treatywatch_confirmed_at"


def confirm_seconds() -> int:
    return settings.TREATYWATCH_CONFIRM_SECONDS


def recently_confirmed(request) -> bool:
    """Whether this session confirmed the password (and code) within the window."""
    confirmed_at = request.session.get(CONFIRMED_KEY)
    if not isinstance(confirmed_at, int | float):
        return False
    return 0 <= time.time() - confirmed_at <= confirm_seconds()


def confirmation_needed(request, next_url: str):
    """None if the session may go ahead; otherwise where to send it first, to come back to
    `next_url` (a path on this site) once confirmed."""
    if recently_confirmed(request):
        return None
    return send_to(request, with_next(reverse("provisions:confirm"), next_url))


def needs_code(user) -> bool:
    """Members who sign in with a second factor prove it again (editors always have one)."""
    return roles.has_editor_account(user) or two_factor.has_second_factor(user)

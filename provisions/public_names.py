"""Who wrote this, as everyone else reads it: the member's chosen public name, or
"A TreatyWatch member". One rule for every page, htmx fragment, feed, export and API response.

A username is how someone signs in and is often their e-mail address: neither is ever shown in
place of a name. A member chooses their public name in their workspace
(`services.members.member_set_public_name`), which refuses e-mail addresses and another member's
name. The rule below still checks at display time, because a name can reach the database by
other ways (an older version, a dataset import, a database edit).

Templates use the `public_name` filter (`{{ annotation.author|public_name }}`, from
`provisions.templatetags.treatywatch`); Python code calls `public_name(user)`. Both read
`user.member`: select it with the user (`select_related("author__member")`).
"""

import re
import unicodedata

from django.core.exceptions import ObjectDoesNotExist
from django.utils.translation import gettext as _

# Anything shaped like local@domain, anywhere in the text ("Ann <ann@example.org>", "ann@intranet"),
# but not a lone handle such as "@ann".
_EMAIL = re.compile(r"[^\s@]+@[^\s@]+")
# Bidirectional overrides and isolates (Unicode category Cf) can make a name read as another
# one ("evil\u202eelgoog"); zero-width joiners (also Cf) are needed by some scripts and stay.
_BIDI_CONTROLS = frozenset("\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")


def anonymous_name() -> str:
    """How a member who has not chosen a public name is credited (in the reader's language)."""
    return _("A TreatyWatch member")


def contains_email(text: str) -> bool:
    return bool(_EMAIL.search(text or ""))


def clean_name(value: str) -> str:
    """A name as it may be stored and shown: one line, single spaces, no control characters.

    Control characters (NUL, escape…) are dropped: PostgreSQL refuses NUL, XML (the feed)
    refuses most of them, and a name has no use for any. Joiners and combining marks stay.
    """
    text = " ".join(str(value or "").split())
    return "".join(
        ch for ch in text if unicodedata.category(ch) != "Cc" and ch not in _BIDI_CONTROLS
    ).strip()


def usable_name(stored: str) -> str:
    """A stored public name as it may be shown, or "" when it may not (blank, an e-mail)."""
    name = clean_name(stored)
    return "" if contains_email(name) else name


def chosen_name(user) -> str:
    """The public name the member chose and that may be shown, or "" when there is none."""
    if user is None:
        return ""
    try:
        return usable_name(user.member.display_name)
    except ObjectDoesNotExist:
        return ""


def public_name_from_stored(display_name: str | None) -> str:
    """public_name() from a stored display name read without its user (e.g. in a subquery)."""
    return usable_name(display_name or "") or anonymous_name()


def public_name(user) -> str:
    """The name under which `user`'s work is shown to anyone: never a username or an e-mail."""
    return chosen_name(user) or anonymous_name()


def editor_label(user) -> str:
    """How a member is named on pages only editors see (review queue, history, audit, anchors):
    the public name, then the sign-in name in brackets so that editors can tell two accounts
    apart — unless that sign-in name is an e-mail address, which stays off every page but the
    members' management."""
    name = public_name(user)
    username = user.get_username() if user is not None else ""
    if not username or "@" in username:
        return name
    return f"{name} ({username})"

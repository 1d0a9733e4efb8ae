"""Who is who: the one place that turns group membership into roles."""

ANALYSTS = "Analysts"
EDITORS = "Editors"


def group_names(user) -> frozenset[str]:
    """The user's group names, read once per request object and cached on it."""
    if user is None or not user.is_authenticated:
        return frozenset()
    cached = getattr(user, "_treatywatch_groups", None)
    if cached is None:
        cached = frozenset(user.groups.values_list("name", flat=True))
        user._treatywatch_groups = cached
    return cached


def has_editor_account(user) -> bool:
    """In the Editors group (or a superuser), whether or not this session passed 2FA."""
    return bool(
        user and user.is_authenticated and (user.is_superuser or EDITORS in group_names(user))
    )


def second_factor_missing(user) -> bool:
    """An editor account signed in without a second factor: it has no editor powers until then.

    django-otp's middleware gives the request's user `is_verified()`. An API token's owner gets
    it from the token (services/tokens.py): true only for a token with editor powers. A user
    loaded anywhere else (a management command, a service called from a script) has no session
    to verify, and keeps its role.
    """
    is_verified = getattr(user, "is_verified", None)
    return is_verified is not None and has_editor_account(user) and not is_verified()


def is_editor(user) -> bool:
    """An editor acting through a session verified with a second factor (see docs/security.md)."""
    return has_editor_account(user) and not second_factor_missing(user)


def is_analyst(user) -> bool:
    """Analysts and editors can both annotate."""
    return bool(
        user and user.is_authenticated and (ANALYSTS in group_names(user) or is_editor(user))
    )

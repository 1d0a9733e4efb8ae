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


def is_editor(user) -> bool:
    return bool(
        user and user.is_authenticated and (user.is_superuser or EDITORS in group_names(user))
    )


def is_analyst(user) -> bool:
    """Analysts and editors can both annotate."""
    return bool(
        user and user.is_authenticated and (ANALYSTS in group_names(user) or is_editor(user))
    )

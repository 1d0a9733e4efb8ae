"""The scopes a public page depends on; each has a generation (provisions/cache/generations.py).

`SITE` is part of every page; `ANALYSIS` of every page that shows any public analysis (home,
table of contents, coverage, the lists, search); the others of one article, concern or safeguard
demand page.
"""

SITE = "site"
ANALYSIS = "analysis"


def article_scope(number) -> str:
    return f"article:{number}"


# StatementPoint.point_kind of each kind of point (POINT_MODELS' keys; a test holds them equal).
# History snapshots name a link's point by kind ("concern") and an annotation's by its plural.
POINT_KINDS = ("concern", "demand")


def point_scope(kind: str, slug: str) -> str:
    """One concern's ("concern") or safeguard demand's ("demand") pages: StatementPoint.point_kind,
    as the views' `@cache_public_page("{kind}:{slug}")` spell it."""
    return f"{kind}:{slug}"

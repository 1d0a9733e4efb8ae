"""The scopes a public page depends on; each has a generation (provisions/cache/generations.py).

`SITE` is part of every page; `ANALYSIS` of every page that shows any public analysis (home,
table of contents, coverage, the lists, search); the others of one article, concern or safeguard
demand page.
"""

SITE = "site"
ANALYSIS = "analysis"


def article_scope(number) -> str:
    return f"article:{number}"


def concern_scope(slug: str) -> str:
    return f"concern:{slug}"


def demand_scope(slug: str) -> str:
    return f"demand:{slug}"

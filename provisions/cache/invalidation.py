"""Which cached pages a write to an annotation or a link retires: the scopes of the public pages
that differ before and after it.

The write services pass both states as the snapshots of provisions/services/history.py (the
"after" one is the revision they record): an annotation or a link touches public pages only in
a state readers see (published, approved), and then its article page, its concern and demand
pages and the overviews.
"""

import re

from provisions.cache.generations import invalidate
from provisions.cache.scopes import ANALYSIS, POINT_KINDS, article_scope, point_scope

_ARTICLE_EID = re.compile(r"^art_(\d+)(?:__|$)")


def _article_number(eid: str | None) -> str | None:
    found = _ARTICLE_EID.match(eid or "")
    return found.group(1) if found else None


def _public_scopes(snapshot: dict, public_status: str, points: list[str]) -> set[str]:
    """What a public reader saw of an object in this state: nothing unless it was public."""
    if snapshot.get("status") != public_status:
        return set()
    scopes = {ANALYSIS, *points}
    if number := _article_number(snapshot.get("provision")):
        scopes.add(article_scope(number))
    return scopes


def annotation_changed(*, before: dict, after: dict) -> None:
    """Call at the end of a write to an annotation with its snapshots before and after it
    (`history.annotation_snapshot`; {} before for one that did not exist).

    Invalidates the article page, the concern and demand pages and the overview pages if the
    annotation was public before or is now; a draft or a submission changes no public page."""

    def scopes(snapshot):
        points = [
            point_scope(kind, slug) for kind in POINT_KINDS for slug in snapshot.get(f"{kind}s", ())
        ]
        return _public_scopes(snapshot, "published", points)

    invalidate(*sorted(scopes(after) | scopes(before)))


def link_changed(*, before: dict, after: dict) -> None:
    """Call at the end of a write to a provision link with its snapshots before and after it
    (`history.link_snapshot`)."""

    def scopes(snapshot):
        points = [point_scope(kind, snapshot[kind]) for kind in POINT_KINDS if snapshot.get(kind)]
        return _public_scopes(snapshot, "approved", points)

    invalidate(*sorted(scopes(after) | scopes(before)))

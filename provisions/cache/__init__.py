"""Whole public pages for anonymous readers, kept in Django's cache (Redis, or the database,
shared by every worker), served compressed, and never stale.

When the Convention is in the news, most traffic is anonymous readers opening the same few pages.
`serving.cache_public_page` stores such a page once and serves it again without touching the
database.

Never stale: every cache key contains *generations*, small counters kept in the cache, one per
scope the page depends on (`scopes`):

    site               in every key; bumped by seeding, imports and edits in the admin
    analysis           home, table of contents, coverage, the lists, search: any public analysis
    article:<number>   one article page (its annotations, replies and links)
    concern:<slug>     one concern page;  demand:<slug>  one safeguard demand page

A write service, after its change, calls `invalidation.annotation_changed` /
`invalidation.link_changed` with the object's snapshots before and after the write (as
provisions/services/history.py takes them), or `generations.everything_changed`: exactly the
scopes whose public pages differ before and after are bumped; pages cached under the old
generations are never asked for again (they expire on their own). The generations live in the
shared cache, so a write on one worker retires the pages of all: each worker's own copies
(`process_pages`) are served only under the current generations, read from the shared cache
for that very request or, with Redis, from the worker's copy of them, which every write updates
before its response leaves (`mirror`). The bump happens at once and again when the transaction
commits: a page rendered from the old rows between the two is stored under a generation that the
second bump retires. Keys also hold a fingerprint of the code and templates (`keys.release`), so
a deploy never serves old markup. Edits in the admin bypass the services: a receiver in
provisions/signals.py (connected in `ProvisionsConfig.ready`) retires every page for them.

Never another visitor's secrets: only requests without a session cookie are served or stored,
and the per-response CSP nonce and CSRF token are put back for each visitor (`storage`).

One concept per module; this package re-exports nothing, so that importing one of them (the
settings name `backends` as the cache backend) loads only what it needs:

    scopes         the names of what a page depends on (site, analysis, article, concern, demand)
    keys           the names of entries in the shared cache, and the code's fingerprint
    generations    reading and bumping generations: `current_version`, `invalidate`,
                   `everything_changed`
    invalidation   which scopes a write to an annotation or a link retires
    storage        a page as a stored entry, and back to a response (gzip spliced per visitor)
    process_pages  each process's own copies of recent pages
    serving        the `cache_public_page` view decorator
    early          `CachedPageMiddleware`: a page this process holds, served to a certainly
                   anonymous reader at whitenoise's layer, before sessions and auth
    mirror         each process's copy of the generations, kept current by Redis's
                   announcements, trusted only while its listener is confirmed (a lease)
    backends       the shared Redis and database cache backends the settings name
"""

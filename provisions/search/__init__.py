"""Full-text search over the treaty text, summaries, concerns, safeguard demands and annotations.

On PostgreSQL every searchable row carries a weighted `search_vector` (titles A, summaries and
provision text B, annotation bodies C; English stemming), GIN-indexed by migration 0003: a
query is read with websearch syntax ("quoted phrase", OR, -exclude), matches are ranked with
ts_rank and snippets come from ts_headline. On SQLite (development and most tests) a fallback
gives the same results page: every word must occur (case-insensitive substring of the text as
readers see it, so Markdown's signs do not break a phrase), title hits rank first, snippets are
a window of text around the first hit.

Articles, concerns and demands are few: a search collects a light hit (kind, id, rank, facet
values) for each, and counts and filters their facets in Python. Annotations can be tens of
thousands: one statement counts their facets and ranks them, over the newest COUNT_CAP
(facets.py) when more match, which the page then says. Only the current page is loaded in
full. The number of queries is the same whatever the number of matches.

Visibility of annotations is decided by `Annotation.objects.visible_to(user)` and nowhere else.

One concept per module, each importing only those before it in this list; the package
re-exports nothing, so that a write service importing `vectors` does not load the whole search:

    vectors             the PostgreSQL search vectors, kept current by the write services
    query               cleaning a query, stop-words, the fallback's reading of its terms
    fallback            the SQLite fallback's matching and ranking
    matching            the QuerySets of matches, with `rank`, on either database
    hits                light hits for the few articles, concerns and demands
    facets              facet options and their counts
    annotation_matches  the many annotations, counted by facet and ranked in SQL
    highlighting        snippets with the query's words marked
    results             the current page's results, loaded in full
    outcome             `search()`: all of the above for one results page
"""

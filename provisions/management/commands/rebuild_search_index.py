"""`manage.py rebuild_search_index`: recompute every full-text search vector (PostgreSQL).

The write services keep the vectors current; run this after changing text by another path
(the admin, a bulk import, a raw SQL fix) or after changing the weights in
provisions/search/vectors.py.
"""

from django.core.management.base import BaseCommand

from provisions.search.vectors import rebuild_search_index


class Command(BaseCommand):
    help = "Recompute the full-text search vectors of articles, provisions, concerns, "
    help += "safeguard demands and annotations (PostgreSQL only; SQLite needs none)."

    def handle(self, *args, **options):
        counts = rebuild_search_index()
        if not counts:
            self.stdout.write("Nothing to rebuild: this database uses the search fallback.")
            return
        for name, count in counts.items():
            self.stdout.write(f"  {count} {name}")
        self.stdout.write(self.style.SUCCESS("Search index rebuilt."))

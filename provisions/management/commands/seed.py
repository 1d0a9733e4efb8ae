"""`manage.py seed [--demo]`: load the Convention and the coalition statement (idempotent)."""

from django.core.management.base import BaseCommand

from provisions.services import seed_convention, seed_demo, seed_statement
from provisions.services.seeding import SeedReport


class Command(BaseCommand):
    help = "Load the Convention's structure and the coalition statement; --demo adds demo content."

    def add_arguments(self, parser):
        parser.add_argument(
            "--demo", action="store_true", help="Also add demo members and demo analysis."
        )

    def handle(self, *args, demo: bool = False, **options):
        report = SeedReport()
        self.stdout.write("Loading the Convention's structure…")
        seed_convention(report=report)
        self.stdout.write("Loading the coalition statement…")
        seed_statement(report=report)
        if report.changes:
            for label, counts in (("created", report.created), ("updated", report.updated)):
                for name, n in sorted(counts.items()):
                    self.stdout.write(f"  {label}: {n} {name}")
        else:
            self.stdout.write("  nothing to change: the data is already current.")
        if demo:
            self.stdout.write("Adding demo members and content…")
            for line in seed_demo():
                self.stdout.write(line)
        self.stdout.write(self.style.SUCCESS("Seed complete."))

"""`manage.py seed [--demo]`: load the Convention, the coalition statement, the parties and the
treaty's sourced status (idempotent)."""

from django.core.management.base import BaseCommand

from provisions.services import seed_convention, seed_demo, seed_statement
from provisions.services.seeding import SeedReport
from provisions.services.treaty_status import seed_parties, seed_treaty_status


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
        self.stdout.write("Loading the parties (UN member and observer States, the EU)…")
        created, updated = seed_parties()
        self.stdout.write(f"  parties: {created} created, {updated} updated")
        self.stdout.write("Loading the treaty's status from fixtures/treaty-status-sources.csv…")
        status = seed_treaty_status()
        if status is not None:
            self.stdout.write(f"  {status.summary()}")
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

"""`manage.py export_dataset FILE`: write every row TreatyWatch keeps to a JSON backup file.

The file holds members' e-mail addresses and password hashes (so a restored server keeps their
sign-ins working), drafts and API-token hashes: it is created readable by its owner only.
"""

import os
import sys

from django.core.management.base import BaseCommand, CommandError

from provisions.services.dataset import dataset_export


class Command(BaseCommand):
    help = (
        "Export the whole dataset (content, history, members with password hashes) to FILE, "
        "or to standard output with '-'. The file is sensitive: keep it private."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="Where to write the JSON file ('-' for standard output).")

    def handle(self, *args, file: str, **options):
        # With '-' the data goes to stdout, so progress goes to stderr.
        report = self.stderr if file == "-" else self.stdout

        def progress(label: str, count: int) -> None:
            report.write(f"  {label}: {count}")

        if file == "-":
            dataset_export(stream=sys.stdout, progress=progress)
            return
        try:
            # Owner-only permissions from the start: the file holds password hashes.
            fd = os.open(file, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        except OSError as exc:
            raise CommandError(f"Cannot write {file}: {exc.strerror}") from None
        report.write(f"Exporting the dataset to {file}…")
        with os.fdopen(fd, "w", encoding="utf-8") as stream:
            counts = dataset_export(stream=stream, progress=progress)
        report.write(
            self.style.SUCCESS(f"Exported {sum(counts.values())} rows to {file}.")
            + " "
            + self.style.WARNING(
                "It contains password hashes and e-mail addresses: store it privately."
            )
        )

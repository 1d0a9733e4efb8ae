"""`manage.py export_dataset FILE`: write every row TreatyWatch keeps to a JSON backup file.

The file holds members' e-mail addresses and password hashes (so a restored server keeps their
sign-ins working), drafts and API-token hashes: it is written readable by its owner only.

The export is recorded in the audit log *after* the data has been read and written: a file
describes the data as it was when the export began, without its own export event (that event is
in the next export). So export → import → export gives the same file apart from `exported_at`.
"""

import os
import sys

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from provisions.services.audit import audit_record
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
            _record(file)
            return
        try:
            fd = os.open(file, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            # Owner-only, also when overwriting an older file: it holds password hashes.
            os.fchmod(fd, 0o600)
        except OSError as exc:
            raise CommandError(
                _("Cannot write %(file)s: %(error)s") % {"file": file, "error": exc.strerror}
            ) from None
        report.write(_("Exporting the dataset to %(file)s…") % {"file": file})
        with os.fdopen(fd, "w", encoding="utf-8") as stream:
            counts = dataset_export(stream=stream, progress=progress)
        _record(file)
        report.write(
            self.style.SUCCESS(
                _("Exported %(n)s rows to %(file)s.") % {"n": sum(counts.values()), "file": file}
            )
        )
        report.write(
            self.style.WARNING(
                _("It contains password hashes and e-mail addresses: store it privately.")
            )
        )


def _record(file: str) -> None:
    """Audit a finished export; after the data was read, so the file does not describe itself."""
    audit_record(action="dataset.exported", detail={"file": file})

"""`manage.py import_treaty_status FILE.csv [--dry-run]`: import signatures, ratifications,
declarations and reservations. One bad row refuses the whole file (line number and reason) and
changes nothing; the same file twice changes nothing. See docs/treaty-status.md.
"""

from pathlib import Path

from provisions.management.commands._file_import import FileImportCommand
from provisions.services.treaty_status import StatusImportRefused, treaty_status_import


class Command(FileImportCommand):
    help = (
        "Import the treaty's status (signatures, ratifications, declarations, reservations) "
        "from a CSV file with the columns party, action, date, reference, articles, text, "
        "source, confidence."
    )

    file_help = "The UTF-8 CSV file to import."
    dry_run_help = "Check and apply the file, print the summary, then undo it: nothing is saved."

    def handle(self, *args, file: Path, dry_run: bool, **options):
        try:
            text = self.read_file(file).decode("utf-8")
        except UnicodeDecodeError as error:
            raise self.refused(f"Cannot read {file}: {error}.") from error
        try:
            report = treaty_status_import(text=text, dry_run=dry_run)
        except StatusImportRefused as refusal:
            raise self.refused(
                refusal, "The whole file was refused: nothing was changed."
            ) from refusal
        for label, rows in (("added", report.added), ("changed", report.changed)):
            for row in rows:
                self.stdout.write(f"  {label}: {row}")
        self.stdout.write(report.summary())
        if dry_run:
            self.dry_run_done()

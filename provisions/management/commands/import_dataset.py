"""`manage.py import_dataset FILE [--force]`: restore a file written by `export_dataset`.

Refuses a database that already holds articles or annotations unless --force, which replaces
that data (members included) with the file's. A bad file changes nothing.
"""

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from provisions.services.dataset import DatasetError, dataset_import


class Command(BaseCommand):
    help = (
        "Import a dataset file written by export_dataset into an empty database, keeping ids. "
        "--force replaces the existing data (content, history and members) with the file's."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="The JSON file written by export_dataset.")
        parser.add_argument(
            "--force",
            action="store_true",
            help="Replace the data already in the database (content, history and members).",
        )

    def handle(self, *args, file: str, force: bool = False, **options):
        def progress(label: str, count: int) -> None:
            self.stdout.write(f"  {label}: {count}")

        try:
            stream = open(file, encoding="utf-8")  # noqa: SIM115 — closed by the with below
        except OSError as exc:
            raise CommandError(
                _("Cannot read %(file)s: %(error)s") % {"file": file, "error": exc.strerror}
            ) from None
        self.stdout.write(_("Importing %(file)s…") % {"file": file})
        try:
            with stream:
                counts = dataset_import(stream=stream, allow_non_empty=force, progress=progress)
        except DatasetError as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(
            self.style.SUCCESS(
                _("Imported %(n)s rows from %(file)s.") % {"n": sum(counts.values()), "file": file}
            )
        )

"""`manage.py import_convention FILE`: import the official text of the Convention (PDF or text).

Progress goes to stderr, the report to stdout. `--dry-run` runs the whole import, prints the
same report and then undoes everything. See docs/importing.md.
"""

from pathlib import Path

from django.core.management.base import CommandError
from django.db import transaction

from provisions.importing.extract import DEFAULT_MAX_FILE_BYTES, extract_text
from provisions.importing.importer import DEFAULT_LABEL, import_convention
from provisions.importing.language_import import default_label, import_language_version
from provisions.importing.parser import parse_convention
from provisions.importing.tree import CONVENTION_ARTICLES, ImportRefused
from provisions.management.commands._file_import import FileImportCommand
from provisions.models.treaty import ENGLISH, TEXT_LANGUAGES


class Command(FileImportCommand):
    help = (
        "Import the official text of the UN Convention against Cybercrime (A/RES/79/243, annex) "
        "from the UN's PDF or a plain-text rendering of it. Earlier texts are kept as versions "
        "and annotations are re-anchored."
    )

    file_help = "The PDF or UTF-8 text file to import."
    dry_run_help = "Run the import and print its report, then undo it: nothing is saved."

    def add_arguments(self, parser):
        super().add_arguments(parser)
        parser.add_argument(
            "--label",
            default=DEFAULT_LABEL,
            help=f"Name of this version of the text, shown to readers (default: {DEFAULT_LABEL}).",
        )
        parser.add_argument(
            "--source", default="", help="Where the file came from (a web address), kept with it."
        )
        parser.add_argument(
            "--expected-articles",
            type=int,
            default=CONVENTION_ARTICLES,
            metavar="N",
            help=(
                f"Refuse a file without exactly N articles (default {CONVENTION_ARTICLES}, the "
                "Convention). Smaller values are for excerpts and tests; articles beyond the "
                "file's are then left untouched."
            ),
        )
        parser.add_argument(
            "--language",
            choices=[code for code, _name in TEXT_LANGUAGES],
            default=ENGLISH,
            help=(
                "The language of the file (default en). Another language's version is aligned "
                "with the English text already imported, provision by provision "
                "(docs/languages.md); its default label is "
                f"“{default_label('LANG')}”."
            ),
        )
        parser.add_argument(
            "--partial",
            action="store_true",
            help=(
                "The file holds only some articles (a run of them, in order) of a version in a "
                "language other than English: import them as a partial version that says which "
                "articles it holds. Without it, the whole Convention is expected."
            ),
        )
        parser.add_argument(
            "--max-bytes",
            type=int,
            default=DEFAULT_MAX_FILE_BYTES,
            metavar="N",
            help=(
                f"Refuse a file larger than N bytes (default {DEFAULT_MAX_FILE_BYTES:,}); "
                "nothing is changed."
            ),
        )

    def handle(self, *args, file: Path, dry_run: bool, label: str, source: str, **options):
        expected = options["expected_articles"]
        if expected < 1:
            raise CommandError("--expected-articles must be at least 1.")
        max_bytes = options["max_bytes"]
        if max_bytes < 1:
            raise CommandError("--max-bytes must be at least 1.")
        language, partial = options["language"], options["partial"]
        if partial and language == ENGLISH:
            raise CommandError(
                "--partial is for the versions in the other languages. The English text is "
                "imported whole (--expected-articles N for an excerpt)."
            )
        self.stderr.write(f"Reading {file}…")
        try:
            text = extract_text(file, max_bytes=max_bytes)
            convention = parse_convention(
                text, expected_articles=expected, language=language, partial=partial
            )
            with transaction.atomic():
                if language == ENGLISH:
                    report = import_convention(
                        convention=convention,
                        label=label,
                        source=source,
                        progress=self.stderr.write,
                    )
                else:
                    report = import_language_version(
                        convention=convention,
                        language=language,
                        label="" if label == DEFAULT_LABEL else label,
                        source=source,
                    )
                if dry_run:
                    transaction.set_rollback(True)
        except ImportRefused as refusal:
            raise self.refused(refusal) from refusal
        for line in report.lines():
            self.stdout.write(line)
        if dry_run:
            self.dry_run_done()
        elif report.has_changes:
            self.stdout.write(self.style.SUCCESS("Import complete."))

"""`manage.py import_annotations FILE [--as USERNAME] [--dry-run] [--source-url URL]`: import
notes made elsewhere (a Hypothesis export, W3C Web Annotations, a TreatyWatch JSON-LD export) as
drafts of a member. Lists every note that could not be placed, with the reason: those become
orphans for an editor. The same file twice changes nothing. See docs/importing-annotations.md.
"""

from pathlib import Path

from django.core.management.base import CommandError
from django.utils.translation import gettext as _

from provisions.importing.annotation_notes import MAX_FILE_BYTES, AnnotationFileRefused
from provisions.management.commands._file_import import FileImportCommand
from provisions.management.commands._members import member_named, refusals_as_errors
from provisions.services.annotation_import import (
    annotation_import,
    annotation_import_plan,
    check_importer,
)


class Command(FileImportCommand):
    help = (
        "Import annotations made elsewhere (Hypothesis export, W3C Web Annotations, a "
        "TreatyWatch JSON-LD export) as drafts of a member; unplaced notes become orphans."
    )

    file_help = "The JSON or JSON-LD file to import."
    dry_run_help = "Read the file and report where every note would go: nothing is saved."

    def add_arguments(self, parser):
        super().add_arguments(parser)
        parser.add_argument(
            "--as",
            dest="username",
            default="",
            help="The member whose drafts the notes become (required unless --dry-run).",
        )
        parser.add_argument(
            "--source-url",
            action="append",
            default=[],
            metavar="URL",
            help="An address that holds the Convention's text (e.g. where the notes were made "
            "on a copy of it): notes made there are placed by their quote anywhere in the "
            "treaty. Repeat for several.",
        )

    def handle(self, *args, file: Path, username: str, dry_run: bool, source_url, **options):
        importer = None
        if username:
            importer = member_named(username)
            with refusals_as_errors():
                check_importer(importer)
        elif not dry_run:
            raise CommandError(_("Name the member the notes are for: --as USERNAME."))
        raw = self.read_file(file, max_bytes=MAX_FILE_BYTES)
        self.stdout.write(_("Reading %(file)s…") % {"file": file})
        try:
            plan = annotation_import_plan(raw=raw, source_urls=source_url)
            self._report(plan)
            if dry_run:
                self.dry_run_done()
                return
            with refusals_as_errors():
                result = annotation_import(plan=plan, importer=importer, progress=self._progress)
        except AnnotationFileRefused as refusal:
            raise self.refused(refusal) from None
        self.stdout.write(
            self.style.SUCCESS(
                _("Imported %(n)s notes as drafts of %(who)s.")
                % {"n": len(result.created), "who": importer.get_username()}
            )
        )

    def _progress(self, done: int, total: int) -> None:
        self.stdout.write(_("  written %(done)s of %(total)s") % {"done": done, "total": total})

    def _report(self, plan) -> None:
        for line in plan.skipped:
            self.stdout.write(_("  not imported: %(why)s") % {"why": line})
        for planned in plan.notes:
            note = planned.note
            name = _("note %(n)s (%(id)s)") % {"n": note.number, "id": note.original_id[:80]}
            if planned.refused:
                self.stdout.write(
                    _("  not imported: %(name)s: %(why)s") % {"name": name, "why": planned.refused}
                )
            elif planned.already is not None:
                self.stdout.write(_("  imported before: %(name)s") % {"name": name})
            elif planned.is_orphan:
                self.stdout.write(
                    _("  to place: %(name)s, waits on %(where)s: %(why)s")
                    % {"name": name, "where": planned.citation, "why": planned.orphan_reason}
                )
            for remark in note.remarks:
                self.stdout.write(f"    {name}: {remark}")
        self.stdout.write(plan.summary())

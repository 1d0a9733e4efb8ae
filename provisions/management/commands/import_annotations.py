"""`manage.py import_annotations FILE [--as USERNAME] [--dry-run] [--source-url URL]`: import
notes made elsewhere (a Hypothesis export, W3C Web Annotations, a TreatyWatch JSON-LD export) as
drafts of a member. Lists every note that could not be placed, with the reason: those become
orphans for an editor. The same file twice changes nothing. See docs/importing-annotations.md.
"""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from provisions.importing.annotations import MAX_FILE_BYTES, AnnotationFileRefused
from provisions.management.commands._members import member_named, refusals_as_errors
from provisions.services.annotation_import import (
    annotation_import,
    annotation_import_plan,
    check_importer,
)


class Command(BaseCommand):
    help = (
        "Import annotations made elsewhere (Hypothesis export, W3C Web Annotations, a "
        "TreatyWatch JSON-LD export) as drafts of a member; unplaced notes become orphans."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path, help="The JSON or JSON-LD file to import.")
        parser.add_argument(
            "--as",
            dest="username",
            default="",
            help="The member whose drafts the notes become (required unless --dry-run).",
        )
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="Read the file and report where every note would go: nothing is saved.",
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
        try:
            if file.stat().st_size > MAX_FILE_BYTES:
                raise CommandError(
                    _("%(file)s is larger than %(n)s MB: split it.")
                    % {"file": file, "n": MAX_FILE_BYTES // (1024 * 1024)}
                )
            raw = file.read_bytes()
        except OSError as error:
            raise CommandError(
                _("Cannot read %(file)s: %(error)s") % {"file": file, "error": error.strerror}
            ) from None
        self.stdout.write(_("Reading %(file)s…") % {"file": file})
        try:
            plan = annotation_import_plan(raw=raw, source_urls=source_url)
            self._report(plan)
            if dry_run:
                self.stdout.write(self.style.WARNING(_("Dry run: nothing was saved.")))
                return
            with refusals_as_errors():
                result = annotation_import(plan=plan, importer=importer, progress=self._progress)
        except AnnotationFileRefused as refusal:
            raise CommandError(f"{refusal} " + _("Nothing was changed.")) from None
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

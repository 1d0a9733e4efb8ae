"""What the commands that import a file share (import_convention, import_treaty_status,
import_annotations): the FILE argument and --dry-run, reading the file with a clear error, a
refusal that says nothing was changed, and the dry run's last line."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _


class FileImportCommand(BaseCommand):
    file_help = ""  # what FILE is, for --help
    dry_run_help = ""  # what a dry run does, for --help

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path, help=self.file_help)
        parser.add_argument("--dry-run", action="store_true", help=self.dry_run_help)

    def read_file(self, file: Path, *, max_bytes: int | None = None) -> bytes:
        """The file's bytes; a file past `max_bytes` (read no further than that) or one that
        cannot be read is an error that says so."""
        try:
            with file.open("rb") as stream:
                raw = stream.read() if max_bytes is None else stream.read(max_bytes + 1)
        except OSError as error:
            raise self.refused(
                _("Cannot read %(file)s: %(error)s.") % {"file": file, "error": error.strerror}
            ) from None
        if max_bytes is not None and len(raw) > max_bytes:
            raise CommandError(
                _("%(file)s is larger than %(n)s MB: split it.")
                % {"file": file, "n": max_bytes // (1024 * 1024)}
            )
        return raw

    def refused(self, refusal, changed: str = "") -> CommandError:
        """A refusal as the command's error, saying what became of the data (raise it)."""
        return CommandError(f"{refusal} {changed or _('Nothing was changed.')}")

    def dry_run_done(self) -> None:
        self.stdout.write(self.style.WARNING(_("Dry run: nothing was saved.")))

"""Annotations made elsewhere, as an import sees them: the notes a file gives, where each one
goes, and the plan an editor confirms. Nothing here reads a file or writes.

Three kinds of file are read (annotation_files.py; docs/importing-annotations.md): a Hypothesis
export, W3C Web Annotations, and TreatyWatch's own JSON-LD export. annotation_plan.py decides
where each note goes; services/annotation_import.py writes the plan.
"""

import datetime
from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from provisions.models import Annotation, Provision
from provisions.models.treaty import ENGLISH

# The editors' upload re-posts the file with the confirmation, within Django's request limit.
MAX_UPLOAD_BYTES = 2 * 1024 * 1024
# A file on the server (the command): a Hypothesis export of ~10,000 notes.
MAX_FILE_BYTES = 20 * 1024 * 1024
IMPORTED = Annotation.ImportedFrom
SOURCE_NAMES = {
    IMPORTED.HYPOTHESIS: "Hypothesis",
    IMPORTED.W3C: "W3C Web Annotation",
    IMPORTED.TREATYWATCH: "TreatyWatch",
}


class AnnotationFileRefused(Exception):
    """The file as a whole cannot be read; nothing was changed."""


@dataclass
class IncomingNote:
    """One note as the file gives it, cleaned and bounded (no database)."""

    number: int  # its place in the file, from 1, for the report
    source: str  # an Annotation.ImportedFrom value
    original_id: str
    creator: str
    created_at: datetime.datetime | None
    body: str
    tags: list[str]
    address: str  # the page or resource it was made on
    selectors: list[dict]
    parents: list[str] = field(default_factory=list)  # original ids, thread's first note first
    concerns: list[str] = field(default_factory=list)
    demands: list[str] = field(default_factory=list)
    remarks: list[str] = field(default_factory=list)  # what the import changed, said openly
    # Other addresses of the page it was made on (a PDF's `urn:x-pdf:` id has its URL beside it).
    other_addresses: list[str] = field(default_factory=list)
    # W3C §3.3.7: its lasting identity if the file gives one, and the address of the note copied.
    canonical: str = ""
    via: str = ""
    # The language of the text it quotes, when the file says (W3C target `language`): one of
    # the Convention's text languages; None when the file names none (read as English).
    language: str | None = None


@dataclass
class PlannedNote:
    """Where an IncomingNote goes: a provision and selectors, anchored or orphaned (and why)."""

    note: IncomingNote
    provision: Provision | None = None
    selectors: list[dict] = field(default_factory=list)
    orphan_reason: str = ""
    reply_to: str = ""  # the original id of the thread's first note
    already: Annotation | None = None  # imported before: nothing to do
    refused: str = ""  # not imported at all (not an annotation, a duplicate id in the file)
    language: str = ENGLISH  # the text it is anchored in (Annotation.language)

    @property
    def is_orphan(self) -> bool:
        return bool(self.orphan_reason)

    @property
    def citation(self) -> str:
        return self.provision.citation if self.provision is not None else ""


@dataclass
class ImportPlan:
    source_label: str
    notes: list[PlannedNote]
    skipped: list[str] = field(default_factory=list)  # entries that are not annotations

    def _count(self, test) -> int:
        return sum(1 for planned in self.notes if test(planned))

    @property
    def to_import(self) -> list[PlannedNote]:
        return [p for p in self.notes if not p.already and not p.refused]

    @property
    def placed_count(self) -> int:
        return self._count(lambda p: not p.already and not p.refused and not p.is_orphan)

    @property
    def orphan_count(self) -> int:
        return self._count(lambda p: not p.already and not p.refused and p.is_orphan)

    @property
    def already_count(self) -> int:
        return self._count(lambda p: p.already is not None)

    @property
    def has_changes(self) -> bool:
        return bool(self.to_import)

    def summary(self) -> str:
        return _(
            "%(source)s: %(total)s notes — %(placed)s placed on their words, %(orphans)s to "
            "be placed by an editor, %(already)s imported before, %(refused)s not imported."
        ) % {
            "source": self.source_label,
            "total": len(self.notes),
            "placed": self.placed_count,
            "orphans": self.orphan_count,
            "already": self.already_count,
            "refused": self._count(lambda p: bool(p.refused)) + len(self.skipped),
        }

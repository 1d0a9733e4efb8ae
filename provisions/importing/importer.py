"""Write the parsed official text of the Convention into the database, keeping what it replaces.

`import_convention` takes what `provisions.importing.parser` read and, in one transaction:

- brings chapters and article titles in line with the official text (titles that differ are
  reported old → new; every title found there is marked confirmed);
- writes the preamble, its recitals and each article's provisions with their eids, in reading
  order (positions: preamble 0, 1, 2…; article N at N × 1000, its paragraphs and
  sub-paragraphs N × 1000 + 1, + 2…), marked as official text. The article-level provision
  `art_N` keeps its row, so what hangs on it stays; its text becomes the article's text before
  paragraph 1 and before its first lettered item (whose items, such as Article 2's definitions,
  are provisions of their own: `art_2__subpara_h`). The editorial summary stays on
  `Article.summary`;
- keeps the earlier text of every provision it changes as a ProvisionVersion labelled with the
  version it belonged to, records the new TextVersion and shows its label on the Treaty;
- marks provisions that are no longer in the text as dropped (`retired_in`), never deletes;
- re-anchors the annotations and links of every article it changed
  (provisions.importing.reanchor).

The same file imported twice changes nothing the second time. Whatever cannot be imported
raises ImportRefused before anything is written (or, being inside the transaction, with
everything undone). Articles in the database that the file does not have (only possible with
a smaller `expected_articles`, for excerpts and tests) are left as they are.
"""

from collections.abc import Callable
from dataclasses import dataclass, field

from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from provisions.cache.generations import everything_changed
from provisions.importing.reanchor import ReanchorReport, reanchor
from provisions.importing.tree import ImportRefused, ParsedConvention, ParsedProvision
from provisions.models import (
    Article,
    Chapter,
    Provision,
    ProvisionVersion,
    TextVersion,
    Treaty,
)
from provisions.search.vectors import update_search_vectors
from provisions.services.seeding import TREATY_SLUG

DEFAULT_LABEL = "A/RES/79/243 annex (official)"
# An article's provisions sit between N × 1000 and N × 1000 + 999.
ARTICLE_POSITION_STEP = 1000


@dataclass
class ImportReport:
    label: str
    previous_label: str
    articles: int = 0
    paragraphs: int = 0
    subparagraphs: int = 0
    recitals: int = 0
    titles_changed: list[tuple[int, str, str]] = field(default_factory=list)  # (n, old, new)
    titles_confirmed: int = 0  # titles found unchanged and confirmed by this import
    chapters_changed: list[tuple[str, str, str]] = field(default_factory=list)  # (no, old, new)
    chapters_created: list[str] = field(default_factory=list)
    articles_moved: list[tuple[int, str, str]] = field(default_factory=list)  # (n, from, to)
    articles_created: list[int] = field(default_factory=list)
    added: list[str] = field(default_factory=list)  # eids
    changed: list[str] = field(default_factory=list)
    unchanged: int = 0
    retired: list[str] = field(default_factory=list)
    preamble_found: bool = True
    reanchoring: ReanchorReport = field(default_factory=ReanchorReport)

    @property
    def text_changed(self) -> bool:
        """A new version of the text: something was added, changed or dropped."""
        return bool(self.added or self.changed or self.retired)

    @property
    def has_changes(self) -> bool:
        return self.text_changed or bool(
            self.titles_changed
            or self.titles_confirmed
            or self.chapters_changed
            or self.chapters_created
            or self.articles_moved
            or self.articles_created
        )

    def lines(self) -> list[str]:
        """The report, line by line, for the person who ran the import."""
        out = [
            _(
                "Found %(articles)s articles, %(paragraphs)s paragraphs, "
                "%(subparagraphs)s sub-paragraphs and %(recitals)s recitals."
            )
            % {
                "articles": self.articles,
                "paragraphs": self.paragraphs,
                "subparagraphs": self.subparagraphs,
                "recitals": self.recitals,
            }
        ]
        if not self.preamble_found:
            out.append(_("No preamble was found: the preamble in the database was left as is."))
        if not self.has_changes:
            out.append(_("No changes: the database already holds this text."))
            if self.label != self.previous_label:
                out.append(
                    _("The version label stays “%(label)s”.") % {"label": self.previous_label}
                )
            return out
        for number, old, new in self.titles_changed:
            out.append(
                _("Title of article %(n)s: “%(old)s” → “%(new)s”")
                % {"n": number, "old": old, "new": new}
            )
        if self.titles_confirmed:
            out.append(
                ngettext(
                    "%(n)s title confirmed unchanged.",
                    "%(n)s titles confirmed unchanged.",
                    self.titles_confirmed,
                )
                % {"n": self.titles_confirmed}
            )
        for number, old, new in self.chapters_changed:
            out.append(
                _("Title of chapter %(n)s: “%(old)s” → “%(new)s”")
                % {"n": number, "old": old, "new": new}
            )
        for number in self.chapters_created:
            out.append(_("Chapter %(n)s created.") % {"n": number})
        for number, old, new in self.articles_moved:
            out.append(
                _("Article %(n)s moved from chapter %(old)s to chapter %(new)s.")
                % {"n": number, "old": old, "new": new}
            )
        if self.articles_created:
            out.append(
                _("Articles created: %(numbers)s.")
                % {"numbers": ", ".join(str(n) for n in self.articles_created)}
            )
        out.append(
            _(
                "Provisions: %(added)s added, %(changed)s changed, %(unchanged)s unchanged, "
                "%(retired)s dropped from the text (kept, not shown)."
            )
            % {
                "added": len(self.added),
                "changed": len(self.changed),
                "unchanged": self.unchanged,
                "retired": len(self.retired),
            }
        )
        if self.retired:
            out.append(_("Dropped: %(eids)s") % {"eids": ", ".join(self.retired)})
        if self.text_changed:
            out.append(
                _("Text version: “%(old)s” (kept) → “%(new)s”.")
                % {"old": self.previous_label, "new": self.label}
            )
        anchors = self.reanchoring
        out.append(
            _(
                "Annotations re-anchored: %(anchored)s in place, %(moved)s moved to where their "
                "quote is now, %(fuzzy)s fuzzy (to confirm), %(orphaned)s orphaned (to fix)."
            )
            % {
                "anchored": anchors.anchored,
                "moved": anchors.moved,
                "fuzzy": anchors.fuzzy,
                "orphaned": anchors.orphaned,
            }
        )
        if anchors.moved_to_parent or anchors.links_to_parent:
            out.append(
                _(
                    "Moved to a parent provision because theirs left the text: "
                    "%(annotations)s annotations (counted as fuzzy), %(links)s links "
                    "(flagged for review)."
                )
                % {"annotations": anchors.moved_to_parent, "links": anchors.links_to_parent}
            )
        if anchors.fuzzy or anchors.orphaned or anchors.links_to_parent:
            out.append(_("Editors fix these under /review/anchors/."))
        return out


def official_title(parsed: str, current: str | None) -> str:
    """The official title as TreatyWatch stores it.

    Some renderings set headings in capitals: a title that only differs in case keeps the
    stored spelling, and an all-capitals title is otherwise stored in sentence case.
    """
    if parsed.isupper():
        if current and current.casefold() == parsed.casefold():
            return current
        return parsed.capitalize()
    return parsed


def stored_label(parsed: ParsedProvision) -> str:
    """As the model documents it: "2" for a paragraph (or recital), "(b)" for a sub-paragraph."""
    if parsed.kind == Provision.Kind.SUBPARAGRAPH:
        return f"({parsed.label})"
    return parsed.label


def _counts(convention: ParsedConvention, report: ImportReport) -> None:
    kinds = [p.kind for p in convention.iter_provisions()]
    report.articles = len(convention.articles)
    report.paragraphs = kinds.count(Provision.Kind.PARAGRAPH)
    report.subparagraphs = kinds.count(Provision.Kind.SUBPARAGRAPH)
    report.recitals = kinds.count(Provision.Kind.RECITAL)
    report.preamble_found = bool(convention.preamble)


def _positions(convention: ParsedConvention) -> dict[str, int]:
    positions: dict[str, int] = {}
    for order, parsed in enumerate(convention.preamble):
        positions[parsed.eid] = order
    order = 0
    for parsed in convention.iter_provisions():
        if parsed.article_number is None:
            continue
        order = 0 if parsed.kind == Provision.Kind.ARTICLE else order + 1
        if order >= ARTICLE_POSITION_STEP:
            raise ImportRefused(
                f"Article {parsed.article_number} has more than {ARTICLE_POSITION_STEP - 1} "
                "paragraphs and sub-paragraphs; that is not the Convention's layout."
            )
        positions[parsed.eid] = parsed.article_number * ARTICLE_POSITION_STEP + order
    return positions


def _text_changes(row: Provision | None, parsed: ParsedProvision) -> bool:
    return row is not None and (row.text != parsed.text or not row.is_official_text)


def _check_arguments(label: str, source: str) -> None:
    if not label:
        raise ImportRefused("The version label is empty: give one with --label.")
    if len(label) > 200:
        raise ImportRefused("The version label is too long (at most 200 characters).")
    if len(source) > 500:
        raise ImportRefused("The source is too long (at most 500 characters).")


def _check_label_is_new(treaty: Treaty, label: str, previous_label: str) -> None:
    if label == previous_label or treaty.text_versions.filter(label=label).exists():
        raise ImportRefused(
            f"This file changes the text, but “{label}” already names a version of it. "
            "Give this version its own label with --label (for example with the date of the "
            "corrigendum), so that both can be compared."
        )


class _Importer:
    def __init__(self, treaty, convention, label, source, progress):
        self.treaty = treaty
        self.convention = convention
        self.label = label
        self.source = source
        self.progress = progress or (lambda message: None)
        self.report = ImportReport(label=label, previous_label=treaty.text_version_label)
        self.positions = _positions(convention)

    # --- chapters and articles

    def chapters_and_articles(self) -> dict[int, Article]:
        chapters = {c.number: c for c in self.treaty.chapters.all()}
        articles = {a.number: a for a in self.treaty.articles.select_related("chapter")}
        next_position = max((c.position for c in chapters.values()), default=0) + 1
        for parsed_chapter in self.convention.chapters:
            chapter = chapters.get(parsed_chapter.number)
            title = official_title(parsed_chapter.title, chapter.title if chapter else None)
            if chapter is None:
                chapter = Chapter.objects.create(
                    treaty=self.treaty,
                    number=parsed_chapter.number,
                    position=next_position,
                    title=title,
                )
                next_position += 1
                chapters[chapter.number] = chapter
                self.report.chapters_created.append(chapter.number)
            elif chapter.title != title:
                self.report.chapters_changed.append((chapter.number, chapter.title, title))
                chapter.title = title
                chapter.save(update_fields=["title"])
            self.progress(_("Chapter %(n)s. %(title)s") % {"n": chapter.number, "title": title})
            for parsed_article in parsed_chapter.articles:
                articles[parsed_article.number] = self.article(
                    articles.get(parsed_article.number), parsed_article, chapter
                )
        return articles

    def article(self, article: Article | None, parsed, chapter: Chapter) -> Article:
        title = official_title(parsed.title, article.title if article else None)
        self.progress("  " + _("Article %(n)s. %(title)s") % {"n": parsed.number, "title": title})
        source = self.source if self.source.startswith(("https://", "http://")) else ""
        if article is None:
            self.report.articles_created.append(parsed.number)
            return Article.objects.create(
                treaty=self.treaty,
                chapter=chapter,
                number=parsed.number,
                title=title,
                title_confirmed=True,
                title_source=source,
                summary="",
            )
        changed = []
        if article.title != title:
            self.report.titles_changed.append((article.number, article.title, title))
            article.title = title
            changed.append("title")
        elif not article.title_confirmed:
            self.report.titles_confirmed += 1
        if not article.title_confirmed:
            article.title_confirmed = True
            changed.append("title_confirmed")
        if changed and source:
            article.title_source = source
            changed.append("title_source")
        if article.chapter_id != chapter.pk:
            self.report.articles_moved.append(
                (article.number, article.chapter.number, chapter.number)
            )
            article.chapter = chapter
            changed.append("chapter")
        if changed:
            article.save(update_fields=changed)
        return article

    # --- provisions

    def existing(self) -> dict[str, Provision]:
        numbers = [a.number for a in self.convention.articles]
        scope = Q(article__number__in=numbers)
        if self.convention.preamble:
            scope |= Q(article__isnull=True)
        return {p.eid: p for p in self.treaty.provisions.filter(scope)}

    def plan(self, existing: dict[str, Provision]) -> None:
        """Which provisions are added, changed, unchanged and dropped (nothing written)."""
        seen = set()
        for parsed in self.convention.iter_provisions():
            seen.add(parsed.eid)
            row = existing.get(parsed.eid)
            if row is None or row.retired_in:
                self.report.added.append(parsed.eid)
            elif _text_changes(row, parsed):
                self.report.changed.append(parsed.eid)
            else:
                self.report.unchanged += 1
        self.report.retired = [
            eid for eid, row in existing.items() if eid not in seen and not row.retired_in
        ]

    def write(self, articles: dict[int, Article], existing: dict[str, Provision]) -> list[int]:
        """Write every provision; returns the pks of those whose text is new or changed."""
        previous = self.previous_version()
        versions, touched = [], []
        rows = dict(existing)
        for parsed in self.convention.iter_provisions():
            row = rows.get(parsed.eid)
            # Ids rather than objects: comparing them needs no query per row.
            values = {
                "article_id": articles[parsed.article_number].pk if parsed.article_number else None,
                "parent_id": rows[parsed.parent_eid].pk if parsed.parent_eid else None,
                "kind": parsed.kind,
                "label": stored_label(parsed),
                "position": self.positions[parsed.eid],
                "text": parsed.text,
                "is_official_text": True,
                "retired_in": "",
            }
            if row is None:
                row = Provision.objects.create(
                    treaty=self.treaty, eid=parsed.eid, added_in=self.label, **values
                )
                rows[parsed.eid] = row
                touched.append(row.pk)
                continue
            if _text_changes(row, parsed):
                versions.append(
                    ProvisionVersion(
                        provision=row,
                        label=self.label_before(row, previous),
                        source=previous.source,
                        text=row.text,
                        is_official_text=row.is_official_text,
                    )
                )
                touched.append(row.pk)
            # A dropped provision that comes back is current again. Known limit: comparing the
            # versions it was missing from shows its old text rather than nothing.
            changed = [name for name, value in values.items() if getattr(row, name) != value]
            for name in changed:
                setattr(row, name, values[name])
            if changed:
                row.save(update_fields=changed)
        for eid in self.report.retired:
            row = rows[eid]
            row.retired_in = self.label
            row.save(update_fields=["retired_in"])
        ProvisionVersion.objects.bulk_create(versions)
        return touched

    def previous_version(self) -> TextVersion:
        """The version being replaced, recorded now if it never was (the editorial summaries)."""
        version, _created = TextVersion.objects.get_or_create(
            treaty=self.treaty,
            label=self.treaty.text_version_label,
            defaults={
                "is_official_text": self.treaty.provisions.filter(is_official_text=True).exists()
            },
        )
        return version

    def label_before(self, row: Provision, previous: TextVersion) -> str:
        """The version a provision's current text belongs to: the one being replaced, or for a
        provision coming back, the last version it was in."""
        if not row.retired_in:
            return previous.label
        labels = list(self.treaty.text_versions.values_list("label", flat=True))
        index = labels.index(row.retired_in) if row.retired_in in labels else 0
        return labels[index - 1] if index > 0 else previous.label

    def affected(self) -> tuple[set[int], bool]:
        """The articles (ids) and whether the preamble, where any provision changed."""
        rows = Provision.objects.filter(
            treaty=self.treaty,
            eid__in=self.report.added + self.report.changed + self.report.retired,
        )
        article_ids = {row.article_id for row in rows if row.article_id is not None}
        preamble = any(row.article_id is None for row in rows)
        return article_ids, preamble

    def run(self) -> ImportReport:
        _counts(self.convention, self.report)
        articles = self.chapters_and_articles()
        existing = self.existing()
        self.plan(existing)
        if not self.report.text_changed:
            self.update_search(articles, [])
            return self.report
        _check_label_is_new(self.treaty, self.label, self.report.previous_label)
        touched = self.write(articles, existing)
        TextVersion.objects.create(
            treaty=self.treaty, label=self.label, source=self.source, is_official_text=True
        )
        self.treaty.text_version_label = self.label
        self.treaty.save(update_fields=["text_version_label"])
        article_ids, preamble = self.affected()
        self.report.reanchoring = reanchor(
            treaty=self.treaty,
            article_ids=article_ids,
            include_preamble=preamble,
            label=self.label,
        )
        self.update_search(articles, touched)
        return self.report

    def update_search(self, articles: dict[int, Article], provisions: list[int]) -> None:
        retitled = [articles[number].pk for number, _old, _new in self.report.titles_changed]
        update_search_vectors(articles=retitled, provisions=provisions)


def locked_treaty() -> Treaty:
    """The Convention, locked until the import's transaction ends; refused if not seeded."""
    treaty = Treaty.objects.select_for_update().filter(slug=TREATY_SLUG).first()
    if treaty is None:
        raise ImportRefused(
            "The Convention is not in the database yet. Run `manage.py seed` first."
        )
    return treaty


@transaction.atomic
def import_convention(
    *,
    convention: ParsedConvention,
    label: str = DEFAULT_LABEL,
    source: str = "",
    progress: Callable[[str], None] | None = None,
) -> ImportReport:
    """Write `convention` (from parser.parse_convention) over the stored text; see the module."""
    label, source = label.strip(), source.strip()
    _check_arguments(label, source)
    treaty = locked_treaty()
    report = _Importer(treaty, convention, label, source, progress).run()
    if report.has_changes:
        everything_changed()
    return report

"""Write a version of the Convention in Arabic, Chinese, French, Russian or Spanish.

`import_convention FILE --language ar` parses the file with that language's numbering
(provisions.importing.numbering) and, in one transaction:

- checks that every article in the file aligns with the English text already imported: the
  same paragraphs and lettered items, eid for eid; anything in one and not the other is
  reported by its citation and nothing is written;
- records the version (a TextVersion in that language, with the articles it holds and its
  chapter titles; partial when that is not every article) and one ProvisionText per provision,
  pointing at the provision that all languages share, so annotations, links and citations are
  the same in every language;
- takes the file's preamble too when it aligns with the English one, recital for recital (the
  report says why when it does not; the articles are imported all the same);
- importing the same file again changes nothing; a file that only adds articles the version
  does not hold yet extends it; a file that changes words already imported becomes a new version
  (with a label of its own) that carries the other articles forward: the earlier version and
  its rows stay, so nothing imported is ever lost.

The English text is the Provision rows themselves and is imported by provisions.importing.importer.
"""

from collections.abc import Callable
from dataclasses import dataclass, field

from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from provisions.anchoring import QUOTE, locate_quote, make_selectors
from provisions.cache.generations import everything_changed
from provisions.importing.importer import locked_treaty
from provisions.importing.tree import ImportRefused, ParsedConvention
from provisions.models import Annotation, Provision, ProvisionText, TextVersion, Treaty
from provisions.models.treaty import TEXT_LANGUAGES, QuoteSource, citation_for_eid
from provisions.search.vectors import update_language_vectors
from provisions.services import history

# Reported differences are listed up to this many (then counted).
_LISTED = 20


def default_label(language: str) -> str:
    return f"A/RES/79/243 annex (official, {language})"


def language_name(language: str) -> str:
    return str(dict(TEXT_LANGUAGES)[language])


@dataclass
class LanguageImportReport:
    language: str
    label: str
    in_file: list[int] = field(default_factory=list)  # article numbers the file holds
    held: list[int] = field(default_factory=list)  # article numbers the version holds after
    partial: bool = False
    outcome: str = "unchanged"  # "created", "extended", "new version" or "unchanged"
    previous_label: str = ""
    added: int = 0  # provisions newly given text in this language
    changed: list[str] = field(default_factory=list)  # eids whose words changed
    notes_anchored: int = 0  # notes in this language found again in the changed words
    notes_orphaned: int = 0  # notes whose words are gone (editors fix them: /review/anchors/)
    # The file's preamble: its recitals when imported; else why not (None: the file has none).
    preamble_recitals: int | None = None
    preamble_refused: str = ""

    @property
    def has_changes(self) -> bool:
        return self.outcome != "unchanged"

    def lines(self) -> list[str]:
        name = language_name(self.language)
        out = [
            _("%(language)s text: the file holds articles %(articles)s.")
            % {"language": name, "articles": article_ranges(self.in_file)}
        ]
        if self.preamble_refused:
            out.append(self.preamble_refused)
        elif self.preamble_recitals is not None:
            out.append(
                ngettext(
                    "It holds the preamble too: the opening words and %(n)s recital.",
                    "It holds the preamble too: the opening words and %(n)s recitals.",
                    self.preamble_recitals,
                )
                % {"n": self.preamble_recitals}
            )
        if self.outcome == "unchanged":
            out.append(_("No changes: the database already holds this text."))
            return out
        if self.outcome == "created":
            out.append(_("Version “%(label)s” recorded.") % {"label": self.label})
        elif self.outcome == "extended":
            out.append(_("Version “%(label)s” extended.") % {"label": self.label})
        else:
            out.append(
                _("Text version: “%(old)s” (kept) → “%(new)s”.")
                % {"old": self.previous_label, "new": self.label}
            )
            out.append(
                _("Changed: %(citations)s")
                % {"citations": ", ".join(citation_for_eid(eid) for eid in self.changed)}
            )
            out.append(
                _(
                    "Annotations on this language's text re-anchored: %(anchored)s found again, "
                    "%(orphaned)s orphaned (to fix under /review/anchors/)."
                )
                % {"anchored": self.notes_anchored, "orphaned": self.notes_orphaned}
            )
        out.append(
            _("Provisions given their %(language)s text: %(n)s.")
            % {"language": name, "n": self.added}
        )
        if self.partial:
            out.append(
                _(
                    "Partial version: it holds articles %(articles)s; "
                    "the others are shown in English."
                )
                % {"articles": article_ranges(self.held)}
            )
        return out


def article_ranges(numbers: list[int]) -> str:
    """[1, 2, 3, 5] → "1–3, 5"."""
    runs: list[list[int]] = []
    for number in sorted(numbers):
        if runs and number == runs[-1][-1] + 1:
            runs[-1].append(number)
        else:
            runs.append([number])
    return ", ".join(f"{run[0]}–{run[-1]}" if len(run) > 1 else str(run[0]) for run in runs)


def _aligned(convention: ParsedConvention, english: dict[str, Provision], language: str) -> None:
    """Refuse unless the file's provisions are, article by article, the English ones."""
    name = language_name(language)
    numbers = {article.number for article in convention.articles}
    in_file = {parsed.eid for parsed in convention.iter_provisions() if parsed.article_number}
    in_english = {eid for eid, row in english.items() if row.article.number in numbers}
    not_official = sorted(
        {row.article.number for row in english.values() if not row.is_official_text}
    )
    if not in_english or not_official:
        missing = article_ranges(not_official or list(numbers))
        raise ImportRefused(
            f"The English official text of articles {missing} "
            "has not been imported yet: import the English text first, so that the "
            f"{name} text can be aligned with it."
        )
    only_file = sorted(in_file - in_english, key=_reading_order(convention))
    only_english = sorted(in_english - in_file, key=lambda eid: english[eid].position)
    if not only_file and not only_english:
        return
    problems = [
        f"{citation_for_eid(eid)}: in the {name} file, not in the English text" for eid in only_file
    ]
    problems += [
        f"{citation_for_eid(eid)}: in the English text, not in the {name} file"
        for eid in only_english
    ]
    more = len(problems) - _LISTED
    listed = "\n".join(f"  {problem}" for problem in problems[:_LISTED])
    raise ImportRefused(
        f"The {name} file does not align with the English text ({len(problems)} "
        f"difference{'s' if len(problems) != 1 else ''}); nothing was imported:\n{listed}"
        + (f"\n  … and {more} more" if more > 0 else "")
    )


def _reading_order(convention: ParsedConvention) -> Callable[[str], int]:
    order = {parsed.eid: index for index, parsed in enumerate(convention.iter_provisions())}
    return lambda eid: order.get(eid, 0)


class _LanguageImporter:
    def __init__(self, treaty: Treaty, convention: ParsedConvention, language, label, source):
        self.treaty = treaty
        self.convention = convention
        self.language = language
        self.label = label
        self.source = source
        numbers = [article.number for article in convention.articles]
        self.report = LanguageImportReport(language=language, label=label, in_file=numbers)
        self.all_articles = set(treaty.articles.values_list("number", flat=True))

    def parsed_texts(self) -> dict[str, tuple[str, str]]:
        """eid → (text, title) from the file."""
        titles = {article.eid: article.title for article in self.convention.articles}
        return {
            parsed.eid: (parsed.text, titles.get(parsed.eid, ""))
            for parsed in self.convention.iter_provisions()
            if parsed.article_number is not None
        }

    def aligned_preamble(self) -> dict[str, Provision]:
        """The English preamble's provisions by eid, when the file's preamble aligns with it;
        otherwise none, and the report says why: the articles are imported all the same, and
        readers see the English preamble."""
        parsed = self.convention.preamble
        if not parsed:
            return {}
        name = language_name(self.language)
        recitals = len(parsed) - 1
        english = {
            row.eid: row
            for row in Provision.objects.current().filter(
                treaty=self.treaty, article__isnull=True, is_official_text=True
            )
        }
        if not english:
            self.report.preamble_refused = _(
                "The file's preamble was not imported: the English official text of the "
                "preamble has not been imported, so the %(language)s preamble cannot be "
                "aligned with it."
            ) % {"language": name}
            return {}
        if {p.eid for p in parsed} != set(english):
            self.report.preamble_refused = _(
                "The file's preamble was not imported: its recitals do not align with the "
                "English text (in the file: %(found)s; in English: %(english)s), so readers "
                "see the English preamble. Each recital must be a paragraph of its own, after "
                "a blank line, ending with a comma or a semicolon."
            ) % {"found": recitals, "english": len(english) - 1}
            return {}
        self.report.preamble_recitals = recitals
        return english

    def chapter_titles(self) -> dict[str, str]:
        return {chapter.number: chapter.title for chapter in self.convention.chapters}

    def run(self) -> LanguageImportReport:
        numbers = self.report.in_file
        english = {
            row.eid: row
            for row in Provision.objects.current()
            .filter(treaty=self.treaty, article__number__in=numbers)
            .select_related("article")
        }
        _aligned(self.convention, english, self.language)
        texts = self.parsed_texts()
        preamble = self.aligned_preamble()
        english |= preamble
        texts |= {p.eid: (p.text, "") for p in self.convention.preamble if p.eid in preamble}
        current = TextVersion.objects.current_in(self.treaty.pk, self.language)
        held_rows = {}
        if current is not None:
            held_rows = {
                row.provision.eid: row
                for row in ProvisionText.objects.filter(text_version=current).select_related(
                    "provision"
                )
            }
        changed = [
            eid
            for eid, (text, title) in texts.items()
            if eid in held_rows and (held_rows[eid].text, held_rows[eid].title) != (text, title)
        ]
        new_eids = [eid for eid in texts if eid not in held_rows]
        if current is not None and not changed and not new_eids:
            self.report.label = current.label
            self.report.held = list(current.articles)
            self.report.partial = current.partial
            return self.report
        if current is None or changed:
            self.check_label_is_new()
            version = self.new_version(current)
            carried = {
                eid: (row.text, row.title) for eid, row in held_rows.items() if eid not in texts
            }
            rows = self.write(version, english | self.carried_provisions(carried), texts | carried)
            self.report.outcome = "created" if current is None else "new version"
            self.report.previous_label = current.label if current else ""
            self.report.changed = changed
            self.report.added = len(new_eids)
            self.reanchor(version, changed, texts)
        else:
            version = current
            self.report.label = current.label
            rows = self.write(version, english, {eid: texts[eid] for eid in new_eids})
            self.report.outcome = "extended"
            self.report.added = len(new_eids)
        held = sorted(set(version.articles) | set(numbers))
        version.articles = held
        version.partial = set(held) != self.all_articles
        version.chapter_titles = {**version.chapter_titles, **self.chapter_titles()}
        version.save(update_fields=["articles", "partial", "chapter_titles"])
        self.report.held, self.report.partial = held, version.partial
        update_language_vectors(rows)
        return self.report

    def reanchor(self, version: TextVersion, changed: list[str], texts: dict) -> None:
        """Find the quotes of this language's notes on changed provisions in the new words;
        notes in other languages are anchored in texts this import does not change."""
        notes = Annotation.objects.filter(
            provision__treaty=self.treaty,
            provision__eid__in=changed,
            language=self.language,
            in_reply_to__isnull=True,
        ).select_related("provision")
        for note in notes:
            quote = note.selector(QUOTE)
            if not quote:
                continue
            text = texts[note.provision.eid][0]
            found = locate_quote(
                text, quote["exact"], quote.get("prefix", ""), quote.get("suffix", "")
            )
            if found is None:
                note.anchor_state = Annotation.Anchor.ORPHANED
                self.report.notes_orphaned += 1
            else:
                note.selectors = make_selectors(text, found, found + len(quote["exact"]))
                note.anchor_state = Annotation.Anchor.ANCHORED
                note.set_quote_source(QuoteSource(version.label, True))
                self.report.notes_anchored += 1
            note.version += 1
            note.save(update_fields=Annotation.ANCHOR_FIELDS)
            history.record(obj=note, action="reanchored", actor=None, note=version.label)

    def carried_provisions(self, carried: dict) -> dict[str, Provision]:
        return {
            row.eid: row for row in Provision.objects.filter(treaty=self.treaty, eid__in=carried)
        }

    def check_label_is_new(self) -> None:
        if self.treaty.text_versions.filter(label=self.label).exists():
            raise ImportRefused(
                f"This file changes the {language_name(self.language)} text, but “{self.label}” "
                "already names a version of the text. Give this version its own label with "
                "--label, so that both can be compared."
            )

    def new_version(self, current: TextVersion | None) -> TextVersion:
        return TextVersion.objects.create(
            treaty=self.treaty,
            label=self.label,
            source=self.source,
            is_official_text=True,
            language=self.language,
            articles=list(current.articles) if current else [],
            chapter_titles=dict(current.chapter_titles) if current else {},
        )

    def write(self, version, provisions, texts) -> list[ProvisionText]:
        return ProvisionText.objects.bulk_create(
            [
                ProvisionText(
                    text_version=version, provision=provisions[eid], text=text, title=title
                )
                for eid, (text, title) in texts.items()
            ]
        )


@transaction.atomic
def import_language_version(
    *,
    convention: ParsedConvention,
    language: str,
    label: str = "",
    source: str = "",
) -> LanguageImportReport:
    """Write `convention` (parsed with `language`'s numbering) as that language's version."""
    if language not in dict(TEXT_LANGUAGES) or language == "en":
        raise ImportRefused(f"“{language}” is not one of the other languages of the Convention.")
    label, source = (label.strip() or default_label(language)), source.strip()
    if len(label) > 200 or len(source) > 500:
        raise ImportRefused("The version label (200 characters) or the source (500) is too long.")
    treaty = locked_treaty()
    report = _LanguageImporter(treaty, convention, language, label, source).run()
    if report.has_changes:
        everything_changed()
    return report

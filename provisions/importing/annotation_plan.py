"""Deciding where each note of a file goes (plan_import): reads the provisions and earlier
imports, never writes.

A note is placed by its quote and the quote's context (TextQuoteSelector exact/prefix/suffix),
searched in the provisions its address names: an article page, a provision's `#eid`, or an
address the importer names as the Convention's text (`source_urls`: the whole treaty). A
position is never enough on its own. Whatever cannot be placed becomes an orphan with its
reason, for an editor to place under /review/anchors/.
"""

import re
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from provisions.anchoring import MAX_QUOTE_CHARS, POSITION, QUOTE, make_selectors
from provisions.importing.annotation_notes import (
    IMPORTED,
    SOURCE_NAMES,
    ImportPlan,
    IncomingNote,
    PlannedNote,
)
from provisions.importing.reanchor import best_exact_match
from provisions.models import (
    Annotation,
    Concern,
    Provision,
    ProvisionText,
    SafeguardDemand,
    TextVersion,
)
from provisions.models.treaty import ENGLISH, TEXT_LANGUAGES
from provisions.services.annotations import clean_body

# Selectors that point into another page's markup: never a way to find words in ours.
MARKUP_SELECTORS = {"RangeSelector", "XPathSelector", "CssSelector", "FragmentSelector"}


def _normal_address(url: str) -> str:
    parts = urlsplit(url.strip())
    return f"{parts.scheme.lower()}://{parts.netloc.lower()}{parts.path.rstrip('/')}"


class Places:
    """The provisions shown now, by the addresses that name them (read once per plan)."""

    def __init__(self, *, source_urls=()):
        provisions = list(
            Provision.objects.current().select_related("article").order_by("position")
        )
        self.by_eid = {p.eid: p for p in provisions}
        self.by_article: dict[int | None, list[Provision]] = {}
        for provision in provisions:
            number = provision.article.number if provision.article_id else None
            self.by_article.setdefault(number, []).append(provision)
        self.everything = provisions
        self.treaty_urls = {_normal_address(url) for url in source_urls if url}
        marker = "1234567"
        # The unprefixed (English) addresses, whatever language the import runs in; an address
        # of a page in another language (/ar/convention/…) is read without its prefix.
        with translation.override(settings.LANGUAGE_CODE):
            article = reverse("provisions:article", kwargs={"number": int(marker)})
            self.toc_path = reverse("provisions:toc").rstrip("/")
        self.article_path = re.compile(
            "^" + re.escape(article).replace(marker, r"(\d{1,4})") + "?$"
        )
        prefixes = "|".join(re.escape(code) for code, _name in settings.LANGUAGES)
        self.language_prefix = re.compile(f"^/(?:{prefixes})(?=/)", re.IGNORECASE)
        self.language_texts: dict[str, dict[int, str] | None] = {}

    def texts_in(self, language: str) -> dict[int, str] | None:
        """The words of the newest version in `language`, by provision id (one query per
        language a file names), or None when that language's text has not been imported."""
        if language not in self.language_texts:
            treaty_id = self.everything[0].treaty_id if self.everything else None
            version = TextVersion.objects.current_in(treaty_id, language) if treaty_id else None
            self.language_texts[language] = (
                dict(
                    ProvisionText.objects.filter(text_version=version).values_list(
                        "provision_id", "text"
                    )
                )
                if version
                else None
            )
        return self.language_texts[language]

    def candidates(self, address: str) -> tuple[Provision | None, list[Provision], str]:
        """(the provision the address names, the provisions to search, why none) for an
        address: an article page, a provision's #eid, or one of `source_urls`."""
        if not address:
            return None, [], _("The note names no page it was made on.")
        parts = urlsplit(address)
        path = self.language_prefix.sub("", parts.path, count=1)
        home = self.by_eid.get(parts.fragment)
        matched = self.article_path.match(path)
        if matched:
            group = self.by_article.get(int(matched.group(1)), [])
            if home is not None and home not in group:
                home = None
            if not group:
                return (
                    None,
                    [],
                    _("Article %(n)s is not in the Convention.") % {"n": matched.group(1)},
                )
            return home, group, ""
        if path.rstrip("/") == self.toc_path and home is not None:
            return home, self.by_article.get(home.article.number if home.article_id else None), ""
        if _normal_address(address) in self.treaty_urls:
            return home, self.everything, ""
        return (
            None,
            [],
            _(
                "It was made on %(url)s, which is not a page of the Convention here. If that "
                "address holds the Convention's text, import again naming it as the source."
            )
            % {"url": address[:200]},
        )

    def candidates_of(self, note: IncomingNote) -> tuple[Provision | None, list[Provision], str]:
        """candidates() of the first of the note's addresses that names a page here: the page
        it was made on, else the page's other addresses (a PDF's web address beside its
        `urn:x-pdf:` id). Why none does is said of the first."""
        first = self.candidates(note.address)
        if not first[2]:
            return first
        for address in note.other_addresses:
            if address and address != note.address:
                found = self.candidates(address)
                if not found[2]:
                    return found
        return first

    def fallback(self, home: Provision | None, group: list[Provision]) -> Provision | None:
        """Where an orphan waits: its provision, its article, or the beginning of the text."""
        return home or (group[0] if group else (self.everything[0] if self.everything else None))


def _place(note: IncomingNote, places: Places) -> PlannedNote:
    planned = PlannedNote(note=note, language=note.language or ENGLISH)
    home, group, why = places.candidates_of(note)
    quote = next((s for s in note.selectors if s["type"] == QUOTE), None)
    position = next((s for s in note.selectors if s["type"] == POSITION), None)
    markup = sorted({s["type"] for s in note.selectors} & MARKUP_SELECTORS)
    if quote is not None and not quote["exact"].strip():
        quote = None
    if quote is not None and len(quote["exact"]) > MAX_QUOTE_CHARS:
        planned.provision = places.fallback(home, group)
        planned.orphan_reason = _("The quoted words are too long to place.")
        return planned
    kept = [quote] if quote else []  # what an orphan keeps to show its editor
    if why:
        planned.provision, planned.selectors = places.fallback(home, group), kept
        planned.orphan_reason = why
        return planned
    texts = None
    if planned.language != ENGLISH:
        # Made on another language's text: its words are searched there, and it is anchored
        # there (Annotation.language).
        texts = places.texts_in(planned.language)
        if texts is None:
            planned.provision, planned.selectors = places.fallback(home, group), kept
            planned.orphan_reason = _(
                "It was made on the %(language)s text, which has not been imported here."
            ) % {"language": dict(TEXT_LANGUAGES)[planned.language]}
            return planned
    if quote is None:
        planned.provision = places.fallback(home, group)
        if markup:
            planned.orphan_reason = _(
                "It is placed only by %(kinds)s (positions in another page's markup), "
                "which cannot find words here: pick the words it is about."
            ) % {"kinds": ", ".join(markup)}
        elif position is not None:
            planned.orphan_reason = _(
                "It is placed only by character positions, which never place a note here: "
                "pick the words it is about."
            )
        elif home is None and len(group) > 1:
            # A note on a whole article page (no eid): the article's own provision.
            planned.provision = next((p for p in group if p.kind == Provision.Kind.ARTICLE), None)
            if planned.provision is None:
                planned.provision = group[0]
                planned.orphan_reason = _("A note on a whole page: pick where it belongs.")
        return planned
    # A position is only a hint, and only within the provision an #eid names: a page-level
    # offset (Hypothesis) counts characters of a whole page, never of one provision.
    provision_relative = home is not None and note.source != IMPORTED.HYPOTHESIS
    hint = position["start"] if position is not None and provision_relative else None
    text_of = None if texts is None else (lambda provision: texts.get(provision.pk))
    found = best_exact_match(quote, hint, home, group, text_of=text_of)
    if found is None:
        planned.provision, planned.selectors = places.fallback(home, group), kept
        planned.orphan_reason = _(
            "The quoted words “%(quote)s” are not in the text of %(where)s."
        ) % {
            "quote": quote["exact"][:120],
            "where": home.citation if home else (_("its article") if group else _("the text")),
        }
        return planned
    provision, at = found
    planned.provision = provision
    text = provision.text if texts is None else texts[provision.pk]
    planned.selectors = make_selectors(text, at, at + len(quote["exact"]))
    return planned


def plan_import(*, notes: list[IncomingNote], source_label: str, source_urls=()) -> ImportPlan:
    """Where every note would go, and which were imported before. Reads, never writes."""
    places = Places(source_urls=source_urls)
    # The notes, and the notes they reply to, imported before: read in a few queries.
    by_source: dict[str, set[str]] = {}
    for note in notes:
        by_source.setdefault(note.source, set()).update([note.original_id, *note.parents])
    already: dict[tuple[str, str], Annotation] = {}
    for source, ids in by_source.items():
        ids = sorted(ids)
        for index in range(0, len(ids), 500):
            for annotation in Annotation.objects.filter(
                imported_from=source, imported_id__in=ids[index : index + 500]
            ).select_related("provision", "in_reply_to"):
                already[(source, annotation.imported_id)] = annotation
    _remark_unknown_points(notes)
    plan = ImportPlan(source_label=source_label, notes=[])
    first: dict[str, IncomingNote] = {}
    for note in notes:
        if note.original_id in first:
            refused = _("The same id appears earlier in the file.")
            plan.notes.append(PlannedNote(note=note, refused=refused))
        else:
            first[note.original_id] = note
    in_file: dict[str, PlannedNote] = {}
    for note in _parents_first(list(first.values()), first):
        in_file[note.original_id] = _plan_one(note, in_file, already, places)
    plan.notes += in_file.values()
    plan.notes.sort(key=lambda planned: planned.note.number)
    return plan


def _parents_first(notes: list[IncomingNote], by_id: dict[str, IncomingNote]):
    """The notes in an order where every note comes after those it replies to (a file may list
    a reply first); a loop of replies is broken where it closes. No recursion: a chain of
    replies as long as the file cannot exhaust the stack."""
    done: set[str] = set()
    visiting: set[str] = set()
    for note in notes:
        stack = [(note, False)]
        while stack:
            current, expanded = stack.pop()
            key = current.original_id
            if key in done:
                continue
            if expanded:
                done.add(key)
                yield current
                continue
            if key in visiting:
                continue
            visiting.add(key)
            stack.append((current, True))
            for parent_id in current.parents:
                parent = by_id.get(parent_id)
                if parent is not None and parent_id not in visiting:
                    stack.append((parent, False))


def _remark_unknown_points(notes: list[IncomingNote]) -> None:
    """A TreatyWatch export's concerns and demands that this site does not have are left out,
    and the report says which (read only when a note names any)."""
    wanted = [note for note in notes if note.concerns or note.demands]
    if not wanted:
        return
    known = set(Concern.objects.values_list("slug", flat=True)) | set(
        SafeguardDemand.objects.values_list("slug", flat=True)
    )
    for note in wanted:
        unknown = [slug for slug in note.concerns + note.demands if slug not in known]
        if unknown:
            note.remarks.append(
                _("Not known here, left out: %(slugs)s.") % {"slugs": ", ".join(unknown)[:200]}
            )


def _plan_one(note: IncomingNote, in_file, already, places) -> PlannedNote:
    if not note.body.strip() and not note.parents:
        note.body = _("(A highlight without a note, imported from %(source)s.)") % {
            "source": SOURCE_NAMES[note.source]
        }
        note.remarks.append(_("A highlight without a note: imported with a note saying so."))
    try:
        note.body = clean_body(note.body)
    except ValidationError as error:
        return PlannedNote(note=note, refused=" ".join(error.messages))
    earlier = already.get((note.source, note.original_id))
    if earlier is not None:
        planned = PlannedNote(note=note, already=earlier, provision=earlier.provision)
        planned.reply_to = earlier.in_reply_to.imported_id if earlier.in_reply_to_id else ""
        return planned
    return _thread_or_place(note, in_file, already, places)


def _thread_or_place(note, in_file, already, places) -> PlannedNote:
    """A reply joins its thread's first note (threads are one level deep) when that note, or
    any note of the thread before it, is in the file or was imported before."""
    for parent_id in note.parents:
        parent = in_file.get(parent_id)
        if parent is not None and not parent.refused:
            root = parent.reply_to or parent_id
            root_planned = in_file.get(root, parent)
            return PlannedNote(note=note, provision=root_planned.provision, reply_to=root)
        earlier = already.get((note.source, parent_id))
        if earlier is not None:
            root = earlier.in_reply_to.imported_id if earlier.in_reply_to_id else parent_id
            return PlannedNote(note=note, provision=earlier.provision, reply_to=root or parent_id)
    planned = _place(note, places)
    if note.parents and not planned.is_orphan:
        planned.orphan_reason = _(
            "It replies to a note that is neither in the file nor imported before."
        )
    elif note.parents:
        planned.orphan_reason += " " + _(
            "It replies to a note that is neither in the file nor imported before."
        )
    return planned

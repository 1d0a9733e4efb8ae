"""Annotations made elsewhere: read a file, decide where each note belongs. Nothing is written.

Three kinds of file are read (docs/importing-annotations.md):

- a Hypothesis export: the JSON the Hypothesis client saves (`export_date`, `export_userid`,
  `annotations` in Hypothesis's API format; a search response's `rows` are read the same way);
- W3C Web Annotations: one annotation, an array of them, an `AnnotationPage` or an
  `AnnotationCollection` whose pages are embedded (a page that is only linked is never fetched);
- TreatyWatch's own JSON-LD export (W3C, with our `provision` and `anchorState` keys).

A note is placed by its quote and the quote's context (TextQuoteSelector exact/prefix/suffix),
searched in the provisions its address names: an article page, a provision's `#eid`, or an
address the importer names as the Convention's text (`source_urls`: the whole treaty). A
position is never enough on its own. Whatever cannot be placed becomes an orphan with its
reason, for an editor to place under /review/anchors/.
"""

import datetime
import hashlib
import json
import re
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from provisions.anchoring import CONTEXT_CHARS, MAX_QUOTE_CHARS, POSITION, QUOTE, make_selectors
from provisions.importing.reanchor import best_exact_match
from provisions.models import Annotation, Concern, Provision, SafeguardDemand
from provisions.public_names import clean_name, contains_email
from provisions.rendering import contains_image
from provisions.services.annotations import MAX_TAG_CHARS, MAX_TAGS, clean_body, tag_slug

# The editors' upload re-posts the file with the confirmation, within Django's request limit.
MAX_UPLOAD_BYTES = 2 * 1024 * 1024
# A file on the server (the command): a Hypothesis export of ~10,000 notes.
MAX_FILE_BYTES = 20 * 1024 * 1024
MAX_NOTES = 10_000
MAX_NAME_CHARS = 100
MAX_ID_CHARS = 500
MAX_URL_CHARS = 2_000
# A reply's thread as Hypothesis lists it (its first note first): no real thread is deeper.
MAX_THREAD = 50
IMPORTED = Annotation.ImportedFrom
SOURCE_NAMES = {
    IMPORTED.HYPOTHESIS: "Hypothesis",
    IMPORTED.W3C: "W3C Web Annotation",
    IMPORTED.TREATYWATCH: "TreatyWatch",
}
# Selectors that point into another page's markup: never a way to find words in ours.
MARKUP_SELECTORS = {"RangeSelector", "XPathSelector", "CssSelector", "FragmentSelector"}
_MARKDOWN_IMAGE = re.compile(r"!(?=\[)")
# Read this much of a note: a longer one is refused by clean_body with its reason.
MAX_READ_CHARS = 20_001


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


# --- Reading the file ------------------------------------------------------------------------


def load_json(raw: bytes, *, limit: int) -> object:
    """The file's JSON, or AnnotationFileRefused with a reason a person can act on."""
    if len(raw) > limit:
        raise AnnotationFileRefused(_("The file is larger than %(n)s KB.") % {"n": limit // 1024})
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise AnnotationFileRefused(_("The file is not UTF-8 text.")) from None
    if not text.strip():
        raise AnnotationFileRefused(_("The file is empty."))
    try:
        return json.loads(text)
    except RecursionError:
        # Nested thousands deep: no annotation format is; Python's parser gives up first.
        raise AnnotationFileRefused(_("The file nests its JSON too deeply.")) from None
    except ValueError as error:  # JSONDecodeError, or a number with thousands of digits
        raise AnnotationFileRefused(
            _("The file is not valid JSON: %(error)s") % {"error": str(error)[:200]}
        ) from None


def _text(value, limit: int) -> str:
    return value[:limit] if isinstance(value, str) else ""


def _creator_name(value, *, by_name: bool = False) -> str:
    """A display name as the file gives it: untrusted, so one clean line, bounded; an address
    (e-mail shaped) is never shown as a name."""
    if isinstance(value, list) and value:
        value = value[0]
    if isinstance(value, dict):
        value = value.get("name") or value.get("nickname") or ""
    elif not by_name:
        return ""  # a W3C creator given as a string is its address (IRI), not a name
    name = clean_name(_text(value, 1000))
    if contains_email(name):
        return ""
    return name[:MAX_NAME_CHARS]


def _when(value, remarks: list[str]) -> datetime.datetime | None:
    if not isinstance(value, str) or not value:
        return None
    try:
        moment = datetime.datetime.fromisoformat(value[:64])
    except ValueError:
        remarks.append(_("Its date “%(d)s” could not be read: left out.") % {"d": value[:40]})
        return None
    if timezone.is_naive(moment):
        moment = moment.replace(tzinfo=datetime.UTC)
    return moment


def _body(text: str, remarks: list[str]) -> str:
    """The note's Markdown as TreatyWatch keeps it: an image becomes a link to it (notes never
    show images), and the report says so."""
    text = text.strip()
    if contains_image(text):
        text = _MARKDOWN_IMAGE.sub("", text)
        remarks.append(_("An image in the note became a link to it: notes show no images."))
    return text


def _tags(values, remarks: list[str]) -> list[str]:
    """Tag names as TreatyWatch keeps them (services.annotations' limits), saying what changed."""
    names = []
    for value in values[:200]:
        if not isinstance(value, str):
            continue
        name = " ".join(value.split()).lstrip("#")
        if not tag_slug(name[:MAX_TAG_CHARS]):
            if name:
                left_out = _("The tag “%(t)s” has no letter or digit: left out.")
                remarks.append(left_out % {"t": name[:40]})
            continue
        if len(name) > MAX_TAG_CHARS:
            remarks.append(
                _("The tag “%(t)s” was shortened to %(n)s characters.")
                % {"t": name[:60], "n": MAX_TAG_CHARS}
            )
            name = name[:MAX_TAG_CHARS].strip()
        names.append(name)
    names = list(dict.fromkeys(names))
    if len(names) > MAX_TAGS:
        remarks.append(
            _("Only the first %(n)s tags were kept: %(left)s left out.")
            % {"n": MAX_TAGS, "left": ", ".join(names[MAX_TAGS:])[:200]}
        )
    return names[:MAX_TAGS]


def _selectors(raw) -> list[dict]:
    """Selector objects as given (a W3C target may give one or a list), bounded."""
    if isinstance(raw, dict):
        raw = [raw]
    if not isinstance(raw, list):
        return []
    selectors = []
    for selector in raw[:20]:
        if not isinstance(selector, dict) or not isinstance(selector.get("type"), str):
            continue
        kind = selector["type"]
        if kind == QUOTE:
            selectors.append(
                {
                    "type": QUOTE,
                    "exact": _text(selector.get("exact"), MAX_QUOTE_CHARS + 1),
                    # Context past our own CONTEXT_CHARS adds nothing (anchoring.locate_quote).
                    "prefix": _text(selector.get("prefix"), 10_000)[-CONTEXT_CHARS:],
                    "suffix": _text(selector.get("suffix"), 10_000)[:CONTEXT_CHARS],
                }
            )
        elif kind == POSITION:
            start, end = selector.get("start"), selector.get("end")
            if all(isinstance(v, int) and not isinstance(v, bool) for v in (start, end)):
                selectors.append({"type": POSITION, "start": start, "end": end})
        else:
            selectors.append({"type": kind[:40]})
    return selectors


def _content_id(entry: dict) -> str:
    """An id for an entry that has none: the same entry in the same file gets the same one."""
    digest = hashlib.sha256(json.dumps(entry, sort_keys=True, default=str).encode()).hexdigest()
    return f"sha256:{digest}"


def _hypothesis_note(entry: dict, number: int) -> IncomingNote:
    remarks: list[str] = []
    target = entry.get("target")
    first = target[0] if isinstance(target, list) and target and isinstance(target[0], dict) else {}
    references = entry.get("references")
    parents = (
        [ref[:MAX_ID_CHARS] for ref in references[:MAX_THREAD] if isinstance(ref, str) and ref]
        if isinstance(references, list)
        else []
    )
    user_info = entry.get("user_info") if isinstance(entry.get("user_info"), dict) else {}
    tags = entry.get("tags") if isinstance(entry.get("tags"), list) else []
    return IncomingNote(
        number=number,
        source=IMPORTED.HYPOTHESIS,
        original_id=_text(entry.get("id"), MAX_ID_CHARS) or _content_id(entry),
        creator=_creator_name(user_info.get("display_name"), by_name=True),
        created_at=_when(entry.get("created"), remarks),
        body=_body(_text(entry.get("text"), MAX_READ_CHARS), remarks),
        tags=_tags(tags, remarks),
        address=_text(first.get("source"), MAX_URL_CHARS) or _text(entry.get("uri"), MAX_URL_CHARS),
        selectors=_selectors(first.get("selector")),
        parents=parents,
        remarks=remarks,
    )


def _w3c_bodies(entry: dict) -> tuple[list[str], list[str]]:
    """(texts, tags) from `bodyValue` or `body`: TextualBody objects, strings, or a list."""
    if isinstance(entry.get("bodyValue"), str):
        return [entry["bodyValue"]], []
    body = entry.get("body")
    bodies = body if isinstance(body, list) else [body]
    texts, tags = [], []
    for item in bodies[:50]:
        if isinstance(item, str) and item:
            texts.append(f"<{item[:MAX_URL_CHARS]}>")  # a body given by its address: a link
        elif isinstance(item, dict) and isinstance(item.get("value"), str):
            (tags if item.get("purpose") == "tagging" else texts).append(item["value"])
    return texts, tags


def _w3c_target(entry: dict) -> tuple[str, list[dict], list[str]]:
    """(address, selectors, remarks) of the first target."""
    remarks = []
    target = entry.get("target")
    if isinstance(target, list):
        if len(target) > 1:
            remarks.append(_("It had several targets: the first one was used."))
        target = target[0] if target else None
    if isinstance(target, str):
        return target[:MAX_URL_CHARS], [], remarks
    if not isinstance(target, dict):
        return "", [], remarks
    source = target.get("source")
    if isinstance(source, dict):
        source = source.get("id")
    address = _text(source, MAX_URL_CHARS) or _text(target.get("id"), MAX_URL_CHARS)
    return address, _selectors(target.get("selector")), remarks


def _w3c_note(entry: dict, number: int) -> IncomingNote:
    ours = "anchorState" in entry and "provision" in entry
    remarks: list[str] = []
    texts, tags = _w3c_bodies(entry)
    if isinstance(entry.get("tags"), list):  # TreatyWatch's own key
        tags += [t for t in entry["tags"] if isinstance(t, str)]
    address, selectors, target_remarks = _w3c_target(entry)
    remarks += target_remarks
    parents = []
    if isinstance(entry.get("inReplyTo"), str):  # TreatyWatch
        parents = [entry["inReplyTo"][:MAX_ID_CHARS]]
    elif entry.get("motivation") == "replying" and not selectors and address:
        parents = [address]  # W3C: a reply targets the annotation it answers
    creator = _creator_name(entry.get("creator"))
    created = entry.get("created")
    first_made = entry.get("importedFrom") if ours else None
    if isinstance(first_made, dict):
        # Our export of a note that was itself imported: credit whoever wrote it first.
        creator = _creator_name(first_made.get("creator"), by_name=True)
        created = first_made.get("created")
    return IncomingNote(
        number=number,
        source=IMPORTED.TREATYWATCH if ours else IMPORTED.W3C,
        original_id=_text(entry.get("id"), MAX_ID_CHARS) or _content_id(entry),
        creator=creator,
        created_at=_when(created, remarks),
        body=_body("\n\n".join(t for t in texts if t.strip())[:MAX_READ_CHARS], remarks),
        tags=_tags(tags, remarks),
        address=address,
        selectors=selectors,
        parents=parents,
        concerns=[c for c in entry.get("concerns") or () if isinstance(c, str)][:50]
        if ours and isinstance(entry.get("concerns"), list)
        else [],
        demands=[d for d in entry.get("safeguards") or () if isinstance(d, str)][:50]
        if ours and isinstance(entry.get("safeguards"), list)
        else [],
        remarks=remarks,
    )


def _w3c_entries(data) -> tuple[list, list[str]]:
    """The annotations of a W3C document and what could not be read of it."""
    skipped = []
    if isinstance(data, list):
        return data, skipped
    kind = data.get("type")
    kinds = kind if isinstance(kind, list) else [kind]
    if "AnnotationCollection" in kinds:
        page = data.get("first")
        entries = []
        while isinstance(page, dict):
            entries += page.get("items") if isinstance(page.get("items"), list) else []
            if len(entries) > MAX_NOTES:
                break
            page = page.get("next")
        if isinstance(page, str):
            skipped.append(
                _(
                    "A page of the collection is only linked (%(url)s), not in the file: it "
                    "was not fetched. Save that page and import it too."
                )
                % {"url": page[:200]}
            )
        return entries, skipped
    if "AnnotationPage" in kinds:
        items = data.get("items")
        if isinstance(data.get("next"), str):
            skipped.append(
                _("The next page (%(url)s) is only linked: it was not fetched.")
                % {"url": data["next"][:200]}
            )
        return (items if isinstance(items, list) else []), skipped
    if "Annotation" in kinds:
        return [data], skipped
    raise AnnotationFileRefused(
        _(
            "This is not a file TreatyWatch can import: expected a Hypothesis export, W3C Web "
            "Annotations (one, an array, an AnnotationPage or an AnnotationCollection) or a "
            "TreatyWatch JSON-LD export."
        )
    )


def read_notes(data) -> tuple[str, list[IncomingNote], list[str]]:
    """(what kind of file, its notes, what was skipped and why) from parsed JSON."""
    is_hypothesis = isinstance(data, dict) and (
        isinstance(data.get("annotations"), list)
        and ("export_date" in data or "export_userid" in data)
        or isinstance(data.get("rows"), list)
    )
    if is_hypothesis:
        entries = data.get("annotations") if "annotations" in data else data["rows"]
        skipped: list[str] = []
        make = _hypothesis_note
        label = SOURCE_NAMES[IMPORTED.HYPOTHESIS]
    elif isinstance(data, dict | list):
        entries, skipped = _w3c_entries(data)
        make = _w3c_note
        label = SOURCE_NAMES[IMPORTED.W3C]
    else:
        entries, skipped, make, label = None, [], None, ""
    if entries is None:
        raise AnnotationFileRefused(_("This is not a file TreatyWatch can import."))
    if len(entries) > MAX_NOTES:
        raise AnnotationFileRefused(
            _("The file holds more than %(n)s annotations: split it.") % {"n": MAX_NOTES}
        )
    notes = []
    for number, entry in enumerate(entries, start=1):
        if not isinstance(entry, dict):
            skipped.append(_("Entry %(n)s is not an annotation object.") % {"n": number})
            continue
        notes.append(make(entry, number))
    if notes and all(n.source == IMPORTED.TREATYWATCH for n in notes):
        label = SOURCE_NAMES[IMPORTED.TREATYWATCH]
    return label, notes, skipped


# --- Deciding where each note goes -----------------------------------------------------------


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
        article = reverse("provisions:article", kwargs={"number": int(marker)})
        self.article_path = re.compile(
            "^" + re.escape(article).replace(marker, r"(\d{1,4})") + "?$"
        )
        self.toc_path = reverse("provisions:toc").rstrip("/")

    def candidates(self, address: str) -> tuple[Provision | None, list[Provision], str]:
        """(the provision the address names, the provisions to search, why none) for an
        address: an article page, a provision's #eid, or one of `source_urls`."""
        if not address:
            return None, [], _("The note names no page it was made on.")
        parts = urlsplit(address)
        home = self.by_eid.get(parts.fragment)
        matched = self.article_path.match(parts.path)
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
        if parts.path.rstrip("/") == self.toc_path and home is not None:
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

    def fallback(self, home: Provision | None, group: list[Provision]) -> Provision | None:
        """Where an orphan waits: its provision, its article, or the beginning of the text."""
        return home or (group[0] if group else (self.everything[0] if self.everything else None))


def _place(note: IncomingNote, places: Places) -> PlannedNote:
    planned = PlannedNote(note=note)
    home, group, why = places.candidates(note.address)
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
    found = best_exact_match(quote, hint, home, group)
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
    planned.selectors = make_selectors(provision.text, at, at + len(quote["exact"]))
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

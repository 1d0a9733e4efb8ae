"""Reading a file of annotations made elsewhere into IncomingNotes (cleaned, bounded, no
database). Three kinds of file are read (docs/importing-annotations.md):

- a Hypothesis export: the JSON the Hypothesis client saves (`export_date`, `export_userid`,
  `annotations` in Hypothesis's API format; a search response's `rows` are read the same way);
- W3C Web Annotations: one annotation, an array of them, an `AnnotationPage` or an
  `AnnotationCollection` whose pages are embedded (a page that is only linked is never fetched);
- TreatyWatch's own JSON-LD export (W3C, with our `provision` and `anchorState` keys).
"""

import datetime
import hashlib
import json
import re

from django.utils import timezone
from django.utils.translation import gettext as _

from provisions.anchoring import CONTEXT_CHARS, MAX_QUOTE_CHARS, POSITION, QUOTE
from provisions.importing.annotation_notes import (
    IMPORTED,
    SOURCE_NAMES,
    AnnotationFileRefused,
    IncomingNote,
)
from provisions.models.languages import language_from_tag
from provisions.public_names import clean_name, contains_email
from provisions.rendering import contains_image
from provisions.services.annotations import MAX_TAG_CHARS, MAX_TAGS, tag_slug
from provisions.text import identity_iri

MAX_NOTES = 10_000
MAX_NAME_CHARS = 100
MAX_ID_CHARS = 500
MAX_URL_CHARS = 2_000
# A reply's thread as Hypothesis lists it (its first note first): no real thread is deeper.
MAX_THREAD = 50
_MARKDOWN_IMAGE = re.compile(r"!(?=\[)")
# Read this much of a note: a longer one is refused by clean_body with its reason.
MAX_READ_CHARS = 20_001


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


def _hypothesis_creator(entry: dict) -> str:
    """The display name, else the account's user name (`acct:rosa@hypothes.is` → rosa): both are
    public on Hypothesis. An address-shaped name is never shown (_creator_name)."""
    user_info = entry.get("user_info") if isinstance(entry.get("user_info"), dict) else {}
    name = _creator_name(user_info.get("display_name"), by_name=True)
    user = _text(entry.get("user"), 300)
    if not name and user.startswith("acct:") and "@" in user:
        name = _creator_name(user[len("acct:") :].rpartition("@")[0], by_name=True)
    return name


def _hypothesis_remarks(entry: dict) -> list[str]:
    """What Hypothesis knew of a note that a draft here does not show, said openly."""
    remarks = []
    permissions = entry.get("permissions") if isinstance(entry.get("permissions"), dict) else {}
    readers = permissions.get("read") if isinstance(permissions.get("read"), list) else None
    if readers is not None and "group:__world__" not in readers:
        remarks.append(_("It was not public on Hypothesis (private, or in a group)."))
    if entry.get("hidden") is True:
        remarks.append(_("Hypothesis's moderators had hidden it."))
    if entry.get("flagged") is True:
        remarks.append(_("It had been flagged for moderators on Hypothesis."))
    return remarks


def _document_links(entry: dict) -> list[str]:
    """The page's other addresses Hypothesis recorded (`document.link[].href`): a PDF's
    `urn:x-pdf:` target has its web address there."""
    document = entry.get("document") if isinstance(entry.get("document"), dict) else {}
    links = document.get("link") if isinstance(document.get("link"), list) else []
    links = [link for link in links[:20] if isinstance(link, dict)]
    return [href for link in links if (href := _text(link.get("href"), MAX_URL_CHARS))]


def _hypothesis_note(entry: dict, number: int) -> IncomingNote:
    remarks: list[str] = _hypothesis_remarks(entry)
    target = entry.get("target")
    first = target[0] if isinstance(target, list) and target and isinstance(target[0], dict) else {}
    links = entry.get("links") if isinstance(entry.get("links"), dict) else {}
    references = entry.get("references")
    parents = (
        [ref[:MAX_ID_CHARS] for ref in references[:MAX_THREAD] if isinstance(ref, str) and ref]
        if isinstance(references, list)
        else []
    )
    tags = entry.get("tags") if isinstance(entry.get("tags"), list) else []
    uri = _text(entry.get("uri"), MAX_URL_CHARS)
    return IncomingNote(
        number=number,
        source=IMPORTED.HYPOTHESIS,
        original_id=_text(entry.get("id"), MAX_ID_CHARS) or _content_id(entry),
        creator=_hypothesis_creator(entry),
        created_at=_when(entry.get("created"), remarks),
        body=_body(_text(entry.get("text"), MAX_READ_CHARS), remarks),
        tags=_tags(tags, remarks),
        address=_text(first.get("source"), MAX_URL_CHARS) or uri,
        selectors=_selectors(first.get("selector")),
        parents=parents,
        remarks=remarks,
        other_addresses=[uri, *_document_links(entry)],
        # Its page on Hypothesis is its address there (Hypothesis's own JSON-LD uses it as id).
        via=identity_iri(links.get("html")),
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


def _w3c_language(target: dict, remarks: list[str]) -> str | None:
    """The text language of a W3C target (`language`, W3C §3.2.1, on the target or on its
    source): the language of the words its selectors quote. None when it names none; one that
    is not a language of the Convention is said in the report and read as none."""
    source = target.get("source")
    tags = target.get("language")
    if tags is None and isinstance(source, dict):
        tags = source.get("language")
    if tags is None:
        return None
    if isinstance(tags, list) and len(tags) == 1:
        tags = tags[0]
    language = language_from_tag(tags)
    if language is None:
        remarks.append(
            _("Its text language “%(tag)s” is not one of the Convention's: read as English.")
            % {"tag": str(tags)[:40]}
        )
    return language


def _w3c_target(entry: dict) -> tuple[str, list[dict], list[str], str | None]:
    """(address, selectors, remarks, text language) of the first target."""
    remarks = []
    target = entry.get("target")
    if isinstance(target, list):
        if len(target) > 1:
            remarks.append(_("It had several targets: the first one was used."))
        target = target[0] if target else None
    if isinstance(target, str):
        return target[:MAX_URL_CHARS], [], remarks, None
    if not isinstance(target, dict):
        return "", [], remarks, None
    language = _w3c_language(target, remarks)
    source = target.get("source")
    if isinstance(source, dict):
        source = source.get("id")
    address = _text(source, MAX_URL_CHARS) or _text(target.get("id"), MAX_URL_CHARS)
    return address, _selectors(target.get("selector")), remarks, language


def _w3c_note(entry: dict, number: int) -> IncomingNote:
    ours = "anchorState" in entry and "provision" in entry
    remarks: list[str] = []
    texts, tags = _w3c_bodies(entry)
    if isinstance(entry.get("tags"), list):  # TreatyWatch's own key
        tags += [t for t in entry["tags"] if isinstance(t, str)]
    address, selectors, target_remarks, language = _w3c_target(entry)
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
        canonical=_canonical(entry, remarks),
        # W3C protocol §5.1: the id of the annotation copied becomes the copy's `via`.
        via=identity_iri(entry.get("id")),
        language=language,
    )


def _canonical(entry: dict, remarks: list[str]) -> str:
    """The lasting identity the file gives (W3C §3.3.7: kept unchanged by every copy)."""
    value = entry.get("canonical")
    if isinstance(value, list) and len(value) == 1:
        value = value[0]
    if value is None:
        return ""
    canonical = identity_iri(value)
    if not canonical:
        remarks.append(_("Its canonical identity is not an address or a URN: left out."))
    return canonical


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

"""No interface English on French pages (issue 14: the catalogues cover every string a person
reads — pages, forms and their errors, e-mails, feed titles, error pages).

Every URL pattern of the site is requested under /fr/ as an anonymous reader, an analyst and an
editor, and so are htmx fragments, forms sent back with their errors, the password-reset mail
and the Atom feeds. From each answer the text a person reads is taken out (text nodes and the
attributes read aloud or shown: title, alt, placeholder, aria-label, the value of a button),
leaving out what is not the interface: elements marked with another language (`lang="en"`:
the treaty's English text, an English editorial summary), `<code>`, scripts, and data the
database holds (treaty text, editorial content, notes, names). Two detectors then read it:

1. every English msgid of the French catalogue whose French translation differs must not appear
   verbatim (a string evaluated before the language was chosen — `gettext` at import time, a
   choice label, a verbose name, a form error — shows up exactly like that);
2. words that French interface text never contains ("the", "your", "with", …) must not appear.

The walk asserts how many pages it read and the detectors are tried on planted English first,
so the test cannot pass by reading nothing.
"""

import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from django.conf import settings

from tests.helpers import po_entries

pytestmark = pytest.mark.django_db

ROOT = Path(settings.BASE_DIR)

# Attributes whose value a person reads (shown as a tooltip, read by a screen reader, or
# written on a control).
READ_ATTRIBUTES = {"title", "alt", "placeholder", "aria-label", "aria-description", "label"}
BUTTON_INPUTS = {"submit", "button", "reset"}
# Elements whose content is never interface text: code, scripts, data for scripts.
SKIPPED_ELEMENTS = {"script", "style", "code", "kbd", "samp", "template"}
VOID_ELEMENTS = {
    "area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source",
    "track", "wbr",
}  # fmt: skip


class VisibleText(HTMLParser):
    """The pieces of text a person reads on a page in `language`, one string per text node or
    attribute (whitespace collapsed)."""

    def __init__(self, language: str):
        super().__init__(convert_charrefs=True)
        self.language = language
        self.stack: list[tuple[str, bool]] = []  # (tag, skipped)
        self.pieces: list[str] = []

    def skipping(self) -> bool:
        return bool(self.stack) and self.stack[-1][1]

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        lang = attributes.get("lang")
        skipped = (
            self.skipping()
            or tag in SKIPPED_ELEMENTS
            or (lang is not None and lang.lower() != self.language)
        )
        if not skipped:
            for name in READ_ATTRIBUTES:
                if attributes.get(name):
                    self.add(attributes[name])
            if tag == "input" and (attributes.get("type") or "").lower() in BUTTON_INPUTS:
                self.add(attributes.get("value") or "")
        if tag not in VOID_ELEMENTS:
            self.stack.append((tag, skipped))

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)
        if tag not in VOID_ELEMENTS:
            self.stack.pop()

    def handle_endtag(self, tag):
        # Close up to the matching element (the pages are valid HTML; be lenient anyway).
        for index in range(len(self.stack) - 1, -1, -1):
            if self.stack[index][0] == tag:
                del self.stack[index:]
                return

    def handle_data(self, data):
        if not self.skipping():
            self.add(data)

    def add(self, text: str) -> None:
        text = " ".join(text.split())
        if text:
            self.pieces.append(text)


def visible_text(html: str, language: str = "fr") -> list[str]:
    parser = VisibleText(language)
    parser.feed(html)
    parser.close()
    return parser.pieces


def feed_text(xml: str, language: str = "fr") -> list[str]:
    """The text of an Atom feed a reader's feed reader shows: titles, subtitle, summaries and
    content (HTML content read as a page), author names, category labels."""
    from xml.etree import ElementTree

    pieces = []
    for element in ElementTree.fromstring(xml).iter():  # noqa: S314 (the app's own feed)
        name = element.tag.rpartition("}")[2]
        if name == "category" and element.get("label"):
            pieces.append(" ".join(element.get("label").split()))
        if name not in ("title", "subtitle", "summary", "content", "name", "rights"):
            continue
        text = element.text or ""
        if element.get("type") == "html":
            pieces += visible_text(text, language)
        elif text.strip():
            pieces.append(" ".join(text.split()))
    return pieces


# --- Detector 1: English msgids that French translates ----------------------------------------

PLACEHOLDER = re.compile(r"%\(\w+\)[sdif]|%[sdif]|\{\w*\}")


def french_catalogue() -> list[dict]:
    text = (ROOT / "locale" / "fr" / "LC_MESSAGES" / "django.po").read_text(encoding="utf-8")
    return [entry for entry in po_entries(text)[1:] if not entry["obsolete"]]


def english_fragments(entries: list[dict]) -> dict[str, str]:
    """The pieces of English msgids (split at their placeholders) that betray an untranslated
    string: each has a letter, is not French too (it occurs in no French translation of the
    catalogue, as a whole word run), and comes from an entry whose translation differs. Maps
    the fragment to the msgid it came from."""
    french = "\n".join(form for entry in entries for form in entry["msgstr"])
    fragments = {}
    for entry in entries:
        for msgid in filter(None, (entry["msgid"], entry["msgid_plural"])):
            if all(form == msgid for form in entry["msgstr"]):
                continue
            for piece in PLACEHOLDER.split(msgid):
                piece = " ".join(piece.split()).strip(" .,:;()[]«»—–-/·…'\"")
                if len(piece) < 4 or not re.search(r"[A-Za-z]{3}", piece):
                    continue
                if re.search(r"\d", piece):
                    continue  # "Article 65" is French too, made by "Article %(number)s"
                if piece in french and re.search(rf"(?<!\w){re.escape(piece)}(?!\w)", french):
                    continue  # the same words are French, or a name the translation keeps
                fragments.setdefault(piece, msgid)
    return fragments


# --- Detector 2: words French interface text never holds --------------------------------------

# Common English words that are not French words either (so not "on", "or", "an", "as", "a",
# "page", "note", "date", "article", "message", "format").
ENGLISH_WORDS = {
    "the", "and", "with", "your", "you", "this", "that", "these", "those", "which", "from",
    "have", "has", "been", "will", "would", "are", "was", "were", "for", "of", "to", "by",
    "at", "is", "it", "be", "not", "its", "their", "there", "here", "what", "when", "who",
    "how", "why", "into", "only", "also", "other", "every", "each", "all", "any", "none",
    "yet", "new", "first", "last", "next", "previous", "back", "more", "less", "than", "then",
    "sign", "signed", "save", "saved", "edit", "delete", "submit", "cancel", "search", "show",
    "shown", "hide", "read", "open", "choose", "change", "changed", "remove", "add",
    "should", "must", "may", "can", "cannot", "could", "nothing", "something", "about",
    "after", "before", "while", "without", "between", "under", "over", "our", "we", "they",
    "he", "she", "his", "her", "him", "them", "one", "two", "three", "yes", "out", "up",
    "down", "left", "right", "word", "words", "link", "links", "published", "submitted",
    "rejected", "approved", "created", "deleted", "restored", "pending", "waiting", "draft",
    "drafts", "owner", "true", "false", "reason", "since", "until", "during", "expires",
}  # fmt: skip


def english_words_in(text: str) -> set[str]:
    return {word for word in re.findall(r"[^\W\d_]+", text) if word.lower() in ENGLISH_WORDS}


# --- What is data, not interface --------------------------------------------------------------


# Fields that hold codes the app writes (an action, a status, a reason, an identifier), not
# words someone wrote: a page that shows one raw shows interface English, so they are not data.
CODE_FIELDS = {
    "action", "target_status", "revoked_reason", "eid", "slug", "codename", "code", "alpha2",
    "prefix", "token_hash", "password_fingerprint", "canonical", "password", "kind", "status",
}  # fmt: skip
CODE = re.compile(r"[a-z0-9_.:\-]+")


def data_strings() -> list[str]:
    """Every text value the database holds (treaty text, editorial content, notes, names,
    sources…), longest first: what a page shows of them is not interface text. Codes are left
    out — fields with choices, fields of codes, and code-like values inside JSON — as a page
    must show their translated label, never the code."""
    from django.apps import apps
    from django.db import models

    values = set()
    for model in apps.get_models():
        if model._meta.app_label not in ("provisions", "auth"):
            continue
        fields = [
            field
            for field in model._meta.concrete_fields
            if isinstance(field, (models.CharField, models.TextField, models.JSONField))
            and not field.choices
            and field.name not in CODE_FIELDS
        ]
        if not fields:
            continue
        for row in model.objects.values_list(*(field.attname for field in fields)):
            for field, value in zip(fields, row, strict=True):
                collect(value, values, json=isinstance(field, models.JSONField))
    return sorted((value for value in values if len(value) >= 3), key=len, reverse=True)


def collect(value, into: set, json: bool) -> None:
    if isinstance(value, str):
        if json and CODE.fullmatch(value):
            return
        into.add(" ".join(value.split()))
        # Markdown bodies are shown rendered: their lines and emphasised words one by one.
        for line in value.splitlines():
            into.add(" ".join(re.sub(r"[*_`#>]|\[|\]\([^)]*\)", " ", line).split()))
    elif isinstance(value, dict):
        for item in value.values():
            collect(item, into, json)
    elif isinstance(value, list):
        for item in value:
            collect(item, into, json)


# --- Both detectors, with what is data taken out ------------------------------------------------

WEB_ADDRESS = re.compile(r"(?:\bhttps?://|\bwww\.)\S+")
# Where a piece of text joins interface words to data ("Article 3(1): Each State Party…").
SEPARATORS = re.compile(r":\s|\s·\s|\s[—–→]\s|;\s|\(|\)")
QUOTES = " …\"'“”‘’«»"


class InterfaceEnglish:
    """Reads one piece of visible text and says what interface English it holds.

    A piece is first read as it is; only when something is found is the data taken out (the
    database's text, whole or cut short) and the piece read again, so the test stays fast. A
    piece that is exactly an English msgid is interface text, unless it is exactly a value the
    database holds too (an article titled "Entry into force")."""

    def __init__(self, entries: list[dict], data: list[str]):
        self.fragments = english_fragments(entries)
        self.msgids = {
            " ".join(msgid.split())
            for entry in entries
            for msgid in filter(None, (entry["msgid"], entry["msgid_plural"]))
            if any(form != msgid for form in entry["msgstr"])
        }
        # The French catalogue's own words that are English words too (« and », « the » in
        # the search's list of ignored words): they are the translation, not a leftover.
        self.french = sorted(
            {
                " ".join(literal.split())
                for entry in entries
                for form in entry["msgstr"]
                for literal in PLACEHOLDER.split(form)
                if english_words_in(literal)
            },
            key=len,
            reverse=True,
        )
        self.data = [value for value in data if len(value) >= 3]
        self.data_text = "\n".join(self.data)
        self.data_values = set(self.data)
        self.seen: dict[str, set[str]] = {}

    def check(self, piece: str) -> set[str]:
        if piece not in self.seen:
            problems = self.read(piece)
            if problems and (piece not in self.msgids or piece in self.data_values):
                problems = self.read(self.without_data(piece))
            self.seen[piece] = {f"{problem} in {piece[:100]!r}" for problem in problems}
        return self.seen[piece]

    def read(self, piece: str) -> set[str]:
        piece = WEB_ADDRESS.sub(" ", piece)
        problems = {
            f"msgid {msgid!r}"
            for fragment, msgid in self.fragments.items()
            if fragment in piece and re.search(rf"(?<!\w){re.escape(fragment)}(?!\w)", piece)
        }
        for literal in self.french:
            if literal in piece:
                piece = piece.replace(literal, " ")
        return problems | {f"word {word!r}" for word in english_words_in(piece)}

    def without_data(self, piece: str) -> str:
        piece = WEB_ADDRESS.sub(" ", piece)
        for segment in SEPARATORS.split(piece):
            words = segment.strip(QUOTES)
            if len(words) >= 3 and words in self.data_text:
                piece = piece.replace(segment, " ")
        for value in self.data:
            if value in piece:
                piece = re.sub(rf"(?<!\w){re.escape(value)}(?!\w)", " ", piece)
        return piece


# --- Reading the site in French ---------------------------------------------------------------

HTMX = {"HTTP_HX_REQUEST": "true"}


class FrenchReading:
    """What the walk read: each answer's visible pieces, by a label saying how it was asked."""

    def __init__(self):
        self.pages: dict[str, list[str]] = {}
        self.kinds: set[str] = set()  # html, feed, svg, fragment, mail, form-error, error-NNN
        self.typed: set[str] = set()  # what the walk typed into forms: the page may echo it

    def read(self, label: str, response) -> None:
        content_type = response.get("Content-Type", "")
        if response.streaming:
            return  # the downloads: CSV and JSON, whose column names are a contract
        body = response.content.decode(response.charset or "utf-8", errors="replace")
        if "atom" in content_type:
            self.add(label, feed_text(body), "feed")
        elif "svg" in content_type:
            self.add(label, visible_text(body), "svg")
        elif "html" in content_type:
            kind = "fragment" if "<html" not in body[:500].lower() else "html"
            self.add(label, visible_text(body), kind)
            if 'class="errorlist' in body or 'aria-invalid="true"' in body:
                self.kinds.add("form-error")
            if response.status_code >= 400:
                self.kinds.add(f"error-{response.status_code}")
        elif content_type.startswith("text/plain") and response.status_code >= 400:
            self.add(label, [" ".join(body.split())], "plain-error")

    def add(self, label: str, pieces: list[str], kind: str) -> None:
        self.pages[label] = pieces
        self.kinds.add(kind)

    def findings(self, data: list[str]) -> dict[str, list[str]]:
        detector = InterfaceEnglish(french_catalogue(), data)
        found = {}
        for label, pieces in self.pages.items():
            problems = sorted({problem for piece in pieces for problem in detector.check(piece)})
            if problems:
                found[label] = problems
        return found


def every_page_route():
    """(name to reverse, URLPattern) for every route of the site that speaks the reader's
    language: everything but the API, the admin and the health check."""
    from django.urls import URLPattern, URLResolver, get_resolver

    def walk(patterns, namespace=""):
        for entry in patterns:
            if isinstance(entry, URLResolver):
                if entry.namespace in ("admin", "api"):
                    continue
                yield from walk(
                    entry.url_patterns,
                    f"{namespace}{entry.namespace}:" if entry.namespace else namespace,
                )
            elif isinstance(entry, URLPattern) and entry.name not in (None, "healthz", "not_found"):
                yield f"{namespace}{entry.name}", entry

    return list(walk(get_resolver().url_patterns))


def route_kwargs(name: str, entry, objects: dict) -> dict:
    """Values for a route's parameters, each an object of the walk's world. A new kind of
    parameter or id fails here, asking the test to say which object it shows."""
    short = name.rpartition(":")[2]
    kwargs = {}
    for parameter in entry.pattern.converters:
        if parameter == "number":
            kwargs[parameter] = 24
        elif parameter in ("slug", "key") and ("concern" in short):
            kwargs[parameter] = objects["concern"]
        elif parameter in ("slug", "key") and ("safeguard" in short or "demand" in short):
            kwargs[parameter] = objects["demand"]
        elif parameter == "key" and short == "translation_article":
            kwargs[parameter] = "24"
        elif parameter == "language":
            kwargs[parameter] = "fr"
        elif parameter == "code":
            kwargs[parameter] = "mli"
        elif parameter in ("uidb64", "token") and short == "password_reset_confirm":
            kwargs[parameter] = objects[f"reset_{parameter}"]
        elif parameter == "token" and short == "enrol_start":
            kwargs[parameter] = objects["enrolment_token"]
        elif parameter == "pk":
            kind = next((kind for prefix, kind in PK_KINDS if short.startswith(prefix)), None)
            assert kind, f"{name}: which object does its <pk> show? (PK_KINDS)"
            kwargs[parameter] = objects[kind]
        else:
            raise AssertionError(f"{name}: no value for <{parameter}> (route_kwargs)")
    return kwargs


# Route name prefix → the object its <pk> is.
PK_KINDS = [
    ("annotation", "annotation"),
    ("review_annotation", "annotation"),
    ("anchor_link", "link"),
    ("anchor", "annotation"),
    ("link_history", "link"),
    ("review_link", "link"),
    ("commitment", "commitment"),
    ("token", "token"),
    ("member", "member"),
]


@pytest.fixture
def french_world(analyst, other_analyst, editor):
    """Something in every state a page can show: notes drafted, submitted, published, edited by
    an editor, rejected and replied to; links and commitments waiting; anchors left fuzzy and
    orphaned by a new official text; tokens used and revoked; a translated concern; a live
    enrolment link and a password-reset link. Returns the ids each visitor's walk opens."""
    from django.contrib.auth.tokens import default_token_generator
    from django.utils.encoding import force_bytes
    from django.utils.http import urlsafe_base64_encode

    from provisions.anchoring import make_selectors
    from provisions.models import Concern, Party, Provision, SafeguardDemand
    from provisions.services import (
        annotation_create,
        annotation_publish,
        annotation_reject,
        api_token_create,
        api_token_revoke,
        link_propose,
    )
    from provisions.services.commitments import commitment_create
    from provisions.services.enrolment import enrolment_link_create
    from provisions.services.translations import translation_save
    from tests.helpers import (
        give_authenticator,
        import_sample,
        make_member,
        note_edited_by_editor,
    )

    concern, demand = Concern.objects.first(), SafeguardDemand.objects.first()
    art24 = Provision.objects.get(eid="art_24")

    edited = note_edited_by_editor(analyst, editor, publish=True)
    annotation_create(
        provision=art24, author=other_analyst, body="A reply.", in_reply_to=edited,
        status="submitted",
    )  # fmt: skip
    rejected = annotation_create(
        provision=art24, author=analyst, body="Too hasty.", status="submitted"
    )
    annotation_reject(annotation=rejected, editor=editor, reason="Say which words you mean.")
    waiting = annotation_create(
        provision=art24,
        author=analyst,
        body="Waiting for an editor.",
        concerns=[concern.slug],
        tags=["retention"],
        status="submitted",
    )
    published = annotation_publish(
        annotation=annotation_create(
            provision=art24, author=other_analyst, body="Published.", status="submitted"
        ),
        editor=editor,
    )
    own_draft = annotation_create(provision=art24, author=analyst, body="My draft.")
    link = link_propose(
        provision=art24, proposer=analyst, concern=concern, rationale="A proposal to weigh."
    )
    mali = Party.objects.get(code="MLI")
    draft_commitment = commitment_create(party=mali, demand=demand, author=analyst, level="unknown")
    submitted_commitment = commitment_create(
        party=Party.objects.get(code="FRA"),
        demand=demand,
        author=analyst,
        level="partly",
        evidence_url="https://example.org/statement",
        quote="We commit.",
        submit=True,
    )
    # Anchors: notes on the sample's official text, then a corrected text that moves them.
    import_sample("convention-sample.txt")
    for eid, words in (
        ("preamble__recital_2", "can also be used to cause harm, and resolved"),
        ("art_3__para_2__subpara_b", "With the intent of obtaining test records"),
    ):
        provision = Provision.objects.get(eid=eid)
        start = provision.text.index(words)
        annotation_create(
            provision=provision,
            author=analyst,
            body="A note on words a correction changes.",
            selectors=make_selectors(provision.text, start, start + len(words)),
            status="submitted",
        )
    link_propose(
        provision=Provision.objects.get(eid="art_3__para_2__subpara_c"),
        proposer=analyst,
        concern=concern,
        rationale="Broad wording.",
    )
    import_sample("convention-sample-v2.txt", "Corrigendum 1")
    used, _raw = api_token_create(user=analyst, name="old script")
    api_token_revoke(token=used, user=analyst)
    token, _raw = api_token_create(user=analyst, name="script")
    give_authenticator(analyst)
    translation_save(
        target=concern, language="fr", title="Titre traduit", text="Texte traduit.", editor=editor
    )
    newcomer = make_member("nina", "Editors", "Nina Newcomer")
    _link, enrolment_token = enrolment_link_create(user=newcomer, actor=editor)
    # The editor's walk changes the role of, and deactivates, a member of its own.
    spare = make_member("victor", "Analysts", "Victor Spare")
    common = {
        "concern": concern.slug,
        "demand": demand.slug,
        "link": link.pk,
        "member": analyst.pk,
        "reset_uidb64": urlsafe_base64_encode(force_bytes(analyst.pk)),
        "reset_token": default_token_generator.make_token(analyst),
        "enrolment_token": enrolment_token,
        "token": token.pk,
    }
    return {
        "anonymous": {**common, "annotation": published.pk, "commitment": submitted_commitment.pk},
        "analyst": {**common, "annotation": own_draft.pk, "commitment": draft_commitment.pk},
        "editor": {
            **common,
            "annotation": waiting.pk,
            "commitment": submitted_commitment.pk,
            "member": spare.pk,
        },
        "edited": edited.pk,
        "newcomer": newcomer,
    }


def walk_every_route(client, reading: FrenchReading, who: str, objects: dict) -> None:
    """GET every route in French (and again as htmx where the answer differs for htmx); as a
    member, POST it empty too (a form sent back with its errors, or a message after a
    redirect)."""
    from django.urls import reverse
    from django.utils import translation

    for name, entry in every_page_route():
        with translation.override("fr"):
            url = reverse(name, kwargs=route_kwargs(name, entry, objects))
        assert url.startswith("/fr/"), url
        response = client.get(url, follow=True)
        reading.read(f"GET {url} as {who} ({response.status_code})", response)
        if "HX-Request" in response.get("Vary", ""):
            response = client.get(url, **HTMX)
            reading.read(f"GET {url} as {who}, htmx ({response.status_code})", response)
        if who != "anonymous" and name != "logout":
            response = client.post(url, {}, follow=True)
            reading.read(f"POST {url} as {who} ({response.status_code})", response)
            response = client.post(url, {}, **HTMX)
            reading.read(f"POST {url} as {who}, htmx ({response.status_code})", response)


def read_the_rest(client, reading: FrenchReading, world: dict, analyst, editor) -> None:
    """What the route walk does not reach by itself: error pages, forms refused for a reason
    other than an empty field, sign-in failures, and the password-reset mail."""
    from django.core import mail
    from django.test import RequestFactory
    from django.utils import translation

    from provisions.services.outbox import outbox_send_due
    from provisions.views.errors import server_error

    client.logout()
    reading.read("404", client.get("/fr/nowhere/"))
    reading.read("400", client.get("/fr/convention/articles/24/compare/?left=xx"))
    reading.typed |= {"the and", "not there"}
    reading.read("search, stop-words only", client.get("/fr/search/?q=the+and"))
    reading.read("search, citation", client.get("/fr/search/?q=art.+24(2)"))
    reading.read("search, results", client.get("/fr/search/?q=data&kind=article"))
    reading.read(
        "sign-in refused",
        client.post("/fr/accounts/login/", {"username": "alice", "password": "wrong"}),
    )
    reading.read(
        "password reset asked",
        client.post("/fr/accounts/password_reset/", {"email": "alice@example.org"}, follow=True),
    )
    mail.outbox.clear()
    outbox_send_due()
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    reading.pages["password-reset mail"] = [message.subject] + [
        " ".join(line.split()) for line in message.body.splitlines() if line.strip()
    ]
    reading.kinds.add("mail")
    assert "/fr/accounts/reset/" in message.body
    with translation.override("fr"):
        # Django calls the 500 handler with the language the request had activated.
        response = server_error(RequestFactory().get("/fr/convention/"))
    reading.read("500", response)

    client.force_login(analyst)
    reading.read("403", client.get("/fr/review/"))
    reading.read("403, htmx", client.post("/fr/review/bulk/", {}, **HTMX))
    reading.read(
        "annotate, a quote not in the text",
        client.post(
            "/fr/convention/articles/2/annotate/",
            {"provision": "art_2__subpara_c", "quote": "not there", "body": "x", "action": "draft"},
        ),
    )
    reading.read(
        "password change refused",
        client.post(
            "/fr/accounts/password_change/",
            {"old_password": "wrong", "new_password1": "short", "new_password2": "other"},
        ),
    )
    reading.read(
        "public name refused",
        client.post("/fr/workspace/public-name/", {"public_name": "Erin Editor"}, follow=True),
    )
    reading.read(
        "confirmation refused",
        client.post("/fr/accounts/confirm/", {"password": "wrong", "code": "000000"}),
    )

    client.force_login(editor)
    reading.read(
        "restore without a reason",
        client.post(f"/fr/history/annotation/{world['edited']}/restore/", {"revision": "1"}),
    )
    reading.read(
        "status import, a bad file",
        client.post(
            "/fr/review/status/",
            {"file": __import__("io").BytesIO(b"party,action\nxx,signed\n")},
        ),
    )
    reading.read(
        "member refused",
        client.post(
            "/fr/review/members/",
            {"username": "alice", "email": "not-an-address", "role": "analyst"},
            follow=True,
        ),
    )


@pytest.fixture
def every_page_read(client, analyst, editor, french_world, compiled_catalogues):
    """The whole site read in French, and the database's text to tell data from interface."""
    reading = FrenchReading()
    data = set(data_strings())
    walk_every_route(client, reading, "anonymous", french_world["anonymous"])
    client.force_login(analyst)
    walk_every_route(client, reading, "analyst", french_world["analyst"])
    client.force_login(editor)
    walk_every_route(client, reading, "editor", french_world["editor"])
    read_the_rest(client, reading, french_world, analyst, editor)
    # The walk's POSTs change names and texts: what the database held before and after.
    data |= set(data_strings()) | reading.typed
    return reading, sorted(data, key=len, reverse=True)


def test_french_pages_hold_no_interface_english(every_page_read):
    reading, data = every_page_read
    # It read the whole site, in every form an answer takes.
    assert len(reading.pages) >= 600, len(reading.pages)
    assert {"html", "fragment", "feed", "svg", "mail", "form-error"} <= reading.kinds
    assert {"error-400", "error-403", "error-404", "error-405", "error-500"} <= reading.kinds
    findings = reading.findings(data)
    assert findings == {}, "\n".join(
        f"{label}: " + "; ".join(items) for label, items in findings.items()
    )


# --- The detectors find what they are for -----------------------------------------------------


def test_the_detectors_find_english_and_leave_data_and_other_languages_alone(db):
    page = """<!doctype html><html lang="fr"><head><title>Recherche · TreatyWatch</title></head>
    <body><a href="/fr/">Aller au contenu</a>
    <button title="Save draft">Enregistrer</button>
    <input type="submit" value="Envoyer">
    <p>Skip to content</p>
    <p lang="en">Each State Party shall adopt such measures as may be necessary.</p>
    <p>Article 24 : Conditions and safeguards</p>
    <p>The coalition says this is wrong.</p>
    <code>two_factor_verified</code><script>var theWord = "the";</script>
    <p>La recherche ignore les mots très courants comme « a », « and » et « the », ainsi que
    les signes comme * ou #, il ne reste donc rien à chercher dans « x ».</p></body></html>"""
    pieces = visible_text(page)
    assert "Each State Party shall adopt such measures as may be necessary." not in pieces
    assert "Save draft" in pieces and "Envoyer" in pieces
    detector = InterfaceEnglish(french_catalogue(), data=["Conditions and safeguards"])
    found = {piece: detector.check(piece) for piece in pieces}
    assert any("msgid 'Skip to content'" in problem for problem in found["Skip to content"])
    assert found["Save draft"], "an English tooltip"
    assert any("word 'The'" in problem for problem in found["The coalition says this is wrong."])
    # Data (an article's English title) and the catalogue's own French are not findings.
    assert found["Article 24 : Conditions and safeguards"] == set()
    assert found["Aller au contenu"] == set()
    assert not any(found[piece] for piece in pieces if piece.startswith("La recherche ignore"))


def test_feeds_are_read_title_summary_and_html_content():
    feed = """<?xml version="1.0" encoding="utf-8"?>
    <feed xmlns="http://www.w3.org/2005/Atom"><title>Latest analysis</title>
    <entry><title>Note sur l'article 24</title><summary type="html">&lt;p&gt;Published
    by&lt;/p&gt;</summary><category term="x" label="Concerns"/></entry></feed>"""
    assert feed_text(feed) == [
        "Latest analysis",
        "Note sur l'article 24",
        "Published by",
        "Concerns",
    ]


@pytest.fixture
def a_string_left_in_english(compiled_catalogues):
    """The French catalogue with one string "translated" as itself, as a string the catalogue
    forgot, or that was evaluated before the language was chosen, shows up."""
    from django.utils.translation import trans_real

    trans_real.translation("fr")._catalog["Skip to content"] = "Skip to content"
    yield "Skip to content"
    trans_real._translations = {}
    trans_real._default = None


def test_the_walk_finds_a_string_left_in_english(client, a_string_left_in_english):
    reading = FrenchReading()
    reading.read("home", client.get("/fr/"))
    reading.read("about", client.get("/fr/about/"))
    findings = reading.findings(data_strings())
    assert set(findings) == {"home", "about"}
    assert all(
        any(f"msgid {a_string_left_in_english!r}" in item for item in items)
        for items in findings.values()
    )


def test_the_apps_own_version_label_is_translated_and_imported_labels_are_not(
    client, compiled_catalogues
):
    """The words "Editorial summaries" are the app's name for its own summaries (stored as
    they are, in the data and the exports); pages say them in the reader's language. An
    imported version's label is a name its importer gave and stays as given."""
    french = client.get("/fr/convention/articles/24/").content.decode()
    assert "Version du texte affichée" in french and " Résumés éditoriaux." in french
    assert "Editorial summaries" not in french
    english = client.get("/convention/articles/24/").content.decode()
    assert "Text version shown: Editorial summaries." in english
    from tests.helpers import import_sample

    import_sample("convention-sample.txt", "Corrigendum 1")
    versions = client.get("/fr/convention/articles/3/versions/").content.decode()
    assert "Corrigendum 1" in versions and "Résumés éditoriaux" in versions

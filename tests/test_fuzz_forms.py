"""Hostile and random input to every form: never a server error, always a clear answer, and
nothing half-written.

Each example is one request in its own savepoint, rolled back afterwards, so examples cannot see
each other's rows. Before and after the request the test counts annotations, links, revisions and
tags: a refused request changes none of them; an accepted one changes exactly what it should.
The text strategies mix random Unicode with control characters, NUL, bidi and zero-width
characters, emoji sequences, the XSS payloads and strings past every length limit.
"""

import html
import re

import pytest
from django.test import Client
from hypothesis import example, given
from hypothesis import strategies as st

from provisions.models import Annotation, ApiToken, ProvisionLink, Revision, Tag
from tests.fuzzing import (
    CONCERNS,
    DEMANDS,
    Counts,
    RealQuote,
    assert_saved_as_typed,
    error_messages,
    form_data,
    hostile_text,
    numberish,
    quote,
    rolled_back,
    shows_error,
    slugs,
    tag_list,
    typed,
    typed_sources,
)
from tests.helpers import confirm_session, text_of

pytestmark = pytest.mark.django_db

# --- Fixtures --------------------------------------------------------------------------------


@pytest.fixture
def analyst_client(client, analyst):
    client.force_login(analyst)
    return client


@pytest.fixture
def editor_client(client, editor):
    client.force_login(editor)
    return client


def _with_quote(data: dict, text: str) -> dict:
    if isinstance(data.get("quote"), RealQuote):
        data = {**data, "quote": data["quote"].within(text)}
    return data


annotation_fields = form_data(
    provision=st.one_of(st.just("art_24"), hostile_text(30)),
    quote=quote,
    prefix=hostile_text(40),
    suffix=hostile_text(40),
    start=numberish,
    end=numberish,
    body=hostile_text(),
    concerns=slugs(CONCERNS),
    demands=slugs(DEMANDS),
    tags=tag_list,
    action=st.sampled_from(["draft", "submit", "preview", "", "publish"]),
)


# --- Annotating ------------------------------------------------------------------------------


@given(data=annotation_fields, htmx=st.booleans())
@example(data={"provision": "art_24", "body": "a" * 20_001, "action": "draft"}, htmx=False)
@example(
    data={"provision": "art_24", "body": "Note.", "tags": ", ".join(f"t{i}" for i in range(13))},
    htmx=True,
)
@example(data={"provision": "art_24", "body": "Note.", "tags": "x" * 41}, htmx=False)
@example(data={"provision": "art_24\x00", "body": "\x00", "quote": "\x00"}, htmx=False)
def test_annotate_form(analyst_client, article_text, data, htmx):
    data = _with_quote(data, article_text)
    headers = {"HX-Request": "true"} if htmx else {}
    with rolled_back():
        before = Counts.now()
        response = analyst_client.post("/convention/articles/24/annotate/", data, headers=headers)
        assert response.status_code < 500
        saved = response.status_code == 302 or "annotation-saved" in response.get("HX-Trigger", "")
        if saved:
            created = before.one_annotation_more()
            assert created.status == ("submitted" if data.get("action") == "submit" else "draft")
            assert_saved_as_typed(created, data)
        else:
            assert response.status_code == 200
            before.unchanged("annotate")
            if data.get("action") != "preview":
                assert shows_error(response), "refused without saying why"


@given(
    data=annotation_fields.map(lambda d: {**d, "provision": "art_24"}),
    version=st.one_of(st.just("CURRENT"), numberish),
)
# Found: a bad hidden field (start) sent the form back without any message.
@example(data={"start": "<script>alert(1)</script>", "provision": "art_24"}, version="CURRENT")
def test_edit_form(analyst_client, draft, article_text, data, version):
    data = _with_quote(data, article_text)
    data["version"] = str(draft.version) if version == "CURRENT" else version
    with rolled_back():
        before = Counts.now()
        response = analyst_client.post(f"/annotations/{draft.pk}/edit/", data)
        assert response.status_code < 500
        if response.status_code == 302:
            before.edited(draft)
            draft_now = Annotation.objects.get(pk=draft.pk)
            assert draft_now.version == draft.version + 1
            assert_saved_as_typed(draft_now, data)
        else:
            before.unchanged("edit")
            assert response.status_code in (200, 409)
            assert response.status_code == 409 or shows_error(response)


@given(body=hostile_text())
def test_reply_form(analyst_client, submitted, body):
    with rolled_back():
        before = Counts.now()
        response = analyst_client.post(f"/annotations/{submitted.pk}/reply/", {"body": body})
        assert response.status_code == 302
        if "#reply" in response["Location"]:
            before.unchanged("reply")
            assert error_messages(response), "refused without saying why"
        else:
            reply = before.one_annotation_more()
            assert reply.in_reply_to_id == submitted.pk
            assert reply.body == typed(body)


@given(
    data=form_data(
        provision=st.one_of(st.just("art_24"), hostile_text(30)),
        concern=st.one_of(st.sampled_from(CONCERNS), hostile_text(30)),
        demand=st.one_of(st.sampled_from(DEMANDS), hostile_text(30)),
        kind=st.one_of(st.sampled_from(["raises", "mitigates"]), hostile_text(20)),
        rationale=hostile_text(),
        sources=st.one_of(
            st.lists(
                st.one_of(st.just("https://example.org/a"), hostile_text(60)), max_size=12
            ).map("\n".join),
            hostile_text(),
        ),
        confidence=st.one_of(st.sampled_from(["high", "low"]), hostile_text(10)),
    )
)
def test_propose_link_form(analyst_client, data):
    with rolled_back():
        before = Counts.now()
        response = analyst_client.post("/convention/articles/24/propose-link/", data)
        assert response.status_code < 500
        if response.status_code == 302:
            before.one_link_more()
            link = ProvisionLink.objects.latest("pk")
            assert link.provision.eid == data["provision"]
            assert (link.concern.slug if link.concern else data.get("concern")) == data.get(
                "concern"
            ) or not data.get("concern")
            assert link.demand is None or link.demand.slug == data.get("demand")
            assert (link.kind, link.confidence) == (data["kind"], data["confidence"])
            assert link.rationale == typed(data["rationale"])
            assert link.sources == typed_sources(data.get("sources") or "")
        else:
            assert response.status_code == 200
            before.unchanged("propose link")
            assert shows_error(response)


def test_oversized_and_undecodable_requests(analyst_client):
    """Past Django's limits (512 KB, 1,000 fields) a 400; bytes that are not UTF-8 are read
    with replacement characters, never a server error."""
    url = "/convention/articles/24/annotate/"
    before = Counts.now()
    response = analyst_client.post(url, {"provision": "art_24", "body": "a" * 600_000})
    assert response.status_code == 400
    response = analyst_client.post(url, {"provision": "art_24", "concerns": ["x"] * 1_001})
    assert response.status_code == 400
    before.unchanged("oversized")
    form = "application/x-www-form-urlencoded"
    # A note whose bytes are not UTF-8 (an encoded surrogate, then two stray bytes) is saved,
    # and what could not be read is marked, not guessed.
    raw = b"provision=art_24&body=%ED%A0%80%FF%FE&action=draft"
    assert analyst_client.post(url, raw, content_type=form).status_code == 302
    created = before.one_annotation_more()
    assert created.body and set(created.body) == {"\ufffd"}
    # Unreadable bytes and a NUL, and no provision: refused, with the reason, nothing saved.
    before = Counts.now()
    response = analyst_client.post(url, b"body=\xff\xfe\x00", content_type=form)
    assert response.status_code == 200 and shows_error(response)
    before.unchanged("undecodable")


@given(params=form_data(**{key: hostile_text(40) for key in ("eid", "quote", "start", "end")}))
def test_annotate_form_links(analyst_client, params):
    """The annotator opens the form with the selection in the URL: any URL is answered with
    the form, and opening it writes nothing."""
    before = Counts.now()
    response = analyst_client.get("/convention/articles/24/annotate/", params)
    assert response.status_code == 200
    assert 'action="/convention/articles/24/annotate/"' in response.content.decode()
    before.unchanged("opening the form")


@given(body=hostile_text(), tags=hostile_text())
def test_preview_and_tag_suggestions(analyst_client, draft, body, tags):
    """A preview is a fragment that saves nothing; every suggestion completes the typed list
    with the name of a tag that exists (the draft's "draft" tag is one)."""
    before = Counts.now()
    response = analyst_client.post(
        "/annotations/preview/", {"body": body}, headers={"HX-Request": "true"}
    )
    assert response.status_code == 200
    assert "<html" not in response.content.decode()
    before.unchanged("preview")
    response = analyst_client.get("/tags/suggest/", {"tags": tags})
    assert response.status_code == 200
    options = [html.unescape(v) for v in re.findall(r'<option value="([^"]*)">', text_of(response))]
    names = set(Tag.objects.values_list("name", flat=True))
    assert all(option.rpartition(", ")[2] in names for option in options), options


@given(name=hostile_text())
def test_api_token_form(analyst_client, name):
    confirm_session(analyst_client)  # a token is made only just after the password is typed
    with rolled_back():
        before = ApiToken.objects.count()
        response = analyst_client.post("/workspace/tokens/", {"name": name})
        assert response.status_code in (200, 400)
        if response.status_code == 200:
            assert ApiToken.objects.count() == before + 1
            assert "tw_" in response.content.decode()  # shown once, now
        else:
            assert ApiToken.objects.count() == before
            assert shows_error(response)


# --- Reviewing -------------------------------------------------------------------------------


@given(reason=hostile_text(), htmx=st.booleans())
# Found: a reason past 5,000 characters was saved cut short; now it is refused, with the limit.
@example(reason="a" * 5_001, htmx=False)
def test_reject_annotation_reason(editor_client, submitted, reason, htmx):
    headers = {"HX-Request": "true"} if htmx else {}
    with rolled_back():
        before = Counts.now()
        response = editor_client.post(
            f"/review/annotations/{submitted.pk}/reject/", {"reason": reason}, headers=headers
        )
        assert response.status_code < 500
        rejected = Annotation.objects.get(pk=submitted.pk).status == "rejected"
        if rejected:
            before.one_revision_more()
            assert Annotation.objects.get(pk=submitted.pk).review_reason == typed(reason)
        else:
            before.unchanged("reject")
            assert response.status_code in (200, 400)
            assert shows_error(response)


@given(reason=hostile_text())
@example(reason="a" * 5_001)
def test_reject_link_reason(editor_client, proposed_link, reason):
    with rolled_back():
        before = Counts.now()
        response = editor_client.post(
            f"/review/links/{proposed_link.pk}/reject/", {"reason": reason}
        )
        assert response.status_code < 500
        if ProvisionLink.objects.get(pk=proposed_link.pk).status == "rejected":
            assert response.status_code == 302
            before.one_revision_more()
        else:
            assert response.status_code == 400
            before.unchanged("reject link")
            assert shows_error(response)


@given(
    data=form_data(
        kind=st.one_of(st.sampled_from(["raises", "mitigates"]), hostile_text(20)),
        rationale=hostile_text(),
        sources=st.one_of(st.just("https://example.org/x\nhttp://example.org/y"), hostile_text()),
        confidence=st.one_of(st.sampled_from(["high", "medium"]), hostile_text(10)),
        note=hostile_text(),
    )
)
def test_edit_then_approve_link(editor_client, proposed_link, data):
    with rolled_back():
        before = Counts.now()
        response = editor_client.post(f"/review/links/{proposed_link.pk}/edit/", data)
        assert response.status_code < 500
        link = ProvisionLink.objects.get(pk=proposed_link.pk)
        if link.status == "approved":
            assert response.status_code == 302
            before.one_revision_more()
            assert link.rationale == typed(data["rationale"])
            assert link.sources == typed_sources(data.get("sources") or "")
            assert (link.kind, link.confidence) == (data["kind"], data["confidence"])
        else:
            assert response.status_code == 400
            before.unchanged("edit then approve")
            assert shows_error(response)


ids = st.lists(st.one_of(st.just("REAL"), numberish), max_size=5)


@given(
    action=st.one_of(
        st.sampled_from(["approve_links", "publish_annotations", "reject"]), hostile_text(20)
    ),
    links=ids,
    annotations=ids,
    reason=hostile_text(),
)
# Found: "²" passed str.isdigit() and int() then failed (a 500); so did 5,000 digits.
@example(action="approve_links", links=[], annotations=["²"], reason="")
@example(action="reject", links=["9" * 5000], annotations=[], reason="No.")
def test_bulk_review(editor_client, submitted, proposed_link, action, links, annotations, reason):
    data = {
        "action": action,
        "links": [str(proposed_link.pk) if v == "REAL" else v for v in links],
        "annotations": [str(submitted.pk) if v == "REAL" else v for v in annotations],
        "reason": reason,
    }
    with rolled_back():
        before = Counts.now()
        response = editor_client.post("/review/bulk/", data)
        assert response.status_code in (302, 400)
        if response.status_code == 400:
            before.unchanged("bulk")
            assert shows_error(response)
        else:
            # At most the two selectable items changed, each with its revision; nothing new.
            before.only_revisions_added(at_most=2)


@given(revision=st.one_of(st.just("REAL"), numberish))
@example(revision="²")  # found: a 500, as in the bulk review
@example(revision="9" * 5000)
def test_restore_revision(editor_client, submitted, revision):
    first = Revision.objects.filter(target_type="annotation", target_id=submitted.pk).first()
    value = str(first.pk) if revision == "REAL" else revision
    with rolled_back():
        before = Counts.now()
        response = editor_client.post(
            f"/history/annotation/{submitted.pk}/restore/", {"revision": value, "reason": "Back."}
        )
        assert response.status_code in (302, 404)
        if response.status_code == 404:
            before.unchanged("restore")
        else:
            before.only_revisions_added(at_most=1)


# --- Reading and signing in ------------------------------------------------------------------


@given(
    q=hostile_text(),
    facets=st.dictionaries(
        st.sampled_from(["kind", "chapter", "concern", "demand", "tag"]),
        st.lists(hostile_text(30), max_size=4),
    ),
    page=numberish,
    htmx=st.booleans(),
)
def test_search(client, q, facets, page, htmx):
    headers = {"HX-Request": "true"} if htmx else {}
    response = client.get("/search/", {"q": q, "page": page, **facets}, headers=headers)
    page_html = text_of(response)
    # The search page (or, for htmx, its results fragment alone), whatever was asked.
    assert ("<html" in page_html) is not htmx
    assert 'name="q"' in page_html or htmx


@given(username=hostile_text(), password=hostile_text(), next_url=hostile_text(40))
def test_login_form(username, password, next_url):
    anonymous = Client()
    with rolled_back():
        response = anonymous.post(
            "/accounts/login/", {"username": username, "password": password, "next": next_url}
        )
        assert response.status_code in (200, 403, 429)
        if response.status_code == 200:
            assert shows_error(response)
        assert "_auth_user_id" not in anonymous.session  # no one is signed in


@given(email=st.one_of(hostile_text(), st.just("alice@example.org")))
def test_password_reset_form(analyst, email):
    anonymous = Client()
    with rolled_back():
        response = anonymous.post("/accounts/password_reset/", {"email": email})
        assert response.status_code in (200, 302)
        if response.status_code == 200:
            assert shows_error(response)
        else:
            # The same answer whether or not the address belongs to someone.
            assert response["Location"] == "/accounts/password_reset/done/"


@given(uid=hostile_text(20), token=hostile_text(40))
def test_password_reset_links(uid, token):
    from urllib.parse import quote as quoted

    response = Client().get(f"/accounts/reset/{quoted(uid, safe='')}/{quoted(token, safe='')}/")
    # A made-up link never reaches the new-password form (404: not even a link's shape).
    assert response.status_code in (200, 404)
    if response.status_code == 200:
        assert "This link no longer works" in response.content.decode()
        assert 'name="new_password1"' not in response.content.decode()


# --- NUL in every field (PostgreSQL refuses it in text and in queries) -----------------------

NUL_FORMS = [
    ("analyst", "post", "/convention/articles/24/annotate/",
     {"provision": "art_24", "body": "A note.", "quote": "law", "prefix": "", "suffix": "",
      "start": "", "end": "", "tags": "a, b", "concerns": "serious-crime-scope",
      "demands": "consult-civil-society", "action": "draft"}),
    ("analyst", "post", "/annotations/{draft}/edit/",
     {"provision": "art_24", "body": "Edited.", "quote": "", "tags": "c",
      "concerns": "serious-crime-scope", "version": "{version}"}),
    ("analyst", "post", "/annotations/{submitted}/reply/", {"body": "A reply."}),
    ("analyst", "post", "/convention/articles/24/propose-link/",
     {"provision": "art_24", "concern": "serious-crime-scope", "demand": "", "kind": "raises",
      "rationale": "Why.", "sources": "https://example.org/", "confidence": "high"}),
    ("analyst", "post", "/annotations/preview/", {"body": "Preview."}),
    ("analyst", "get", "/convention/articles/24/annotate/",
     {"eid": "art_24", "quote": "law", "prefix": "", "suffix": "", "start": "1", "end": "4"}),
    ("analyst", "get", "/tags/suggest/", {"tags": "a, b"}),
    ("analyst", "post", "/workspace/tokens/", {"name": "My script"}),
    ("editor", "post", "/review/annotations/{submitted}/reject/", {"reason": "No."}),
    ("editor", "post", "/review/links/{link}/reject/", {"reason": "No."}),
    ("editor", "post", "/review/links/{link}/edit/",
     {"kind": "raises", "rationale": "Why.", "sources": "https://example.org/",
      "confidence": "high", "note": "Checked."}),
    ("editor", "post", "/review/bulk/",
     {"action": "reject", "links": "{link}", "annotations": "{submitted}", "reason": "No."}),
    ("editor", "post", "/history/annotation/{submitted}/restore/",
     {"revision": "{revision}", "reason": "Back."}),
    ("anonymous", "get", "/search/",
     {"q": "data", "kind": "article", "chapter": "IV", "concern": "serious-crime-scope",
      "demand": "consult-civil-society", "tag": "t", "page": "1"}),
    ("anonymous", "post", "/accounts/login/", {"username": "alice", "password": "x", "next": "/"}),
    ("anonymous", "post", "/accounts/password_reset/", {"email": "alice@example.org"}),
]  # fmt: skip


@pytest.mark.parametrize(("role", "method", "url", "fields"), NUL_FORMS, ids=lambda v: str(v)[:40])
def test_nul_in_every_field(
    client, analyst, editor, draft, submitted, proposed_link, role, method, url, fields
):
    """Each field in turn gets a NUL (before, inside and alone): no server error, no NUL stored."""
    if role != "anonymous":
        client.force_login(analyst if role == "analyst" else editor)
    revision = Revision.objects.filter(target_type="annotation", target_id=submitted.pk).first()
    values = {
        "draft": draft.pk,
        "version": draft.version,
        "submitted": submitted.pk,
        "link": proposed_link.pk,
        "revision": revision.pk,
    }
    url = url.format(**values)
    fields = {key: value.format(**values) for key, value in fields.items()}
    for name in fields:
        for poisoned in (f"\x00{fields[name]}", f"{fields[name]}\x00x", "\x00"):
            with rolled_back():
                response = getattr(client, method)(url, {**fields, name: poisoned})
                assert response.status_code < 500, (url, name)
                assert not any("\x00" in text for text in stored_texts()), (url, name)


def stored_texts():
    """Every text a form writes (read in Python: neither database can search for a NUL)."""
    yield from Annotation.objects.values_list("body", flat=True)
    yield from Annotation.objects.values_list("review_reason", flat=True)
    yield from ProvisionLink.objects.values_list("rationale", flat=True)
    yield from ProvisionLink.objects.values_list("review_note", flat=True)
    yield from Tag.objects.values_list("name", flat=True)

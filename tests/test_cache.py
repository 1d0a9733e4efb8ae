"""The page cache (provisions/cache/): anonymous pages served without the database, never stale.

Guards: a second anonymous GET costs no query; every write path retires exactly the pages whose
public content it changes (another article's page stays cached); the htmx fragment is cached
apart from the full page; signed-in members never get or fill the shared pages; a cached page
carries this response's CSP nonce (header and HTML agree) and this visitor's CSRF token, never
the first visitor's; gzip responses assembled from the cache decompress to the same page.
"""

import gzip
import io
import re

import pytest
from django.contrib.admin.models import CHANGE, LogEntry
from django.core.cache import cache
from django.http import HttpResponse
from django.middleware.csrf import _unmask_cipher_token
from django.template import engines
from django.test import Client
from django.urls import path

from provisions.cache import keys
from provisions.cache.invalidation import annotation_changed
from provisions.cache.process_pages import process_pages
from provisions.cache.serving import cache_public_page
from provisions.models import Annotation, Article, Concern, ProvisionLink, Revision
from provisions.services import (
    annotation_create,
    annotation_delete,
    annotation_publish,
    annotation_reject,
    annotation_restore,
    annotation_submit,
    annotation_update,
    link_approve,
    link_propose,
    link_reject,
    link_restore,
    seed_convention,
    seed_statement,
)
from provisions.services.dataset import dataset_export, dataset_import
from tests.helpers import failed_request_recorder, text_of

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("page_cache_on")]

# A page that gives anonymous visitors a CSRF token (TreatyWatch's reading pages do not): the
# cache must hand each visitor their own.
TOKEN_TEMPLATE = engines["django"].from_string(
    '<p data-token="{{ csrf_token }}">Form</p>'
    '<script src="/static/x.js" nonce="{{ csp_nonce }}" defer></script>'
)


@cache_public_page()
def token_page(request):
    return HttpResponse(TOKEN_TEMPLATE.render({}, request))


urlpatterns = [path("token-page/", token_page)]

ART24 = "/convention/articles/24/"
ART25 = "/convention/articles/25/"
CONCERN = "weak-procedural-safeguards"
OTHER_CONCERN = "serious-crime-scope"
DEMAND = "laws-meet-human-rights-standards"
PUBLIC_PAGES = [
    "/",
    "/convention/",
    ART24,
    "/concerns/",
    f"/concerns/{CONCERN}/",
    "/safeguards/",
    f"/safeguards/{DEMAND}/",
    "/coverage/",
    "/about/",
    "/search/?q=surveillance",
]


def get(url: str, **headers):
    """A request from a new anonymous visitor (no cookies)."""
    return Client().get(url, **headers)


def state(url: str, **headers) -> str:
    return get(url, **headers)["X-Page-Cache"]


def cached(*urls) -> dict[str, str]:
    """Warm each page, then say how the next request for it is served."""
    for url in urls:
        get(url)
    return {url: state(url) for url in urls}


def published(analyst, editor, provision, body="A published note", **fields) -> Annotation:
    annotation = annotation_create(
        provision=provision, author=analyst, body=body, status="submitted", **fields
    )
    return annotation_publish(annotation=annotation, editor=editor)


# --- Served from the cache ------------------------------------------------------------------


@pytest.mark.parametrize("url", PUBLIC_PAGES)
def test_second_anonymous_get_is_served_from_the_cache_without_queries(
    url, django_assert_num_queries
):
    first = get(url)
    assert first.status_code == 200 and first["X-Page-Cache"] == "miss"
    with django_assert_num_queries(0):
        second = get(url)
    assert second.status_code == 200 and second["X-Page-Cache"] == "hit"
    assert _main(second) == _main(first)


def _main(response) -> str:
    html = response.content.decode()
    return html[html.index("<main") : html.index("</main>")]


def test_a_cached_page_carries_this_responses_nonce_in_header_and_html():
    nonces = []
    for expected in ("miss", "hit", "hit"):
        response = get(ART24)
        assert response["X-Page-Cache"] == expected
        csp = response["Content-Security-Policy"]
        nonce = re.search(r"'nonce-([^']+)'", csp).group(1)
        html = response.content.decode()
        # Every nonce in the page is this response's: the one the header allows.
        assert set(re.findall(r'nonce="([^"]+)"', html)) == {nonce}
        assert "<tw:" not in html
        nonces.append(nonce)
    assert len(set(nonces)) == 3


def _token(response, content=None) -> str:
    html = content if content is not None else response.content.decode()
    return re.search(r'data-token="([A-Za-z0-9]+)"', html).group(1)


@pytest.mark.urls(__name__)
def test_a_cached_page_carries_this_visitors_csrf_token_and_cookie():
    first_visitor, second_visitor = Client(), Client()
    first = first_visitor.get("/token-page/")
    second = second_visitor.get("/token-page/")
    assert (first["X-Page-Cache"], second["X-Page-Cache"]) == ("miss", "hit")
    first_secret = first.cookies["csrftoken"].value
    second_secret = second.cookies["csrftoken"].value
    assert first_secret != second_secret
    assert _unmask_cipher_token(_token(first)) == first_secret
    assert _unmask_cipher_token(_token(second)) == second_secret
    # A visitor who already has a CSRF cookie keeps it, and the page's token matches it.
    again = first_visitor.get("/token-page/")
    assert again["X-Page-Cache"] == "hit"
    assert _unmask_cipher_token(_token(again)) == first_secret
    nonce = re.search(r"'nonce-([^']+)'", again["Content-Security-Policy"]).group(1)
    assert f'nonce="{nonce}"' in again.content.decode()


@pytest.mark.urls(__name__)
def test_gzip_from_the_cache_puts_this_visitors_token_and_nonce_back():
    Client().get("/token-page/")
    response = Client().get("/token-page/", HTTP_ACCEPT_ENCODING="gzip")
    assert (response["X-Page-Cache"], response["Content-Encoding"]) == ("hit", "gzip")
    html = gzip.decompress(response.content).decode()
    assert _unmask_cipher_token(_token(response, html)) == response.cookies["csrftoken"].value
    nonce = re.search(r"'nonce-([^']+)'", response["Content-Security-Policy"]).group(1)
    assert f'nonce="{nonce}"' in html


def test_readers_get_no_csrf_token_and_no_cookie_members_do(client, analyst):
    for expected in ("miss", "hit"):
        response = get(ART24)
        assert response["X-Page-Cache"] == expected
        assert not response.cookies
        assert "x-csrftoken" not in response.content.decode()
    client.force_login(analyst)
    assert '"x-csrftoken": "' in client.get(ART24).content.decode()


def test_gzip_from_the_cache_decompresses_to_the_same_page():
    plain = get(ART24)
    compressed = get(ART24, HTTP_ACCEPT_ENCODING="gzip, deflate, br")
    assert compressed["X-Page-Cache"] == "hit"
    assert compressed["Content-Encoding"] == "gzip"
    assert "Accept-Encoding" in compressed["Vary"]
    assert len(compressed.content) < len(plain.content) / 2
    html = gzip.decompress(compressed.content).decode()
    nonce = re.search(r"'nonce-([^']+)'", compressed["Content-Security-Policy"]).group(1)
    assert f'nonce="{nonce}"' in html
    assert _main_text(html) == _main_text(plain.content.decode())


def _main_text(html: str) -> str:
    return html[html.index("<main") : html.index("</main>")]


def test_a_page_from_the_cache_says_its_length():
    get(ART24)
    for headers in ({}, {"HTTP_ACCEPT_ENCODING": "gzip"}):
        response = get(ART24, **headers)
        assert response["X-Page-Cache"] == "hit"
        assert int(response["Content-Length"]) == len(response.content), headers


def test_htmx_fragment_is_cached_apart_from_the_full_page():
    fragment = get(ART24, HTTP_HX_REQUEST="true")
    assert fragment["X-Page-Cache"] == "miss"
    assert "<html" not in fragment.content.decode()
    assert 'id="article-layout"' in fragment.content.decode()
    full = get(ART24)
    assert full["X-Page-Cache"] == "miss"  # not the fragment's entry
    assert "<html" in full.content.decode()
    again = get(ART24, HTTP_HX_REQUEST="true")
    assert again["X-Page-Cache"] == "hit"
    assert "<html" not in again.content.decode()
    assert "HX-Request" in again["Vary"]


def test_signed_in_members_neither_get_nor_fill_the_shared_pages(client, analyst):
    get(ART24)  # an anonymous page is in the cache
    client.force_login(analyst)
    response = client.get(ART24)
    assert response.status_code == 200
    assert "X-Page-Cache" not in response
    assert "annotate-link" in response.content.decode()  # the member's own page
    cache.clear()
    process_pages.clear()
    client.get(ART24)
    assert state(ART24) == "miss"  # the member's visit stored nothing


def test_a_visitor_with_a_session_or_messages_is_not_served_the_shared_page():
    get(ART24)
    visitor = Client()
    visitor.cookies["sessionid"] = "not-a-real-session"
    response = visitor.get(ART24)
    assert response.status_code == 200 and "X-Page-Cache" not in response
    visitor = Client()
    visitor.cookies["messages"] = "pending"
    response = visitor.get(ART24)
    assert response.status_code == 200 and "X-Page-Cache" not in response


def test_pages_are_not_cached_when_switched_off(settings):
    settings.TREATYWATCH_PAGE_CACHE = False
    get(ART24)
    response = get(ART24)
    assert response.status_code == 200 and "X-Page-Cache" not in response


def test_a_404_is_not_cached():
    assert get("/convention/articles/999/").status_code == 404
    assert "X-Page-Cache" not in get("/convention/articles/999/")


def test_an_unreachable_cache_still_serves_the_page(monkeypatch):
    def down(*args, **kwargs):
        raise ConnectionError("cache down")

    monkeypatch.setattr(cache, "get_many", down)
    response = get(ART24)
    assert response.status_code == 200
    assert "X-Page-Cache" not in response


def test_a_lost_generation_never_brings_an_old_page_back():
    get(ART24)
    cache.delete("tw:gen:article:24")
    assert state(ART24) == "miss"
    cache.clear()  # the whole cache lost, the process still holds the page
    assert state(ART24) == "miss"


# --- Writes retire exactly what they change -----------------------------------------------


def test_publishing_retires_the_article_its_concerns_and_the_overviews_only(analyst, editor, art24):
    urls = [ART24, ART25, "/", "/convention/", f"/concerns/{CONCERN}/"]
    urls += [f"/concerns/{OTHER_CONCERN}/", f"/safeguards/{DEMAND}/", "/about/"]
    assert set(cached(*urls).values()) == {"hit"}
    annotation = annotation_create(
        provision=art24,
        author=analyst,
        body="Newly published SENTINEL-NOTE",
        status="submitted",
        concerns=[CONCERN],
    )
    assert state(ART24) == "hit"  # a submission is not public
    annotation_publish(annotation=annotation, editor=editor)
    after = {url: get(url) for url in urls}
    assert {url: r["X-Page-Cache"] for url, r in after.items()} == {
        ART24: "miss",
        ART25: "hit",
        "/": "miss",
        "/convention/": "miss",
        f"/concerns/{CONCERN}/": "miss",
        f"/concerns/{OTHER_CONCERN}/": "hit",
        f"/safeguards/{DEMAND}/": "hit",
        "/about/": "hit",
    }
    assert "SENTINEL-NOTE" in after[ART24].content.decode()
    assert "SENTINEL-NOTE" in after[f"/concerns/{CONCERN}/"].content.decode()


def test_briefs_and_the_feed_are_cached_and_retired_like_their_pages(analyst, editor, art24):
    """A concern's printable brief can hold thousands of annotations: cached like its page."""
    briefs = {
        "article 24": "/convention/articles/24/brief/",
        "article 25": "/convention/articles/25/brief/",
        "concern": f"/concerns/{CONCERN}/brief/",
        "other concern": f"/concerns/{OTHER_CONCERN}/brief/",
        "demand": f"/safeguards/{DEMAND}/brief/",
        "feed": "/feeds/latest.atom",
    }
    assert set(cached(*briefs.values()).values()) == {"hit"}
    published(analyst, editor, art24, "Briefed SENTINEL-BRIEF", concerns=[CONCERN])
    after = {name: get(url) for name, url in briefs.items()}
    assert {name: response["X-Page-Cache"] for name, response in after.items()} == {
        "article 24": "miss",
        "article 25": "hit",
        "concern": "miss",
        "other concern": "hit",
        "demand": "hit",
        "feed": "miss",
    }
    for name in ("article 24", "concern", "feed"):
        assert "SENTINEL-BRIEF" in after[name].content.decode(), name
    assert after["feed"]["Content-Type"].startswith("application/atom+xml")


def test_a_cached_search_shows_a_newly_published_annotation(analyst, editor, art24):
    url = "/search/?q=sentinelword"
    assert "SENTINEL-SEARCH" not in text_of(get(url))
    assert state(url) == "hit"
    assert state("/search/?q=sentinelword&kind=annotation") == "miss"  # facets are other pages
    published(analyst, editor, art24, body="SENTINEL-SEARCH sentinelword")
    response = get(url)
    assert response["X-Page-Cache"] == "miss"
    assert "SENTINEL-SEARCH" in response.content.decode()


def test_rejecting_a_published_annotation_takes_it_off_the_cached_page(analyst, editor, art24):
    annotation = published(analyst, editor, art24, body="Soon rejected SENTINEL-NOTE")
    assert "SENTINEL-NOTE" in get(ART24).content.decode()
    assert cached(ART24, ART25) == {ART24: "hit", ART25: "hit"}
    annotation_reject(annotation=annotation, editor=editor, reason="Wrong article")
    response = get(ART24)
    assert response["X-Page-Cache"] == "miss"
    assert "SENTINEL-NOTE" not in text_of(response)
    assert state(ART25) == "hit"


def test_rejecting_a_submission_changes_no_public_page(analyst, editor, art24):
    annotation = annotation_create(provision=art24, author=analyst, body="x", status="submitted")
    assert cached(ART24, "/") == {ART24: "hit", "/": "hit"}
    annotation_reject(annotation=annotation, editor=editor, reason="Not yet")
    assert cached(ART24, "/") == {ART24: "hit", "/": "hit"}


def test_drafts_their_submission_and_deletion_change_no_public_page(analyst, art24):
    assert cached(ART24, "/")[ART24] == "hit"
    draft = annotation_create(provision=art24, author=analyst, body="A draft")
    annotation_update(annotation=draft, user=analyst, version=draft.version, body="Edited draft")
    draft.refresh_from_db()
    annotation_delete(annotation=draft, user=analyst)
    other = annotation_create(provision=art24, author=analyst, body="Another draft")
    annotation_submit(annotation=other, user=analyst)
    assert {state(ART24), state("/")} == {"hit"}


def test_editing_a_published_annotation_retires_old_and_new_concern_pages(analyst, editor, art24):
    annotation = published(analyst, editor, art24, body="Before SENTINEL-OLD", concerns=[CONCERN])
    third = "protected-activities"
    assert Concern.objects.filter(slug=third).exists()
    urls = [ART24, ART25, f"/concerns/{CONCERN}/", f"/concerns/{OTHER_CONCERN}/"]
    urls.append(f"/concerns/{third}/")
    assert set(cached(*urls).values()) == {"hit"}
    annotation_update(
        annotation=annotation,
        user=editor,
        version=annotation.version,
        body="After SENTINEL-NEW",
        concerns=[OTHER_CONCERN],
    )
    assert {url: state(url) for url in urls} == {
        ART24: "miss",
        ART25: "hit",
        f"/concerns/{CONCERN}/": "miss",  # it left this concern's page
        f"/concerns/{OTHER_CONCERN}/": "miss",  # and joined this one
        f"/concerns/{third}/": "hit",
    }
    html = get(ART24).content.decode()
    assert "SENTINEL-NEW" in html and "SENTINEL-OLD" not in html


def test_restoring_a_published_annotation_retires_its_article(analyst, editor, art24):
    annotation = published(analyst, editor, art24, body="Original SENTINEL-ONE")
    edited = annotation_update(
        annotation=annotation, user=editor, version=annotation.version, body="Edit SENTINEL-TWO"
    )
    assert "SENTINEL-TWO" in get(ART24).content.decode()
    assert cached(ART24, ART25) == {ART24: "hit", ART25: "hit"}
    first = Revision.objects.filter(target_type="annotation", target_id=edited.pk).last()
    annotation_restore(annotation=edited, editor=editor, revision=first, reason="Back.")
    response = get(ART24)
    assert response["X-Page-Cache"] == "miss"
    assert "SENTINEL-ONE" in response.content.decode()
    assert state(ART25) == "hit"


def test_publishing_a_reply_retires_the_article_it_is_shown_on(analyst, editor, art24):
    parent = published(analyst, editor, art24)
    reply = annotation_create(
        provision=art24, author=analyst, body="A reply SENTINEL-REPLY", in_reply_to=parent
    )
    assert cached(ART24, ART25) == {ART24: "hit", ART25: "hit"}
    annotation_publish(annotation=reply, editor=editor)
    response = get(ART24)
    assert response["X-Page-Cache"] == "miss"
    assert "1 reply" in response.content.decode()  # the article page counts visible replies
    assert state(ART25) == "hit"


@pytest.fixture
def proposal(analyst, art24):
    return link_propose(
        provision=art24,
        proposer=analyst,
        concern=OTHER_CONCERN,
        rationale="Proposed SENTINEL-LINK rationale",
    )


def test_approving_a_link_retires_its_article_and_concern(editor, proposal):
    urls = [ART24, ART25, f"/concerns/{OTHER_CONCERN}/", f"/concerns/{CONCERN}/", "/coverage/"]
    assert set(cached(*urls).values()) == {"hit"}
    link_approve(link=proposal, editor=editor)
    assert {url: state(url) for url in urls} == {
        ART24: "miss",
        ART25: "hit",
        f"/concerns/{OTHER_CONCERN}/": "miss",
        f"/concerns/{CONCERN}/": "hit",
        "/coverage/": "miss",
    }
    assert "SENTINEL-LINK" in get(ART24).content.decode()


def test_rejecting_a_proposal_changes_no_public_page(editor, proposal):
    assert cached(ART24, "/coverage/") == {ART24: "hit", "/coverage/": "hit"}
    link_reject(link=proposal, editor=editor, reason="Not this article")
    assert cached(ART24, "/coverage/") == {ART24: "hit", "/coverage/": "hit"}


def test_rejecting_a_seeded_link_retires_its_pages(editor):
    link = ProvisionLink.objects.filter(
        is_editorial=True, provision__eid="art_24", concern__isnull=False
    ).first()
    concern_url = f"/concerns/{link.concern.slug}/"
    assert cached(ART24, ART25, concern_url) == {ART24: "hit", ART25: "hit", concern_url: "hit"}
    link_reject(link=link, editor=editor, reason="Mapping withdrawn")
    assert {state(ART24), state(concern_url)} == {"miss"}
    assert state(ART25) == "hit"


def test_restoring_an_approved_link_retires_its_pages(editor, proposal):
    approved = link_approve(link=proposal, editor=editor)
    edited = link_approve(link=approved, editor=editor, rationale="Edited SENTINEL-EDIT")
    assert "SENTINEL-EDIT" in get(ART24).content.decode()
    assert cached(ART24, ART25) == {ART24: "hit", ART25: "hit"}
    first = Revision.objects.filter(target_type="link", target_id=edited.pk).last()
    link_restore(link=edited, editor=editor, revision=first, reason="Back.")
    response = get(ART24)
    assert response["X-Page-Cache"] == "miss"
    assert "SENTINEL-EDIT" not in text_of(response)
    assert state(ART25) == "hit"


def test_seeding_retires_everything_only_when_it_changes_something():
    assert set(cached(ART24, "/about/").values()) == {"hit"}
    seed_convention()
    seed_statement()  # nothing to change: the test database is seeded
    assert {state(ART24), state("/about/")} == {"hit"}
    # The statement is the editors' once seeded; the Convention's summaries are the fixture's.
    Article.objects.filter(number=25).update(summary="Changed by hand")
    seed_convention()  # puts the fixture's summary back
    assert {state(ART24), state("/about/")} == {"miss"}


def test_importing_a_dataset_retires_everything(analyst, editor, art24):
    stream = io.StringIO()
    dataset_export(stream=stream)
    published(analyst, editor, art24, body="After the backup SENTINEL-LATER")
    assert "SENTINEL-LATER" in get(ART24).content.decode()
    assert set(cached(ART24, ART25, "/about/").values()) == {"hit"}
    dataset_import(stream=io.StringIO(stream.getvalue()), allow_non_empty=True)
    response = get(ART24)
    assert response["X-Page-Cache"] == "miss"
    assert "SENTINEL-LATER" not in text_of(response)
    assert {state(ART25), state("/about/")} == {"miss"}


def test_what_a_write_retires_comes_from_the_snapshots_the_service_passes(analyst, editor, art24):
    """The cache reads no history: with an annotation's revisions gone (rows changed outside the
    services), a rejection still retires its article and concern, and nothing else."""
    annotation = published(analyst, editor, art24, concerns=[CONCERN])
    Revision.objects.filter(target_type="annotation", target_id=annotation.pk).delete()
    urls = [ART24, ART25, f"/concerns/{CONCERN}/", "/about/"]
    assert set(cached(*urls).values()) == {"hit"}
    annotation_reject(annotation=annotation, editor=editor, reason="Withdrawn")
    assert {url: state(url) for url in urls} == {
        ART24: "miss",
        ART25: "hit",
        f"/concerns/{CONCERN}/": "miss",
        "/about/": "hit",
    }


def test_retiring_pages_for_a_write_reads_nothing_from_the_database(django_assert_num_queries):
    before = {"status": "published", "provision": "art_24__para_2", "concerns": [CONCERN]}
    after = {**before, "status": "rejected", "concerns": []}
    assert cached(ART24, ART25) == {ART24: "hit", ART25: "hit"}
    with django_assert_num_queries(0):
        annotation_changed(before=before, after=after)
    assert (state(ART24), state(ART25)) == ("miss", "hit")


def test_a_change_in_the_admin_retires_everything(editor):
    assert set(cached(ART24, "/about/").values()) == {"hit"}
    concern = Concern.objects.get(slug=CONCERN)
    LogEntry.objects.log_actions(
        user_id=editor.pk, queryset=[concern], action_flag=CHANGE, single_object=True
    )
    assert {state(ART24), state("/about/")} == {"miss"}


def test_a_page_rendered_before_the_commit_is_retired_after_it(
    analyst, editor, art24, django_capture_on_commit_callbacks
):
    annotation = annotation_create(provision=art24, author=analyst, body="x", status="submitted")
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        annotation_publish(annotation=annotation, editor=editor)
        # Another request renders the page between the bump and the commit…
        assert state(ART24) == "miss"
        assert state(ART24) == "hit"
    # …and the bump after the commit retires what it stored.
    assert len(callbacks) == 1
    assert state(ART24) == "miss"


def test_a_deploy_with_other_templates_does_not_serve_old_pages(monkeypatch):
    assert cached(ART24)[ART24] == "hit"
    monkeypatch.setattr(keys, "release", lambda: "another-release")
    assert state(ART24) == "miss"


# --- In a browser ---------------------------------------------------------------------------


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_a_cached_article_page_runs_htmx_without_console_errors(seeded, live_server, page):
    problems = []
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: problems.append(str(e)))
    page.on("requestfailed", failed_request_recorder(problems))
    states = []
    page.on(
        "response",
        lambda r: states.append(r.headers.get("x-page-cache")) if r.url.endswith(ART24) else None,
    )
    url = f"{live_server.url}{ART24}"
    page.goto(url)
    page.context.clear_cookies()  # a second visitor
    page.goto(url)
    assert states == ["miss", "hit"]
    assert page.evaluate("typeof window.htmx") == "object"  # allowed by this response's nonce
    assert problems == []

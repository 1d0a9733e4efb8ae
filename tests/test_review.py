"""The editors' review queue: who may open it, each action with and without htmx, bulk actions,
what an item shows (and never shows), the navigation badge, and a flat query budget."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from provisions.models import Annotation, Provision, ProvisionLink, Revision
from provisions.services import (
    annotation_create,
    annotation_publish,
    link_approve,
    link_propose,
)
from tests.helpers import ROLES, as_, make_member

pytestmark = pytest.mark.django_db

HTMX = {"HX-Request": "true", "HX-Current-URL": "http://testserver/review/"}


@pytest.fixture
def proposed(analyst, art24):
    return link_propose(
        provision=art24,
        proposer=analyst,
        concern="serious-crime-scope",
        rationale="Production orders reach any serious crime.",
        sources=["https://example.org/report"],
        confidence="high",
    )


@pytest.fixture
def members(analyst, other_analyst, editor):
    return {"anonymous": None, "analyst": analyst, "other_analyst": other_analyst, "editor": editor}


# --- Who may open what ---------------------------------------------------------------------

# (url name, GET status by role, POST status by role); roles in ROLES order.
MATRIX = [
    ("review", (302, 403, 403, 200), (302, 403, 403, 405)),
    ("review_bulk", (302, 403, 403, 405), (302, 403, 403, 400)),
    ("review_link_approve", (302, 403, 403, 405), (302, 403, 403, 302)),
    ("review_link_reject", (302, 403, 403, 405), (302, 403, 403, 400)),
    ("review_link_edit", (302, 403, 403, 405), (302, 403, 403, 400)),
    ("review_annotation_publish", (302, 403, 403, 405), (302, 403, 403, 302)),
    ("review_annotation_reject", (302, 403, 403, 405), (302, 403, 403, 400)),
]


def url_for(name, proposed, submitted):
    from django.urls import reverse

    if name.startswith("review_link"):
        return reverse(f"provisions:{name}", kwargs={"pk": proposed.pk})
    if name.startswith("review_annotation"):
        return reverse(f"provisions:{name}", kwargs={"pk": submitted.pk})
    return reverse(f"provisions:{name}")


@pytest.mark.parametrize(("name", "get_status", "post_status"), MATRIX)
@pytest.mark.parametrize("role", ROLES)
def test_permission_matrix(
    client, members, proposed, submitted, name, get_status, post_status, role
):
    url = url_for(name, proposed, submitted)
    client = as_(client, members[role])
    index = ROLES.index(role)
    # POST with an empty body: the editor's refusals (no reason, no selection) are 400s.
    for method, expected in (("get", get_status[index]), ("post", post_status[index])):
        response = getattr(client, method)(url)
        assert response.status_code == expected, (method, url, role)
        if role == "anonymous":
            assert response["Location"].startswith("/accounts/login/?next=")
    if role != "editor":
        proposed.refresh_from_db()
        submitted.refresh_from_db()
        assert proposed.status == "proposed" and submitted.status == "submitted"


@pytest.mark.parametrize("name", [row[0] for row in MATRIX])
def test_anonymous_htmx_request_gets_401_with_hx_redirect(client, proposed, submitted, name):
    response = client.post(url_for(name, proposed, submitted), headers=HTMX)
    assert response.status_code == 401
    assert response["HX-Redirect"] == "/accounts/login/?next=/review/"


# --- The queue -----------------------------------------------------------------------------


def test_queue_shows_links_and_annotations_newest_first_with_counts(
    client, editor, analyst, other_analyst, proposed, submitted, art24
):
    newer = link_propose(
        provision=Provision.objects.get(eid="art_40"),
        proposer=other_analyst,
        demand="laws-meet-human-rights-standards",
        rationale="Dual criminality is optional.",
    )
    html = client_get(client, editor, "/review/")
    assert 'id="links-count">2<' in html and 'id="annotations-count">1<' in html
    assert html.index(f'id="review-link-{newer.pk}"') < html.index(
        f'id="review-link-{proposed.pk}"'
    )
    # What each link is: provision, target, kind, rationale, sources as links, who and when.
    assert 'href="/convention/articles/24/#art_24"' in html
    assert "Powers reach any &#x27;serious crime&#x27;" in html
    assert "Production orders reach any serious crime." in html
    assert '<a href="https://example.org/report" rel="nofollow noopener noreferrer">' in html
    assert "Proposed by Alice Analyst" in html and "Proposed by Bob Analyst" in html
    assert f'href="/history/link/{proposed.pk}/"' in html
    # The annotation: quote, rendered body, concerns, tags, author.
    # (A quote from our editorial summary, labelled so: the seeded text is the summaries.)
    assert '<p class="quote-words" lang="en">proportionality</p>' in html
    assert "From our editorial summary" in html
    assert "<strong>domestic law</strong>" in html
    assert "#safeguards" in html and "By Alice Analyst" in html
    assert f'href="/history/annotation/{submitted.pk}/"' in html
    # Every action is a real form that htmx enhances.
    assert f'action="/review/links/{proposed.pk}/approve/"' in html
    assert f'data-hx-post="/review/links/{proposed.pk}/approve/"' in html
    assert f'action="/review/annotations/{submitted.pk}/publish/"' in html


def client_get(client, user, url):
    client.force_login(user)
    response = client.get(url)
    assert response.status_code == 200
    return response.content.decode()


def test_unsafe_sources_and_markup_are_never_live(client, editor, analyst, art24):
    # Written around the services, as an import or the admin could.
    ProvisionLink.objects.create(
        provision=art24,
        concern_id=proposed_concern_id(),
        rationale="<script>alert(1)</script>",
        sources=["javascript:alert(1)", "https://ok.example.org/"],
        proposed_by=analyst,
    )
    annotation = annotation_create(provision=art24, author=analyst, body="x", status="submitted")
    Annotation.objects.filter(pk=annotation.pk).update(
        body_html='<p onclick="x()">hi</p><script>alert(2)</script>'
    )
    html = client_get(client, editor, "/review/")
    assert 'href="javascript:' not in html
    assert "javascript:alert(1)" in html  # shown as text
    assert '<a href="https://ok.example.org/"' in html
    assert "<script>alert" not in html and "onclick" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def proposed_concern_id():
    from provisions.models import Concern

    return Concern.objects.get(slug="serious-crime-scope").pk


def test_queue_leaves_out_drafts_reviewed_links_and_published_work(
    client, editor, analyst, other_analyst, art24, proposed
):
    draft = annotation_create(provision=art24, author=other_analyst, body="Bob's private draft")
    published = annotation_create(provision=art24, author=analyst, body="Out", status="submitted")
    annotation_publish(annotation=published, editor=editor)
    link_approve(link=proposed, editor=editor)
    html = client_get(client, editor, "/review/")
    assert "Bob&#x27;s private draft" not in html and f"review-annotation-{draft.pk}" not in html
    assert f"review-annotation-{published.pk}" not in html
    assert f"review-link-{proposed.pk}" not in html
    assert 'id="links-count">0<' in html
    assert "No proposed links are waiting." in html


def test_nav_badge_counts_waiting_items_for_editors_only(
    client, editor, analyst, proposed, submitted
):
    html = client_get(client, editor, "/")
    assert 'id="review-badge">2<' in html
    html = client_get(client, analyst, "/")
    assert "review-badge" not in html and 'href="/review/"' not in html


def test_anonymous_pages_never_count_the_queue(client, editor, monkeypatch):
    counted = []

    def count(user):
        counted.append(user)
        return 0

    monkeypatch.setattr("provisions.queries.review.waiting_count", count)
    monkeypatch.setattr("provisions.context_processors.waiting_count", count)
    monkeypatch.setattr("provisions.context_processors.news_count", count)
    assert client.get("/").status_code == 200
    assert counted == []
    # The control: the counts replaced above are the ones an editor's page really runs.
    client.force_login(editor)
    assert client.get("/").status_code == 200
    assert counted and all(user == editor for user in counted)


# --- Single actions ------------------------------------------------------------------------


def test_approve_link(client, editor, proposed):
    client.force_login(editor)
    response = client.post(f"/review/links/{proposed.pk}/approve/", follow=True)
    proposed.refresh_from_db()
    assert proposed.status == "approved" and proposed.reviewed_by == editor
    assert response.redirect_chain == [("/review/", 302)]
    assert "Link approved: Powers reach any" in response.content.decode()


def test_approve_link_with_htmx_removes_the_item_and_updates_counts(client, editor, proposed):
    client.force_login(editor)
    response = client.post(f"/review/links/{proposed.pk}/approve/", headers=HTMX)
    html = response.content.decode()
    assert response.status_code == 200
    assert "<li" not in html  # nothing takes the item's place
    assert '<span id="links-count" data-hx-swap-oob="innerHTML">0</span>' in html
    assert 'id="review-status" data-hx-swap-oob="innerHTML"' in html
    assert "Link approved" in html
    proposed.refresh_from_db()
    assert proposed.status == "approved"


def test_approving_twice_shows_the_services_refusal(client, editor, proposed):
    link_approve(link=proposed, editor=editor)
    client.force_login(editor)
    response = client.post(f"/review/links/{proposed.pk}/approve/", headers=HTMX)
    assert "This link is already approved." in response.content.decode()
    # Without htmx the item is no longer in the queue: the refusal becomes a message.
    response = client.post(f"/review/links/{proposed.pk}/approve/", follow=True)
    assert "This link is already approved." in response.content.decode()


def test_reject_link_needs_a_reason_and_changes_nothing_without_one(client, editor, proposed):
    client.force_login(editor)
    response = client.post(f"/review/links/{proposed.pk}/reject/", {"reason": "  "})
    html = response.content.decode()
    assert response.status_code == 400
    assert "Give a reason for the rejection." in html
    # The reject form is open again, marked invalid, with the error tied to it.
    assert f'aria-describedby="reject-link-{proposed.pk}-error"' in html
    proposed.refresh_from_db()
    assert proposed.status == "proposed" and proposed.version == 1


def test_reject_link_with_htmx_error_returns_the_item_with_the_error(client, editor, proposed):
    client.force_login(editor)
    response = client.post(f"/review/links/{proposed.pk}/reject/", {"reason": ""}, headers=HTMX)
    html = response.content.decode()
    assert response.status_code == 200  # htmx swaps only 2xx responses
    assert html.lstrip().startswith('<li class="review-item review-link')
    assert "Give a reason for the rejection." in html
    assert '<details class="review-more" open>' in html


def test_reject_link_with_reason(client, editor, proposed):
    client.force_login(editor)
    response = client.post(
        f"/review/links/{proposed.pk}/reject/", {"reason": "Article 24 is about safeguards."}
    )
    assert response.status_code == 302
    proposed.refresh_from_db()
    assert proposed.status == "rejected"
    assert proposed.review_note == "Article 24 is about safeguards."


def test_edit_then_approve(client, editor, proposed):
    client.force_login(editor)
    response = client.post(
        f"/review/links/{proposed.pk}/edit/",
        {
            "kind": "mitigates",
            "rationale": "No judicial authorisation is required.",
            "sources": "https://a.example.org/one\nhttps://b.example.org/two\n",
            "confidence": "medium",
            "note": "Sharpened the rationale.",
        },
    )
    assert response.status_code == 302
    proposed.refresh_from_db()
    assert proposed.status == "approved"
    assert proposed.kind == "mitigates"
    assert proposed.rationale == "No judicial authorisation is required."
    assert proposed.sources == ["https://a.example.org/one", "https://b.example.org/two"]
    assert proposed.confidence == "medium"
    latest = Revision.objects.filter(target_type="link", target_id=proposed.pk).first()
    assert latest.action == "approved" and latest.note == "Sharpened the rationale."


def test_edit_then_approve_keeps_what_was_typed_on_error(client, editor, proposed):
    client.force_login(editor)
    response = client.post(
        f"/review/links/{proposed.pk}/edit/",
        {
            "kind": "raises",
            "rationale": "A better rationale, typed with care.",
            "sources": "javascript:alert(1)",
            "confidence": "low",
        },
    )
    html = response.content.decode()
    assert response.status_code == 400
    assert "is not an http(s) web address" in html
    assert "A better rationale, typed with care.</textarea>" in html
    assert '<option value="low" selected>' in html
    proposed.refresh_from_db()
    assert proposed.status == "proposed"
    assert proposed.rationale == "Production orders reach any serious crime."


def test_publish_annotation(client, editor, submitted):
    client.force_login(editor)
    response = client.post(f"/review/annotations/{submitted.pk}/publish/", follow=True)
    submitted.refresh_from_db()
    assert submitted.status == "published" and submitted.published_at is not None
    assert f"Published: annotation {submitted.pk} on Article 24" in response.content.decode()


def test_reject_annotation_with_and_without_reason(client, editor, submitted):
    client.force_login(editor)
    response = client.post(f"/review/annotations/{submitted.pk}/reject/", {"reason": ""})
    assert response.status_code == 400
    assert "Give the author a reason for the rejection." in response.content.decode()
    submitted.refresh_from_db()
    assert submitted.status == "submitted"

    response = client.post(
        f"/review/annotations/{submitted.pk}/reject/",
        {"reason": "Cite the paragraph."},
        headers=HTMX,
    )
    assert response.status_code == 200 and "<li" not in response.content.decode()
    submitted.refresh_from_db()
    assert submitted.status == "rejected" and submitted.review_reason == "Cite the paragraph."


def test_an_editor_cannot_act_on_someone_elses_draft(client, editor, other_analyst, art24):
    draft = annotation_create(provision=art24, author=other_analyst, body="Private")
    client.force_login(editor)
    assert client.post(f"/review/annotations/{draft.pk}/publish/").status_code == 404
    assert (
        client.post(f"/review/annotations/{draft.pk}/reject/", {"reason": "x"}).status_code == 404
    )
    draft.refresh_from_db()
    assert (draft.status, draft.review_reason, draft.version) == ("draft", "", 1)


# --- Bulk ----------------------------------------------------------------------------------


@pytest.fixture
def many(analyst, art24):
    links = [
        link_propose(provision=art24, proposer=analyst, concern=slug, rationale=f"Rationale {slug}")
        for slug in ("serious-crime-scope", "weak-procedural-safeguards")
    ]
    annotations = [
        annotation_create(provision=art24, author=analyst, body=f"Note {n}", status="submitted")
        for n in range(2)
    ]
    return links, annotations


def statuses(objects):
    return [type(o).objects.get(pk=o.pk).status for o in objects]


def test_bulk_approve_links(client, editor, many):
    links, annotations = many
    client.force_login(editor)
    response = client.post(
        "/review/bulk/",
        {
            "action": "approve_links",
            "links": [link.pk for link in links],
            "annotations": [annotations[0].pk],
        },
        follow=True,
    )
    assert statuses(links) == ["approved", "approved"]
    assert statuses(annotations) == ["submitted", "submitted"]  # not what was asked
    assert "2 links approved." in response.content.decode()


def test_bulk_publish_annotations_with_htmx_returns_the_queue(client, editor, many):
    links, annotations = many
    client.force_login(editor)
    response = client.post(
        "/review/bulk/",
        {"action": "publish_annotations", "annotations": [a.pk for a in annotations]},
        headers=HTMX,
    )
    html = response.content.decode()
    assert statuses(annotations) == ["published", "published"]
    assert html.lstrip().startswith('<div id="review-queue"')
    assert "2 annotations published." in html
    assert 'id="annotations-count">0<' in html


def test_bulk_reject_needs_a_reason_and_changes_nothing(client, editor, many):
    links, annotations = many
    client.force_login(editor)
    response = client.post(
        "/review/bulk/",
        {"action": "reject", "links": [links[0].pk], "annotations": [annotations[1].pk]},
    )
    html = response.content.decode()
    assert response.status_code == 400
    assert "Nothing was changed." in html and "reason for the rejection" in html
    # The selection is kept for a second try.
    assert f'value="{links[0].pk}" id="select-link-{links[0].pk}" form="bulk-form" checked' in html
    assert statuses(links) == ["proposed", "proposed"]
    assert statuses(annotations) == ["submitted", "submitted"]


def test_bulk_reject_with_reason(client, editor, many):
    links, annotations = many
    client.force_login(editor)
    response = client.post(
        "/review/bulk/",
        {
            "action": "reject",
            "reason": "Out of scope.",
            "links": [links[0].pk],
            "annotations": [annotations[1].pk],
        },
    )
    assert response.status_code == 302
    assert statuses(links) == ["rejected", "proposed"]
    assert statuses(annotations) == ["submitted", "rejected"]
    assert Annotation.objects.get(pk=annotations[1].pk).review_reason == "Out of scope."


def test_bulk_is_all_or_nothing(client, editor, many):
    links, _annotations = many
    link_approve(link=links[1], editor=editor)  # another editor got there first
    client.force_login(editor)
    response = client.post(
        "/review/bulk/", {"action": "approve_links", "links": [link.pk for link in links]}
    )
    assert response.status_code == 400
    assert "This link is already approved." in response.content.decode()
    assert statuses(links) == ["proposed", "approved"]


def test_bulk_without_selection_or_action_is_refused(client, editor, many):
    client.force_login(editor)
    response = client.post("/review/bulk/", {"action": "approve_links"})
    assert response.status_code == 400
    assert "Select at least one link to approve." in response.content.decode()
    response = client.post("/review/bulk/", {"action": "explode", "links": ["1", "x"]})
    assert response.status_code == 400
    assert "Choose what to do" in response.content.decode()


# --- Query budget --------------------------------------------------------------------------


def fill_queue(n: int):
    author = make_member(f"author{n}", "Analysts")
    provisions = list(Provision.objects.order_by("position")[:5])
    for i in range(n):
        provision = provisions[i % 5]
        link_propose(
            provision=provision,
            proposer=author,
            concern="serious-crime-scope",
            rationale=f"Rationale {i}",
            sources=["https://example.org/a", "https://example.org/b"],
        )
        annotation_create(
            provision=provision,
            author=author,
            body=f"Note **{i}**",
            concerns=["serious-crime-scope"],
            tags=[f"tag{i % 3}"],
            status="submitted",
        )


@pytest.mark.parametrize("n", [5, 50])
def test_review_query_budget_does_not_grow(client, editor, n, django_assert_max_num_queries):
    fill_queue(n)
    client.force_login(editor)
    # A constant 12: session, user, second-factor device, groups; links; annotations with their
    # concerns, demands and tags; the Workspace badge (last visit, changes, replies).
    with django_assert_max_num_queries(12):  # no N+1 over links, annotations or their tags
        response = client.get("/review/")
    assert response.content.decode().count('class="review-item') == 2 * n


def test_review_queries_are_the_same_for_5_and_50_items(client, editor):
    client.force_login(editor)
    counts = []
    for n, waiting in ((5, 5), (45, 50)):
        fill_queue(n)
        with CaptureQueriesContext(connection) as queries:
            response = client.get("/review/")
        assert response.content.decode().count('class="review-item') == 2 * waiting
        counts.append(len(queries))
    assert counts[0] == counts[1]


def test_queue_leads_to_every_editor_page(client, editor):
    """An editor finds each editor-only page from the queue, the commitments' queue included."""
    html = client_get(client, editor, "/review/")
    for name in ("audit", "members", "status_import", "annotation_import", "commitment_queue"):
        assert f'href="{reverse(f"provisions:{name}")}"' in html, name

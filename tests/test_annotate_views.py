"""The analyst's writing pages: annotate, edit (with conflicts), delete, submit, reply, propose."""

import pytest
from django.utils import timezone

from provisions.models import Annotation, Provision, ProvisionLink
from provisions.services import annotation_create, annotation_publish
from tests.helpers import ANNOTATE, post_annotation, text_of

pytestmark = pytest.mark.django_db


def test_annotate_form_prefills_the_selection(client, analyst):
    client.force_login(analyst)
    response = client.get(ANNOTATE, {"eid": "art_24", "quote": "domestic law", "start": "1"})
    html = response.content.decode()
    assert response.status_code == 200
    assert "domestic law</textarea>" in html
    assert 'name="start" value="1"' in html


def test_htmx_request_gets_only_the_form_fragment(client, analyst):
    client.force_login(analyst)
    html = client.get(ANNOTATE, headers={"HX-Request": "true"}).content.decode()
    assert html.lstrip().startswith('<form class="annotate-form"')
    assert "<html" not in html


def test_save_draft_with_pasted_quote(client, analyst, art24):
    client.force_login(analyst)
    response = post_annotation(
        client, quote="domestic law", concerns=["weak-procedural-safeguards"], tags="law, scope"
    )
    annotation = Annotation.objects.get()
    assert response.status_code == 302
    assert response["Location"].endswith(f"#annotation-{annotation.pk}")
    assert annotation.status == "draft" and annotation.quote == "domestic law"
    assert sorted(annotation.tags.values_list("name", flat=True)) == ["law", "scope"]


def test_submit_action_submits(client, analyst):
    client.force_login(analyst)
    post_annotation(client, action="submit")
    assert Annotation.objects.get().status == "submitted"


def test_htmx_save_answers_with_a_status_and_a_refresh_trigger(client, analyst):
    client.force_login(analyst)
    response = client.post(
        ANNOTATE,
        {"provision": "art_24", "body": "x", "action": "draft"},
        headers={"HX-Request": "true"},
    )
    assert response["HX-Trigger"] == "annotation-saved"
    assert 'data-hx-swap-oob="true"' in response.content.decode()


def test_htmx_save_costs_a_fixed_number_of_queries(client, analyst, django_assert_num_queries):
    """The write analysts make most, exactly: session, user, roles (once), the provision named
    with its article (one query), the concerns and demands the form offers, a savepoint, the
    text the quote comes from, the insert, the tags (found at once), the relations (one INSERT
    per kind), the revision, and the savepoint's release. The same on SQLite and PostgreSQL:
    the database keeps the search vector itself (a trigger, no second UPDATE); relations are
    added without first reading what exists (a new note has none); nothing is read back."""
    client.force_login(analyst)
    post_annotation(client, tags="law, scope")  # the tags exist from now on
    data = {
        "provision": "art_24",
        "body": "A *judicial* safeguard is missing.",
        "concerns": ["weak-procedural-safeguards"],
        "demands": ["consult-civil-society"],
        "tags": "law",
        "action": "draft",
    }
    with django_assert_num_queries(15) as one_each:
        response = client.post(ANNOTATE, data, headers={"HX-Request": "true"})
    assert response["HX-Trigger"] == "annotation-saved"
    sql = [query["sql"] for query in one_each.captured_queries]
    assert sum('FROM "auth_group"' in query for query in sql) == 1  # roles read once
    assert not any('FROM "provisions_article"' in query for query in sql)  # with the provision
    assert not any(query.startswith("UPDATE") for query in sql)  # no second write of the row
    assert sum('FROM "provisions_annotation"' in query for query in sql) == 0  # no read-back
    saved = Annotation.objects.latest("pk")
    assert [c.slug for c in saved.concerns.all()] == ["weak-procedural-safeguards"]
    assert [t.name for t in saved.tags.all()] == ["law"]
    # More relations cost no more queries: each kind is written at once.
    data["concerns"] = ["weak-procedural-safeguards", "gender-risks", "serious-crime-scope"]
    data["demands"] = ["consult-civil-society", "laws-meet-human-rights-standards"]
    data["tags"] = "law, scope"
    with django_assert_num_queries(15) as several:
        response = client.post(ANNOTATE, data, headers={"HX-Request": "true"})
    assert response["HX-Trigger"] == "annotation-saved"
    assert Annotation.objects.latest("pk").concerns.count() == 3
    assert sorted(t.name for t in Annotation.objects.latest("pk").tags.all()) == ["law", "scope"]
    assert len(several.captured_queries) == len(one_each.captured_queries)


@pytest.mark.parametrize("eid", ["art_25", "art_24__para_99", "art_24\x00", ""])
def test_a_provision_not_of_this_article_is_refused_and_nothing_is_saved(client, analyst, eid):
    """The view reads the named provision with its article in one query: a provision of another
    article, one that does not exist (or was retired), or one no query can name is still the
    form's error, and nothing is saved."""
    client.force_login(analyst)
    data = {"provision": eid, "body": "A note.", "action": "draft"}
    response = client.post(ANNOTATE, data, headers={"HX-Request": "true"})
    assert response.status_code == 200 and "HX-Trigger" not in response
    if eid.startswith("art_") and "\x00" not in eid:
        assert "Select a valid choice" in response.content.decode()
    assert not Annotation.objects.exists()


def test_a_retired_provision_is_refused(client, analyst, art24):
    retired = Provision.objects.create(
        treaty=art24.treaty,
        article=art24.article,
        parent=art24,
        eid="art_24__para_9",
        kind="paragraph",
        label="9",
        position=24_900,
        text="Wording a later import dropped.",
        retired_in="Official v2",
    )
    client.force_login(analyst)
    data = {"provision": retired.eid, "body": "A note.", "action": "draft"}
    response = client.post(ANNOTATE, data, headers={"HX-Request": "true"})
    assert "HX-Trigger" not in response and not Annotation.objects.exists()


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"quote": "words that are not in the text"}, "does not appear in this provision"),
        ({"body": "   "}, "cannot be empty"),
    ],
)
def test_refusals_keep_what_was_typed(client, analyst, fields, message):
    client.force_login(analyst)
    body = fields.get("body", "My careful analysis")
    response = post_annotation(client, **{**fields, "body": body}, tags="kept-tag")
    html = response.content.decode()
    assert response.status_code == 200
    assert message in html
    assert "kept-tag" in html
    if body.strip():
        assert body in html
    assert not Annotation.objects.exists()


def test_a_position_out_of_range_is_recomputed_from_the_quote_like_a_wrong_one(
    client, analyst, art24
):
    """The hidden start/end are a hint: out of range (a stale page, a crafted form) is treated
    like an in-range wrong position, not refused, and the saved position is the quote's."""
    client.force_login(analyst)
    expected = art24.text.index("domestic law")
    for start, end in (("0", "99999"), ("1", "3")):
        response = post_annotation(client, quote="domestic law", start=start, end=end)
        assert response.status_code == 302
        saved = Annotation.objects.latest("pk")
        assert saved.selector("TextPositionSelector") == {
            "type": "TextPositionSelector",
            "start": expected,
            "end": expected + len("domestic law"),
        }


def test_no_js_preview_renders_the_note_and_keeps_the_form(client, analyst):
    client.force_login(analyst)
    response = post_annotation(client, body="**bold** <script>x</script>", action="preview")
    html = response.content.decode()
    assert "<strong>bold</strong>" in html
    assert "<script>x</script>" not in html
    assert not Annotation.objects.exists()


def test_edit_saves_and_bumps_the_version(client, analyst, art24):
    annotation = annotation_create(provision=art24, author=analyst, body="first")
    client.force_login(analyst)
    response = client.post(
        f"/annotations/{annotation.pk}/edit/",
        {"provision": "art_24", "body": "second", "version": "1"},
    )
    assert response.status_code == 302
    annotation.refresh_from_db()
    assert annotation.body == "second" and annotation.version == 2


def test_stale_edit_shows_both_versions_and_saves_nothing(client, analyst, art24):
    annotation = annotation_create(provision=art24, author=analyst, body="stored text")
    client.force_login(analyst)
    client.post(
        f"/annotations/{annotation.pk}/edit/",
        {"provision": "art_24", "body": "v2 text", "version": "1"},
    )
    response = client.post(
        f"/annotations/{annotation.pk}/edit/",
        {"provision": "art_24", "body": "my stale edit", "version": "1"},
    )
    html = response.content.decode()
    assert response.status_code == 409
    assert "v2 text" in html and "my stale edit" in html
    assert "<del>" in html and "<ins>" in html
    # The form to save "mine" now carries the stored version.
    assert 'name="version" value="2"' in html
    annotation.refresh_from_db()
    assert annotation.body == "v2 text"
    # Choosing "mine" saves it over the version the person has now seen.
    client.post(
        f"/annotations/{annotation.pk}/edit/",
        {"provision": "art_24", "body": "my stale edit", "version": "2"},
    )
    annotation.refresh_from_db()
    assert annotation.body == "my stale edit" and annotation.version == 3


def test_delete_submit_and_reply(client, analyst, other_analyst, art24):
    draft = annotation_create(provision=art24, author=analyst, body="draft")
    client.force_login(analyst)
    assert client.get(f"/annotations/{draft.pk}/delete/").status_code == 200
    client.post(f"/annotations/{draft.pk}/delete/")
    assert not Annotation.objects.filter(pk=draft.pk).exists()

    mine = annotation_create(provision=art24, author=analyst, body="mine")
    client.post(f"/annotations/{mine.pk}/submit/")
    mine.refresh_from_db()
    assert mine.status == "submitted"

    client.force_login(other_analyst)
    response = client.post(f"/annotations/{mine.pk}/reply/", {"body": "Agreed; see art. 36."})
    reply = Annotation.objects.get(in_reply_to=mine)
    assert response.status_code == 302 and reply.author == other_analyst
    assert "Agreed; see art. 36." in client.get(f"/annotations/{mine.pk}/").content.decode()


def test_empty_reply_is_refused_and_kept(client, analyst, art24):
    root = annotation_create(provision=art24, author=analyst, body="root", status="submitted")
    client.force_login(analyst)
    response = client.post(f"/annotations/{root.pk}/reply/", {"body": "   "}, follow=True)
    assert "cannot be empty" in response.content.decode()
    assert not Annotation.objects.filter(in_reply_to=root).exists()


def test_propose_link(client, analyst):
    client.force_login(analyst)
    url = "/convention/articles/30/propose-link/"
    response = client.post(
        url,
        {
            "provision": "art_30",
            "concern": "gender-risks",
            "kind": "raises",
            "rationale": "Interception harms at-risk groups",
            "sources": "https://example.org/a\nhttps://example.org/b",
            "confidence": "low",
        },
    )
    assert response.status_code == 302
    link = ProvisionLink.objects.get(provision__eid="art_30", concern__slug="gender-risks")
    assert link.status == "proposed" and link.sources == [
        "https://example.org/a",
        "https://example.org/b",
    ]
    bad = client.post(
        url, {"provision": "art_30", "kind": "raises", "confidence": "low", "rationale": "x"}
    )
    assert "Choose either a concern or a safeguard demand" in bad.content.decode()


def test_tag_suggestions_complete_the_last_term(client, analyst, art24):
    annotation_create(provision=art24, author=analyst, body="x", tags=["surveillance", "scope"])
    client.force_login(analyst)
    html = client.get("/tags/suggest/", {"tags": "scope, surv"}).content.decode()
    assert '<option value="scope, surveillance">' in html


def test_published_annotation_is_highlighted_and_notes_point_both_ways(
    client, analyst, editor, art24
):
    annotation = annotation_create(
        provision=art24,
        author=analyst,
        body="note",
        status="submitted",
        selectors=[{"type": "TextQuoteSelector", "exact": "domestic law"}],
    )
    annotation_publish(annotation=annotation, editor=editor)
    html = client.get("/convention/articles/24/").content.decode()
    assert f'<span class="hl-anchor" id="hl-{annotation.pk}"></span>' in html
    assert f'<a href="#annotation-{annotation.pk}"' in html
    assert f'id="annotation-{annotation.pk}"' in html and f'href="#hl-{annotation.pk}"' in html


def test_drafts_and_submissions_never_reach_anonymous_pages(client, analyst, art24):
    annotation_create(provision=art24, author=analyst, body="SECRET-DRAFT")
    annotation_create(provision=art24, author=analyst, body="SECRET-SUBMITTED", status="submitted")
    for url in ("/", "/convention/articles/24/", "/concerns/weak-procedural-safeguards/"):
        html = text_of(client.get(url))
        assert "SECRET-DRAFT" not in html and "SECRET-SUBMITTED" not in html
    for annotation in Annotation.objects.all():
        assert client.get(annotation.get_absolute_url()).status_code == 404


def test_article_page_queries_do_not_grow_with_annotations(
    client, analyst, editor, art24, django_assert_max_num_queries
):
    def add(n):
        rows = [
            Annotation(
                provision=art24,
                author=analyst,
                body=f"n{i}",
                body_html=f"<p>n{i}</p>",
                status="published",
                published_at=timezone.now(),
                selectors=[{"type": "TextPositionSelector", "start": i % 50, "end": i % 50 + 5}],
            )
            for i in range(n)
        ]
        Annotation.objects.bulk_create(rows)

    add(5)
    with django_assert_max_num_queries(10) as small:
        assert client.get("/convention/articles/24/").status_code == 200
    add(195)
    with django_assert_max_num_queries(10) as large:
        html = client.get("/convention/articles/24/").content.decode()
    assert len(small.captured_queries) == len(large.captured_queries)
    assert html.count('class="annotation-card') == 200

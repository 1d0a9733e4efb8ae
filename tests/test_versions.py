"""The versions of an article, compared word by word (public), and the editors' list of orphans
and fuzzy anchors with the actions that settle them.
"""

import pytest
from django.urls import reverse

from provisions.anchoring import make_selectors, position_of
from provisions.importing.importer import DEFAULT_LABEL
from provisions.models import (
    Annotation,
    Concern,
    Provision,
    ProvisionLink,
    ProvisionVersion,
    Revision,
    TextVersion,
)
from provisions.services import annotation_create, link_propose
from tests.helpers import ROLES, as_, import_sample, text_of

pytestmark = pytest.mark.django_db

V2 = "Corrigendum 1"
HTMX = {"HX-Request": "true"}


def annotate(user, eid: str, quote: str | None = None, status="submitted") -> Annotation:
    provision = Provision.objects.get(eid=eid)
    selectors = None
    if quote is not None:
        start = provision.text.index(quote)
        selectors = make_selectors(provision.text, start, start + len(quote))
    return annotation_create(
        provision=provision, author=user, body="A note.", selectors=selectors, status=status
    )


def versions_url(number: int, **params) -> str:
    url = reverse("provisions:article_versions", kwargs={"number": number})
    if params:
        url += "?" + "&".join(f"{key}={value}" for key, value in params.items())
    return url


@pytest.fixture
def two_imports(db):
    import_sample("convention-sample.txt")
    import_sample("convention-sample-v2.txt", V2)


@pytest.fixture
def unsettled(db, analyst):
    """After two imports: one fuzzy anchor, one orphan, one link moved to a parent."""
    import_sample("convention-sample.txt")
    notes = {
        "fuzzy": annotate(
            analyst, "preamble__recital_2", "can also be used to cause harm, and resolved"
        ),
        "orphan": annotate(
            analyst, "art_3__para_2__subpara_b", "With the intent of obtaining test records"
        ),
        "link": link_propose(
            provision=Provision.objects.get(eid="art_3__para_2__subpara_c"),
            proposer=analyst,
            concern=Concern.objects.first(),
            rationale="Broad wording.",
        ),
    }
    import_sample("convention-sample-v2.txt", V2)
    return notes


# --- Comparing versions -------------------------------------------------------------------


def test_compare_marks_changed_words_per_provision(client, two_imports):
    html = client.get(versions_url(6)).content.decode()
    # By default: the version before the one shown, against the one shown.
    assert f"From “{DEFAULT_LABEL}” to “{V2}”" in html
    para_1 = html.split('id="v-art_6__para_1"')[1].split("</li>")[0]
    assert '<del><span class="visually-hidden">removed: </span>a</del>' in para_1
    assert '<ins><span class="visually-hidden">added: </span>the</ins>' in para_1
    para_3 = html.split('id="v-art_6__para_3"')[1].split("</li>")[0]
    assert "<ins>" in para_3 and "sample depositary." in para_3
    assert "3 changed, 0 added, 0 removed." in html


def test_compare_shows_removed_and_added_provisions(client, two_imports):
    html = client.get(versions_url(3)).content.decode()
    dropped = html.split('id="v-art_3__para_2__subpara_c"')[1].split("</li>")[0]
    assert "version-removed" in html.split('id="v-art_3__para_2__subpara_c"')[0].rsplit("<li", 1)[1]
    assert "<del>" in dropped and "connected to another sample system." in dropped
    # Against the editorial summaries the paragraphs did not exist yet.
    html = client.get(versions_url(3, a="Editorial+summaries", b=V2.replace(" ", "+"))).content
    html = html.decode()
    assert "4 added" in html
    summary = html.split('id="v-art_3"')[1].split("</li>")[0]
    assert "<del>" in summary and "Article text" in summary


def test_versions_can_be_named_by_id_and_unknown_ones_are_said(client, two_imports):
    first = TextVersion.objects.get(label="Editorial summaries")
    html = client.get(versions_url(1, a=first.pk)).content.decode()
    assert f"From “Editorial summaries” to “{V2}”" in html
    html = client.get(versions_url(1, a="No+such+version")).content.decode()
    assert "That version is unknown" in html


def test_compared_text_is_escaped(client, two_imports):
    provision = Provision.objects.get(eid="art_6__para_1")
    ProvisionVersion.objects.filter(provision=provision).update(text="<b>bold</b> claim")
    html = text_of(client.get(versions_url(6, a=DEFAULT_LABEL.replace(" ", "+"))))
    assert "<b>bold</b>" not in html
    assert "&lt;b&gt;bold&lt;/b&gt;" in html


def test_before_any_import_there_is_one_version(client, db):
    html = client.get(versions_url(24)).content.decode()
    assert "There is only one version of this text so far: “Editorial summaries”." in html
    # Not a version compared with itself: no "From … to …", no form, no "nothing differs".
    assert "From “" not in html and 'name="a"' not in html
    assert "The same version is chosen twice" not in html
    assert "The text so far: “Editorial summaries”" in html


def test_article_page_links_to_versions_and_shows_the_summary_apart(client, two_imports):
    html = client.get("/convention/articles/6/").content.decode()
    assert versions_url(6) in html
    assert f"Text version shown: {V2}." in html
    summary = html.split('class="article-summary"')[1].split("</section>")[0]
    assert "Editorial summary — not the official text" in summary
    # Before an import the summary is the text itself; the versions page is still linked (it
    # says there is only one version so far).
    html = text_of(client.get("/convention/articles/24/"))
    assert versions_url(24) in html
    assert 'class="article-summary"' not in html


def test_compare_queries_do_not_grow_with_provisions(
    client, two_imports, django_assert_max_num_queries
):
    with django_assert_max_num_queries(6) as few:  # article, versions, provisions, theirs
        small = client.get(versions_url(1))
    with django_assert_max_num_queries(6) as many:
        large = client.get(versions_url(2))  # 13 provisions, several with versions
    assert small.status_code == large.status_code == 200
    assert len(many.captured_queries) == len(few.captured_queries)


# --- Orphans and fuzzy anchors: who may do what ----------------------------------------------

MATRIX = [
    # (url name, GET by role, POST by role); POSTs carry no data: the editor's is refused (400)
    ("anchors", (302, 403, 403, 200), (302, 403, 403, 405)),
    ("anchor_confirm", (302, 403, 403, 405), (302, 403, 403, 400)),
    ("anchor_pick", (302, 403, 403, 405), (302, 403, 403, 400)),
    ("anchor_link_confirm", (302, 403, 403, 405), (302, 403, 403, 302)),
]


def anchor_url(name: str, notes) -> str:
    if name == "anchors":
        return reverse("provisions:anchors")
    target = notes["link"] if name == "anchor_link_confirm" else notes["fuzzy"]
    return reverse(f"provisions:{name}", kwargs={"pk": target.pk})


@pytest.mark.parametrize(("name", "get_status", "post_status"), MATRIX)
@pytest.mark.parametrize("role", ROLES)
def test_permission_matrix(
    client, unsettled, analyst, other_analyst, editor, name, get_status, post_status, role
):
    members = {"anonymous": None, "analyst": analyst, "other_analyst": other_analyst}
    members["editor"] = editor
    client = as_(client, members[role])
    url = anchor_url(name, unsettled)
    index = ROLES.index(role)
    for method, expected in (("get", get_status[index]), ("post", post_status[index])):
        response = getattr(client, method)(url)
        assert response.status_code == expected, (method, url, role)
        if role == "anonymous":
            assert response["Location"].startswith("/accounts/login/?next=")
    if role != "editor":
        assert Annotation.objects.get(pk=unsettled["fuzzy"].pk).anchor_state == "fuzzy"
        assert ProvisionLink.objects.get(pk=unsettled["link"].pk).needs_review


def test_the_versions_page_is_public(client, two_imports):
    assert client.get(versions_url(3)).status_code == 200
    assert client.post(versions_url(3)).status_code == 405


# --- The list and its actions ------------------------------------------------------------


def test_list_shows_old_quote_current_text_and_the_right_forms(client, unsettled, editor):
    html = as_(client, editor).get(reverse("provisions:anchors")).content.decode()
    fuzzy = html.split(f'id="anchor-{unsettled["fuzzy"].pk}"')[1].split("</li>")[0]
    assert "can also be used to cause harm, and resolved" in fuzzy  # before the import
    assert "can also be used to cause serious harm, and resolved" in fuzzy  # proposed now
    assert reverse("provisions:anchor_confirm", kwargs={"pk": unsettled["fuzzy"].pk}) in fuzzy
    orphan = html.split(f'id="anchor-{unsettled["orphan"].pk}"')[1].split("</li>")[0]
    assert "With the intent of obtaining test records" in orphan
    assert "In relation to a sample system" in orphan  # the provision's text now
    assert "anchor_confirm" not in orphan and "Confirm this anchor" not in orphan
    assert 'name="exact"' in orphan
    assert f'id="anchor-link-{unsettled["link"].pk}"' in html


def test_a_fuzzy_anchor_shows_the_words_changed_old_to_new(client, unsettled, editor):
    html = as_(client, editor).get(reverse("provisions:anchors")).content.decode()
    fuzzy = html.split(f'id="anchor-{unsettled["fuzzy"].pk}"')[1].split("</li>")[0]
    changes = fuzzy.split('class="anchor-changes"')[1].split("</dd>")[0]
    assert "Words changed (old → new)" in fuzzy
    assert "<ins>" in changes and "serious" in changes.split("<ins>")[1].split("</ins>")[0]
    assert "<del>" not in changes  # a word was only added
    orphan = html.split(f'id="anchor-{unsettled["orphan"].pk}"')[1].split("</li>")[0]
    assert "anchor-changes" not in orphan  # an orphan proposes nothing to compare


def test_a_quote_changed_between_its_old_context_waits_as_fuzzy_with_its_diff(
    client, analyst, editor
):
    import_sample("convention-sample.txt")
    note = annotate(analyst, "art_2__subpara_c", "a person who keeps test records for others")
    import_sample("convention-sample-v2.txt", V2)
    note.refresh_from_db()
    assert note.anchor_state == Annotation.Anchor.FUZZY
    html = as_(client, editor).get(reverse("provisions:anchors")).content.decode()
    item = html.split(f'id="anchor-{note.pk}"')[1].split("</li>")[0]
    changes = item.split('class="anchor-changes"')[1].split("</dd>")[0]
    removed = [piece.split("</del>")[0] for piece in changes.split("<del>")[1:]]
    added = [piece.split("</ins>")[0] for piece in changes.split("<ins>")[1:]]
    assert any("keeps" in piece for piece in removed) and any("holds" in p for p in added)
    assert any("behalf" in piece for piece in added)


def test_other_analysts_drafts_are_not_listed(client, unsettled, other_analyst, editor):
    draft = annotate(other_analyst, "art_6__para_1", "sample venue", status="draft")
    Annotation.objects.filter(pk=draft.pk).update(anchor_state="orphaned")
    html = text_of(as_(client, editor).get(reverse("provisions:anchors")))
    assert f'id="anchor-{draft.pk}"' not in html
    response = client.post(
        reverse("provisions:anchor_pick", kwargs={"pk": draft.pk}),
        {"eid": "art_6__para_1", "exact": "sample venue", "version": draft.version},
    )
    assert response.status_code == 404


def test_confirming_a_fuzzy_anchor(client, unsettled, editor):
    fuzzy = unsettled["fuzzy"]
    fuzzy.refresh_from_db()
    url = reverse("provisions:anchor_confirm", kwargs={"pk": fuzzy.pk})
    response = as_(client, editor).post(url, {"version": fuzzy.version})
    assert response.status_code == 302
    after = Annotation.objects.get(pk=fuzzy.pk)
    assert after.anchor_state == Annotation.Anchor.ANCHORED
    assert after.version == fuzzy.version + 1
    assert after.selectors == fuzzy.selectors
    revision = Revision.objects.filter(target_type="annotation", target_id=fuzzy.pk).first()
    assert (revision.action, revision.actor) == ("anchor_confirmed", editor)


def test_confirming_with_a_stale_version_changes_nothing(client, unsettled, editor):
    fuzzy = unsettled["fuzzy"]
    url = reverse("provisions:anchor_confirm", kwargs={"pk": fuzzy.pk})
    response = as_(client, editor).post(url, {"version": 1})
    assert response.status_code == 400
    assert "Someone changed this annotation meanwhile" in response.content.decode()
    assert Annotation.objects.get(pk=fuzzy.pk).anchor_state == "fuzzy"


def test_an_orphan_cannot_be_confirmed_only_given_new_words(client, unsettled, editor):
    orphan = unsettled["orphan"]
    orphan.refresh_from_db()
    url = reverse("provisions:anchor_confirm", kwargs={"pk": orphan.pk})
    response = as_(client, editor).post(url, {"version": orphan.version})
    assert response.status_code == 400
    assert "Only a fuzzy anchor can be confirmed." in response.content.decode()


def test_picking_new_words_for_an_orphan(client, unsettled, editor):
    orphan = unsettled["orphan"]
    orphan.refresh_from_db()
    url = reverse("provisions:anchor_pick", kwargs={"pk": orphan.pk})
    response = as_(client, editor).post(
        url,
        {"eid": "art_3__para_2", "exact": "require that the offence", "version": orphan.version},
    )
    assert response.status_code == 302
    after = Annotation.objects.select_related("provision").get(pk=orphan.pk)
    assert after.anchor_state == Annotation.Anchor.ANCHORED
    assert after.provision.eid == "art_3__para_2"
    start, end = position_of(after.selectors)
    assert after.provision.text[start:end] == "require that the offence"
    revision = Revision.objects.filter(target_type="annotation", target_id=orphan.pk).first()
    assert (revision.action, revision.actor) == ("anchor_picked", editor)
    assert "moved from art_3__para_2__subpara_b" in revision.note


@pytest.mark.parametrize(
    ("eid", "exact", "message"),
    [
        ("art_3__para_2", "words that are not there", "does not appear in this provision"),
        ("art_3__para_2", "  ", "Paste the words the note is about."),
        ("art_3__para_1", "sample", "occur 3 times"),
        ("art_4__para_1", "Each State Party", "Choose a provision of the same article"),
        ("art_3__para_2__subpara_c", "connected", "Choose a provision of the same article"),
        ("no_such_eid", "anything", "Choose a provision."),
    ],
)
def test_picking_refuses_what_is_not_a_clear_span(client, unsettled, editor, eid, exact, message):
    orphan = unsettled["orphan"]
    orphan.refresh_from_db()
    url = reverse("provisions:anchor_pick", kwargs={"pk": orphan.pk})
    response = as_(client, editor).post(
        url, {"eid": eid, "exact": exact, "version": orphan.version}
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert message in html
    assert exact.strip() in html  # what was typed comes back
    assert Annotation.objects.get(pk=orphan.pk).anchor_state == "orphaned"


def test_htmx_actions_swap_only_the_item(client, unsettled, editor):
    orphan = unsettled["orphan"]
    orphan.refresh_from_db()
    url = reverse("provisions:anchor_pick", kwargs={"pk": orphan.pk})
    as_(client, editor)
    refused = client.post(
        url, {"eid": "art_3__para_2", "exact": "nope", "version": orphan.version}, headers=HTMX
    )
    assert refused.status_code == 200
    assert refused.content.decode().lstrip().startswith('<li class="review-item anchor-item')
    assert "does not appear" in refused.content.decode()
    done = client.post(
        url,
        {"eid": "art_3__para_2", "exact": "may require", "version": orphan.version},
        headers=HTMX,
    )
    assert f'id="anchor-{orphan.pk}"' in done.content.decode()
    assert "anchored to the chosen words in Article 3(2)" in done.content.decode()
    assert "<html" not in done.content.decode()


def test_confirming_a_link_moved_to_a_parent(client, unsettled, editor):
    link = unsettled["link"]
    url = reverse("provisions:anchor_link_confirm", kwargs={"pk": link.pk})
    response = as_(client, editor).post(url)
    assert response.status_code == 302
    link.refresh_from_db()
    assert not link.needs_review
    assert link.provision.eid == "art_3__para_2"
    revision = Revision.objects.filter(target_type="link", target_id=link.pk).first()
    assert (revision.action, revision.actor) == ("anchor_confirmed", editor)
    assert as_(client, editor).post(url).status_code == 404  # no longer waiting


def test_anchors_list_queries_do_not_grow(
    client, unsettled, analyst, editor, django_assert_max_num_queries
):
    as_(client, editor)
    with django_assert_max_num_queries(15) as few:
        assert client.get(reverse("provisions:anchors")).status_code == 200
    for _ in range(15):
        note = annotate(analyst, "art_6__para_2", "approval")
        Annotation.objects.filter(pk=note.pk).update(anchor_state="orphaned")
    with django_assert_max_num_queries(15) as many:
        response = client.get(reverse("provisions:anchors"))
    assert len(many.captured_queries) == len(few.captured_queries)
    assert response.content.decode().count('class="review-item anchor-item') == 18


@pytest.mark.parametrize("value", ["²", "9" * 5000, "x\x00y", "-1"])
def test_odd_version_names_are_unknown_not_errors(client, two_imports, value):
    response = client.get(versions_url(3), {"a": value})
    assert response.status_code == 200
    assert "That version is unknown" in response.content.decode()


@pytest.mark.parametrize("eid", ["art_3\x00", "a" * 5000])
def test_odd_eids_are_refused_plainly(client, unsettled, editor, eid):
    orphan = unsettled["orphan"]
    orphan.refresh_from_db()
    url = reverse("provisions:anchor_pick", kwargs={"pk": orphan.pk})
    response = as_(client, editor).post(
        url, {"eid": eid, "exact": "may require", "version": orphan.version}
    )
    assert response.status_code == 400
    assert "Choose a provision." in response.content.decode()

"""History pages for editors: every revision newest first, escaped word diffs, and restore."""

import pytest
from django.urls import reverse

from provisions.models import Revision
from provisions.services import (
    annotation_create,
    annotation_publish,
    annotation_update,
    link_approve,
    link_propose,
)
from tests.helpers import ROLES

pytestmark = pytest.mark.django_db

HTMX = {"HX-Request": "true", "HX-Current-URL": "http://testserver/review/"}


@pytest.fixture
def edited(analyst, editor, art24):
    """An annotation submitted by its author, edited twice by an editor, then published."""
    annotation = annotation_create(
        provision=art24,
        author=analyst,
        body="The safeguards are weak <b>here</b>.",
        concerns=["weak-procedural-safeguards"],
        tags=["safeguards"],
        status="submitted",
    )
    annotation = annotation_update(
        annotation=annotation,
        user=editor,
        version=1,
        body="The safeguards are left to domestic law <b>here</b>.",
        tags=["safeguards", "domestic law"],
    )
    annotation = annotation_update(
        annotation=annotation,
        user=editor,
        version=2,
        body="The safeguards are left to domestic law.",
        concerns=["weak-procedural-safeguards", "no-treaty-wide-guarantees"],
    )
    return annotation_publish(annotation=annotation, editor=editor)


@pytest.fixture
def reviewed_link(analyst, editor, art24):
    link = link_propose(
        provision=art24,
        proposer=analyst,
        concern="serious-crime-scope",
        rationale="Any serious crime.",
        confidence="low",
    )
    return link_approve(
        link=link,
        editor=editor,
        note="Tightened.",
        rationale="Any serious crime, not only cybercrime.",
        confidence="high",
    )


@pytest.mark.parametrize(
    ("kind", "get_status", "post_status"),
    [
        ("annotation_history", (302, 403, 403, 200), (302, 403, 403, 405)),
        ("annotation_history_restore", (302, 403, 403, 404), (302, 403, 403, 404)),
        ("link_history", (302, 403, 403, 200), (302, 403, 403, 405)),
        ("link_history_restore", (302, 403, 403, 404), (302, 403, 403, 404)),
    ],
)
@pytest.mark.parametrize("role", ROLES)
def test_permission_matrix(
    client,
    analyst,
    other_analyst,
    editor,
    edited,
    reviewed_link,
    kind,
    get_status,
    post_status,
    role,
):
    user = {"anonymous": None, "analyst": analyst, "other_analyst": other_analyst, "editor": editor}
    if user[role]:
        client.force_login(user[role])
    pk = edited.pk if kind.startswith("annotation") else reviewed_link.pk
    url = reverse(f"provisions:{kind}", kwargs={"pk": pk})
    index = ROLES.index(role)
    # The confirmation (GET) and the restore (POST) without a revision: 404 for the editor,
    # nothing restored (tests/test_restore_confirmation.py has the matrix with one).
    assert client.get(url).status_code == get_status[index]
    assert client.post(url).status_code == post_status[index]
    if role == "anonymous":
        response = client.get(url, headers=HTMX)
        assert response.status_code == 401 and response["HX-Redirect"].startswith("/accounts/")
    assert not Revision.objects.filter(action="restored").exists()


def test_annotation_history_lists_revisions_newest_first_with_escaped_word_diffs(
    client, editor, edited
):
    client.force_login(editor)
    html = client.get(f"/history/annotation/{edited.pk}/").content.decode()
    positions = [html.index(f"Version {v}: ") for v in (4, 3, 2, 1)]
    assert positions == sorted(positions)
    assert "Version 4: published" in html and "Version 3: edited" in html
    assert "Version 1: created" in html
    assert "by Alice Analyst" in html
    # Version 2 against version 1: words removed and added, the user's markup escaped.
    assert (
        '<del><span class="visually-hidden">removed: </span>weak</del> '
        '<ins><span class="visually-hidden">added: </span>left to domestic law</ins>'
    ) in html
    assert "&lt;b&gt;here&lt;/b&gt;." in html and "<b>here</b>" not in html
    # Lists: what was added.
    assert (
        '<ins class="chip"><span class="visually-hidden">added: </span>domestic law</ins>' in html
    )
    assert "no-treaty-wide-guarantees" in html
    # A restore link (to its confirmation) on every version but the current one.
    assert html.count("Restore this version…") == 3
    assert "This is the current version." in html


def test_restore_an_annotation_version(client, editor, edited):
    first = Revision.objects.get(target_type="annotation", target_id=edited.pk, version=1)
    client.force_login(editor)
    response = client.post(
        f"/history/annotation/{edited.pk}/restore/",
        {"revision": first.pk, "reason": "The edit lost the author's point."},
        follow=True,
    )
    assert response.redirect_chain == [(f"/history/annotation/{edited.pk}/", 302)]
    edited.refresh_from_db()
    assert edited.body == "The safeguards are weak <b>here</b>."
    assert sorted(t.name for t in edited.tags.all()) == ["safeguards"]
    assert [c.slug for c in edited.concerns.all()] == ["weak-procedural-safeguards"]
    assert edited.version == 5 and edited.status == "published"
    html = response.content.decode()
    assert "Restored the content of version 1." in html
    assert "Version 5: restored" in html
    assert "from version 1: The edit lost the author&#x27;s point." in html


def test_a_restores_note_reads_in_the_pages_language_with_the_reason_as_typed(
    client, editor, edited, compiled_catalogues
):
    first = Revision.objects.get(target_type="annotation", target_id=edited.pk, version=1)
    client.force_login(editor)
    client.post(
        f"/fr/history/annotation/{edited.pk}/restore/",
        {"revision": first.pk, "reason": "L'édition a perdu <b>le</b> propos."},
    )
    html = client.get(f"/fr/history/annotation/{edited.pk}/").content.decode()
    assert "depuis la version 1\u00a0: L&#x27;édition a perdu &lt;b&gt;le&lt;/b&gt; propos." in html
    assert "from version" not in html
    # Stored as before: the history's data does not depend on the editor's language.
    restored = Revision.objects.get(target_type="annotation", target_id=edited.pk, version=5)
    assert restored.note.startswith("from version 1: ")


def test_restore_refuses_a_revision_of_something_else(client, editor, edited, reviewed_link):
    other = Revision.objects.filter(target_type="link", target_id=reviewed_link.pk).first()
    client.force_login(editor)
    response = client.post(f"/history/annotation/{edited.pk}/restore/", {"revision": other.pk})
    assert response.status_code == 404
    response = client.post(f"/history/annotation/{edited.pk}/restore/", {"revision": "x"})
    assert response.status_code == 404
    edited.refresh_from_db()
    assert edited.version == 4


def test_link_history_and_restore(client, editor, reviewed_link):
    client.force_login(editor)
    html = client.get(f"/history/link/{reviewed_link.pk}/").content.decode()
    assert "Version 2: approved" in html and "Version 1: proposed" in html
    assert "Tightened." in html
    # Choices are shown by their labels.
    assert (
        '<del><span class="visually-hidden">removed: </span>Low</del> → '
        '<ins><span class="visually-hidden">added: </span>High</ins>'
    ) in html
    assert "Any serious <del>" in html
    assert (
        '<ins><span class="visually-hidden">added: </span>crime, not only cybercrime.</ins>' in html
    )

    proposed = Revision.objects.get(target_type="link", target_id=reviewed_link.pk, version=1)
    client.post(
        f"/history/link/{reviewed_link.pk}/restore/",
        {"revision": proposed.pk, "reason": "Back to what was proposed."},
    )
    reviewed_link.refresh_from_db()
    assert reviewed_link.rationale == "Any serious crime."
    assert reviewed_link.confidence == "low"
    assert reviewed_link.status == "approved"  # restoring content leaves the status alone


def test_editors_never_see_the_history_of_someone_elses_draft(client, editor, other_analyst, art24):
    draft = annotation_create(provision=art24, author=other_analyst, body="Private thoughts")
    client.force_login(editor)
    assert client.get(f"/history/annotation/{draft.pk}/").status_code == 404


def test_history_query_budget_does_not_grow(
    client, editor, analyst, art24, django_assert_max_num_queries
):
    # Submitted from the start: every revision is one the editor may see.
    annotation = annotation_create(provision=art24, author=analyst, body="v1", status="submitted")
    client.force_login(editor)
    # Session, user, second-factor device, groups; the annotation; its revisions with their
    # actors; the two navigation badges (3 + 2). Constant however long the history.
    with django_assert_max_num_queries(11) as short:
        response = client.get(f"/history/annotation/{annotation.pk}/")
    shown = response.content.decode().count('class="revision"')
    for _ in range(30):  # the editor's edits before approving
        annotation = annotation_update(
            annotation=annotation,
            user=editor,
            version=annotation.version,
            body=f"v{annotation.version + 1}",
        )
    with django_assert_max_num_queries(11) as long:
        response = client.get(f"/history/annotation/{annotation.pk}/")
    assert shown == 1
    assert response.content.decode().count('class="revision"') == 31
    assert len(long.captured_queries) == len(short.captured_queries)

"""Tags come only from annotations the reader may see (issue 11, section 7).

A tag that only a draft carries says what its author is working on: it is not suggested to
other analysts, not offered in the annotate form's list, and the search's tag facet neither
lists it nor keeps it as a selection when a URL names it (which told an anonymous visitor
that it exists).
"""

import pytest

from provisions.models import Provision
from provisions.services import annotation_create
from tests.helpers import text_of

pytestmark = pytest.mark.django_db

SECRET = "leak-of-ministry-memo"


@pytest.fixture
def secret_draft(analyst):
    """Alice's draft carries a tag no other annotation has; its words match a search."""
    return annotation_create(
        provision=Provision.objects.get(eid="art_24"),
        author=analyst,
        body="Data retention note",
        tags=[SECRET],
    )


def suggestions(client, typed: str) -> str:
    return text_of(client.get("/tags/suggest/", {"tags": typed}))


def test_a_drafts_tag_is_suggested_to_its_author_only(
    client, analyst, other_analyst, editor, secret_draft
):
    client.force_login(analyst)
    assert f'<option value="{SECRET}">' in suggestions(client, "leak")
    assert SECRET in suggestions(client, "")
    client.force_login(other_analyst)
    assert SECRET not in suggestions(client, "leak")
    assert SECRET not in suggestions(client, "")


def test_the_annotate_form_lists_no_one_elses_draft_tags(
    client, analyst, other_analyst, secret_draft
):
    client.force_login(other_analyst)
    assert SECRET not in text_of(client.get("/convention/articles/24/annotate/"))
    client.force_login(analyst)
    assert f'<option value="{SECRET}">' in text_of(client.get("/convention/articles/24/annotate/"))


def test_a_tag_on_submitted_work_is_suggested_to_the_team(client, analyst, other_analyst):
    annotation_create(
        provision=Provision.objects.get(eid="art_24"),
        author=analyst,
        body="Shared with the team",
        tags=["team-tag"],
        status="submitted",
    )
    client.force_login(other_analyst)
    assert '<option value="team-tag">' in suggestions(client, "team")


@pytest.mark.parametrize("who", ["anonymous", "other_analyst"])
def test_the_search_facet_does_not_tell_that_a_drafts_tag_exists(
    client, other_analyst, secret_draft, who
):
    if who == "other_analyst":
        client.force_login(other_analyst)
    named = text_of(client.get("/search/", {"q": "data", "tag": SECRET}))
    unknown = text_of(client.get("/search/", {"q": "data", "tag": "no-such-tag-at-all"}))
    # (The URL's own words are echoed in the page's links, for any tag, existing or not.)
    assert f"#{SECRET}" not in named
    assert f"facet-tag-{SECRET}" not in named
    # The answer for an existing draft's tag is the answer for a tag that does not exist.
    assert named.count('name="tag"') == unknown.count('name="tag"') == 0


def test_the_author_still_finds_their_draft_by_its_tag(client, analyst, secret_draft):
    client.force_login(analyst)
    html = text_of(client.get("/search/", {"q": "data", "tag": SECRET}))
    assert f'id="facet-tag-{SECRET}" checked' in html
    assert f'href="/annotations/{secret_draft.pk}/"' in html

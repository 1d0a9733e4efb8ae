"""The analyst's workspace: their own work in each state, replies, links, team activity that
never leaks another analyst's draft, the "new since last visit" badge, and a flat query budget."""

import re

import pytest

from provisions.models import Member, Provision
from provisions.services import (
    annotation_create,
    annotation_delete,
    annotation_publish,
    annotation_reject,
    link_approve,
    link_propose,
    link_reject,
)
from tests.helpers import ROLES, make_member, text_of

pytestmark = pytest.mark.django_db


def provision(number):
    return Provision.objects.get(eid=f"art_{number}")


@pytest.fixture
def work(analyst, other_analyst, editor):
    """Alice's work in every state, Bob's reply to her, and Bob's private drafts."""
    draft = annotation_create(provision=provision(30), author=analyst, body="Alice draft note")
    waiting = annotation_create(
        provision=provision(35), author=analyst, body="Alice waiting note", status="submitted"
    )
    returned = annotation_create(
        provision=provision(14), author=analyst, body="Alice returned note", status="submitted"
    )
    annotation_reject(annotation=returned, editor=editor, reason="Quote the definition.")
    published = annotation_create(
        provision=provision(24), author=analyst, body="Alice published note", status="submitted"
    )
    annotation_publish(annotation=published, editor=editor)
    reply = annotation_create(
        provision=published.provision,
        author=other_analyst,
        body="Bob agrees with Alice",
        in_reply_to=published,
    )
    proposed = link_propose(
        provision=provision(27),
        proposer=analyst,
        concern="surveillance-secure-communications",
        rationale="Alice proposed rationale",
    )
    approved = link_approve(
        link=link_propose(
            provision=provision(5),
            proposer=analyst,
            concern="serious-crime-scope",
            rationale="Alice approved rationale",
        ),
        editor=editor,
        note="Good catch.",
    )
    rejected = link_reject(
        link=link_propose(
            provision=provision(12),
            proposer=analyst,
            concern="serious-crime-scope",
            rationale="Alice rejected rationale",
        ),
        editor=editor,
        reason="Article 12 is about something else.",
    )
    # Bob's drafts, one of them deleted (its revisions outlive it).
    secret = annotation_create(provision=provision(60), author=other_analyst, body="Bob secret")
    gone = annotation_create(provision=provision(61), author=other_analyst, body="Bob gone")
    annotation_delete(annotation=gone, user=other_analyst)
    return {
        "draft": draft,
        "waiting": waiting,
        "returned": returned,
        "published": published,
        "reply": reply,
        "proposed": proposed,
        "approved": approved,
        "rejected": rejected,
        "secret": secret,
    }


def section(html, name):
    """The HTML of one workspace section, by its id."""
    match = re.search(rf'<(section|aside) id="{name}".*?</\1>', html, re.S)
    assert match, name
    return match.group(0)


def badge(html):
    match = re.search(r'id="workspace-badge">(\d*)', html)
    return match.group(1) if match else None


@pytest.mark.parametrize("role", ROLES)
def test_permission_matrix(client, analyst, other_analyst, editor, role):
    user = {"anonymous": None, "analyst": analyst, "other_analyst": other_analyst, "editor": editor}
    if user[role]:
        client.force_login(user[role])
    get, post = client.get("/workspace/"), client.post("/workspace/")
    if role == "anonymous":
        assert get.status_code == post.status_code == 302
        assert get["Location"] == "/accounts/login/?next=/workspace/"
        htmx = client.get(
            "/workspace/", headers={"HX-Request": "true", "HX-Current-URL": "http://testserver/"}
        )
        assert htmx.status_code == 401 and htmx["HX-Redirect"] == "/accounts/login/?next=/"
    else:
        assert get.status_code == 200 and post.status_code == 405


def test_members_without_a_role_are_refused(client):
    client.force_login(make_member("nobody", None))
    assert client.get("/workspace/").status_code == 403


def test_workspace_shows_each_kind_of_work(client, analyst, work):
    client.force_login(analyst)
    html = client.get("/workspace/").content.decode()

    drafts = section(html, "drafts")
    assert "Alice draft note" in drafts
    assert f'href="/annotations/{work["draft"].pk}/edit/"' in drafts
    assert f'action="/annotations/{work["draft"].pk}/submit/"' in drafts
    assert "Alice waiting note" in section(html, "submitted")
    returned = section(html, "rejected")
    assert "Alice returned note" in returned
    assert "Returned by Erin Editor:" in returned and "Quote the definition." in returned
    assert f'href="/annotations/{work["returned"].pk}/edit/"' in returned
    published = section(html, "published")
    assert "Alice published note" in published
    assert f'href="/annotations/{work["published"].pk}/"' in published
    replies = section(html, "replies")
    assert "Bob agrees with Alice" in replies and "Bob Analyst replied to your note" in replies
    links = section(html, "links")
    assert "Alice proposed rationale" in links and "Proposed" in links
    assert "Approved" in links and "Good catch." in links
    assert "Rejected" in links and "Article 12 is about something else." in links
    activity = section(html, "activity")
    assert "Erin Editor" in activity and "published" in activity and "rejected" in activity


def test_another_analysts_drafts_never_appear(client, analyst, editor, work):
    for user in (analyst, editor):
        client.force_login(user)
        html = text_of(client.get("/workspace/"))
        assert "Bob secret" not in html and "Bob gone" not in html
        # Not even as activity: nothing about the provisions of Bob's drafts.
        assert "art_60" not in html and "art_61" not in html


def test_other_analyst_sees_only_their_own_work(client, other_analyst, work):
    client.force_login(other_analyst)
    html = client.get("/workspace/").content.decode()
    assert "Bob secret" in section(html, "drafts")
    assert "Alice draft note" not in html
    assert "Alice returned note" not in html  # rejected work is private to its author
    assert "Alice rejected rationale" not in html
    # The team's submitted and published work is shared activity.
    assert f'href="/annotations/{work["waiting"].pk}/"' in section(html, "activity")


def test_badge_counts_news_since_the_last_visit(client, analyst, editor, work):
    client.force_login(analyst)
    # Published, rejected, link approved, link rejected, one reply.
    assert badge(client.get("/").content.decode()) == "5"

    html = client.get("/workspace/").content.decode()
    assert "5 things happened to your work since your last visit" in html
    assert html.count("is-new") == 5
    assert badge(html) == ""  # seen now
    assert Member.objects.get(user=analyst).workspace_seen_at is not None

    html = client.get("/workspace/").content.decode()
    assert "is-new" not in html and "Nothing new since your last visit." in html

    annotation_publish(annotation=work["waiting"], editor=editor)
    assert badge(client.get("/").content.decode()) == "1"
    html = client.get("/workspace/").content.decode()
    assert html.count("is-new") == 1
    assert "is-new" in section(html, "published")


def test_own_actions_are_not_news(client, editor):
    mine = annotation_create(
        provision=provision(24), author=editor, body="Editor's own", status="submitted"
    )
    annotation_publish(annotation=mine, editor=editor)
    client.force_login(editor)
    assert badge(client.get("/").content.decode()) == ""


def test_first_visit_creates_the_member_row(client):
    user = make_member("carol", "Analysts")
    Member.objects.filter(user=user).delete()
    client.force_login(user)
    assert client.get("/workspace/").status_code == 200
    assert Member.objects.get(user=user).workspace_seen_at is not None


def fill_workspace(user, editor, n: int):
    other = make_member(f"peer{n}", "Analysts")
    for i in range(n):
        where = provision(20 + i % 10)
        annotation_create(provision=where, author=user, body=f"Draft {i}")
        annotation_create(provision=where, author=user, body=f"Waiting {i}", status="submitted")
        done = annotation_create(provision=where, author=user, body=f"Pub {i}", status="submitted")
        annotation_publish(annotation=done, editor=editor)
        annotation_create(provision=where, author=other, body=f"Re {i}", in_reply_to=done)
        link_propose(provision=where, proposer=user, concern="serious-crime-scope", rationale="r")


def test_workspace_query_budget_does_not_grow(
    client, analyst, editor, django_assert_max_num_queries
):
    """No N+1 over work, replies, links or activity: 50 and 60 of each cost the same, within 17.
    With 5, the two counts that a full list needs (published notes, links) are not run."""
    client.force_login(analyst)
    client.get("/workspace/")  # the first visit also records it: measure the visits after
    counts = []
    for added, total in ((5, 5), (45, 50), (10, 60)):
        fill_workspace(analyst, editor, added)
        with django_assert_max_num_queries(17) as captured:
            response = client.get("/workspace/")
        assert response.status_code == 200
        assert section(response.content.decode(), "drafts").count('class="work-item') == total
        counts.append(len(captured.captured_queries))
    assert counts[0] + 2 == counts[1] == counts[2], counts

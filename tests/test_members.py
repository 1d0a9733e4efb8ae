"""Members are managed on /review/members/ and with commands, through provisions/services/members.py
(issue 11 §3): never in the admin.

Guards: the page lists every member with role, e-mail and two-factor state in a fixed number of
queries; an editor creates a member (one-time password shown once; an editor also gets an
enrolment link), changes a role (exactly one role group, staff only for editors), deactivates an
account (sessions and API tokens stop working) — each audited, none on their own account;
bad input is refused with the form kept; the commands do the same through the same services.
"""

from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import CommandError, call_command
from django.test import Client

from provisions.models import AuditEvent, EnrolmentLink
from provisions.services.members import member_deactivate, member_set_role
from provisions.services.tokens import api_token_authenticate, api_token_create
from tests.helpers import give_authenticator, make_member

pytestmark = pytest.mark.django_db

User = get_user_model()


def group_names(user) -> set[str]:
    return set(user.groups.values_list("name", flat=True))


def test_the_page_lists_members_with_role_email_and_two_factor(client, editor, analyst):
    give_authenticator(analyst)
    make_member("frank", "Editors", "Frank Editor")
    client.force_login(editor)
    response = client.get("/review/members/")
    html = response.content.decode()
    assert response.status_code == 200
    assert response["Cache-Control"].startswith("max-age=0")  # never_cache
    for text in ("Alice Analyst", "alice@example.org", "Frank Editor", "frank@example.org"):
        assert text in html
    alice = html[html.index(f'id="member-{analyst.pk}"') :].split("</tr>")[0]
    assert "Analyst" in alice and ">on<" in alice
    frank = html[html.index("Frank Editor") :].split("</tr>")[0]
    assert "Editor" in frank and ">off<" in frank and "Make an enrolment link" in frank
    own = html[html.index(f'id="member-{editor.pk}"') :].split("</tr>")[0]
    assert "Deactivate" not in own and "another editor changes your account" in own


# session, user, their authenticator (verified session), their groups; the members and their
# role groups; then the layout: workspace and review badges (5 queries).
MEMBERS_PAGE_QUERIES = 11


def test_the_members_page_costs_a_fixed_number_of_queries(
    client, editor, django_assert_num_queries
):
    client.force_login(editor)
    client.get("/review/members/")  # warm the content types
    with django_assert_num_queries(MEMBERS_PAGE_QUERIES):
        assert client.get("/review/members/").status_code == 200
    for n in range(8):
        member = make_member(f"member{n}", "Analysts" if n % 2 else "Editors")
        if n % 3 == 0:
            give_authenticator(member)
        if n == 4:
            member.groups.add(Group.objects.get(name="Analysts"))  # in both groups
    with django_assert_num_queries(MEMBERS_PAGE_QUERIES):  # not one more per member
        assert client.get("/review/members/").status_code == 200


def test_an_editor_creates_an_analyst(client, editor):
    client.force_login(editor)
    response = client.post(
        "/review/members/",
        {
            "username": "hana",
            "email": "hana@example.org",
            "role": "analyst",
            "display_name": "Hana",
        },
    )
    html = response.content.decode()
    assert response.status_code == 200 and "one-time password" in html
    hana = User.objects.get(username="hana")
    assert group_names(hana) == {"Analysts"} and not hana.is_staff
    password = html.split('<code class="token-value">')[1].split("</code>")[0]
    assert hana.check_password(password)
    event = AuditEvent.objects.get(action="member.created")
    assert event.actor == editor and event.detail["role"] == "analyst"
    assert password not in str(event.detail)
    assert not EnrolmentLink.objects.filter(user=hana).exists()


def test_a_new_editor_comes_with_an_enrolment_link(client, editor):
    client.force_login(editor)
    response = client.post(
        "/review/members/", {"username": "ivan", "email": "ivan@example.org", "role": "editor"}
    )
    html = response.content.decode()
    ivan = User.objects.get(username="ivan")
    assert group_names(ivan) == {"Editors"} and ivan.is_staff
    assert "http://testserver/accounts/enrol/" in html
    link = EnrolmentLink.objects.get(user=ivan)
    assert link.created_by == editor


@pytest.mark.parametrize(
    "data, field",
    [
        ({"username": "alice", "email": "x@example.org", "role": "analyst"}, "already taken"),
        ({"username": "new", "email": "not-an-address", "role": "analyst"}, "e-mail"),
        ({"username": "new", "email": "n@example.org", "role": "admin"}, "valid choice"),
        ({"username": "bad name!", "email": "n@example.org", "role": "analyst"}, "username"),
    ],
)
def test_bad_input_is_refused_and_kept(client, editor, analyst, data, field):
    client.force_login(editor)
    before = User.objects.count()
    response = client.post("/review/members/", data)
    html = response.content.decode()
    assert response.status_code == 400
    assert field.lower() in html.lower()
    assert f'value="{data["username"]}"' in html
    assert User.objects.count() == before


def test_changing_a_role_through_the_page(client, editor, analyst):
    client.force_login(editor)
    response = client.post(f"/review/members/{analyst.pk}/role/", {"role": "editor"})
    assert response.status_code == 302 and response["Location"] == "/review/members/"
    analyst.refresh_from_db()
    assert group_names(analyst) == {"Editors"} and analyst.is_staff
    event = AuditEvent.objects.get(action="member.role_changed")
    assert (
        event.actor == editor
        and event.detail["from"] == "analyst"
        and event.detail["to"] == "editor"
    )
    client.post(f"/review/members/{analyst.pk}/role/", {"role": "analyst"})
    analyst.refresh_from_db()
    assert group_names(analyst) == {"Analysts"} and not analyst.is_staff


def test_a_member_in_both_groups_ends_in_exactly_one(analyst):
    analyst.groups.add(Group.objects.get(name="Editors"))
    member_set_role(user=analyst, role="analyst")
    assert group_names(analyst) == {"Analysts"}
    # No change, no event.
    count = AuditEvent.objects.count()
    member_set_role(user=analyst, role="analyst")
    assert AuditEvent.objects.count() == count


def test_a_promoted_analyst_without_an_authenticator_needs_an_enrolment_link(client, analyst):
    member_set_role(user=analyst, role="editor")
    browser = Client()
    browser.post("/accounts/login/", {"username": "alice", "password": "correct-horse-battery"})
    assert browser.get("/accounts/two-factor/").status_code == 403
    assert browser.get("/review/")["Location"].startswith("/accounts/two-factor/")


def test_nobody_changes_their_own_account(client, editor):
    client.force_login(editor)
    client.post(f"/review/members/{editor.pk}/role/", {"role": "analyst"})
    client.post(f"/review/members/{editor.pk}/deactivate/")
    editor.refresh_from_db()
    assert group_names(editor) == {"Editors"} and editor.is_active
    assert not AuditEvent.objects.filter(action__startswith="member.").exists()


def test_services_refuse_someone_who_is_not_an_editor(analyst, other_analyst):
    with pytest.raises(PermissionDenied):
        member_set_role(user=other_analyst, role="editor", actor=analyst)
    with pytest.raises(PermissionDenied):
        member_deactivate(user=other_analyst, actor=analyst)
    with pytest.raises(ValidationError):
        member_set_role(user=other_analyst, role="superuser")


def test_deactivating_ends_sessions_and_tokens(client, editor, analyst):
    _token, raw = api_token_create(user=analyst, name="script")
    their_session = Client()
    their_session.force_login(analyst)
    assert their_session.get("/workspace/").status_code == 200
    client.force_login(editor)
    response = client.post(f"/review/members/{analyst.pk}/deactivate/")
    assert response.status_code == 302
    analyst.refresh_from_db()
    assert not analyst.is_active
    assert their_session.get("/workspace/")["Location"].startswith("/accounts/login/")
    assert api_token_authenticate(raw) is None
    event = AuditEvent.objects.get(action="member.deactivated")
    assert event.actor == editor and event.detail["id"] == analyst.pk
    page = client.get("/review/members/").content.decode()
    assert "deactivated" in page


def test_an_editor_makes_an_enrolment_link_on_the_page(client, editor):
    frank = make_member("frank", "Editors", "Frank Editor")
    client.force_login(editor)
    response = client.post(f"/review/members/{frank.pk}/enrolment-link/")
    assert response.status_code == 200
    assert "http://testserver/accounts/enrol/" in response.content.decode()
    assert EnrolmentLink.objects.get(user=frank).created_by == editor
    give_authenticator(frank)
    response = client.post(f"/review/members/{frank.pk}/enrolment-link/")
    assert response.status_code == 302  # already has one: an error message, no link
    assert EnrolmentLink.objects.filter(user=frank).count() == 1
    assert client.post("/review/members/999999/enrolment-link/").status_code == 404


def test_the_member_commands(analyst):
    out = StringIO()
    call_command("set_member_role", "alice", "--role", "editor", stdout=out)
    analyst.refresh_from_db()
    assert group_names(analyst) == {"Editors"} and analyst.is_staff
    assert "enrolment_link alice" in out.getvalue()
    event = AuditEvent.objects.get(action="member.role_changed")
    assert event.actor is None
    with pytest.raises(CommandError, match="must be one of"):
        call_command("set_member_role", "alice", "--role", "owner")
    call_command("deactivate_member", "alice", stdout=StringIO())
    analyst.refresh_from_db()
    assert not analyst.is_active
    with pytest.raises(CommandError, match="No member"):
        call_command("set_member_role", "nobody", "--role", "editor")
    with pytest.raises(CommandError, match="deactivated"):
        call_command("set_member_role", "alice", "--role", "analyst")


def test_editors_cannot_change_an_operators_account_or_a_closed_one(client, editor, analyst):
    root = User.objects.create_superuser("root", "root@example.org", "correct-horse-battery")
    client.force_login(editor)
    assert client.post(f"/review/members/{root.pk}/deactivate/").status_code == 403
    assert client.post(f"/review/members/{root.pk}/role/", {"role": "analyst"}).status_code == 403
    root.refresh_from_db()
    assert root.is_active and "operator" in client.get("/review/members/").content.decode()
    member_deactivate(user=analyst)
    response = client.post(f"/review/members/{analyst.pk}/role/", {"role": "editor"})
    assert response.status_code == 302
    analyst.refresh_from_db()
    assert group_names(analyst) == {"Analysts"} and not analyst.is_staff

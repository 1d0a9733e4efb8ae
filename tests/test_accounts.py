"""Accounts: `create_member`, signing in, changing and resetting a password (without telling
anyone whether an address has an account)."""

import re
from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command

from provisions import roles
from provisions.models import Member
from provisions.services.members import member_create, member_mark_workspace_seen
from provisions.services.outbox import outbox_send_due

pytestmark = pytest.mark.django_db


def create(*args, **options):
    out = StringIO()
    call_command("create_member", *args, stdout=out, **options)
    return out.getvalue()


# --- create_member -------------------------------------------------------------------------


def test_create_member_prints_a_one_time_password_that_signs_in(client):
    output = create("dana", email="dana@example.org", role="analyst", display_name="Dana D.")
    password = re.search(r"One-time password: (\S+)", output).group(1)
    assert len(password) >= 16
    assert "/accounts/password_change/" in output
    user = get_user_model().objects.get(username="dana")
    assert roles.is_analyst(user) and not roles.is_editor(user)
    assert not user.is_staff
    assert user.email == "dana@example.org"
    assert Member.objects.get(user=user).display_name == "Dana D."
    response = client.post("/accounts/login/", {"username": "dana", "password": password})
    assert response.status_code == 302 and response["Location"] == "/workspace/"


def test_editors_are_staff_for_the_admin():
    create("eve", email="eve@example.org", role="editor")
    user = get_user_model().objects.get(username="eve")
    assert roles.is_editor(user) and user.is_staff and not user.is_superuser


def test_each_member_gets_a_different_password():
    _user, first = member_create(username="one", email="one@example.org", role="analyst")
    _user, second = member_create(username="two", email="two@example.org", role="analyst")
    assert first != second


@pytest.mark.parametrize(
    ("username", "options", "message"),
    [
        ("alice", {"email": "a2@example.org", "role": "analyst"}, "already taken"),
        ("ALICE", {"email": "a2@example.org", "role": "analyst"}, "already taken"),
        ("frank", {"email": "f@example.org", "role": "admin"}, "role must be one of"),
        ("frank", {"email": "not-an-address", "role": "analyst"}, "is not an e-mail address"),
        ("bad name!", {"email": "f@example.org", "role": "analyst"}, "username"),
    ],
)
def test_create_member_refuses_clearly(analyst, username, options, message):
    before = get_user_model().objects.count()
    with pytest.raises(CommandError, match=message):
        create(username, **options)
    assert get_user_model().objects.count() == before


def test_create_member_requires_email_and_role():
    with pytest.raises(CommandError, match="--email"):
        create("gina", role="analyst")


def test_member_create_service_validates():
    with pytest.raises(ValidationError) as error:
        member_create(username="", email="x@example.org", role="analyst")
    assert "username" in error.value.message_dict


def test_mark_workspace_seen_creates_a_missing_member_row():
    user = get_user_model().objects.create_user(username="solo", password="x")
    member = member_mark_workspace_seen(user=user)
    assert member.user == user and member.workspace_seen_at is not None


# --- Sign in -------------------------------------------------------------------------------


def test_login_page_has_labels_and_a_forgotten_password_link(client):
    html = client.get("/accounts/login/?next=/review/").content.decode()
    assert '<label for="id_username">' in html and '<label for="id_password">' in html
    assert 'autocomplete="current-password"' in html
    assert 'href="/accounts/password_reset/"' in html
    assert '<input type="hidden" name="next" value="/review/">' in html
    assert "<h1>Sign in</h1>" in html


def test_login_with_a_wrong_password_shows_an_error(client, analyst):
    response = client.post(
        "/accounts/login/", {"username": "alice", "password": "wrong-password-here"}
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert 'role="alert"' in html and "enter a correct username and password" in html
    assert 'value="alice"' in html  # what was typed is kept


def test_login_goes_to_the_workspace_or_next(client, analyst, editor):
    response = client.post(
        "/accounts/login/", {"username": "alice", "password": "correct-horse-battery"}
    )
    assert response["Location"] == "/workspace/"
    client.logout()
    response = client.post(
        "/accounts/login/",
        {"username": "erin", "password": "correct-horse-battery", "next": "/review/"},
    )
    assert response["Location"] == "/review/"
    # A next pointing to another host is ignored.
    client.logout()
    response = client.post(
        "/accounts/login/",
        {"username": "erin", "password": "correct-horse-battery", "next": "https://evil.example"},
    )
    assert response["Location"] == "/workspace/"


def test_logout_is_a_post_and_goes_home(client, analyst):
    client.force_login(analyst)
    assert client.get("/accounts/logout/").status_code == 405
    response = client.post("/accounts/logout/")
    assert response.status_code == 302 and response["Location"] == "/"


def test_logged_out_template_renders():
    from django.template.loader import render_to_string

    html = render_to_string("registration/logged_out.html")
    assert "You are signed out" in html and 'href="/accounts/login/"' in html


# --- Passwords -----------------------------------------------------------------------------


def test_password_change_needs_login_and_works(client, analyst):
    response = client.get("/accounts/password_change/")
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")
    client.force_login(analyst)
    html = client.get("/accounts/password_change/").content.decode()
    assert '<label for="id_old_password">' in html and '<label for="id_new_password2">' in html
    response = client.post(
        "/accounts/password_change/",
        {
            "old_password": "correct-horse-battery",
            "new_password1": "a-new-long-passphrase-42",
            "new_password2": "a-new-long-passphrase-42",
        },
        follow=True,
    )
    assert "Your password was changed" in response.content.decode()
    analyst.refresh_from_db()
    assert analyst.check_password("a-new-long-passphrase-42")


def test_password_reset_mails_a_known_address_and_says_the_same_for_an_unknown_one(client, analyst):
    known = client.post("/accounts/password_reset/", {"email": "alice@example.org"}, follow=True)
    assert mail.outbox == []  # queued, not sent during the request (tests/test_outbox.py)
    unknown = client.post("/accounts/password_reset/", {"email": "nobody@example.org"}, follow=True)
    outbox_send_due()
    assert len(mail.outbox) == 1  # nothing was sent for the unknown address
    message = mail.outbox[0]
    assert message.to == ["alice@example.org"]
    assert message.subject == "Reset your TreatyWatch password"
    assert "Your username is alice." in message.body
    assert re.search(r"http://testserver/accounts/reset/[\w-]+/[\w-]+/", message.body)
    assert (
        known.redirect_chain == unknown.redirect_chain == [("/accounts/password_reset/done/", 302)]
    )
    assert main_of(known) == main_of(unknown)
    assert "If an account uses the address you typed" in unknown.content.decode()


def main_of(response) -> str:
    """The page's <main>: the rest differs per response (CSRF token, CSP nonce)."""
    html = response.content.decode()
    return html[html.index("<main") : html.index("</main>")]


def test_password_reset_link_sets_a_new_password_once(client, analyst):
    client.post("/accounts/password_reset/", {"email": "alice@example.org"})
    outbox_send_due()
    link = re.search(r"http://testserver(/accounts/reset/\S+/)", mail.outbox[0].body).group(1)
    form = client.get(link, follow=True)
    assert "Choose a new password" in form.content.decode()
    form_url = form.redirect_chain[-1][0]
    done = client.post(
        form_url,
        {"new_password1": "reset-passphrase-long-7", "new_password2": "reset-passphrase-long-7"},
        follow=True,
    )
    assert "Your new password is set" in done.content.decode()
    analyst.refresh_from_db()
    assert analyst.check_password("reset-passphrase-long-7")
    # The link is spent.
    again = client.get(link, follow=True)
    assert "This link no longer works" in again.content.decode()


def test_password_reset_form_renders(client):
    html = client.get("/accounts/password_reset/").content.decode()
    assert '<label for="id_email">' in html and "Send the link" in html

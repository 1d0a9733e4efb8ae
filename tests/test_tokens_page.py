"""API tokens in the workspace: created (shown once) only by a session that passed every sign-in
step and confirmed the password again; listed with their powers, expiry, last use and state;
revoked — only one's own."""

from datetime import timedelta

import pytest
from django.contrib.auth.models import Group
from django.test import Client
from django.utils import timezone

from provisions.models import ApiToken, AuditEvent
from provisions.services.tokens import api_token_authenticate, api_token_create
from provisions.views.confirm import CONFIRMED_KEY
from tests.helpers import PASSWORD, code_for, confirm_session, give_authenticator, make_member

pytestmark = pytest.mark.django_db


def new_token_on(html: str) -> str:
    return html.split('<code class="token-value">')[1].split("</code>")[0]


@pytest.fixture
def editor_and_analyst(db):
    """An account in both Editors and Analysts (the account of the attack in issue 11)."""
    user = make_member("dana", "Analysts", "Dana Both")
    user.groups.add(Group.objects.get(name="Editors"))
    return user


def test_create_asks_for_the_password_again_then_shows_the_token_once(client, analyst):
    client.force_login(analyst)
    asked = client.post("/workspace/tokens/", {"name": "Zotero script"})
    # Not confirmed yet: to the confirmation page, coming back with the name typed.
    assert asked.status_code == 302
    assert asked["Location"] == (
        "/accounts/confirm/?next=%2Fworkspace%2Ftokens%2F%3Fname%3DZotero%2Bscript"
    )
    assert not ApiToken.objects.exists()
    page = client.get(asked["Location"])
    assert page.status_code == 200 and 'name="password"' in page.content.decode()
    assert 'name="code"' not in page.content.decode()  # alice has no second factor
    wrong = client.post(
        "/accounts/confirm/", {"password": "not-hers", "next": "/workspace/tokens/"}
    )
    assert wrong.status_code == 400 and "That is not your password." in wrong.content.decode()
    back = client.post(
        "/accounts/confirm/",
        {"password": PASSWORD, "next": "/workspace/tokens/?name=Zotero+script"},
    )
    assert back.status_code == 302 and back["Location"] == "/workspace/tokens/?name=Zotero+script"
    assert 'value="Zotero script"' in client.get(back["Location"]).content.decode()

    response = client.post("/workspace/tokens/", {"name": "Zotero script"})
    raw = new_token_on(response.content.decode())
    token = ApiToken.objects.get(user=analyst)
    assert raw.startswith("tw_") and token.prefix == raw[:8]
    assert raw not in token.token_hash and api_token_authenticate(raw).pk == token.pk
    assert not token.two_factor_verified and not token.editor_powers
    event = AuditEvent.objects.get(action="api_token.created")
    assert event.actor == analyst and event.detail["editor_powers"] is False
    assert AuditEvent.objects.filter(action="session.confirmed", actor=analyst).count() == 1
    # Listed afterwards by name and prefix, never in full again.
    again = client.get("/workspace/tokens/").content.decode()
    assert "Zotero script" in again and raw not in again


def test_the_confirmation_lasts_only_its_window(client, analyst, settings):
    settings.TREATYWATCH_CONFIRM_SECONDS = 600
    client.force_login(analyst)
    confirm_session(client, seconds_ago=601)
    response = client.post("/workspace/tokens/", {"name": "late"})
    assert response.status_code == 302 and response["Location"].startswith("/accounts/confirm/")
    assert not ApiToken.objects.exists()
    confirm_session(client, seconds_ago=590)
    assert client.post("/workspace/tokens/", {"name": "in time"}).status_code == 200
    assert ApiToken.objects.get().name == "in time"


def test_htmx_gets_403_and_hx_redirect_to_the_confirmation(client, analyst):
    client.force_login(analyst)
    response = client.post("/workspace/tokens/", {"name": "x"}, headers={"HX-Request": "true"})
    assert response.status_code == 403
    assert response["HX-Redirect"].startswith("/accounts/confirm/?next=")
    assert not ApiToken.objects.exists()


def test_a_password_only_session_of_an_editor_and_analyst_cannot_mint_a_token(
    editor_and_analyst,
):
    """Issue 11's reproduction: this account signed in with its password alone (it had no
    authenticator yet) and minted a token with one POST. Even a confirmed password is not enough:
    an editor account is sent to its second factor first."""
    session = Client()  # signs in as the account would with the password: no second factor
    session.post("/accounts/login/", {"username": "dana", "password": PASSWORD})
    assert session.session.get("_auth_user_id") == str(editor_and_analyst.pk)
    confirm_session(session)
    response = session.post("/workspace/tokens/", {"name": "publisher"})
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/two-factor/")
    assert not ApiToken.objects.exists()
    page = session.get("/workspace/tokens/").content.decode()
    assert "use your second factor before you create a token" in page
    assert 'name="name"' not in page  # no form to post
    # Nor through the confirmation page: it asks for the second factor first.
    assert session.get("/accounts/confirm/")["Location"].startswith("/accounts/two-factor/")


def test_a_verified_editor_confirms_with_password_and_code_and_gets_editor_powers(
    client, editor_and_analyst, settings
):
    settings.OTP_TOTP_THROTTLE_FACTOR = 0  # the wrong code below does not slow the right one
    client.force_login(editor_and_analyst)  # signed in with the second factor (tests/helpers.py)
    page = client.get("/accounts/confirm/?next=/workspace/tokens/").content.decode()
    assert 'name="password"' in page and 'name="code"' in page
    no_code = client.post("/accounts/confirm/", {"password": PASSWORD, "code": "000000"})
    assert no_code.status_code == 400 and "That code did not work" in no_code.content.decode()
    assert client.post("/workspace/tokens/", {"name": "x"}).status_code == 302  # still not
    done = client.post(
        "/accounts/confirm/",
        {"password": PASSWORD, "code": code_for(editor_and_analyst), "next": "/workspace/tokens/"},
    )
    assert done.status_code == 302 and done["Location"] == "/workspace/tokens/"
    response = client.post("/workspace/tokens/", {"name": "publishing script"})
    assert response.status_code == 200
    token = ApiToken.objects.get()
    assert token.two_factor_verified and token.editor_powers
    assert "made after two-factor sign-in" in response.content.decode()


def test_an_analyst_with_two_factor_confirms_with_a_code_too(client, analyst):
    give_authenticator(analyst)
    client.force_login(analyst)
    assert 'name="code"' in client.get("/accounts/confirm/").content.decode()
    client.post("/accounts/confirm/", {"password": PASSWORD, "code": code_for(analyst)})
    client.post("/workspace/tokens/", {"name": "x"})
    token = ApiToken.objects.get()
    assert token.two_factor_verified and not token.editor_powers  # an analyst's powers only


def test_the_list_shows_last_use_expiry_and_why_a_token_stopped(client, analyst):
    used, raw = api_token_create(user=analyst, name="used one")
    client.get("/api/v1/treaty", headers={"Authorization": f"Bearer {raw}"})
    used.refresh_from_db()
    expired, _raw = api_token_create(user=analyst, name="old one")
    ApiToken.objects.filter(pk=expired.pk).update(expires_at=timezone.now() - timedelta(days=1))
    revoked, _raw = api_token_create(user=analyst, name="gone one")
    ApiToken.objects.filter(pk=revoked.pk).update(
        revoked_at=timezone.now(), revoked_reason="password_changed"
    )
    client.force_login(analyst)
    html = client.get("/workspace/tokens/").content.decode()
    row = html.split("used one")[1].split("</tr>")[0]
    assert f'datetime="{used.last_used_at:%Y-%m-%dT%H:%M:%SZ}"' in row
    assert f"works until {used.expires_at:%-d %b %Y}" in row and "Revoke" in row
    assert "expired" in html.split("old one")[1].split("</tr>")[0]
    gone = html.split("gone one")[1].split("</tr>")[0]
    assert "your password changed" in gone and "Revoke" not in gone
    assert "never" not in row


def test_revoke_own_token_and_not_someone_elses(client, analyst, other_analyst):
    mine, raw = api_token_create(user=analyst, name="mine")
    theirs, their_raw = api_token_create(user=other_analyst, name="theirs")
    client.force_login(analyst)
    assert client.post(f"/workspace/tokens/{theirs.pk}/revoke/").status_code == 404
    assert api_token_authenticate(their_raw) is not None
    client.post(f"/workspace/tokens/{mine.pk}/revoke/")
    assert api_token_authenticate(raw) is None
    assert "revoked" in client.get("/workspace/tokens/").content.decode()
    event = AuditEvent.objects.get(action="api_token.revoked")
    assert event.actor == analyst and event.detail["reason"] == "owner"


def test_empty_name_is_refused_clearly(client, analyst):
    client.force_login(analyst)
    confirm_session(client)
    response = client.post("/workspace/tokens/", {"name": "  "})
    assert response.status_code == 400
    assert "Give the token a name" in response.content.decode()
    assert not ApiToken.objects.exists()


def test_anonymous_is_sent_to_sign_in(client):
    response = client.get("/workspace/tokens/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    assert client.get("/accounts/confirm/")["Location"].startswith("/accounts/login/")


def test_tokens_page_query_budget(client, analyst, django_assert_num_queries):
    """Exactly 7 queries whatever the number of tokens (no query per token): session, user,
    groups (roles, read once for every token's state), tokens, and the workspace badges of the
    menu (member, two counts)."""
    api_token_create(user=analyst, name="first")
    client.force_login(analyst)
    client.get("/workspace/tokens/")  # warm the session
    with django_assert_num_queries(7):
        assert client.get("/workspace/tokens/").status_code == 200
    for index in range(4):
        api_token_create(user=analyst, name=f"token {index}")
    with django_assert_num_queries(7):
        assert client.get("/workspace/tokens/").status_code == 200


def test_wrong_passwords_on_the_confirmation_lock_it_like_sign_in(client, analyst, settings):
    """A stolen session cannot guess its member's password on the confirmation page: five wrong
    ones lock the username out from that address, and then even the right one is refused."""
    client.force_login(analyst)
    guess = {"password": "guess-guess-guess"}
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        assert client.post("/accounts/confirm/", guess).status_code == 400
    last = client.post("/accounts/confirm/", guess)  # the fifth: locked out
    assert last.status_code == settings.AXES_HTTP_RESPONSE_CODE
    locked = client.post("/accounts/confirm/", {"password": PASSWORD})
    assert locked.status_code == settings.AXES_HTTP_RESPONSE_CODE
    assert CONFIRMED_KEY not in client.session
    failures = AuditEvent.objects.filter(action="sign_in.failed", detail__during="confirmation")
    assert failures.count() == settings.AXES_FAILURE_LIMIT


def test_the_confirmation_ignores_a_next_to_another_site(client, analyst):
    client.force_login(analyst)
    response = client.post(
        "/accounts/confirm/", {"password": PASSWORD, "next": "https://evil.example/steal"}
    )
    assert response.status_code == 302 and response["Location"] == "/workspace/"

"""Two-factor sign-in: the code step after the password, recovery codes, set-up with an inline QR
code, editors who cannot act without it (pages, htmx, services, admin), and the demo editor."""

import re
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.test import Client
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from provisions import roles
from provisions.models import Annotation, AuditEvent
from provisions.services.two_factor import recovery_codes_regenerate
from provisions.views.signin import PENDING_KEY
from provisions.views.two_factor import SETUP_KEY
from tests.helpers import (
    PASSWORD,
    ROLES,
    code_for,
    code_from_key,
    confirm_session,
    give_authenticator,
)

pytestmark = pytest.mark.django_db

HTMX = {"HX-Request": "true", "HX-Current-URL": "http://testserver/review/"}


def sign_in(client, username, next_url=None):
    data = {"username": username, "password": PASSWORD}
    if next_url:
        data["next"] = next_url
    return client.post("/accounts/login/", data)


def signed_in_as(client):
    return client.session.get("_auth_user_id")


# --- The second step ------------------------------------------------------------------------


def test_a_member_without_two_factor_signs_in_with_the_password_alone(client, analyst):
    response = sign_in(client, "alice")
    assert response.status_code == 302 and response["Location"] == "/workspace/"
    assert signed_in_as(client) == str(analyst.pk)


def test_with_an_authenticator_the_password_alone_does_not_sign_in(client, analyst):
    give_authenticator(analyst)
    response = sign_in(client, "alice", next_url="/coverage/")
    assert response.status_code == 302
    assert response["Location"] == "/accounts/two-factor/verify/?next=%2Fcoverage%2F"
    assert signed_in_as(client) is None
    # Nothing runs as alice yet: her workspace still asks to sign in.
    assert client.get("/workspace/")["Location"].startswith("/accounts/login/")
    page = client.get(response["Location"]).content.decode()
    assert '<label for="id_code">' in page and 'autocomplete="one-time-code"' in page
    assert '<input type="hidden" name="next" value="/coverage/">' in page


def test_the_right_code_signs_in_and_verifies_the_session(client, analyst):
    device = give_authenticator(analyst)
    sign_in(client, "alice", next_url="/coverage/")
    response = client.post(
        "/accounts/two-factor/verify/", {"code": code_for(analyst), "next": "/coverage/"}
    )
    assert response.status_code == 302 and response["Location"] == "/coverage/"
    assert signed_in_as(client) == str(analyst.pk)
    assert client.session[DEVICE_ID_SESSION_KEY] == device.persistent_id
    assert PENDING_KEY not in client.session
    event = AuditEvent.objects.get(action="sign_in.succeeded")
    assert event.actor == analyst and event.detail["second_factor"] == "authenticator"


def test_a_wrong_code_is_refused_and_counted(client, analyst):
    give_authenticator(analyst)
    sign_in(client, "alice")
    response = client.post("/accounts/two-factor/verify/", {"code": "000000"})
    html = response.content.decode()
    assert response.status_code == 200 and "That code did not work" in html
    assert 'role="alert"' in html or "errorlist" in html
    assert signed_in_as(client) is None
    failure = AuditEvent.objects.get(action="two_factor.failed")
    assert failure.detail == {"username": "alice", "during": "sign-in"}
    assert "000000" not in str(failure.detail)


def test_a_used_code_cannot_be_replayed(client, analyst):
    give_authenticator(analyst)
    sign_in(client, "alice")
    code = code_for(analyst)
    client.post("/accounts/two-factor/verify/", {"code": code})
    other = Client()
    sign_in(other, "alice")
    response = other.post("/accounts/two-factor/verify/", {"code": code})
    assert response.status_code == 200 and other.session.get("_auth_user_id") is None


def test_the_code_step_expires(client, analyst):
    give_authenticator(analyst)
    sign_in(client, "alice")
    session = client.session
    session[PENDING_KEY]["since"] -= 6 * 60
    session.save()
    response = client.post("/accounts/two-factor/verify/", {"code": code_for(analyst)})
    html = response.content.decode()
    assert response.status_code == 200 and "Sign in with your username and password first" in html
    assert signed_in_as(client) is None


def test_the_code_page_without_a_password_step_points_to_sign_in(client):
    response = client.get("/accounts/two-factor/verify/?next=/review/")
    html = response.content.decode()
    assert response.status_code == 200
    assert 'href="/accounts/login/?next=%2Freview%2F"' in html
    assert 'name="code"' not in html


def test_a_next_to_another_host_is_ignored_after_the_code(client, analyst):
    give_authenticator(analyst)
    sign_in(client, "alice")
    response = client.post(
        "/accounts/two-factor/verify/",
        {"code": code_for(analyst), "next": "https://evil.example/"},
    )
    assert response["Location"] == "/workspace/"


def test_wrong_codes_slow_the_authenticator_down(client, analyst, settings):
    settings.OTP_TOTP_THROTTLE_FACTOR = 60  # a minute after one failure: no race with the clock
    give_authenticator(analyst)
    sign_in(client, "alice")
    client.post("/accounts/two-factor/verify/", {"code": "000000"})
    # Straight after a failure even the right code must wait (django-otp's back-off).
    response = client.post("/accounts/two-factor/verify/", {"code": code_for(analyst)})
    assert "Too many wrong codes" in response.content.decode()
    assert signed_in_as(client) is None


# --- Recovery codes -------------------------------------------------------------------------


def test_a_recovery_code_works_once_in_the_second_step(client, analyst):
    give_authenticator(analyst)
    codes = recovery_codes_regenerate(user=analyst)
    assert len(codes) == 10 and len(set(codes)) == 10
    sign_in(client, "alice")
    typed = f" {codes[0][:4].upper()}-{codes[0][4:]} "  # as shown, with case and spaces
    response = client.post("/accounts/two-factor/verify/", {"code": typed})
    assert response.status_code == 302 and response["Location"] == "/accounts/two-factor/"
    assert signed_in_as(client) == str(analyst.pk)
    assert StaticToken.objects.filter(device__user=analyst).count() == 9
    page = client.get("/accounts/two-factor/").content.decode()
    assert "You used a recovery code; 9 are left." in page
    event = AuditEvent.objects.get(action="sign_in.succeeded")
    assert event.detail["second_factor"] == "recovery_code"

    again = Client()
    sign_in(again, "alice")
    response = again.post("/accounts/two-factor/verify/", {"code": codes[0]})
    assert response.status_code == 200 and again.session.get("_auth_user_id") is None


def test_making_new_recovery_codes_cancels_the_old_ones(client, analyst):
    give_authenticator(analyst)
    old = recovery_codes_regenerate(user=analyst)
    client.force_login(analyst)  # verified with the authenticator (SignedInClient)
    confirm_session(client)  # and the password and a code again, just now
    response = client.post("/accounts/two-factor/recovery-codes/")
    assert response.status_code == 302
    assert response["Location"] == "/accounts/two-factor/recovery-codes/"
    html = client.get(response["Location"]).content.decode()
    shown = re.findall(r"<code>([a-z2-7]{4}-[a-z2-7]{4})</code>", html)
    assert len(shown) == 10 and "shown only this once" in html
    stored = set(StaticToken.objects.filter(device__user=analyst).values_list("token", flat=True))
    assert stored == {code.replace("-", "") for code in shown}
    assert not stored & set(old)
    assert AuditEvent.objects.filter(action="two_factor.recovery_codes_created").count() == 1
    # Shown once: the page does not show them again.
    again = client.get("/accounts/two-factor/recovery-codes/", follow=True)
    assert "shown only once" in again.content.decode()
    assert not re.findall(r"<code>[a-z2-7]{4}-[a-z2-7]{4}</code>", again.content.decode())


def test_new_recovery_codes_need_a_verified_session(analyst):
    give_authenticator(analyst)
    old = set(recovery_codes_regenerate(user=analyst))
    half = Client()
    half.force_login(analyst)  # a session that never passed the code step
    response = half.post("/accounts/two-factor/recovery-codes/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/two-factor/verify/")
    assert set(StaticToken.objects.values_list("token", flat=True)) == old


# --- Set-up ---------------------------------------------------------------------------------


def test_set_up_shows_an_inline_qr_code_and_the_secret(client, analyst):
    client.force_login(analyst)
    response = client.get("/accounts/two-factor/")
    html = response.content.decode()
    assert response.status_code == 200
    assert '<svg width="' in html and 'class="totp-qr"' in html
    assert "<img" not in html.split("<main")[1]  # no image from anywhere else
    key = client.session[SETUP_KEY]
    secret = re.search(r'<code class="totp-secret" id="totp-secret">([A-Z2-7 ]+)</code>', html)
    assert secret and len(secret.group(1).replace(" ", "")) == 32
    assert 'style="' not in html  # strict CSP: no inline styles, also not in the SVG
    # The same key until it is confirmed (reloading does not invalidate a scanned code) …
    client.get("/accounts/two-factor/")
    assert client.session[SETUP_KEY] == key
    # … unless a new one is asked for.
    client.get("/accounts/two-factor/?restart=1")
    assert client.session[SETUP_KEY] != key
    assert not TOTPDevice.objects.filter(user=analyst).exists()  # nothing stored before a code


def test_set_up_with_a_wrong_code_stores_nothing(client, analyst):
    client.force_login(analyst)
    client.get("/accounts/two-factor/")
    response = client.post("/accounts/two-factor/", {"code": "123"})
    assert "Type the 6-digit code" in response.content.decode()
    key = client.session[SETUP_KEY]
    wrong = f"{(int(code_from_key(key)) + 1) % 1_000_000:06d}"
    response = client.post("/accounts/two-factor/", {"code": wrong})
    assert "That code does not match" in response.content.decode()
    assert not TOTPDevice.objects.filter(user=analyst).exists()
    assert AuditEvent.objects.filter(action="two_factor.failed", actor=analyst).count() == 2


def test_set_up_confirms_then_shows_ten_recovery_codes_once(client, analyst):
    client.force_login(analyst)
    client.get("/accounts/two-factor/")
    key = client.session[SETUP_KEY]
    response = client.post("/accounts/two-factor/", {"code": code_from_key(key)})
    assert response.status_code == 302
    assert response["Location"] == "/accounts/two-factor/recovery-codes/"
    device = TOTPDevice.objects.get(user=analyst)
    assert device.confirmed and device.key == key
    assert client.session[DEVICE_ID_SESSION_KEY] == device.persistent_id
    html = client.get(response["Location"]).content.decode()
    assert len(re.findall(r"<code>[a-z2-7]{4}-[a-z2-7]{4}</code>", html)) == 10
    assert AuditEvent.objects.get(action="two_factor.enabled").actor == analyst
    # From now on the password alone is not enough.
    client.logout()
    sign_in(client, "alice")
    assert signed_in_as(client) is None


def test_the_status_page_offers_replacement_and_new_codes(client, analyst):
    give_authenticator(analyst)
    recovery_codes_regenerate(user=analyst)
    client.force_login(analyst)
    html = client.get("/accounts/two-factor/").content.decode()
    assert "Two-factor sign-in is on" in html
    assert "You have 10 unused recovery codes left." in html
    assert 'href="/accounts/two-factor/?replace=1"' in html
    assert 'action="/accounts/two-factor/recovery-codes/"' in html


def test_replacing_the_authenticator(client, analyst):
    old = give_authenticator(analyst)
    recovery_codes_regenerate(user=analyst)
    client.force_login(analyst)
    confirm_session(client)
    html = client.get("/accounts/two-factor/?replace=1").content.decode()
    assert "Replace your authenticator" in html and 'name="replace"' in html
    key = client.session[SETUP_KEY]
    response = client.post("/accounts/two-factor/", {"code": code_from_key(key), "replace": "1"})
    assert response.status_code == 302 and response["Location"] == "/accounts/two-factor/"
    assert not TOTPDevice.objects.filter(pk=old.pk).exists()
    assert TOTPDevice.objects.get(user=analyst).key == key
    assert StaticToken.objects.filter(device__user=analyst).count() == 10  # codes kept
    assert AuditEvent.objects.filter(action="two_factor.replaced").count() == 1


def test_changing_the_second_factor_needs_the_second_factor(analyst):
    give_authenticator(analyst)
    half = Client()
    half.force_login(analyst)
    response = half.get("/accounts/two-factor/?replace=1")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/two-factor/verify/?next=")
    # The code page also serves a signed-in session that has not passed the code yet.
    page = half.get(response["Location"]).content.decode()
    assert "This page needs your second factor" in page
    done = half.post("/accounts/two-factor/verify/", {"code": code_for(analyst)})
    assert done.status_code == 302
    # Then, as for every change that outlives the session, the password and a code again.
    again = half.get("/accounts/two-factor/?replace=1")
    assert again["Location"] == "/accounts/confirm/?next=%2Faccounts%2Ftwo-factor%2F%3Freplace%3D1"
    confirm_session(half)
    assert half.get("/accounts/two-factor/?replace=1").status_code == 200
    assert AuditEvent.objects.filter(action="two_factor.verified", actor=analyst).exists()


def test_replacing_the_authenticator_asks_for_the_password_and_a_code_again(client, analyst):
    """A session (stolen, or left open) cannot swap in an attacker's authenticator by itself."""
    old = give_authenticator(analyst)
    client.force_login(analyst)  # verified with the authenticator, but not confirmed
    page = client.get("/accounts/two-factor/?replace=1&next=/workspace/")
    assert page.status_code == 302
    assert page["Location"] == (
        "/accounts/confirm/?next=%2Faccounts%2Ftwo-factor%2F%3Freplace%3D1%26next%3D%252Fworkspace%252F"
    )
    client.get("/accounts/two-factor/")  # a set-up key in the session, as if the page was open
    key = client.session.get(SETUP_KEY) or "00" * 20
    posted = client.post("/accounts/two-factor/", {"code": code_from_key(key), "replace": "1"})
    assert posted.status_code == 302 and posted["Location"].startswith("/accounts/confirm/")
    assert list(TOTPDevice.objects.filter(user=analyst)) == [old]
    htmx = client.get("/accounts/two-factor/?replace=1", headers={"HX-Request": "true"})
    assert htmx.status_code == 403 and htmx["HX-Redirect"].startswith("/accounts/confirm/")


def test_new_recovery_codes_ask_for_the_password_and_a_code_again(client, analyst):
    give_authenticator(analyst)
    old = set(recovery_codes_regenerate(user=analyst))
    client.force_login(analyst)
    response = client.post("/accounts/two-factor/recovery-codes/")
    assert response.status_code == 302
    assert response["Location"] == "/accounts/confirm/?next=%2Faccounts%2Ftwo-factor%2F"
    assert set(StaticToken.objects.values_list("token", flat=True)) == old
    assert not AuditEvent.objects.filter(action="two_factor.recovery_codes_created").exists()


def test_the_workspace_offers_two_factor_to_analysts(client, analyst):
    client.force_login(analyst)
    html = client.get("/workspace/").content.decode()
    assert 'href="/accounts/two-factor/"' in html


# --- Editors must have it -------------------------------------------------------------------


def test_an_editor_without_an_authenticator_is_sent_to_set_it_up(editor, submitted):
    half = Client()
    response = sign_in(half, "erin", next_url="/review/")
    assert response["Location"] == "/review/"  # the password is right …
    response = half.get("/review/")  # … but no editor page opens
    assert response.status_code == 302
    assert response["Location"] == "/accounts/two-factor/?next=%2Freview%2F"
    html = half.get(response["Location"]).content.decode()
    assert "Editors must use two-factor sign-in" in html
    # Nor any other role-protected page, nor an editor action.
    assert half.get("/workspace/")["Location"].startswith("/accounts/two-factor/")
    response = half.post(f"/review/annotations/{submitted.pk}/publish/")
    assert response.status_code == 302
    submitted.refresh_from_db()
    assert submitted.status == Annotation.Status.SUBMITTED


def test_an_unverified_editor_gets_403_for_htmx(editor):
    half = Client()
    half.force_login(editor)
    response = half.get("/review/", headers=HTMX)
    assert response.status_code == 403
    assert response["HX-Redirect"] == "/accounts/two-factor/?next=%2Freview%2F"


def test_an_editor_with_an_authenticator_but_no_code_is_asked_for_it(editor):
    give_authenticator(editor)
    half = Client()
    half.force_login(editor)
    response = half.get("/review/")
    assert response["Location"] == "/accounts/two-factor/verify/?next=%2Freview%2F"


def test_an_editor_with_only_the_password_cannot_set_up_an_authenticator(editor):
    """Whoever knows the password must not choose the second factor: the set-up page refuses an
    editor without one and points to enrolment links (tests/test_enrolment.py)."""
    half = Client()
    sign_in(half, "erin")
    response = half.get("/accounts/two-factor/?next=/review/")
    assert response.status_code == 403
    assert "enrolment link" in response.content.decode()
    assert SETUP_KEY not in half.session
    key = "ab" * 20
    response = half.post("/accounts/two-factor/", {"code": code_from_key(key), "next": "/review/"})
    assert response.status_code == 403
    assert not TOTPDevice.objects.filter(user=editor).exists()
    assert half.get("/review/").status_code == 302


def test_an_editor_signing_in_with_a_code_reaches_the_review_queue(editor):
    give_authenticator(editor)
    fresh = Client()
    sign_in(fresh, "erin", next_url="/review/")
    response = fresh.post(
        "/accounts/two-factor/verify/", {"code": code_for(editor), "next": "/review/"}
    )
    assert response["Location"] == "/review/"
    assert fresh.get("/review/").status_code == 200


def test_roles_need_the_second_factor_only_for_editor_powers(editor, analyst):
    # django-otp's middleware gives the request's user is_verified(); here it is set by hand.
    editor.is_verified = lambda: False
    assert roles.has_editor_account(editor) and not roles.is_editor(editor)
    assert roles.second_factor_missing(editor) and not roles.is_analyst(editor)
    editor.is_verified = lambda: True
    assert roles.is_editor(editor) and not roles.second_factor_missing(editor)
    # Analysts' roles do not depend on it; users outside a request keep their role.
    analyst.is_verified = lambda: False
    assert roles.is_analyst(analyst) and not roles.second_factor_missing(analyst)
    del editor.is_verified
    assert roles.is_editor(editor)


def test_the_admin_needs_a_verified_session(editor):
    half = Client()
    half.force_login(editor)
    response = half.get("/admin/")
    assert (response.status_code, response["Location"]) == (302, "/admin/login/?next=/admin/")
    verified = Client()
    verified.force_login(editor)
    session = verified.session
    session[DEVICE_ID_SESSION_KEY] = give_authenticator(editor).persistent_id
    session.save()
    assert verified.get("/admin/").status_code == 200


def test_the_admin_login_is_the_sites_own_two_step_sign_in(client):
    # No admin form of its own (tests/test_admin.py): the code step follows the password step.
    response = client.get("/admin/login/")
    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/?next=%2Fadmin%2F"


# --- Who may open the new pages -------------------------------------------------------------


@pytest.mark.parametrize("who", ROLES)
def test_who_may_open_the_two_factor_pages(client, who, analyst, other_analyst, editor):
    users = {"analyst": analyst, "other_analyst": other_analyst, "editor": editor}
    if who != "anonymous":
        client.force_login(users[who])
    setup = client.get("/accounts/two-factor/")
    codes_post = client.post("/accounts/two-factor/recovery-codes/")
    verify = client.get("/accounts/two-factor/verify/")
    if who == "anonymous":
        assert setup["Location"].startswith("/accounts/login/")
        assert codes_post["Location"].startswith("/accounts/login/")
        assert verify.status_code == 200  # explains how to start
    else:
        assert setup.status_code == 200
        assert codes_post.status_code == 302
        assert verify.status_code == 302  # nothing to verify: on to the workspace
    # Only GET and POST: anyone signed in is told so; anonymous visitors go to sign in first.
    assert client.put("/accounts/two-factor/").status_code == (302 if who == "anonymous" else 405)
    assert client.put("/accounts/two-factor/verify/").status_code == 405


def test_an_analyst_cannot_spend_or_see_another_members_codes(client, analyst, other_analyst):
    give_authenticator(other_analyst)
    theirs = set(recovery_codes_regenerate(user=other_analyst))
    client.force_login(analyst)
    client.post("/accounts/two-factor/recovery-codes/")  # alice has none: nothing happens
    assert (
        set(StaticToken.objects.filter(device__user=other_analyst).values_list("token", flat=True))
        == theirs
    )
    assert not StaticToken.objects.filter(device__user=analyst).exists()


# --- The demo editor ------------------------------------------------------------------------


def test_demo_editor_has_an_authenticator_and_the_seed_says_how_to_get_codes(settings):
    out = StringIO()
    call_command("seed", "--demo", stdout=out)
    output = out.getvalue()
    assert "make totp-code" in output and "manage.py totp_code editor" in output
    from django.contrib.auth import get_user_model

    demo_editor = get_user_model().objects.get(username="editor")
    device = TOTPDevice.objects.get(user=demo_editor, confirmed=True)
    assert re.search(r"add the key ([A-Z2-7]{4} ){7}[A-Z2-7]{4} to an authenticator", output)
    # A second seed keeps the same key (a newcomer's app stays valid).
    call_command("seed", "--demo", stdout=StringIO())
    assert TOTPDevice.objects.get(user=demo_editor).key == device.key

    settings.DEBUG = True
    code_out = StringIO()
    call_command("totp_code", "editor", stdout=code_out)
    code = code_out.getvalue().strip()
    assert re.fullmatch(r"\d{6}", code)
    fresh = Client()
    fresh.post("/accounts/login/", {"username": "editor", "password": "demo-editor-pass"})
    response = fresh.post("/accounts/two-factor/verify/", {"code": code, "next": "/review/"})
    assert response["Location"] == "/review/"
    assert fresh.get("/review/").status_code == 200


def test_totp_code_refuses_outside_development(editor):
    give_authenticator(editor)
    with pytest.raises(CommandError, match="only in development"):
        call_command("totp_code", "erin", stdout=StringIO())


def test_totp_code_explains_a_member_without_an_authenticator(settings, analyst):
    settings.DEBUG = True
    with pytest.raises(CommandError, match="no authenticator"):
        call_command("totp_code", "alice", stdout=StringIO())

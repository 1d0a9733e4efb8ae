"""Issue 17: the two-factor help text matches what exists. Each claim that could drift — how many
recovery codes, the code's length and step, how long the code step and a confirmation last, how
long an enrolment link works, what a replacement keeps and ends — is checked against the code or
setting that makes it true, by doing it."""

import re

import pytest
from django.test import Client
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from provisions.models import ApiToken
from provisions.services import api_token_create
from provisions.services.enrolment import LINK_HOURS, enrolment_link_create
from provisions.services.two_factor import (
    DIGITS,
    RECOVERY_CODE_COUNT,
    STEP,
    recovery_codes_left,
    recovery_codes_regenerate,
)
from provisions.views.signin import PENDING_SECONDS
from provisions.views.two_factor import SETUP_KEY
from tests.helpers import code_from_key, confirm_session, give_authenticator, text_of

pytestmark = pytest.mark.django_db

CODES_SHOWN = r"<code>[a-z2-7]{4}-[a-z2-7]{4}</code>"


def test_the_code_the_pages_describe_is_the_code_the_app_makes():
    """ "6 digits, 30 seconds" on the set-up page come from these; so do the devices' codes."""
    assert TOTPDevice._meta.get_field("digits").default == DIGITS
    assert TOTPDevice._meta.get_field("step").default == STEP


def test_first_set_up_states_the_code_and_the_recovery_codes_that_follow(client, analyst):
    client.force_login(analyst)
    html = text_of(client.get("/accounts/two-factor/"))
    assert f"ask for a {DIGITS}-digit code" in html
    assert f"(time-based, {DIGITS} digits, {STEP} seconds)" in html
    assert f"Next you will get {RECOVERY_CODE_COUNT} recovery codes" in html
    # And that many come, shown once.
    key = client.session[SETUP_KEY]
    done = client.post("/accounts/two-factor/", {"code": code_from_key(key)})
    codes_page = text_of(client.get(done["Location"]))
    assert len(re.findall(CODES_SHOWN, codes_page)) == RECOVERY_CODE_COUNT
    assert "shown only this once" in codes_page


def test_a_replacement_says_it_keeps_the_codes_and_ends_the_tokens_and_does(client, analyst):
    give_authenticator(analyst)
    recovery_codes_regenerate(user=analyst)
    StaticToken.objects.filter(device__user=analyst).first().delete()  # one used
    token, _raw = api_token_create(user=analyst, name="script")
    client.force_login(analyst)
    confirm_session(client)
    html = text_of(client.get("/accounts/two-factor/?replace=1"))
    left = RECOVERY_CODE_COUNT - 1
    assert f"Your recovery codes stay as they are: you have {left} unused codes left." in html
    assert "Next you will get" not in html
    assert "Confirming it also ends your API tokens" in html
    key = client.session[SETUP_KEY]
    done = client.post("/accounts/two-factor/", {"code": code_from_key(key), "replace": "1"})
    assert done["Location"] == "/accounts/two-factor/"  # no new codes page
    assert recovery_codes_left(analyst) == left
    assert ApiToken.objects.get(pk=token.pk).revoked_at is not None


def test_the_status_page_makes_as_many_new_codes_as_it_says(client, analyst):
    give_authenticator(analyst)
    recovery_codes_regenerate(user=analyst)
    client.force_login(analyst)
    confirm_session(client)
    html = text_of(client.get("/accounts/two-factor/"))
    assert f"Make {RECOVERY_CODE_COUNT} new recovery codes" in html
    made = client.post("/accounts/two-factor/recovery-codes/")
    codes_page = text_of(client.get(made["Location"]))
    assert len(re.findall(CODES_SHOWN, codes_page)) == RECOVERY_CODE_COUNT


def test_the_code_page_states_how_long_the_password_step_lasts(client):
    html = text_of(client.get("/accounts/two-factor/verify/"))
    assert PENDING_SECONDS == 5 * 60
    assert f"it took more than {PENDING_SECONDS // 60} minutes" in html


def test_the_code_page_says_who_can_help_without_the_phone(client, analyst):
    """The operator's reset (enrolment_link --reset-devices) is what exists; no "administrator"
    resets anything from a page."""
    give_authenticator(analyst)
    client.post("/accounts/login/", {"username": "alice", "password": "correct-horse-battery"})
    html = text_of(client.get("/accounts/two-factor/verify/"))
    assert "administrator" not in html
    assert "ask the site's operator" in html
    # What the page promises the operator can do: remove both, then a one-time link.
    _link, raw = enrolment_link_create(user=analyst, reset_devices=True)
    assert raw and not TOTPDevice.objects.filter(user=analyst).exists()
    assert recovery_codes_left(analyst) == 0


@pytest.mark.parametrize("seconds", [600, 1200])
def test_the_confirmation_page_states_the_setting(client, analyst, settings, seconds):
    settings.TREATYWATCH_CONFIRM_SECONDS = seconds
    client.force_login(analyst)
    html = text_of(client.get("/accounts/confirm/"))
    assert f"For the next {seconds // 60} minutes TreatyWatch will not ask again." in html


def test_the_enrolment_pages_state_how_long_a_link_works(client, analyst, editor):
    half_signed_in = Client()
    half_signed_in.force_login(editor)  # an editor without an authenticator
    needed = text_of(half_signed_in.get("/accounts/two-factor/"), 403)
    assert f"It works once, for {LINK_HOURS} hours" in needed
    client.force_login(analyst)
    missing = text_of(client.get("/accounts/enrol/"))
    refused = text_of(client.get("/accounts/enrol/not-a-token/", follow=True), 403)
    for html in (missing, refused):
        assert f"a link works once, for {LINK_HOURS} hours" in html


def test_the_set_up_code_field_asks_only_for_the_apps_code(client, analyst):
    """A recovery code cannot confirm a new authenticator: the set-up pages do not offer it."""
    give_authenticator(analyst)
    codes = recovery_codes_regenerate(user=analyst)
    client.force_login(analyst)
    confirm_session(client)
    html = text_of(client.get("/accounts/two-factor/?replace=1"))
    assert f"The {DIGITS}-digit code the app now shows for TreatyWatch." in html
    assert "or one of your recovery codes" not in html
    assert "Use the new authenticator" in html and "Turn on two-factor sign-in" not in html
    refused = client.post("/accounts/two-factor/", {"code": codes[0], "replace": "1"})
    assert f"Type the {DIGITS}-digit code your app shows." in text_of(refused)
    # The code step after the password takes either, as its field says.
    client.logout()
    client.post("/accounts/login/", {"username": "alice", "password": "correct-horse-battery"})
    step = text_of(client.get("/accounts/two-factor/verify/"))
    assert f"The {DIGITS}-digit code your authenticator app shows now, or one of your" in step
    assert client.post("/accounts/two-factor/verify/", {"code": codes[1]}).status_code == 302

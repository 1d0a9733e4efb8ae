"""Throttled sign-in (django-axes): five failures lock a username+address out for 30 minutes,
and neither the lockout nor the ordinary failure tells whether the account exists."""

import re
from datetime import timedelta

import pytest
from axes.models import AccessAttempt
from django.core import mail
from django.test import Client
from django.utils import timezone

from provisions.models import AuditEvent
from provisions.services.outbox import outbox_send_due
from tests.helpers import PASSWORD, code_for, give_authenticator

pytestmark = pytest.mark.django_db

LIMIT = 5


def attempt(client, username, password="wrong-password-here", **extra):
    return client.post("/accounts/login/", {"username": username, "password": password}, **extra)


def main_of(response, username="") -> str:
    """The page's <main> without what differs per response anyway (the CSRF token) and with the
    typed username blanked (the form keeps what was typed)."""
    html = response.content.decode()
    main = html[html.index("<main") : html.index("</main>")]
    main = re.sub(r'name="csrfmiddlewaretoken" value="[^"]*"', "", main)
    return main.replace(f'value="{username}"', 'value=""') if username else main


def fail(client, username, times, **extra):
    return [attempt(client, username, **extra) for _ in range(times)]


def test_four_failures_still_allow_the_right_password(client, analyst):
    responses = fail(client, "alice", LIMIT - 1)
    assert [r.status_code for r in responses] == [200] * (LIMIT - 1)
    response = attempt(client, "alice", PASSWORD)
    assert response.status_code == 302 and response["Location"] == "/workspace/"


def test_five_failures_lock_out_even_the_right_password(client, analyst):
    responses = fail(client, "alice", LIMIT)
    assert responses[-1].status_code == 429
    response = attempt(client, "alice", PASSWORD)
    html = response.content.decode()
    assert response.status_code == 429
    assert "Sign-in paused" in html and "Try again in 30 minutes" in html
    assert "alice" not in main_of(response)  # the username is not repeated
    assert client.session.get("_auth_user_id") is None


def test_the_lockout_looks_the_same_for_an_unknown_username(analyst):
    known, unknown = Client(), Client()
    known_responses = fail(known, "alice", LIMIT + 1)
    unknown_responses = fail(unknown, "nobody-here", LIMIT + 1)
    assert [r.status_code for r in known_responses] == [r.status_code for r in unknown_responses]
    assert main_of(known_responses[-1]) == main_of(unknown_responses[-1])
    # Also the lockout that meets the right password.
    assert main_of(attempt(known, "alice", PASSWORD)) == main_of(unknown_responses[-1])


def test_an_ordinary_failure_looks_the_same_for_an_unknown_username(client, analyst):
    known = attempt(client, "alice")
    unknown = attempt(client, "nobody-here")
    assert known.status_code == unknown.status_code == 200
    assert main_of(known, "alice") == main_of(unknown, "nobody-here")
    assert "enter a correct username and password" in known.content.decode()


def test_an_inactive_account_fails_like_a_wrong_password(client, analyst):
    analyst.is_active = False
    analyst.save()
    inactive = attempt(client, "alice", PASSWORD)
    unknown = attempt(client, "nobody-here", PASSWORD)
    assert main_of(inactive, "alice") == main_of(unknown, "nobody-here")


def test_the_lockout_is_per_username_and_address(analyst, other_analyst):
    attacker = Client(REMOTE_ADDR="203.0.113.9")
    fail(attacker, "alice", LIMIT)
    assert attempt(attacker, "alice", PASSWORD).status_code == 429
    # Alice, elsewhere, still signs in: a stranger cannot lock her out.
    assert attempt(Client(REMOTE_ADDR="198.51.100.7"), "alice", PASSWORD).status_code == 302
    # Another username from the attacker's address is not locked either.
    assert attempt(attacker, "bob", PASSWORD).status_code == 302


def test_usernames_differing_in_case_share_one_allowance(client, analyst):
    for name in ("alice", "Alice", "ALICE", " alice", "aLiCe"):
        attempt(client, name)
    assert attempt(client, "alice", PASSWORD).status_code == 429


def test_a_forged_forwarded_for_header_does_not_escape_the_lockout(client, analyst):
    for i in range(LIMIT):
        attempt(client, "alice", HTTP_X_FORWARDED_FOR=f"192.0.2.{i}")
    response = attempt(client, "alice", PASSWORD, HTTP_X_FORWARDED_FOR="192.0.2.200")
    assert response.status_code == 429


def test_behind_our_proxy_the_forwarded_address_counts(analyst, settings):
    settings.TREATYWATCH_TRUSTED_PROXY_HOPS = 1
    proxy = Client(REMOTE_ADDR="10.0.0.1")
    for _ in range(LIMIT):
        attempt(proxy, "alice", HTTP_X_FORWARDED_FOR="203.0.113.9")
    locked = attempt(proxy, "alice", PASSWORD, HTTP_X_FORWARDED_FOR="203.0.113.9")
    assert locked.status_code == 429
    # Another client behind the same proxy is someone else; a spoofed left-most entry is ignored.
    other = attempt(proxy, "alice", PASSWORD, HTTP_X_FORWARDED_FOR="203.0.113.9, 198.51.100.7")
    assert other.status_code == 302


def test_the_lockout_ends_after_30_minutes(client, analyst):
    fail(client, "alice", LIMIT)
    assert attempt(client, "alice", PASSWORD).status_code == 429
    AccessAttempt.objects.update(attempt_time=timezone.now() - timedelta(minutes=31))
    assert attempt(client, "alice", PASSWORD).status_code == 302


def test_tries_during_the_lockout_do_not_extend_it(client, analyst):
    fail(client, "alice", LIMIT)
    twenty_minutes_ago = timezone.now() - timedelta(minutes=20)
    AccessAttempt.objects.update(attempt_time=twenty_minutes_ago)
    assert attempt(client, "alice", PASSWORD).status_code == 429
    assert attempt(client, "alice").status_code == 429
    assert AccessAttempt.objects.get().attempt_time == twenty_minutes_ago


def test_a_successful_sign_in_resets_the_count(client, analyst):
    fail(client, "alice", LIMIT - 1)
    assert attempt(client, "alice", PASSWORD).status_code == 302
    client.logout()
    fail(client, "alice", LIMIT - 1)
    assert attempt(client, "alice", PASSWORD).status_code == 302


def test_wrong_codes_count_towards_the_lockout(client, analyst, settings):
    settings.OTP_TOTP_THROTTLE_FACTOR = 0  # only axes slows down here
    give_authenticator(analyst)
    attempt(client, "alice", PASSWORD)
    responses = [
        client.post("/accounts/two-factor/verify/", {"code": "000000"}) for _ in range(LIMIT)
    ]
    assert responses[-1].status_code == 429
    # Locked: neither the password nor the right code signs in now.
    assert attempt(client, "alice", PASSWORD).status_code == 429
    client.post("/accounts/two-factor/verify/", {"code": code_for(analyst)})
    assert client.session.get("_auth_user_id") is None


def test_nothing_secret_is_kept_about_failures(client, analyst):
    fail(client, "alice", 2)
    attempt_row = AccessAttempt.objects.get()
    assert "wrong-password-here" not in attempt_row.post_data
    for event in AuditEvent.objects.filter(action="sign_in.failed"):
        assert event.detail == {"username": "alice"}
        assert "wrong-password-here" not in str(event.detail) + event.object_repr


def test_the_password_reset_still_works_during_a_lockout_and_reveals_nothing(client, analyst):
    fail(client, "alice", LIMIT)
    page = client.get("/accounts/login/")  # the form itself stays reachable
    assert page.status_code == 200
    known = client.post("/accounts/password_reset/", {"email": "alice@example.org"}, follow=True)
    unknown = client.post("/accounts/password_reset/", {"email": "zed@example.org"}, follow=True)
    outbox_send_due()  # the outbox worker sends what the requests queued
    assert len(mail.outbox) == 1
    assert known.redirect_chain == unknown.redirect_chain
    assert main_of(known) == main_of(unknown)

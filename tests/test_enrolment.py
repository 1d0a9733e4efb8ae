"""Enrolment links (issue 11 §1): an editor's first authenticator comes only through a one-time,
expiring link made by an operator or another editor — never from whoever knows the password.

Guards: each step of the way in (command → link → sign-in → set-up → spent); only the link's
hash is kept and the token leaves the address bar at once; the attacker cases: a password-only
editor cannot enrol, a link cannot be reused, an expired, cancelled or someone else's link is
refused (and recorded), a deactivated member's link is dead; an editor cannot make their own
link; an operator can reset a lost phone; analysts still set up two-factor themselves.
"""

import hashlib
import re
from datetime import timedelta
from io import StringIO

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import CommandError, call_command
from django.test import Client
from django.utils import timezone
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from provisions.models import AuditEvent, EnrolmentLink
from provisions.services.enrolment import (
    EnrolmentRefused,
    enrolment_complete,
    enrolment_link_create,
)
from provisions.services.members import member_deactivate
from provisions.services.two_factor import new_secret, two_factor_enable
from provisions.views.enrolment import LINK_SESSION_KEY, SETUP_KEY
from tests.helpers import PASSWORD, code_from_key, give_authenticator, make_member

pytestmark = pytest.mark.django_db


def link_from_command(username: str, *extra) -> str:
    out = StringIO()
    call_command("enrolment_link", username, "--site", "https://tw.example", *extra, stdout=out)
    url = out.getvalue().strip().splitlines()[-1]
    assert url.startswith("https://tw.example/accounts/enrol/")
    return url.removeprefix("https://tw.example")


def token_of(path: str) -> str:
    return re.fullmatch(r"/accounts/enrol/([^/]+)/", path).group(1)


def sign_in(client, username):
    return client.post("/accounts/login/", {"username": username, "password": PASSWORD})


def open_link_and_sign_in(path: str, username: str) -> Client:
    browser = Client()
    response = browser.get(path)
    assert (response.status_code, response["Location"]) == (302, "/accounts/enrol/")
    response = browser.get("/accounts/enrol/")
    assert response["Location"] == "/accounts/login/?next=/accounts/enrol/"
    response = browser.post(
        "/accounts/login/",
        {"username": username, "password": PASSWORD, "next": "/accounts/enrol/"},
    )
    assert response["Location"] == "/accounts/enrol/"
    return browser


def test_an_editor_enrols_with_a_link_from_the_operator(editor):
    path = link_from_command("erin")
    link = EnrolmentLink.objects.get(user=editor)
    assert link.created_by is None and link.used_at is None
    assert link.expires_at - timezone.now() > timedelta(hours=47)
    # Only the hash is kept.
    assert link.token_hash == hashlib.sha256(token_of(path).encode()).hexdigest()
    assert AuditEvent.objects.get(action="enrolment_link.created").actor is None

    browser = open_link_and_sign_in(path, "erin")
    page = browser.get("/accounts/enrol/")
    html = page.content.decode()
    assert page.status_code == 200 and "<svg" in html and 'action="/accounts/enrol/"' in html
    assert token_of(path) not in html  # the token is not repeated on the page
    key = browser.session[SETUP_KEY]
    response = browser.post("/accounts/enrol/", {"code": code_from_key(key)})
    assert response.status_code == 302
    assert response["Location"] == "/accounts/two-factor/recovery-codes/?next=%2Freview%2F"
    assert len(re.findall(r"<code>", browser.get(response["Location"]).content.decode())) == 10

    link.refresh_from_db()
    assert link.used_at is not None
    device = TOTPDevice.objects.get(user=editor, confirmed=True)
    assert browser.session[DEVICE_ID_SESSION_KEY] == device.persistent_id
    assert LINK_SESSION_KEY not in browser.session
    assert browser.get("/review/").status_code == 200
    actions = set(AuditEvent.objects.filter(actor=editor).values_list("action", flat=True))
    assert {"enrolment_link.used", "two_factor.enabled"} <= actions


def test_the_link_answers_the_same_for_any_token(client):
    good = Client().get("/accounts/enrol/" + "a" * 43 + "/")
    bad = Client().get("/accounts/enrol/not-a-token/")
    assert (good.status_code, good["Location"]) == (bad.status_code, bad["Location"])
    assert good["Location"] == "/accounts/enrol/"  # the token leaves the address bar


def test_a_password_only_editor_cannot_enrol_without_a_link(editor):
    browser = Client()
    sign_in(browser, "erin")
    assert browser.get("/accounts/two-factor/").status_code == 403
    assert browser.get("/accounts/enrol/").status_code == 200  # explains; sets nothing up
    assert SETUP_KEY not in browser.session
    assert browser.post("/accounts/enrol/", {"code": "123456"}).status_code == 200
    key = new_secret()
    with pytest.raises(PermissionDenied):
        two_factor_enable(user=editor, key=key, code=code_from_key(key))
    assert not TOTPDevice.objects.filter(user=editor).exists()


def test_a_link_works_once(editor):
    path = link_from_command("erin")
    token = token_of(path)
    key = new_secret()
    enrolment_complete(token=token, user=editor, key=key, code=code_from_key(key))
    TOTPDevice.objects.filter(user=editor).delete()
    StaticDevice.objects.filter(user=editor).delete()
    # Even with the devices gone, the spent link does not enrol again.
    key = new_secret()
    with pytest.raises(EnrolmentRefused):
        enrolment_complete(token=token, user=editor, key=key, code=code_from_key(key))
    assert not TOTPDevice.objects.filter(user=editor).exists()
    browser = open_link_and_sign_in(path, "erin")
    response = browser.get("/accounts/enrol/")
    assert response.status_code == 403 and "cannot be used" in response.content.decode()
    assert AuditEvent.objects.filter(action="enrolment_link.refused", actor=editor).count() == 2


def test_an_expired_link_is_refused(editor):
    path = link_from_command("erin")
    EnrolmentLink.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    browser = open_link_and_sign_in(path, "erin")
    response = browser.get("/accounts/enrol/")
    assert response.status_code == 403
    assert SETUP_KEY not in browser.session and LINK_SESSION_KEY not in browser.session
    assert browser.post("/accounts/enrol/", {"code": "123456"}).status_code == 200
    assert not TOTPDevice.objects.filter(user=editor).exists()
    assert AuditEvent.objects.filter(action="enrolment_link.refused").count() == 1


def test_someone_elses_link_is_refused_and_stays_theirs(editor):
    path = link_from_command("erin")
    make_member("frank", "Editors", "Frank Editor")
    browser = open_link_and_sign_in(path, "frank")
    response = browser.get("/accounts/enrol/")
    assert response.status_code == 403
    assert not TOTPDevice.objects.exists()
    event = AuditEvent.objects.get(action="enrolment_link.refused")
    assert event.actor.username == "frank" and token_of(path) not in str(event.detail)
    # Erin's link still works for her.
    assert EnrolmentLink.objects.get(user=editor).used_at is None
    erin = open_link_and_sign_in(path, "erin")
    assert erin.get("/accounts/enrol/").status_code == 200


def test_a_wrong_code_keeps_the_link(editor):
    path = link_from_command("erin")
    browser = open_link_and_sign_in(path, "erin")
    browser.get("/accounts/enrol/")
    key = browser.session[SETUP_KEY]
    wrong = f"{(int(code_from_key(key)) + 1) % 1000000:06d}"
    response = browser.post("/accounts/enrol/", {"code": wrong})
    assert response.status_code == 200 and "does not match" in response.content.decode()
    assert EnrolmentLink.objects.get(user=editor).used_at is None
    assert AuditEvent.objects.get(action="two_factor.failed").detail == {"during": "enrolment"}
    response = browser.post("/accounts/enrol/", {"code": code_from_key(key)})
    assert response.status_code == 302
    assert EnrolmentLink.objects.get(user=editor).used_at is not None


def test_a_new_link_cancels_the_earlier_one(editor):
    first = token_of(link_from_command("erin"))
    second = token_of(link_from_command("erin"))
    key = new_secret()
    with pytest.raises(EnrolmentRefused):
        enrolment_complete(token=first, user=editor, key=key, code=code_from_key(key))
    enrolment_complete(token=second, user=editor, key=key, code=code_from_key(key))
    assert TOTPDevice.objects.filter(user=editor, confirmed=True).count() == 1


def test_a_deactivated_members_link_is_dead(editor):
    token = token_of(link_from_command("erin"))
    member_deactivate(user=editor)
    key = new_secret()
    with pytest.raises(EnrolmentRefused):
        enrolment_complete(token=token, user=editor, key=key, code=code_from_key(key))
    assert not EnrolmentLink.objects.filter(user=editor).exists()
    with pytest.raises(CommandError, match="deactivated"):
        link_from_command("erin")


def test_who_may_make_a_link(editor, analyst):
    other = make_member("frank", "Editors", "Frank Editor")
    editor.is_verified = lambda: True  # as django-otp's middleware marks a verified session
    with pytest.raises(ValidationError):
        enrolment_link_create(user=editor, actor=editor)  # not for oneself
    with pytest.raises(PermissionDenied):
        enrolment_link_create(user=other, actor=analyst)
    with pytest.raises(PermissionDenied):
        enrolment_link_create(user=other, actor=editor, reset_devices=True)  # operators only
    editor.is_verified = lambda: False
    with pytest.raises(PermissionDenied):
        enrolment_link_create(user=other, actor=editor)  # a password-only editor session
    editor.is_verified = lambda: True
    link, _raw = enrolment_link_create(user=other, actor=editor)
    assert link.created_by == editor
    give_authenticator(other)
    with pytest.raises(ValidationError, match="already has two-factor"):
        enrolment_link_create(user=other, actor=editor)


def test_an_operator_resets_a_lost_phone(editor):
    give_authenticator(editor)
    with pytest.raises(CommandError, match="already has two-factor"):
        link_from_command("erin")
    path = link_from_command("erin", "--reset-devices")
    assert not TOTPDevice.objects.filter(user=editor).exists()
    assert not StaticDevice.objects.filter(user=editor).exists()
    assert AuditEvent.objects.filter(action="two_factor.reset").count() == 1
    browser = open_link_and_sign_in(path, "erin")
    browser.get("/accounts/enrol/")
    response = browser.post("/accounts/enrol/", {"code": code_from_key(browser.session[SETUP_KEY])})
    assert response.status_code == 302


def test_the_command_refuses_an_unknown_member(db):
    with pytest.raises(CommandError, match="No member"):
        link_from_command("nobody")


def test_analysts_still_set_up_two_factor_themselves(client, analyst):
    client.force_login(analyst)
    client.get("/accounts/two-factor/")
    key = client.session["treatywatch_2fa_setup_key"]
    response = client.post("/accounts/two-factor/", {"code": code_from_key(key)})
    assert response.status_code == 302
    assert TOTPDevice.objects.filter(user=analyst, confirmed=True).exists()


def test_create_member_points_a_new_editor_to_enrolment_links(db):
    out = StringIO()
    call_command(
        "create_member", "gail", "--email", "g@example.org", "--role", "editor", stdout=out
    )
    assert "enrolment_link gail" in out.getvalue()


# session, user, their authenticator and recovery codes (no second factor yet?), the link, their
# groups (the layout's navigation). The same for any number of links and members.
ENROL_PAGE_QUERIES = 6


def test_the_enrolment_page_costs_a_fixed_number_of_queries(editor, django_assert_num_queries):
    path = link_from_command("erin")
    for name in ("frank", "gail"):
        make_member(name, "Editors")
        link_from_command(name)
    browser = open_link_and_sign_in(path, "erin")
    browser.get("/accounts/enrol/")  # makes the secret
    with django_assert_num_queries(ENROL_PAGE_QUERIES):
        assert browser.get("/accounts/enrol/").status_code == 200

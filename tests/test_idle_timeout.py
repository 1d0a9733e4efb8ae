"""Idle sessions end: an editor after 30 minutes without a request, anyone else after 12 hours.

Time is moved on by replacing the middleware's clock (`provisions.middleware.idle_clock`).
"""

import pytest

from provisions import middleware
from provisions.middleware import IdleTimeoutMiddleware
from provisions.models import AuditEvent

pytestmark = pytest.mark.django_db

MINUTE = 60
HOUR = 60 * MINUTE


class Clock:
    def __init__(self, start: float = 1_800_000_000.0):
        self.now = start

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


@pytest.fixture
def clock(monkeypatch):
    fake = Clock()
    monkeypatch.setattr(middleware, "idle_clock", fake)
    return fake


def signed_in(client) -> bool:
    return "_auth_user_id" in client.session


def test_an_editor_idle_for_31_minutes_is_signed_out(client, clock, editor):
    client.force_login(editor)
    assert client.get("/review/").status_code == 200
    clock.advance(31 * MINUTE)
    response = client.get("/review/", follow=True)
    assert not signed_in(client)
    assert response.redirect_chain[0][0] == "/accounts/login/?next=/review/"
    html = response.content.decode()
    assert "You were signed out after 30 minutes without activity" in html
    event = AuditEvent.objects.get(action="sign_out")
    assert event.actor == editor and event.detail == {
        "reason": "idle",
        "type": "user",
        "id": editor.pk,
    }


def test_an_active_editor_stays_signed_in(client, clock, editor):
    client.force_login(editor)
    for _ in range(6):  # three hours, a request every 29 minutes
        clock.advance(29 * MINUTE)
        assert client.get("/review/").status_code == 200
    assert signed_in(client)


def test_an_analyst_may_be_idle_for_hours(client, clock, analyst):
    client.force_login(analyst)
    clock.advance(3 * HOUR)
    assert client.get("/workspace/").status_code == 200
    assert signed_in(client)


def test_an_analyst_idle_beyond_their_limit_is_signed_out(client, clock, analyst, settings):
    settings.TREATYWATCH_IDLE_TIMEOUT_MEMBER = 6 * HOUR  # shorter than a session's 12 hours
    client.force_login(analyst)
    clock.advance(6 * HOUR + MINUTE)
    response = client.get("/workspace/", follow=True)
    assert not signed_in(client)
    assert "You were signed out after 6 hours without activity" in response.content.decode()


def test_even_an_active_session_ends_after_12_hours(client, clock, analyst):
    client.force_login(analyst)
    for _ in range(12):
        clock.advance(HOUR)
        assert client.get("/workspace/").status_code == 200
    clock.advance(2 * MINUTE)
    response = client.get("/workspace/", follow=True)
    assert not signed_in(client)
    assert "a session lasts at most 12 hours" in response.content.decode()
    assert AuditEvent.objects.get(action="sign_out").detail["reason"] == "expired"


def test_a_public_page_after_the_timeout_is_served_anonymously(client, clock, editor):
    client.force_login(editor)
    clock.advance(31 * MINUTE)
    response = client.get("/")
    html = response.content.decode()
    assert response.status_code == 200
    assert "You were signed out after 30 minutes" in html
    assert 'href="/accounts/login/"' in html and ">Sign out<" not in html


def test_htmx_after_the_timeout_is_sent_to_sign_in(client, clock, editor):
    client.force_login(editor)
    clock.advance(31 * MINUTE)
    response = client.get(
        "/review/", headers={"HX-Request": "true", "HX-Current-URL": "http://testserver/review/"}
    )
    assert response.status_code == 401
    assert response["HX-Redirect"] == "/accounts/login/?next=/review/"


def test_a_post_after_the_timeout_changes_nothing(client, clock, editor, analyst):
    from provisions.models import Annotation, Provision
    from provisions.services import annotation_create

    submitted = annotation_create(
        provision=Provision.objects.get(eid="art_24"), author=analyst, body="x", status="submitted"
    )
    client.force_login(editor)
    clock.advance(31 * MINUTE)
    response = client.post(f"/review/annotations/{submitted.pk}/publish/")
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")
    submitted.refresh_from_db()
    assert submitted.status == Annotation.Status.SUBMITTED


def test_the_clock_starts_at_sign_in(client, clock, analyst):
    client.post("/accounts/login/", {"username": "alice", "password": "correct-horse-battery"})
    assert client.session[IdleTimeoutMiddleware.SESSION_KEY] == clock.now


def test_reading_pages_writes_the_session_at_most_once_a_minute(client, clock, editor):
    client.force_login(editor)
    start = client.session[IdleTimeoutMiddleware.SESSION_KEY]
    clock.advance(30)
    client.get("/review/")
    assert client.session[IdleTimeoutMiddleware.SESSION_KEY] == start
    clock.advance(40)
    client.get("/review/")
    assert client.session[IdleTimeoutMiddleware.SESSION_KEY] == start + 70


def test_the_limits_come_from_settings(client, clock, editor, settings):
    settings.TREATYWATCH_IDLE_TIMEOUT_EDITOR = 5 * MINUTE
    client.force_login(editor)
    clock.advance(6 * MINUTE)
    client.get("/review/")
    assert not signed_in(client)


def test_session_cookies_are_http_only_and_same_site(client, analyst):
    from django.conf import settings

    response = client.post(
        "/accounts/login/", {"username": "alice", "password": "correct-horse-battery"}
    )
    cookie = response.cookies[settings.SESSION_COOKIE_NAME]
    assert cookie["httponly"] is True and cookie["samesite"] == "Lax"
    assert settings.CSRF_COOKIE_HTTPONLY and settings.CSRF_COOKIE_SAMESITE == "Lax"

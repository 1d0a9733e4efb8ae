"""Password reset through the outbox (issue 11 §7).

The request never talks to the mail server and does the same work whether or not the address
has an account; `manage.py send_outbox` sends the mail with a fresh link, retries failures with
backoff and gives up after a number of attempts; production settings without a mail server fail
`check --deploy`.
"""

import io
import logging
import os
import re
import signal
import smtplib
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

import pytest
from django.core import mail
from django.core.mail.backends.locmem import EmailBackend
from django.core.management import CommandError, call_command
from django.db import OperationalError, connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from provisions.checks import check_mail_is_configured
from provisions.models import OutboxMessage
from provisions.services.outbox import outbox_purge, outbox_send_due, retry_delay

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parent.parent
RESET_LINK = re.compile(r"https?://testserver(/accounts/reset/[^/\s]+/[^/\s]+/)")


@pytest.fixture
def no_mail_in_requests(monkeypatch):
    """Any attempt to hand a message to the mail backend fails the test."""

    def refuse(self, messages):
        raise AssertionError("a request sent mail")

    monkeypatch.setattr(EmailBackend, "send_messages", refuse)


def ask_reset(client, email: str):
    response = client.post("/accounts/password_reset/", {"email": email})
    assert response.status_code == 302
    assert response["Location"] == "/accounts/password_reset/done/"
    return response


def test_a_reset_request_queues_the_mail_and_sends_nothing(client, analyst, no_mail_in_requests):
    ask_reset(client, "ALICE@example.org")  # the address in another case: still hers
    assert mail.outbox == []
    row = OutboxMessage.objects.get()
    assert (row.kind, row.status, row.user, row.to_email) == (
        "password_reset",
        "pending",
        analyst,
        "alice@example.org",
    )
    # The row holds no link or token: only the host name, scheme and language.
    assert set(row.context) == {"domain", "site_name", "protocol", "language"}


def test_an_unknown_address_is_answered_the_same_and_not_kept(client, no_mail_in_requests):
    ask_reset(client, "stranger@example.net")
    assert mail.outbox == []
    row = OutboxMessage.objects.get()
    assert row.user is None and row.to_email == "" and "stranger" not in str(row.context)


def test_known_and_unknown_addresses_cost_the_same_queries(client, analyst):
    """The answer time cannot tell them apart: the same statements, one INSERT each."""

    def statements(email):
        with CaptureQueriesContext(connection) as captured:
            ask_reset(client, email)
        # The statement kinds and tables, without the values.
        values = re.compile(r"'[^']*'|\b\d+\b|\bNULL\b")
        return [values.sub("?", query["sql"]) for query in captured.captured_queries]

    known = statements("alice@example.org")
    unknown = statements("nobody@example.org")
    assert known == unknown
    # Exactly: find the accounts, write the row.
    assert [sql.split()[0] for sql in known] == ["SELECT", "INSERT"]


def test_the_worker_sends_a_working_link(client, analyst):
    ask_reset(client, "alice@example.org")
    ask_reset(client, "nobody@example.org")
    call_command("send_outbox", "--once", stdout=(out := io.StringIO()))
    assert "1 sent" in out.getvalue() and "1 with no account" in out.getvalue()
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["alice@example.org"]
    path = RESET_LINK.search(message.body).group(1)
    # The link works: Django's confirm view swaps the token for its set-password page.
    response = client.get(path)
    assert response.status_code == 302 and response["Location"].endswith("/set-password/")
    statuses = sorted(OutboxMessage.objects.values_list("status", flat=True))
    assert statuses == ["discarded", "sent"]
    # Nothing is sent twice.
    call_command("send_outbox", "--once", stdout=io.StringIO())
    assert len(mail.outbox) == 1


@pytest.mark.parametrize(
    ("prefix", "subject", "words"),
    [
        ("", "Reset your TreatyWatch password", "Your username is alice."),
        (
            "/fr",
            "Réinitialisez votre mot de passe TreatyWatch",
            "Votre nom d'utilisateur est alice.",
        ),
        ("/ar", "إعادة تعيين كلمة مرورك في TreatyWatch", "اسم المستخدم الخاص بك هو alice."),
        ("/zh-hans", "重置您的 TreatyWatch 密码", "您的用户名是 alice。"),
    ],
)
def test_the_mail_speaks_the_language_it_was_asked_for_in(
    client, analyst, compiled_catalogues, prefix, subject, words
):
    """Sent in the language of the request that asked for it, whatever language the worker
    runs in, with a link that opens the set-password page in that language."""
    from django.utils import translation

    response = client.post(f"{prefix}/accounts/password_reset/", {"email": "alice@example.org"})
    assert response["Location"] == f"{prefix}/accounts/password_reset/done/"
    with translation.override("ru"):  # not the worker's language that counts
        outbox_send_due()
    message = mail.outbox[0]
    assert message.subject == subject and words in message.body
    assert message.extra_headers["Content-Language"] == (prefix.strip("/") or "en")
    path = re.search(r"https?://testserver(/\S+/)", message.body).group(1)
    assert path.startswith(f"{prefix}/accounts/reset/")
    set_password = client.get(path, follow=True)
    assert set_password.status_code == 200
    assert f'lang="{prefix.strip("/").replace("hans", "Hans") or "en"}"' in set_password.text


def test_a_failure_is_retried_with_backoff_then_given_up(client, analyst, monkeypatch, caplog):
    ask_reset(client, "alice@example.org")

    def down(self, messages):
        raise smtplib.SMTPServerDisconnected("Connection unexpectedly closed")

    monkeypatch.setattr(EmailBackend, "send_messages", down)
    row = OutboxMessage.objects.get()
    for attempt in range(1, 4):
        before = timezone.now()
        assert outbox_send_due(max_attempts=4) == {"retry": 1}
        row.refresh_from_db()
        assert row.status == "pending" and row.attempts == attempt
        assert "SMTPServerDisconnected" in row.last_error
        # 1, 2, 4 minutes
        assert row.next_attempt_at >= before + timedelta(minutes=2 ** (attempt - 1))
        assert outbox_send_due(max_attempts=4) == {}  # not due yet
        OutboxMessage.objects.filter(pk=row.pk).update(next_attempt_at=timezone.now())
    assert outbox_send_due(max_attempts=4) == {"failed": 1}
    row.refresh_from_db()
    assert row.status == "failed" and row.attempts == 4 and row.finished_at is not None
    assert any(
        r.levelno == logging.ERROR and "failed after 4" in r.getMessage() for r in caplog.records
    )


def test_a_retry_succeeds_once_the_server_is_back(client, analyst, monkeypatch):
    ask_reset(client, "alice@example.org")
    real = EmailBackend.send_messages
    monkeypatch.setattr(EmailBackend, "send_messages", lambda self, m: 1 / 0)
    assert outbox_send_due() == {"retry": 1}
    monkeypatch.setattr(EmailBackend, "send_messages", real)
    OutboxMessage.objects.update(next_attempt_at=timezone.now())
    assert outbox_send_due() == {"sent": 1}
    assert len(mail.outbox) == 1
    row = OutboxMessage.objects.get()
    assert row.attempts == 2 and row.last_error == ""


def test_the_backoff_doubles_up_to_an_hour():
    assert [retry_delay(n).total_seconds() for n in (1, 2, 3, 7, 20)] == [60, 120, 240, 3600, 3600]


def test_the_link_is_never_logged(client, analyst, caplog):
    ask_reset(client, "alice@example.org")
    with caplog.at_level(logging.DEBUG, logger="provisions"):
        outbox_send_due()
    token_path = RESET_LINK.search(mail.outbox[0].body).group(1)
    logged = "\n".join(r.getMessage() for r in caplog.records)
    assert "sent" in logged  # the worker does say what it did…
    assert token_path not in logged and "alice@example.org" not in logged  # …and only that


def test_nothing_is_sent_to_an_account_that_changed_before_sending(client, analyst):
    ask_reset(client, "alice@example.org")
    analyst.email = "alice@new.example.org"
    analyst.save()
    assert outbox_send_due() == {"discarded": 1}
    ask_reset(client, "alice@new.example.org")
    analyst.is_active = False
    analyst.save()
    assert outbox_send_due() == {"discarded": 1}
    assert mail.outbox == []


def test_finished_rows_are_forgotten_after_a_week(client, analyst):
    ask_reset(client, "alice@example.org")
    outbox_send_due()
    assert outbox_purge() == 0
    OutboxMessage.objects.update(finished_at=timezone.now() - timedelta(days=8))
    assert outbox_purge() == 1 and not OutboxMessage.objects.exists()


def test_the_command_refuses_nonsense_arguments():
    with pytest.raises(CommandError):
        call_command("send_outbox", "--once", "--max-attempts", "0")


# --- The system check -----------------------------------------------------------------------

SMTP = "django.core.mail.backends.smtp.EmailBackend"


@pytest.mark.parametrize(
    ("debug", "mailers", "fires"),
    [
        (False, {"default": {"BACKEND": SMTP}}, True),  # production, no DJANGO_EMAIL_HOST
        (False, {"default": {"BACKEND": SMTP, "OPTIONS": {"host": ""}}}, True),
        (False, {"default": {"BACKEND": "django.core.mail.backends.console.EmailBackend"}}, True),
        (False, {"default": {"BACKEND": SMTP, "OPTIONS": {"host": "mail.example.org"}}}, False),
        (True, {"default": {"BACKEND": SMTP}}, False),  # development: the console is fine
    ],
)
def test_the_mail_check(debug, mailers, fires):
    with override_settings(DEBUG=debug, MAILERS=mailers):
        errors = check_mail_is_configured(None)
    assert [e.id for e in errors] == (["provisions.E002"] if fires else [])


def _check_deploy(extra: dict) -> subprocess.CompletedProcess:
    env = {
        "PATH": os.environ["PATH"],
        "DJANGO_SETTINGS_MODULE": "treatywatch.settings",
        "DJANGO_SECRET_KEY": "a-long-random-production-secret-0f9e8d7c6b5a4f3e2d1c0b9a8f7e6d5c",
        "DJANGO_ALLOWED_HOSTS": "treatywatch.example.org",
        **extra,
    }
    return subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_production_settings_without_a_mail_server_fail_the_deploy_check(tmp_path):
    database = {"DATABASE_URL": f"sqlite:///{tmp_path / 'deploy.sqlite3'}"}
    refused = _check_deploy(database)
    assert refused.returncode != 0 and "provisions.E002" in refused.stderr + refused.stdout
    passed = _check_deploy({**database, "DJANGO_EMAIL_HOST": "mail.example.org"})
    assert passed.returncode == 0, passed.stderr + passed.stdout


# --- The worker's loop ----------------------------------------------------------------------


@pytest.fixture
def stop_after_first_pause(monkeypatch):
    """The loop's signal handlers, recorded; the first pause between two looks at the outbox
    delivers SIGTERM to them, as systemd stopping the service would."""
    handlers = {}
    monkeypatch.setattr(
        signal, "signal", lambda signum, handler: handlers.update({signum: handler})
    )

    def pause(seconds):
        handlers[signal.SIGTERM](signal.SIGTERM, None)

    monkeypatch.setattr(time, "sleep", pause)
    return handlers


# The loop calls close_old_connections() as a long-running process must. Inside a test's
# transaction (autocommit off) Django treats the connection as unusable and closes it, which
# PostgreSQL then reports as an outage; a transactional test runs the loop as production does.
@pytest.mark.django_db(transaction=True)
def test_the_loop_sends_and_stops_on_sigterm(client, analyst, stop_after_first_pause):
    ask_reset(client, "alice@example.org")
    call_command("send_outbox", "--interval", "5", stdout=(out := io.StringIO()))
    assert set(stop_after_first_pause) == {signal.SIGTERM, signal.SIGINT}
    assert len(mail.outbox) == 1 and "1 sent" in out.getvalue()


def test_the_loop_outlives_a_database_outage(analyst, stop_after_first_pause, monkeypatch):
    def outage(**kwargs):
        raise OperationalError("server closed the connection unexpectedly")

    monkeypatch.setattr("provisions.services.outbox.outbox_send_due", outage)
    call_command("send_outbox", stdout=io.StringIO(), stderr=(err := io.StringIO()))
    assert "the database did not answer (OperationalError)" in err.getvalue()

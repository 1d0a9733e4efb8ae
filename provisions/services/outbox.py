"""Mail through the outbox: a request writes one row, `manage.py send_outbox` sends it.

- `password_reset_enqueue` is all a password-reset request does besides finding the accounts:
  one INSERT, whether or not the address has an account, so neither a slow mail server nor the
  time taken can tell a visitor which addresses are members'.
- `outbox_send_due` sends what is due, one row at a time under a row lock (two workers never
  send the same row), retries a failure after 1, 2, 4, 8… minutes, and gives up after
  `MAX_ATTEMPTS`. The reset link is made here, at sending time, so it is never stored.
- `outbox_purge` forgets finished rows after `KEEP_DAYS`.

Logs name a row by its number and kind, never its address or link.
"""

import logging
from collections import Counter
from datetime import timedelta

from django.conf import settings
from django.contrib.auth.tokens import default_token_generator
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from provisions.models import OutboxMessage

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 6  # with the backoff below: the last try about half an hour after the request
FIRST_RETRY_SECONDS = 60
MAX_RETRY_SECONDS = 60 * 60
BATCH = 50
KEEP_DAYS = 7
MAX_ERROR_CHARS = 300

RESET_SUBJECT_TEMPLATE = "registration/password_reset_subject.txt"
RESET_BODY_TEMPLATE = "registration/password_reset_email.html"


def password_reset_enqueue(
    *, users, domain: str, site_name: str, use_https: bool
) -> list[OutboxMessage]:
    """Queue a password-reset mail for each of `users` (the accounts an address belongs to),
    to their own address.

    With no account, one row without recipient is written all the same, which the worker
    discards: the request does the same work either way, and a typed address that is not a
    member's is not kept.
    """
    now = timezone.now()
    context = {
        "domain": domain,
        "site_name": site_name,
        "protocol": "https" if use_https else "http",
        "language": translation.get_language() or settings.LANGUAGE_CODE,
    }
    rows = [
        OutboxMessage(
            kind=OutboxMessage.Kind.PASSWORD_RESET,
            user=user,
            to_email=getattr(user, user.get_email_field_name()),
            context=context,
            next_attempt_at=now,
        )
        for user in users
    ] or [
        OutboxMessage(kind=OutboxMessage.Kind.PASSWORD_RESET, context=context, next_attempt_at=now)
    ]
    return OutboxMessage.objects.bulk_create(rows)


def _may_reset(user, address: str) -> bool:
    """Still the account the request was for: active, with a password, at the same address."""
    current = getattr(user, user.get_email_field_name(), "") or ""
    return (
        user.is_active and user.has_usable_password() and current.casefold() == address.casefold()
    )


def _password_reset_mail(row: OutboxMessage) -> EmailMultiAlternatives | None:
    """The mail for `row`, with a fresh reset link, or None when there is nothing to send."""
    user = row.user
    if user is None or not row.to_email or not _may_reset(user, row.to_email):
        return None
    context = {
        **row.context,
        "email": row.to_email,
        "user": user,
        "uid": urlsafe_base64_encode(force_bytes(user.pk)),
        "token": default_token_generator.make_token(user),
    }
    # The mail speaks the language of the request that asked for it (kept in the row), not the
    # worker's: members have no language preference stored, and whoever asks for a reset is
    # reading the site in the language they want to be written to in (docs/translations.md).
    language = row.context.get("language") or settings.LANGUAGE_CODE
    with translation.override(language):
        # A subject is one line (a header); Django's own reset form does the same.
        subject = "".join(render_to_string(RESET_SUBJECT_TEMPLATE, context).splitlines())
        body = render_to_string(RESET_BODY_TEMPLATE, context)
    return EmailMultiAlternatives(
        subject,
        body,
        settings.DEFAULT_FROM_EMAIL,
        [row.to_email],
        headers={"Content-Language": translation.to_language(language)},
    )


BUILDERS = {OutboxMessage.Kind.PASSWORD_RESET: _password_reset_mail}


def retry_delay(attempts: int) -> timedelta:
    """How long to wait after the `attempts`-th failure: 1, 2, 4, 8… minutes, at most an hour."""
    return timedelta(seconds=min(FIRST_RETRY_SECONDS * 2 ** (attempts - 1), MAX_RETRY_SECONDS))


def _finish(row: OutboxMessage, status: str, now) -> str:
    row.status = status
    row.finished_at = now
    row.save(update_fields=["status", "attempts", "finished_at", "last_error"])
    return status


def _send_one(pk: int, *, max_attempts: int) -> str:
    """Send one due row; what became of it: sent, retry, failed, discarded or skipped."""
    with transaction.atomic():
        row = (
            OutboxMessage.objects.select_for_update(skip_locked=True, of=("self",))
            .select_related("user")
            .filter(pk=pk, status=OutboxMessage.Status.PENDING)
            .first()
        )
        if row is None:
            return "skipped"  # another worker holds it, or it is done
        now = timezone.now()
        message = BUILDERS[row.kind](row)
        if message is None:
            return _finish(row, OutboxMessage.Status.DISCARDED, now)
        row.attempts += 1
        try:
            message.send()
        except Exception as error:  # whatever the mail server or the network did
            row.last_error = f"{type(error).__name__}: {error}"[:MAX_ERROR_CHARS]
            if row.attempts >= max_attempts:
                logger.error(
                    "Outbox: %s #%s failed after %s attempts (%s)",
                    row.kind,
                    row.pk,
                    row.attempts,
                    type(error).__name__,
                )
                return _finish(row, OutboxMessage.Status.FAILED, now)
            row.next_attempt_at = now + retry_delay(row.attempts)
            row.save(update_fields=["attempts", "next_attempt_at", "last_error"])
            logger.warning(
                "Outbox: %s #%s attempt %s failed (%s); next try at %s",
                row.kind,
                row.pk,
                row.attempts,
                type(error).__name__,
                row.next_attempt_at.isoformat(timespec="seconds"),
            )
            return "retry"
        row.last_error = ""
        logger.info("Outbox: %s #%s sent", row.kind, row.pk)
        return _finish(row, OutboxMessage.Status.SENT, now)


def outbox_send_due(*, max_attempts: int = MAX_ATTEMPTS, batch: int = BATCH) -> Counter:
    """Send up to `batch` rows whose time has come; count what became of them."""
    due = (
        OutboxMessage.objects.filter(
            status=OutboxMessage.Status.PENDING, next_attempt_at__lte=timezone.now()
        )
        .order_by("next_attempt_at", "pk")
        .values_list("pk", flat=True)[:batch]
    )
    outcomes = Counter()
    for pk in list(due):
        outcomes[_send_one(pk, max_attempts=max_attempts)] += 1
    return outcomes


def outbox_purge(*, keep_days: int = KEEP_DAYS) -> int:
    """Delete rows finished more than `keep_days` ago; return how many."""
    cutoff = timezone.now() - timedelta(days=keep_days)
    deleted, _by_model = OutboxMessage.objects.filter(finished_at__lt=cutoff).delete()
    return deleted

"""Mail waiting to be sent: written by a request, sent by `manage.py send_outbox`.

A request never talks to the mail server. It writes one row and answers; the worker command
sends, retries with backoff and records the outcome. So a slow or failing mail server cannot
stall a worker, and a password-reset request costs the same whether or not the address has an
account (one row either way: with no recipient when it has none, which the worker discards).

A row holds no secret: a password-reset link is made by the worker at the moment it sends, so
the table (and its backups) never holds a link that could be used.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class OutboxMessage(models.Model):
    class Kind(models.TextChoices):
        PASSWORD_RESET = "password_reset", _("password reset")

    class Status(models.TextChoices):
        PENDING = "pending", _("waiting")
        SENT = "sent", _("sent")
        FAILED = "failed", _("failed")
        # A request for an address without an account: nothing to send.
        DISCARDED = "discarded", _("discarded")

    kind = models.CharField(_("kind"), max_length=30, choices=Kind.choices)
    # The member the mail is for; none when the address typed has no account.
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
    )
    # What the mail needs besides the member: the site's host name and scheme, never a secret.
    context = models.JSONField(_("context"), default=dict, blank=True)
    # The address the request named, checked again when sending; blank with no account.
    to_email = models.EmailField(_("to"), blank=True)
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.PENDING
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    # The worker picks pending rows whose time has come; a failure moves it on (backoff).
    next_attempt_at = models.DateTimeField(_("next attempt at"))
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    # The kind of the last error (e.g. "SMTPServerDisconnected: …"), cut short; never the mail.
    last_error = models.CharField(_("last error"), max_length=300, blank=True)

    class Meta:
        ordering = ["next_attempt_at", "pk"]
        indexes = [models.Index(fields=["status", "next_attempt_at"], name="outbox_due")]
        verbose_name = _("outgoing mail")
        verbose_name_plural = _("outgoing mail")

    def __str__(self):
        return f"{self.kind} #{self.pk} ({self.status})"

"""What TreatyWatch keeps about a member beyond Django's user: public name, API tokens, audit."""

from django.conf import settings
from django.db import models
from django.db.models.functions import Lower
from django.utils.translation import gettext_lazy as _

from provisions.public_names import public_name


class Member(models.Model):
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="member"
    )
    # The member's public name, shown beside their work (rule: provisions.public_names). Blank
    # means they have not chosen one and appear as "A TreatyWatch member".
    display_name = models.CharField(_("public name"), max_length=100, blank=True)
    # Workspace badges count what happened to the member's work after this moment.
    workspace_seen_at = models.DateTimeField(_("workspace last seen"), null=True, blank=True)

    class Meta:
        constraints = [
            # No two members share a public name, whatever its case ("" is not a name).
            models.UniqueConstraint(
                Lower("display_name"),
                condition=~models.Q(display_name=""),
                name="member_public_name_unique",
            )
        ]
        verbose_name = _("member")
        verbose_name_plural = _("members")

    def __str__(self):
        return public_name(self.user)


class ApiToken(models.Model):
    """A personal API token. It carries the powers its owner had at the strength they proved
    when it was made (provisions/services/tokens.py), and only for a limited time."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens"
    )
    name = models.CharField(_("name"), max_length=100)
    # Only a SHA-256 of the token is stored; the prefix lets a member recognise it in a list.
    token_hash = models.CharField(_("token hash"), max_length=64, unique=True)
    prefix = models.CharField(_("prefix"), max_length=12)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    expires_at = models.DateTimeField(_("expires at"))
    last_used_at = models.DateTimeField(_("last used at"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)
    # Why it was revoked: "owner", "password_changed", "authenticator_replaced", "group_left".
    revoked_reason = models.CharField(_("revoked because"), max_length=40, blank=True)
    # Made from a session that had passed the second factor.
    two_factor_verified = models.BooleanField(_("made after two-factor sign-in"), default=False)
    # Publishes and approves through the API. Only a token made by an editor whose session had
    # passed the second factor; never gained later (joining Editors, verifying afterwards).
    editor_powers = models.BooleanField(_("carries editor powers"), default=False)
    # Which password the token was made under (a SHA-256 of the stored password hash): when the
    # password changes by any route, the token stops working even if nothing revoked it.
    password_fingerprint = models.CharField(_("password fingerprint"), max_length=64)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(editor_powers=False) | models.Q(two_factor_verified=True),
                name="api_token_editor_powers_need_two_factor",
            )
        ]

    def __str__(self):
        return f"{self.name} ({self.prefix}…)"


class AuditEvent(models.Model):
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    action = models.CharField(_("action"), max_length=60, db_index=True)
    object_repr = models.CharField(_("object"), max_length=300, blank=True)
    detail = models.JSONField(_("detail"), default=dict, blank=True)
    ip_address = models.GenericIPAddressField(_("IP address"), null=True, blank=True)
    created_at = models.DateTimeField(_("at"), auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("audit event")
        verbose_name_plural = _("audit events")

    def __str__(self):
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.action}"

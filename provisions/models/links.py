"""ProvisionLink: a concern or a safeguard demand tied to a provision, with its review state."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from .statement import Concern, SafeguardDemand
from .treaty import Provision


class ProvisionLinkQuerySet(models.QuerySet):
    def approved(self):
        return self.filter(status=ProvisionLink.Status.APPROVED)

    def public(self):
        """Only approved links are ever shown to readers."""
        return self.approved()

    def visible_to(self, user):
        """Readers see approved links; analysts also proposals (team review) and their own
        rejected ones; editors every link."""
        from provisions import roles

        if roles.is_editor(user):
            return self.all()
        if roles.is_analyst(user):
            return self.filter(
                models.Q(status__in=[ProvisionLink.Status.APPROVED, ProvisionLink.Status.PROPOSED])
                | models.Q(proposed_by=user)
            )
        return self.public()

    def with_targets(self):
        return self.select_related(
            "provision__article__chapter", "concern", "demand", "proposed_by", "reviewed_by"
        )


class ProvisionLink(models.Model):
    class Kind(models.TextChoices):
        # Kinds for a concern …
        RAISES = "raises", _("Raises this concern")
        MITIGATES = "mitigates", _("Partly answers the concern")
        # … and kinds for a safeguard demand (KINDS_BY_TARGET says which is which).
        SAFEGUARD_APPLIES = "safeguard_applies", _("Where this safeguard applies")
        FAILS_SAFEGUARD = "lacks_safeguard", _("Lacks this safeguard")
        PARTLY_MEETS = "partly_meets", _("Partly meets this safeguard")

    # A kind belongs to its target: the one rule the services, forms, API, importer and the
    # database constraint below all follow.
    CONCERN_KINDS = (Kind.RAISES, Kind.MITIGATES)
    DEMAND_KINDS = (Kind.SAFEGUARD_APPLIES, Kind.FAILS_SAFEGUARD, Kind.PARTLY_MEETS)

    class Confidence(models.TextChoices):
        HIGH = "high", _("High")
        MEDIUM = "medium", _("Medium")
        LOW = "low", _("Low")

    class Status(models.TextChoices):
        PROPOSED = "proposed", _("Proposed")
        APPROVED = "approved", _("Approved")
        REJECTED = "rejected", _("Rejected")

    provision = models.ForeignKey(Provision, on_delete=models.PROTECT, related_name="links")
    concern = models.ForeignKey(
        Concern, on_delete=models.CASCADE, related_name="links", null=True, blank=True
    )
    demand = models.ForeignKey(
        SafeguardDemand, on_delete=models.CASCADE, related_name="links", null=True, blank=True
    )
    kind = models.CharField(_("kind"), max_length=30, choices=Kind.choices, default=Kind.RAISES)
    rationale = models.TextField(_("rationale"))
    sources = models.JSONField(_("sources"), default=list, blank=True)
    confidence = models.CharField(
        _("confidence"), max_length=10, choices=Confidence.choices, default=Confidence.MEDIUM
    )
    locator_hint = models.CharField(
        _("where in the article"), max_length=300, blank=True, help_text=_("e.g. paragraph 2")
    )
    # Editorial links come from the coalition-statement mapping, not from an analyst.
    is_editorial = models.BooleanField(_("editorial mapping"), default=False)
    # Set by the re-anchoring of an import when the linked provision disappeared.
    needs_review = models.BooleanField(_("needs review"), default=False)

    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PROPOSED
    )
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="proposed_links",
    )
    proposed_at = models.DateTimeField(_("proposed at"), auto_now_add=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="reviewed_links",
    )
    reviewed_at = models.DateTimeField(_("reviewed at"), null=True, blank=True)
    review_note = models.TextField(_("review note"), blank=True)
    version = models.PositiveIntegerField(_("version"), default=1)

    objects = ProvisionLinkQuerySet.as_manager()

    class Meta:
        ordering = ["provision__position", "pk"]
        verbose_name = _("provision link")
        verbose_name_plural = _("provision links")
        constraints = [
            models.CheckConstraint(
                condition=(
                    models.Q(concern__isnull=False, demand__isnull=True)
                    | models.Q(concern__isnull=True, demand__isnull=False)
                ),
                name="link_exactly_one_target",
            ),
            models.CheckConstraint(
                condition=models.Q(status__in=["proposed", "approved", "rejected"]),
                name="link_status_valid",
            ),
            models.CheckConstraint(
                condition=(
                    models.Q(concern__isnull=False, kind__in=["raises", "mitigates"])
                    | models.Q(
                        demand__isnull=False,
                        kind__in=["safeguard_applies", "lacks_safeguard", "partly_meets"],
                    )
                ),
                name="link_kind_fits_target",
            ),
            models.CheckConstraint(
                condition=models.Q(confidence__in=["high", "medium", "low"]),
                name="link_confidence_valid",
            ),
            # A reviewed link names its reviewer and the time.
            models.CheckConstraint(
                condition=models.Q(status="proposed") | models.Q(reviewed_at__isnull=False),
                name="link_reviewed_has_time",
            ),
        ]
        indexes = [models.Index(fields=["status", "provision"])]

    def __str__(self):
        target = self.concern or self.demand
        return f"{target} → {self.provision.citation}"

    @property
    def target(self):
        return self.concern if self.concern_id else self.demand

    @classmethod
    def kinds_for(cls, *, is_concern: bool) -> tuple:
        """The kinds a link to a concern (or else to a safeguard demand) may have."""
        return cls.CONCERN_KINDS if is_concern else cls.DEMAND_KINDS

    @classmethod
    def grouped_kind_choices(cls) -> list:
        """Choices for a form's drop-down, grouped by the target they belong to."""
        return [
            (_("For a concern"), [(k.value, k.label) for k in cls.CONCERN_KINDS]),
            (_("For a safeguard demand"), [(k.value, k.label) for k in cls.DEMAND_KINDS]),
        ]

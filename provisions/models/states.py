"""Where the states stand: the parties that may sign the Convention, what each has done
(signature, ratification…), the declarations and reservations they made, and how far each has
committed to the coalition's safeguard demands.

Parties and their treaty actions are facts reported by public sources (each row says which, and
how sure it is); they are written by the seed and by `import_treaty_status`
(provisions/services/treaty_status.py), never typed in by hand.
"""

from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from provisions import country_names

from .statement import SafeguardDemand
from .treaty import Provision
from .workflow import ReviewedQuerySet, ReviewedWork


class Region(models.TextChoices):
    """The five regions of the UN Statistics Division's M49 standard, labelled as M49 names them
    in English. Pages in other languages name them from CLDR (provisions/country_names.py), not
    from our catalogues."""

    AFRICA = "africa", "Africa"
    AMERICAS = "americas", "Americas"
    ASIA = "asia", "Asia"
    EUROPE = "europe", "Europe"
    OCEANIA = "oceania", "Oceania"


class PartyQuerySet(models.QuerySet):
    def with_actions(self):
        """Each party with its treaty actions in date order (two queries for any number)."""
        return self.prefetch_related(
            models.Prefetch("actions", queryset=TreatyAction.objects.order_by("date", "pk"))
        )


class Party(models.Model):
    """A State (UN member or observer) or a regional economic integration organisation."""

    class Kind(models.TextChoices):
        STATE = "state", _("UN member State")
        OBSERVER = "observer", _("UN observer State")
        REIO = "reio", _("Regional economic integration organisation")

    # ISO 3166-1 alpha-3 in capitals; "EUU" for the European Union.
    code = models.CharField(_("code"), max_length=3, unique=True)
    # ISO 3166-1 alpha-2 in lower case: the key of the world map's shapes; blank for the EU.
    alpha2 = models.CharField(_("ISO alpha-2 code"), max_length=2, blank=True)
    name = models.CharField(_("name"), max_length=120)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    region = models.CharField(_("region (M49)"), max_length=10, choices=Region.choices, blank=True)
    subregion = models.CharField(_("sub-region (M49)"), max_length=60, blank=True)
    # Article 65(1): an organisation's instrument does not count in addition to its members'.
    counts_towards_entry_into_force = models.BooleanField(
        _("counts towards entry into force"), default=True
    )

    objects = PartyQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        verbose_name = _("party")
        verbose_name_plural = _("parties")
        constraints = [
            models.CheckConstraint(
                condition=Q(code__regex=r"^[A-Z]{3}$"), name="party_code_alpha3"
            ),
            models.CheckConstraint(
                condition=~Q(kind="reio") | Q(counts_towards_entry_into_force=False),
                name="party_reio_does_not_count",
            ),
        ]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("provisions:state", kwargs={"code": self.slug})

    # The names pages show, in the reader's language; `name` and `subregion` stay the stored
    # English that the API and exports carry.
    @property
    def display_name(self) -> str:
        return country_names.party_name(self)

    @property
    def region_name(self) -> str:
        return country_names.region_name(self.region, self.get_region_display())

    @property
    def subregion_name(self) -> str:
        return country_names.subregion_name(self.subregion)

    @property
    def slug(self) -> str:
        return self.code.lower()


class Confidence(models.TextChoices):
    CONFIRMED = "confirmed", _("Confirmed")
    REPORTED = "reported", _("Reported")


class SourcedFact(models.Model):
    """What treaty actions and declarations share: a party, a kind and a date, as a source
    reported it (and how sure that is), perhaps with the depositary's notification."""

    date = models.DateField(_("date"))
    reference = models.CharField(_("depositary notification"), max_length=100, blank=True)
    source = models.URLField(_("source"), max_length=500)
    confidence = models.CharField(
        _("confidence"), max_length=10, choices=Confidence.choices, default=Confidence.REPORTED
    )
    # Fictional demo rows (seed --demo); every page that shows one says so.
    is_demo = models.BooleanField(_("demo data"), default=False)
    created_at = models.DateTimeField(_("recorded at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("changed at"), auto_now=True)

    class Meta:
        abstract = True
        ordering = ["date", "pk"]
        indexes = [models.Index(fields=["-updated_at"], name="%(class)s_updated")]

    def __str__(self):
        return f"{self.party.code} {self.kind} {self.date}"


class TreatyAction(SourcedFact):
    """One step a party took under Article 64 (or a denunciation), as a source reported it."""

    class Kind(models.TextChoices):
        SIGNATURE = "signature", _("Signature")
        RATIFICATION = "ratification", _("Ratification")
        ACCEPTANCE = "acceptance", _("Acceptance")
        APPROVAL = "approval", _("Approval")
        ACCESSION = "accession", _("Accession")
        SUCCESSION = "succession", _("Succession")
        DENUNCIATION = "denunciation", _("Denunciation")

    # Instruments that make a party bound (Article 64); the first four count towards the forty
    # of Article 65(1).
    CONSENT = ("ratification", "acceptance", "approval", "accession", "succession")
    COUNTING = ("ratification", "acceptance", "approval", "accession")

    party = models.ForeignKey(Party, on_delete=models.PROTECT, related_name="actions")
    kind = models.CharField(_("action"), max_length=20, choices=Kind.choices)
    note = models.TextField(_("note"), blank=True)

    class Meta(SourcedFact.Meta):
        verbose_name = _("treaty action")
        verbose_name_plural = _("treaty actions")
        constraints = [
            models.UniqueConstraint(
                fields=["party", "kind", "date"], name="treaty_action_party_kind_date"
            ),
        ]


class Declaration(SourcedFact):
    """A declaration, reservation, notification, objection or withdrawal by a party."""

    class Kind(models.TextChoices):
        DECLARATION = "declaration", _("Declaration")
        RESERVATION = "reservation", _("Reservation")
        NOTIFICATION = "notification", _("Notification")
        OBJECTION = "objection", _("Objection")
        WITHDRAWAL = "withdrawal", _("Withdrawal")

    party = models.ForeignKey(Party, on_delete=models.PROTECT, related_name="declarations")
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    text = models.TextField(_("text (Markdown)"), blank=True)
    # Sanitised HTML rendered from text by the import service; never from anything else.
    text_html = models.TextField(_("rendered text"), blank=True, editable=False)
    provisions = models.ManyToManyField(Provision, related_name="declarations", blank=True)
    # The provisions' eids, sorted and space-separated: with party, kind and date, what makes a
    # row of the import the same declaration on a second run.
    provisions_key = models.CharField(_("provisions concerned"), max_length=500, blank=True)

    class Meta(SourcedFact.Meta):
        verbose_name = _("declaration or reservation")
        verbose_name_plural = _("declarations and reservations")
        constraints = [
            models.UniqueConstraint(
                fields=["party", "kind", "date", "provisions_key"],
                name="declaration_natural_key",
            ),
        ]


class CommitmentQuerySet(ReviewedQuerySet):
    def for_display(self):
        return self.select_related("party", "demand", "author__member")


class Commitment(ReviewedWork):
    """How far a party has committed to one of the coalition's safeguard demands, with its
    evidence. Analysts propose, editors publish: the workflow, history and visibility of
    annotations (models/workflow.py). The scorecard shows, per party and demand, the most
    recently published one; without any, "unknown"."""

    class Level(models.TextChoices):
        COMMITTED = "committed", _("Committed")
        PARTLY = "partly", _("Partly committed")
        NONE = "none", _("No commitment")
        CONTRARY = "contrary", _("Contrary")
        UNKNOWN = "unknown", _("Unknown")

    party = models.ForeignKey(Party, on_delete=models.PROTECT, related_name="commitments")
    demand = models.ForeignKey(
        SafeguardDemand, on_delete=models.PROTECT, related_name="commitments"
    )
    level = models.CharField(
        _("commitment"), max_length=10, choices=Level.choices, default=Level.UNKNOWN
    )
    evidence_url = models.URLField(_("evidence (web address)"), max_length=500, blank=True)
    quote = models.TextField(_("quote"), blank=True)
    evidence_date = models.DateField(_("date of the evidence"), null=True, blank=True)

    objects = CommitmentQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("commitment")
        verbose_name_plural = _("commitments")
        constraints = [
            models.CheckConstraint(
                condition=~Q(status="published") | Q(published_at__isnull=False),
                name="commitment_published_has_time",
            ),
        ]
        indexes = [models.Index(fields=["status", "party", "demand", "-published_at"])]

    def __str__(self):
        return f"{self.party.code} · {self.demand.slug}: {self.level}"

    def get_absolute_url(self):
        return reverse("provisions:commitment", kwargs={"pk": self.pk})

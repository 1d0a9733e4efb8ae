"""The coalition's joint statement: its signatories, concerns and safeguard demands."""

from django.contrib.postgres.search import SearchVectorField
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from .translations import Translatable


class Statement(models.Model):
    slug = models.SlugField(_("slug"), unique=True)
    title = models.CharField(_("title"), max_length=300)
    issued = models.CharField(_("issued"), max_length=50, help_text=_("e.g. 2025-10"))
    occasion = models.CharField(_("occasion"), max_length=300, blank=True)
    supporters_count_text = models.CharField(_("supporters"), max_length=200, blank=True)
    also_signed = models.CharField(_("also signed by"), max_length=300, blank=True)
    calls_also = models.JSONField(_("further calls"), default=list, blank=True)
    about_mappings = models.TextField(_("about the mappings"), blank=True)

    class Meta:
        verbose_name = _("statement")
        verbose_name_plural = _("statements")

    def __str__(self):
        return self.title


class Organisation(models.Model):
    statement = models.ForeignKey(Statement, on_delete=models.CASCADE, related_name="signatories")
    name = models.CharField(_("name"), max_length=200)
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        ordering = ["position", "name"]
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        constraints = [
            models.UniqueConstraint(fields=["statement", "name"], name="organisation_unique"),
        ]

    def __str__(self):
        return self.name


class StatementPointQuerySet(models.QuerySet):
    def with_link_counts(self):
        """Each point with the number of approved links and of distinct articles they reach."""
        approved = models.Q(links__status="approved")
        return self.annotate(
            approved_link_count=models.Count("links", filter=approved, distinct=True),
            article_count=models.Count("links__provision__article", filter=approved, distinct=True),
        )


class StatementPoint(Translatable, models.Model):
    """Common shape of a concern and a safeguard demand: a titled point of the statement."""

    translated_fields = {"title": "title", "point": "text"}

    statement = models.ForeignKey(Statement, on_delete=models.CASCADE, related_name="+")
    slug = models.SlugField(_("slug"), unique=True, max_length=80)
    title = models.CharField(_("title"), max_length=300)
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    # Title (weight A) and point (B), kept by provisions.search; GIN-indexed on PostgreSQL.
    search_vector = SearchVectorField(null=True, editable=False)

    objects = StatementPointQuerySet.as_manager()

    class Meta:
        abstract = True
        ordering = ["position"]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse(f"provisions:{self.public_name}", kwargs={"slug": self.slug})


class Concern(StatementPoint):
    # The two kinds of point differ only in these names (see docs/architecture.md):
    # `point_kind` is the code's one name for the kind (ProvisionLink's foreign key, the
    # cache scope, the search facet); `annotations_field` the Annotation many-to-many;
    # `public_name` the word in public URLs, API paths and export file names, and
    # `export_type` the record type in exports — both contracts that stay as they are.
    point_kind = "concern"
    annotations_field = "concerns"
    public_name = "concern"
    export_type = "concern"

    point = models.TextField(_("the coalition's point"))

    class Meta(StatementPoint.Meta):
        verbose_name = _("concern")
        verbose_name_plural = _("concerns")


class SafeguardDemand(StatementPoint):
    point_kind = "demand"
    annotations_field = "demands"
    public_name = "safeguard"
    export_type = "safeguard_demand"

    point = models.TextField(_("the coalition's demand"), blank=True)

    class Meta(StatementPoint.Meta):
        verbose_name = _("safeguard demand")
        verbose_name_plural = _("safeguard demands")


# The statement's points by kind ("concern", "demand"): views, exports and the API that serve
# both kinds take the kind and look the model up here.
POINT_MODELS: dict[str, type[StatementPoint]] = {
    model.point_kind: model for model in (Concern, SafeguardDemand)
}

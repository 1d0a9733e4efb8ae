"""The review workflow that annotations and commitments share: draft → submitted → published
(or rejected). Who may see which row is decided here and nowhere else."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class ReviewStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted for review")
    PUBLISHED = "published", _("Published")
    REJECTED = "rejected", _("Rejected")


class ReviewedQuerySet(models.QuerySet):
    """For models with `status` (ReviewStatus) and `author`."""

    def published(self):
        return self.filter(status=ReviewStatus.PUBLISHED)

    def visible_to(self, user):
        """Everyone sees what is published; analysts also what is submitted; editors everything
        but other people's drafts; an author always sees their own work."""
        from provisions import roles

        if user is None or not user.is_authenticated:
            return self.published()
        if roles.is_editor(user):
            return self.filter(~Q(status=ReviewStatus.DRAFT) | Q(author=user))
        if roles.is_analyst(user):
            return self.filter(
                Q(status__in=[ReviewStatus.PUBLISHED, ReviewStatus.SUBMITTED]) | Q(author=user)
            )
        return self.filter(Q(status=ReviewStatus.PUBLISHED) | Q(author=user))


class ReviewedWork(models.Model):
    """The fields of work that an author writes and an editor reviews (annotations,
    commitments): who wrote it, where it is in the workflow, who decided and why."""

    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="%(class)ss"
    )
    status = models.CharField(
        _("status"), max_length=10, choices=ReviewStatus.choices, default=ReviewStatus.DRAFT
    )
    # Optimistic locking: an edit names the version it started from.
    version = models.PositiveIntegerField(_("version"), default=1)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="reviewed_%(class)ss",
    )
    review_reason = models.TextField(_("editor's reason"), blank=True)

    Status = ReviewStatus

    class Meta:
        abstract = True

"""Annotations on provisions (W3C Web Annotation selectors), their tags and their history."""

from django.conf import settings
from django.contrib.postgres.search import SearchVectorField
from django.db import models
from django.db.models import Q
from django.db.models.fields.json import KT
from django.db.models.functions import JSONObject
from django.urls import reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from provisions import roles
from provisions.public_names import public_name_from_stored

from .statement import Concern, SafeguardDemand
from .treaty import ENGLISH, TEXT_LANGUAGES, Provision
from .workflow import ReviewedQuerySet, ReviewedWork


class TagQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Tags on at least one annotation the user may see (Annotation.objects.visible_to): a
        tag that only someone else's draft carries is never suggested, listed or counted."""
        carried = Annotation.tags.through.objects.filter(
            tag=models.OuterRef("pk"),
            annotation__in=Annotation.objects.visible_to(user).values("pk"),
        )
        return self.filter(models.Exists(carried))


class Tag(models.Model):
    name = models.CharField(_("name"), max_length=60, unique=True)
    # Any script: analysts tag in Arabic, Russian or Chinese as well as in English.
    slug = models.SlugField(_("slug"), max_length=80, unique=True, allow_unicode=True)

    objects = TagQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        verbose_name = _("tag")
        verbose_name_plural = _("tags")

    def __str__(self):
        return self.name


class AnnotationQuerySet(ReviewedQuerySet):
    """Annotations' reads; who may see which is ReviewedQuerySet.visible_to, shared with the
    scorecard's commitments."""

    def with_parent_for(self, user):
        """Each reply's `in_reply_to` as far as `user` may see it, None otherwise: a thread's
        first note can go back to its author's drafts while the replies stay submitted."""
        return self.prefetch_related(
            models.Prefetch(
                "in_reply_to",
                queryset=Annotation.objects.visible_to(user).select_related("author__member"),
            )
        )

    def with_visible_parent_id(self, user):
        """`visible_parent_id`: the note a reply answers when `user` may see it, else None (a
        subquery: no extra query). What the API says a reply is `inReplyTo`."""
        return self.annotate(
            visible_parent_id=models.Subquery(
                Annotation.objects.visible_to(user)
                .filter(pk=models.OuterRef("in_reply_to_id"))
                .values("pk")[:1]
            )
        )

    def with_body_editor(self):
        """`body_editor`: who last changed the note's words through an edit or a restore, as
        {"id": user id, "name": their stored public name} (None when nobody did).

        A revision changed the words when its body differs from the revision before it; an
        editor who only re-tagged a note did not. Subqueries on the revisions' index: no extra
        query, however many notes (Annotation.body_editor_name reads it)."""
        body = KT("snapshot__body")
        revisions_of_note = Revision.objects.filter(target_type=Revision.Target.ANNOTATION)
        previous_body = (
            revisions_of_note.filter(
                target_id=models.OuterRef("target_id"), pk__lt=models.OuterRef("pk")
            )
            .order_by("-pk")
            .values(previous=body)[:1]
        )
        last_change = (
            revisions_of_note.filter(
                target_id=models.OuterRef("pk"), action__in=Revision.BODY_ACTIONS
            )
            .annotate(before=models.Subquery(previous_body), after=body)
            .exclude(before=models.F("after"))
            .order_by("-pk")
            .values(who=JSONObject(id="actor_id", name="actor__member__display_name"))[:1]
        )
        return self.annotate(body_editor=models.Subquery(last_change))

    def top_level(self):
        return self.filter(in_reply_to__isnull=True)

    def for_article(self, article):
        return self.filter(provision__article=article)

    def for_display(self):
        return (
            self.select_related("author__member", "provision__article")
            .prefetch_related("concerns", "demands", "tags")
            .with_body_editor()
        )


class Annotation(ReviewedWork):
    class Anchor(models.TextChoices):
        ANCHORED = "anchored", _("Anchored")
        FUZZY = "fuzzy", _("Fuzzy: the quoted text changed")
        ORPHANED = "orphaned", _("Orphaned: the quoted text is gone")

    provision = models.ForeignKey(Provision, on_delete=models.PROTECT, related_name="annotations")
    in_reply_to = models.ForeignKey(
        "self", on_delete=models.CASCADE, related_name="replies", null=True, blank=True
    )
    body = models.TextField(_("body (Markdown)"))
    # Sanitised HTML rendered from body by the services; never rendered from anything else.
    body_html = models.TextField(_("rendered body"), blank=True, editable=False)
    # W3C Web Annotation selectors relative to the provision's text; empty = whole provision.
    selectors = models.JSONField(_("selectors"), default=list, blank=True)
    # The text the quote was taken from (TextVersion.label, and whether that text is the
    # official one), recorded whenever the annotation is anchored: by the create and edit
    # services, by re-anchoring after an import and by an editor's anchor fix. An orphaned
    # quote keeps the version it was taken from. docs/importing.md gives the rule.
    quote_source = models.CharField(_("quoted from"), max_length=200, blank=True)
    quote_source_official = models.BooleanField(_("quoted from the official text"), default=False)
    # The language of the text the note was made on and is anchored in (its selectors count in
    # that language's words); the same provision in the other languages shows that it is
    # annotated, with the quote in this language (docs/languages.md).
    language = models.CharField(
        _("language of the text"), max_length=5, choices=TEXT_LANGUAGES, default=ENGLISH
    )
    concerns = models.ManyToManyField(Concern, related_name="annotations", blank=True)
    demands = models.ManyToManyField(SafeguardDemand, related_name="annotations", blank=True)
    tags = models.ManyToManyField(Tag, related_name="annotations", blank=True)

    anchor_state = models.CharField(
        _("anchor"), max_length=10, choices=Anchor.choices, default=Anchor.ANCHORED
    )

    class ImportedFrom(models.TextChoices):
        HYPOTHESIS = "hypothesis", _("Hypothesis")
        W3C = "w3c", _("a W3C Web Annotation file")
        TREATYWATCH = "treatywatch", _("a TreatyWatch export")

    # A note imported from a file made elsewhere (provisions.services.annotation_import): where
    # from, its id there (the same file twice imports nothing twice), and who wrote it when, as
    # the file says. The creator's name is untrusted text from that file: cleaned and bounded
    # on the way in, escaped like every other text on the way out.
    imported_from = models.CharField(
        _("imported from"), max_length=20, choices=ImportedFrom.choices, blank=True
    )
    imported_id = models.CharField(_("id where it was made"), max_length=500, blank=True)
    original_creator = models.CharField(_("originally by"), max_length=100, blank=True)
    original_created_at = models.DateTimeField(_("originally written at"), null=True, blank=True)
    # Its identities beyond this server (W3C Web Annotation Data Model §3.3.7): `canonical` names
    # the annotation wherever it is copied (urn:uuid:… given here to every note made here; kept
    # unchanged from a file or a client that sends one); `via` is the address of the copy it
    # was made from (an imported note's id where it was made, when that id is an address).
    canonical = models.CharField(_("canonical identity"), max_length=2000, blank=True)
    via = models.CharField(_("copied from"), max_length=2000, blank=True)
    # Body (weight C), kept by provisions.search; GIN-indexed on PostgreSQL.
    search_vector = SearchVectorField(null=True, editable=False)

    objects = AnnotationQuerySet.as_manager()

    # The editors' decisions each state allows: the services (annotation_publish,
    # annotation_reject) refuse the others, and the review queue and the permalink offer these.
    PUBLISHABLE_STATUSES = (ReviewedWork.Status.SUBMITTED,)
    REJECTABLE_STATUSES = (ReviewedWork.Status.SUBMITTED, ReviewedWork.Status.PUBLISHED)

    # What anchoring sets (services.anchors, importing.reanchor): where, which words, how sure,
    # and which text the words were taken from; saved together with `version` and `updated_at`.
    ANCHOR_FIELDS = (
        "provision",
        "selectors",
        "anchor_state",
        "quote_source",
        "quote_source_official",
        "version",
        "updated_at",
    )

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("annotation")
        verbose_name_plural = _("annotations")
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=["draft", "submitted", "published", "rejected"]),
                name="annotation_status_valid",
            ),
            models.CheckConstraint(
                condition=~Q(status="published") | Q(published_at__isnull=False),
                name="annotation_published_has_time",
            ),
            models.CheckConstraint(condition=Q(version__gte=1), name="annotation_version_positive"),
            models.UniqueConstraint(
                fields=["imported_from", "imported_id"],
                condition=~Q(imported_id=""),
                name="annotation_imported_once",
            ),
        ]
        indexes = [
            models.Index(fields=["provision", "status"]),
            models.Index(fields=["author", "status"]),
            models.Index(fields=["status", "-published_at"]),
        ]

    def __str__(self):
        return _("Annotation %(pk)s on %(citation)s") % {
            "pk": self.pk,
            "citation": self.provision.citation,
        }

    def get_absolute_url(self):
        return reverse("provisions:annotation", kwargs={"pk": self.pk})

    def edit_refusal(self, user) -> str | None:
        """Why `user` may not edit this annotation, or None if they may: its author while it is
        a draft or was sent back, an editor once it was submitted. The one rule: the views ask
        it to refuse early, services.annotations.annotation_update to enforce it."""
        if self.author_id == user.pk:
            if self.status not in (self.Status.DRAFT, self.Status.REJECTED):
                return gettext("Only drafts can be edited. Ask an editor to return it.")
            return None
        if roles.is_editor(user) and self.status != self.Status.DRAFT:
            return None
        return gettext("You can only edit your own drafts.")

    def delete_refusal(self, user) -> str | None:
        """Why `user` may not delete this annotation, or None: only its author, only a draft
        (the view and services.annotations.annotation_delete both ask)."""
        if self.author_id != user.pk or self.status != self.Status.DRAFT:
            return gettext("You can only delete your own drafts.")
        return None

    @property
    def can_be_published(self) -> bool:
        return self.status in self.PUBLISHABLE_STATUSES

    @property
    def can_be_rejected(self) -> bool:
        return self.status in self.REJECTABLE_STATUSES

    @property
    def body_editor_name(self) -> str:
        """The public name of whoever last changed the note's words when that was not its
        author (an editor), "" otherwise; needs AnnotationQuerySet.with_body_editor()."""
        editor = getattr(self, "body_editor", None)
        if not editor or editor.get("id") in (None, self.author_id):
            return ""
        return public_name_from_stored(editor.get("name"))

    def selector(self, kind):
        """The first selector of a W3C type, e.g. "TextQuoteSelector", or None."""
        return next((s for s in self.selectors if s.get("type") == kind), None)

    @property
    def quote(self):
        found = self.selector("TextQuoteSelector")
        return found["exact"] if found else ""

    def set_quote_source(self, source) -> None:
        """Record where the words now in `selectors` come from (a treaty.QuoteSource)."""
        self.quote_source = source.label
        self.quote_source_official = source.is_official_text


class RevisionQuerySet(models.QuerySet):
    """Whose history a user may read is decided here, on top of the objects' own visibility."""

    def visible_to(self, user):
        """Revisions of the annotations and links the user may see, except those written while
        an annotation was a draft: only its author sees them. Everyone else reads an annotation's
        history from its first submission on (a revision with no recorded status counts as a
        draft's)."""
        from .links import ProvisionLink
        from .states import Commitment

        def reviewed(target_type, visible):
            """Annotations and commitments: drafts' revisions stay with their author."""
            own = visible.filter(author_id=getattr(user, "pk", None))
            return Q(target_type=target_type) & (
                Q(
                    target_id__in=visible.values("pk"),
                    target_status__in=Revision.SHARED_ANNOTATION_STATUSES,
                )
                | Q(target_id__in=own.values("pk"))
            )

        return self.filter(
            Q(
                target_type=Revision.Target.LINK,
                target_id__in=ProvisionLink.objects.visible_to(user).values("pk"),
            )
            | reviewed(Revision.Target.ANNOTATION, Annotation.objects.visible_to(user))
            | reviewed(Revision.Target.COMMITMENT, Commitment.objects.visible_to(user))
        )


class Revision(models.Model):
    """One recorded change to an annotation or a link: who, when, what it was before and after."""

    # An annotation in one of these states has left its author's hands: the revisions written
    # then may be read by whoever may read the annotation. Anything else (a draft, or no status
    # recorded) stays with its author.
    SHARED_ANNOTATION_STATUSES = (
        Annotation.Status.SUBMITTED,
        Annotation.Status.PUBLISHED,
        Annotation.Status.REJECTED,
    )

    # The actions that can change an annotation's words after it was written (services).
    BODY_ACTIONS = ("edited", "restored")

    class Target(models.TextChoices):
        ANNOTATION = "annotation", _("Annotation")
        LINK = "link", _("Provision link")
        COMMITMENT = "commitment", _("Commitment")
        # Read on the translation's own page by editors (views/translations.py), not in the
        # history pages: visible_to() leaves them out.
        TRANSLATION = "translation", _("Translation")

    target_type = models.CharField(_("kind of object"), max_length=20, choices=Target.choices)
    target_id = models.PositiveBigIntegerField(_("object id"))
    version = models.PositiveIntegerField(_("version after the change"))
    action = models.CharField(_("action"), max_length=40)
    # The object's status right after the change (an annotation's "draft", a link's "proposed"…):
    # who may read this revision depends on it (RevisionQuerySet.visible_to).
    target_status = models.CharField(_("status after the change"), max_length=20, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(_("at"), auto_now_add=True)
    snapshot = models.JSONField(_("state after the change"))
    note = models.TextField(_("note"), blank=True)

    objects = RevisionQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("revision")
        verbose_name_plural = _("revisions")
        indexes = [models.Index(fields=["target_type", "target_id", "-created_at"])]

    def __str__(self):
        return f"{self.target_type} {self.target_id} v{self.version}: {self.action}"

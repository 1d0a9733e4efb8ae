"""The treaty itself: Treaty → Chapter → Article → Provision (a tree addressed by eid)."""

from dataclasses import dataclass

from django.contrib.postgres.search import SearchVectorField
from django.db import models
from django.db.models import Prefetch
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from .translations import Translatable

# The Convention's six authentic languages (Article 68), by the codes import_convention takes.
# English is the text the Provision rows hold; the others are ProvisionText rows.
ENGLISH = "en"
TEXT_LANGUAGES = [
    ("ar", _("Arabic")),
    ("zh", _("Chinese")),
    ("en", _("English")),
    ("fr", _("French")),
    ("ru", _("Russian")),
    ("es", _("Spanish")),
]

# The label the editorial summaries carry (Treaty.text_version_label's default; the importer
# records the summaries under it as the first TextVersion when the official text first comes in).
SUMMARY_LABEL = "Editorial summaries"


class Treaty(models.Model):
    slug = models.SlugField(_("slug"), unique=True)
    short_title = models.CharField(_("short title"), max_length=300)
    subtitle = models.TextField(_("subtitle"), blank=True)
    also_known_as = models.JSONField(_("also known as"), default=list, blank=True)
    adopted_on = models.DateField(_("adopted on"), null=True, blank=True)
    adopted_by = models.CharField(_("adopted by"), max_length=300, blank=True)
    opened_for_signature_on = models.DateField(_("opened for signature on"), null=True, blank=True)
    signature_place = models.CharField(_("place of signature"), max_length=300, blank=True)
    signature_then = models.CharField(_("signature afterwards"), max_length=300, blank=True)
    signatories_at_opening = models.PositiveIntegerField(
        _("signatories at the opening ceremony"), null=True, blank=True
    )
    entry_into_force_rule = models.TextField(_("entry into force"), blank=True)
    reference = models.CharField(_("treaty collection reference"), max_length=300, blank=True)
    sources = models.JSONField(_("sources"), default=list, blank=True)
    # Label of the text currently shown: the editorial summaries until the official text is
    # imported, then the imported version's label.
    text_version_label = models.CharField(
        _("text version shown"), max_length=200, default="Editorial summaries"
    )

    class Meta:
        verbose_name = _("treaty")
        verbose_name_plural = _("treaties")

    def __str__(self):
        return self.short_title


class Chapter(models.Model):
    treaty = models.ForeignKey(Treaty, on_delete=models.CASCADE, related_name="chapters")
    number = models.CharField(_("number"), max_length=10, help_text=_("Roman numeral, e.g. IV"))
    position = models.PositiveSmallIntegerField(_("position"))
    title = models.CharField(_("title"), max_length=300)

    class Meta:
        ordering = ["position"]
        verbose_name = _("chapter")
        verbose_name_plural = _("chapters")
        constraints = [
            models.UniqueConstraint(fields=["treaty", "number"], name="chapter_number_unique"),
            models.UniqueConstraint(fields=["treaty", "position"], name="chapter_position_unique"),
        ]

    def __str__(self):
        return _("Chapter %(n)s. %(title)s") % {"n": self.number, "title": self.title}


class ArticleQuerySet(models.QuerySet):
    def for_toc(self):
        return self.select_related("chapter").order_by("number")

    def for_rendering(self):
        """An article with its chapter and its provisions in reading order."""
        return self.select_related("chapter", "treaty").prefetch_related(
            Prefetch("provisions", queryset=Provision.objects.current().order_by("position"))
        )


class Article(Translatable, models.Model):
    translated_fields = {"summary": "text"}

    treaty = models.ForeignKey(Treaty, on_delete=models.CASCADE, related_name="articles")
    chapter = models.ForeignKey(Chapter, on_delete=models.PROTECT, related_name="articles")
    number = models.PositiveSmallIntegerField(_("number"))
    title = models.CharField(_("title"), max_length=300)
    title_confirmed = models.BooleanField(
        _("title confirmed"),
        default=False,
        help_text=_("False until the title is matched against the official text."),
    )
    title_source = models.URLField(_("title source"), max_length=500, blank=True)
    summary = models.TextField(
        _("editorial summary"), help_text=_("What the article covers. Not the official text.")
    )
    # Title (weight A) and summary (B), kept by provisions.search; GIN-indexed on PostgreSQL.
    search_vector = SearchVectorField(null=True, editable=False)

    objects = ArticleQuerySet.as_manager()

    class Meta:
        ordering = ["number"]
        verbose_name = _("article")
        verbose_name_plural = _("articles")
        constraints = [
            models.UniqueConstraint(fields=["treaty", "number"], name="article_number_unique"),
            models.CheckConstraint(
                condition=models.Q(number__gte=1), name="article_number_positive"
            ),
        ]

    def __str__(self):
        return _("Article %(n)s. %(title)s") % {"n": self.number, "title": self.title}

    def get_absolute_url(self):
        return reverse("provisions:article", kwargs={"number": self.number})

    @property
    def eid(self):
        return f"art_{self.number}"


def citation_for_eid(eid: str) -> str:
    """How people cite a provision: "Article 24(2)(b)", "Article 2(h)", "Preamble, recital 3".

    The one rule for every page, fragment, feed, export and API field that a person reads; the
    eid itself stays in ids, URLs and the API's keys.
    """
    article = ""
    pinpoint = []
    recital = ""
    preamble = False
    for piece in eid.split("__"):
        kind, _sep, value = piece.partition("_")
        if kind == "art":
            article = value
        elif kind in ("para", "subpara", "item", "point"):
            pinpoint.append(f"({value})")
        elif kind == "recital":
            recital = value
        elif kind == "preamble":
            preamble = True
    if article:
        return _("Article %(number)s") % {"number": article} + "".join(pinpoint)
    if preamble and recital:
        return _("Preamble, recital %(number)s") % {"number": recital}
    if preamble:
        return str(_("Preamble"))
    return eid


class ProvisionQuerySet(models.QuerySet):
    def current(self):
        """Provisions of the text shown now; an import retires the others, it never deletes."""
        return self.filter(retired_in="")


class Provision(models.Model):
    """One addressable unit of text: an article body, a paragraph, a sub-paragraph, a recital."""

    class Kind(models.TextChoices):
        PREAMBLE = "preamble", _("Preamble")
        RECITAL = "recital", _("Recital")
        ARTICLE = "article", _("Article")
        PARAGRAPH = "paragraph", _("Paragraph")
        SUBPARAGRAPH = "subparagraph", _("Sub-paragraph")

    treaty = models.ForeignKey(Treaty, on_delete=models.CASCADE, related_name="provisions")
    article = models.ForeignKey(
        Article, on_delete=models.CASCADE, related_name="provisions", null=True, blank=True
    )
    parent = models.ForeignKey(
        "self", on_delete=models.CASCADE, related_name="children", null=True, blank=True
    )
    eid = models.CharField(
        _("eid"), max_length=100, help_text=_("Stable id, e.g. art_24__para_2__subpara_b")
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    label = models.CharField(_("label"), max_length=20, blank=True, help_text=_("e.g. 2 or (b)"))
    position = models.PositiveIntegerField(
        _("position"), help_text=_("Reading order in the treaty")
    )
    text = models.TextField(_("text"))
    # False while the text is our editorial summary; True once imported from the official text.
    is_official_text = models.BooleanField(_("official text"), default=False)
    # Labels of the text versions (TextVersion) that brought this provision in and that dropped
    # it; blank: there from the start / still in the text shown. A dropped provision is kept so
    # that earlier versions can still be compared; its annotations and links moved to its
    # nearest surviving parent when it was dropped (provisions.importing.reanchor).
    added_in = models.CharField(_("added in version"), max_length=200, blank=True)
    retired_in = models.CharField(_("dropped in version"), max_length=200, blank=True)
    # Text (weight B), kept by provisions.search; GIN-indexed on PostgreSQL.
    search_vector = SearchVectorField(null=True, editable=False)

    objects = ProvisionQuerySet.as_manager()

    class Meta:
        ordering = ["position"]
        verbose_name = _("provision")
        verbose_name_plural = _("provisions")
        constraints = [
            models.UniqueConstraint(fields=["treaty", "eid"], name="provision_eid_unique"),
            models.CheckConstraint(
                condition=models.Q(eid__regex=r"^[a-z0-9_]+$"), name="provision_eid_format"
            ),
        ]
        indexes = [models.Index(fields=["article", "position"])]

    def __str__(self):
        return self.citation

    def get_absolute_url(self):
        if self.article_id is None:
            return reverse("provisions:toc") + f"#{self.eid}"
        return (
            reverse("provisions:article", kwargs={"number": self.article.number}) + f"#{self.eid}"
        )

    @property
    def citation(self) -> str:
        """What a person reads, e.g. "Article 24(2)(b)" (see citation_for_eid)."""
        return citation_for_eid(self.eid)

    @property
    def is_article_item(self) -> bool:
        """A lettered item directly under its article (`art_2__subpara_h`, one of Article 2's
        definitions), shown one step in, like a paragraph, not two like a paragraph's item."""
        return self.kind == self.Kind.SUBPARAGRAPH and self.eid.count("__") == 1

    @property
    def display_label(self) -> str:
        """How the label is printed beside the text: "2." for a paragraph, "(b)" for a
        sub-paragraph (the one rule for the article page and the versions page)."""
        if self.kind == self.Kind.PARAGRAPH and self.label and not self.label.endswith("."):
            return f"{self.label}."
        if self.kind == self.Kind.SUBPARAGRAPH and self.label and not self.label.startswith("("):
            return f"({self.label})"
        return self.label

    @property
    def accessible_name(self) -> str:
        """A name a screen reader can say, e.g. "Article 24, paragraph 2, sub-paragraph (b)"."""
        parts = []
        for piece in self.eid.split("__"):
            kind, _sep, value = piece.partition("_")
            if kind == "art":
                parts.append(_("Article %(n)s") % {"n": value})
            elif kind == "para":
                parts.append(_("paragraph %(n)s") % {"n": value})
            elif kind == "subpara":
                parts.append(_("sub-paragraph (%(n)s)") % {"n": value})
            elif kind == "recital":
                parts.append(_("recital %(n)s") % {"n": value})
            elif kind == "preamble":
                parts.append(_("Preamble"))
        return ", ".join(str(p) for p in parts) or self.eid


@dataclass(frozen=True)
class QuoteSource:
    """The text a quote was taken from: a TextVersion's label, and whether it is official."""

    label: str
    is_official_text: bool
    # The provision's text is our summary although an official text has been imported since:
    # new quotes must come from the official text (provisions.services.annotations).
    superseded: bool = False


class TextVersionQuerySet(models.QuerySet):
    def oldest_first(self, treaty_id: int) -> list["TextVersion"]:
        """The English versions (those the Provision rows hold), oldest first."""
        return list(
            self.filter(treaty_id=treaty_id, language=ENGLISH).order_by("recorded_at", "pk")
        )

    def source_of(self, provision: "Provision") -> QuoteSource:
        """The version a provision's current text belongs to (one query); see quote_source_in."""
        return quote_source_in(provision, self.oldest_first(provision.treaty_id))

    def sources_of(self, provisions: list["Provision"]) -> dict[int, QuoteSource]:
        """`source_of` for provisions of one treaty, by primary key (one query; none for none)."""
        if not provisions:
            return {}
        versions = self.oldest_first(provisions[0].treaty_id)
        return {provision.pk: quote_source_in(provision, versions) for provision in provisions}

    def current_in(self, treaty_id: int, language: str) -> "TextVersion | None":
        """The newest version in `language` (None when none was imported)."""
        return (
            self.filter(treaty_id=treaty_id, language=language)
            .order_by("-recorded_at", "-pk")
            .first()
        )

    def shown_at(self, treaty_id: int, when) -> QuoteSource:
        """The version the site showed at `when`: the newest recorded by then; before any was
        recorded (the summaries are recorded only when the first official text comes in), the
        oldest, or the editorial summaries."""
        versions = self.oldest_first(treaty_id)
        shown = [v for v in versions if v.recorded_at <= when] or versions[:1]
        if not shown:
            return QuoteSource(SUMMARY_LABEL, False)
        return QuoteSource(shown[-1].label, shown[-1].is_official_text)


def quote_source_in(provision: "Provision", versions: list["TextVersion"]) -> QuoteSource:
    """The version, among the treaty's `versions` (oldest first), that `provision`'s current text
    belongs to: the newest official version for official text (an import that leaves a
    provision's words as they were still has them), the editorial summaries otherwise."""
    if provision.is_official_text:
        official = [v for v in versions if v.is_official_text]
        label = official[-1].label if official else (versions[-1].label if versions else "")
        return QuoteSource(label, True)
    summaries = next((v.label for v in versions if not v.is_official_text), SUMMARY_LABEL)
    return QuoteSource(summaries, False, any(v.is_official_text for v in versions))


class TextVersion(models.Model):
    """One text of the Convention that TreatyWatch has shown, oldest first: the editorial
    summaries, then each import of the official text that changed something.

    ProvisionVersion rows name these by label; the order here lets a provision's text be read
    at any version (see provisions.views.versions).

    The English text lives on Provision (and ProvisionVersion); a version in another of the
    Convention's authentic languages holds its text in ProvisionText rows, one per provision,
    aligned by the provisions' shared eids (provisions.models.languages; docs/languages.md).
    """

    treaty = models.ForeignKey(Treaty, on_delete=models.CASCADE, related_name="text_versions")
    label = models.CharField(_("version label"), max_length=200)
    source = models.CharField(_("source"), max_length=500, blank=True)
    is_official_text = models.BooleanField(_("official text"), default=False)
    recorded_at = models.DateTimeField(_("recorded at"), auto_now_add=True)
    language = models.CharField(
        _("language"), max_length=5, choices=TEXT_LANGUAGES, default=ENGLISH
    )
    # A version in another language may hold only some articles (import_convention --partial):
    # their numbers, in order. Empty for English versions, which hold the whole text.
    articles = models.JSONField(_("articles held"), default=list, blank=True)
    partial = models.BooleanField(_("partial"), default=False)
    # Chapter headings in this version's language, by Roman numeral: {"I": "…"}.
    chapter_titles = models.JSONField(_("chapter titles"), default=dict, blank=True)

    objects = TextVersionQuerySet.as_manager()

    class Meta:
        ordering = ["recorded_at", "pk"]
        verbose_name = _("text version")
        verbose_name_plural = _("text versions")
        constraints = [
            models.UniqueConstraint(fields=["treaty", "label"], name="text_version_label_unique")
        ]

    def __str__(self):
        return self.label


class ProvisionVersion(models.Model):
    """An earlier text of a provision, kept when an import changes it."""

    provision = models.ForeignKey(Provision, on_delete=models.CASCADE, related_name="versions")
    label = models.CharField(_("version label"), max_length=200)
    source = models.CharField(_("source"), max_length=500, blank=True)
    text = models.TextField(_("text"))
    is_official_text = models.BooleanField(_("official text"), default=False)
    recorded_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    class Meta:
        ordering = ["recorded_at", "pk"]
        verbose_name = _("provision version")
        verbose_name_plural = _("provision versions")

    def __str__(self):
        return f"{self.provision.citation} — {self.label}"

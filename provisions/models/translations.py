"""Our translations of TreatyWatch's editorial content into the site's other languages.

English is the original. A concern's or a safeguard demand's title and words, or an article's
editorial summary, can carry one translation per language of settings.LANGUAGES other than
English, written by editors (provisions/services/translations.py). The table starts empty: the
coalition's statement is never translated for it by a seed or a migration. A page in a language
without a translation shows the English with a note saying so (docs/translations.md).
"""

from dataclasses import dataclass

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.html import conditional_escape, format_html
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

ORIGINAL_LANGUAGE = "en"


def translation_languages() -> list[tuple[str, str]]:
    """(code, name) of each language editorial content can be translated into."""
    return [(code, name) for code, name in settings.LANGUAGES if code != ORIGINAL_LANGUAGE]


def content_language() -> str | None:
    """The language the current request reads content in, if it is one we translate into;
    None for English (or anything else), where the original is shown with no note."""
    language = (get_language() or ORIGINAL_LANGUAGE).lower()
    return language if language in dict(translation_languages()) else None


# What a translation can be of: Translation's foreign keys.
TARGETS = ("concern", "demand", "article")

# Attribute where queries.translations puts a prefetched object's translations in the language
# of the request: a list of at most one.
LOADED_ATTRIBUTE = "loaded_translations"


@dataclass(frozen=True)
class Shown:
    """A field as a reader of the current language sees it: the translation, or the English
    (`fallback`) when there is none."""

    text: str
    fallback: bool

    def __str__(self):
        return self.text

    def __html__(self):
        """As a page shows it (templates, conditional_escape): escaped, and the English marked
        as English on a page in another language (the `untranslated_note` says why)."""
        if self.fallback:
            return format_html('<span lang="en" dir="ltr">{}</span>', self.text)
        return conditional_escape(self.text)


class Translatable:
    """Mixin for models whose editorial fields can be translated (`translated_fields` maps each
    to the Translation field that holds it)."""

    translated_fields: dict[str, str] = {}

    def translation(self):
        """The translation into the request's language, or None (English, or none yet).

        Read from what queries.translations prefetched; an object loaded without it reads its
        own (one query), so a page is right even where the prefetch was forgotten."""
        language = content_language()
        if language is None:
            return None
        loaded = getattr(self, LOADED_ATTRIBUTE, None)
        if loaded is None:
            loaded = list(self.translations.filter(language=language))
            setattr(self, LOADED_ATTRIBUTE, loaded)
        return next((t for t in loaded if t.language == language), None)

    @property
    def untranslated(self) -> bool:
        """Read in a language we translate into, with no translation yet."""
        return content_language() is not None and self.translation() is None

    def shown(self, field: str) -> Shown:
        english = getattr(self, field)
        if content_language() is None:
            return Shown(english, fallback=False)
        translation = self.translation()
        if translation is None:
            return Shown(english, fallback=True)
        return Shown(getattr(translation, self.translated_fields[field]), fallback=False)


def _target(model: str):
    return models.ForeignKey(
        model, on_delete=models.CASCADE, null=True, blank=True, related_name="translations"
    )


class Translation(models.Model):
    """One piece of editorial content in one language other than English."""

    language = models.CharField(_("language"), max_length=10, choices=translation_languages)
    # Exactly one of these is set (the constraint below).
    concern = _target("provisions.Concern")
    demand = _target("provisions.SafeguardDemand")
    article = _target("provisions.Article")
    # A concern's or demand's title; an article's translation has none (its title is the
    # treaty's, translated by the official text).
    title = models.CharField(_("title"), max_length=300, blank=True)
    # A concern's or demand's point, or an article's editorial summary.
    text = models.TextField(_("text"), blank=True)
    version = models.PositiveIntegerField(_("version"), default=1)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )

    class Meta:
        ordering = ["language", "pk"]
        verbose_name = _("translation")
        verbose_name_plural = _("translations")
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(concern__isnull=False, demand__isnull=True, article__isnull=True)
                    | Q(concern__isnull=True, demand__isnull=False, article__isnull=True)
                    | Q(concern__isnull=True, demand__isnull=True, article__isnull=False)
                ),
                name="translation_one_target",
            ),
            *(
                models.UniqueConstraint(
                    fields=[target, "language"],
                    condition=Q(**{f"{target}__isnull": False}),
                    name=f"translation_unique_{target}_language",
                )
                for target in TARGETS
            ),
        ]

    def __str__(self):
        return f"{self.target} [{self.language}]"

    @property
    def target(self):
        return self.concern or self.demand or self.article

    @property
    def target_field(self) -> str:
        return next(name for name in TARGETS if getattr(self, f"{name}_id"))

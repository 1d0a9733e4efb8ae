"""The Convention's text in its other authentic languages, aligned with the English by eid.

A TextVersion in Arabic, Chinese, French, Russian or Spanish holds one ProvisionText per
provision of the articles it has: the provision (shared across languages, so its eid, citation,
annotations and links are the same in every language) and that language's words. A version
never changes once a later one replaces it: the rows stay, so every text ever imported can be
read again. See docs/languages.md.
"""

from django.contrib.postgres.search import SearchVectorField
from django.db import models
from django.db.models import OuterRef, Subquery
from django.utils.translation import gettext_lazy as _

from .treaty import ENGLISH, TEXT_LANGUAGES, Provision, TextVersion

# The reader's interface language (django.utils.translation.get_language()) → text language.
_INTERFACE_TO_TEXT = {"zh-hans": "zh", "zh-hant": "zh", "zh": "zh"}


def text_language(interface_language: str | None) -> str:
    """The text language for an interface language ("zh-hans" → "zh", "fr-ca" → "fr")."""
    code = (interface_language or ENGLISH).lower()
    code = _INTERFACE_TO_TEXT.get(code, code.split("-")[0])
    return code if code in dict(TEXT_LANGUAGES) else ENGLISH


def html_language(text_lang: str) -> str:
    """The BCP 47 tag for a `lang` attribute: "zh" text is in simplified characters."""
    return "zh-Hans" if text_lang == "zh" else text_lang


def is_rtl(text_lang: str) -> bool:
    return text_lang == "ar"


class ProvisionTextQuerySet(models.QuerySet):
    def current(self, treaty_id: int, language: str):
        """The rows of the newest version in `language` (none for English)."""
        version = TextVersion.objects.current_in(treaty_id, language)
        return self.filter(text_version=version) if version else self.none()

    def newest_in(self, language: str):
        """The rows of the newest version in `language` of each provision's treaty, chosen by a
        subquery: no query of its own, and the same query whether or not a version exists."""
        newest = (
            TextVersion.objects.filter(language=language, treaty=OuterRef("provision__treaty"))
            .order_by("-recorded_at", "-pk")
            .values("pk")[:1]
        )
        return self.filter(text_version=Subquery(newest))


class ProvisionText(models.Model):
    """One provision's words in one language version of the text (not English)."""

    text_version = models.ForeignKey(
        TextVersion, on_delete=models.CASCADE, related_name="provision_texts"
    )
    provision = models.ForeignKey(Provision, on_delete=models.PROTECT, related_name="texts")
    text = models.TextField(_("text"))
    # The article's heading title in this language, on the article's own provision (art_N).
    title = models.CharField(_("title"), max_length=300, blank=True)
    # Kept by provisions.search with this language's text-search configuration.
    search_vector = SearchVectorField(null=True, editable=False)

    objects = ProvisionTextQuerySet.as_manager()

    class Meta:
        verbose_name = _("provision text")
        verbose_name_plural = _("provision texts")
        constraints = [
            models.UniqueConstraint(
                fields=["text_version", "provision"], name="provision_text_unique"
            )
        ]

    def __str__(self):
        return f"{self.provision.citation} ({self.text_version.language})"

    @property
    def language(self) -> str:
        return self.text_version.language

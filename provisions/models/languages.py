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


def text_direction(text_lang: str) -> str:
    """W3C's `textDirection` (and HTML's `dir`) of a text language's words."""
    return "rtl" if is_rtl(text_lang) else "ltr"


# The language tags the API and the exports give each text language (BCP 47, as `lang`).
LANGUAGE_TAGS = [html_language(code) for code, _name in TEXT_LANGUAGES]


def language_from_tag(tag) -> str | None:
    """The text language a BCP 47 tag names ("ar", "zh-Hans", also "zh"; any case), or None
    when it is not one of the Convention's languages. Stricter than text_language: a tag from
    a file or a request that names another language is not read as English."""
    if not isinstance(tag, str):
        return None
    wanted = tag.strip().lower()
    for code, _name in TEXT_LANGUAGES:
        if wanted in (code, html_language(code).lower()):
            return code
    return None


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

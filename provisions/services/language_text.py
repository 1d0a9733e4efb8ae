"""The words an annotation is anchored in: the provision's English text, or the text of the
newest version in the annotation's language (provisions.models.languages). Anchoring and
re-anchoring always compare a note with the text of its own language, never another's."""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from provisions.models import Annotation, Provision, ProvisionText, TextVersion
from provisions.models.treaty import ENGLISH, TEXT_LANGUAGES, QuoteSource


def language_text(provision: Provision, language: str) -> tuple[str, QuoteSource | None]:
    """The provision's words in `language` and the version they come from (None for English,
    whose source the caller reads as before); refused when that language has none."""
    if language == ENGLISH:
        return provision.text, None
    if language not in dict(TEXT_LANGUAGES):
        raise ValidationError({"language": _("That is not one of the Convention's languages.")})
    version = TextVersion.objects.current_in(provision.treaty_id, language)
    row = (
        ProvisionText.objects.filter(text_version=version, provision=provision).first()
        if version
        else None
    )
    if row is None:
        raise ValidationError(
            {
                "language": _("The text of %(citation)s in %(language)s has not been imported.")
                % {"citation": provision.citation, "language": dict(TEXT_LANGUAGES)[language]}
            }
        )
    return row.text, QuoteSource(version.label, True)


def anchored_text(annotation: Annotation) -> str:
    """The words `annotation`'s selectors count in (refused if its language's text is gone)."""
    return language_text(annotation.provision, annotation.language)[0]

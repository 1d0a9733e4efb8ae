"""Editors' translations of editorial content (models/translations.py): write, remove, history.

Each write is checked, kept as a Revision (target "translation", snapshot naming what it
translates and the language, so the history of one text in one language survives its removal
and re-creation), recorded in the audit log, and every cached page is retired (a title shows
on many pages: lists, article pages, search).
"""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from provisions import roles
from provisions.cache.generations import everything_changed
from provisions.models import Article, Concern, Revision, SafeguardDemand, Translation
from provisions.models.translations import translation_languages
from provisions.services.audit import audit_record
from provisions.text import clean_text

MAX_TITLE_CHARS = 300
MAX_TEXT_CHARS = 5000


def target_field(target) -> str:
    """The Translation foreign key that points at `target`."""
    if isinstance(target, Concern):
        return "concern"
    if isinstance(target, SafeguardDemand):
        return "demand"
    if isinstance(target, Article):
        return "article"
    raise TypeError(f"{type(target).__name__} is not translated")


def target_label(target) -> str:
    """What a revision and the audit log name: "concern:<slug>", "demand:<slug>", "article:24"."""
    field = target_field(target)
    key = target.number if field == "article" else target.slug
    return f"{field}:{key}"


def translation_of(target, language: str) -> Translation | None:
    found = Translation.objects.filter(**{target_field(target): target, "language": language})
    return found.first()


def translation_history(target, language: str):
    """The revisions of `target`'s translation into `language`, newest first."""
    return (
        Revision.objects.filter(
            target_type=Revision.Target.TRANSLATION,
            snapshot__of=target_label(target),
            snapshot__language=language,
        )
        .select_related("actor__member")
        .order_by("-created_at", "-pk")
    )


def _snapshot(target, language: str, title: str, text: str) -> dict:
    return {"of": target_label(target), "language": language, "title": title, "text": text}


def _check(target, field: str, title: str, text: str) -> None:
    errors = {}
    if field == "article":
        if title:
            errors["title"] = _("An article's title is the treaty's: translate its summary only.")
        if not text:
            errors["text"] = _("Give the translated summary, or leave every field empty.")
    else:
        if not title:
            errors["title"] = _("Give the translated title, or leave every field empty.")
        if target.point and not text:
            errors["text"] = _("Give the translated text too: the English has one.")
        if not target.point and text:
            errors["text"] = _("The English has no text to translate: leave this empty.")
    if len(title) > MAX_TITLE_CHARS:
        errors["title"] = _("At most %(n)s characters.") % {"n": MAX_TITLE_CHARS}
    if len(text) > MAX_TEXT_CHARS:
        errors["text"] = _("At most %(n)s characters.") % {"n": MAX_TEXT_CHARS}
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def translation_save(
    *, target, language: str, title: str, text: str, editor, request=None
) -> Translation | None:
    """Write `target`'s translation into `language` as `editor`; every field empty removes it.

    Returns the translation (None when removed or there was none). Nothing changes when the
    words are the same."""
    if not roles.is_editor(editor):
        raise PermissionDenied
    if language not in dict(translation_languages()):
        raise ValidationError({"language": _("Choose one of the site's other languages.")})
    field = target_field(target)
    title, text = clean_text(title).strip(), clean_text(text).strip()
    current = (
        Translation.objects.select_for_update()
        .filter(**{field: target, "language": language})
        .first()
    )
    if not title and not text:
        if current is not None:
            _record(current, "removed", editor, _snapshot(target, language, "", ""), request)
            current.delete()
        return None
    _check(target, field, title, text)
    if current is not None and (current.title, current.text) == (title, text):
        return current
    action = "edited" if current is not None else "created"
    translation = current or Translation(**{field: target, "language": language, "version": 0})
    translation.title, translation.text = title, text
    translation.version += 1
    translation.updated_by = editor
    translation.save()
    _record(translation, action, editor, _snapshot(target, language, title, text), request)
    return translation


def _record(translation: Translation, action: str, editor, snapshot: dict, request) -> None:
    Revision.objects.create(
        target_type=Revision.Target.TRANSLATION,
        target_id=translation.pk,
        version=translation.version + (1 if action == "removed" else 0),
        action=action,
        actor=editor,
        snapshot=snapshot,
    )
    audit_record(
        action=f"translation.{action}",
        actor=editor,
        obj=translation,
        detail={"of": snapshot["of"], "language": snapshot["language"]},
        request=request,
    )
    everything_changed()

"""Editors' translations of editorial content (/review/translations/): which concerns, demands
and article summaries are translated into which language, and one form per text and language,
with that translation's history. Writes go through provisions/services/translations.py."""

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_safe

from provisions.access import editor_required
from provisions.forms import ServiceErrorsForm
from provisions.models import POINT_MODELS, Article
from provisions.models.translations import translation_languages
from provisions.queries.translations import translation_overview
from provisions.services.translations import (
    MAX_TEXT_CHARS,
    MAX_TITLE_CHARS,
    translation_history,
    translation_of,
    translation_save,
)


class TranslationForm(ServiceErrorsForm):
    title = forms.CharField(label=gettext_lazy("Title"), max_length=MAX_TITLE_CHARS, required=False)
    text = forms.CharField(
        label=gettext_lazy("Text"),
        max_length=MAX_TEXT_CHARS,
        required=False,
        widget=forms.Textarea(attrs={"rows": 8}),
    )

    def __init__(self, *args, language: str, has_title: bool, **kwargs):
        super().__init__(*args, **kwargs)
        if not has_title:
            del self.fields["title"]
        for field in self.fields.values():
            # Typed in the language it translates into; dir="auto" follows the script.
            field.widget.attrs.update({"lang": language, "dir": "auto"})


def _target(kind: str, key: str):
    if kind == "article":
        if not key.isdigit() or len(key) > 4:
            raise Http404
        return get_object_or_404(Article, number=int(key))
    return get_object_or_404(POINT_MODELS[kind], slug=key)


@editor_required
@require_safe
@never_cache
def translations(request):
    overview = translation_overview()
    groups = [
        ("concerns-title", _("Concerns"), overview["concerns"], "concern"),
        ("demands-title", _("Safeguard demands"), overview["demands"], "demand"),
        ("articles-title", _("Article summaries"), overview["articles"], "article"),
    ]
    return render(
        request,
        "provisions/translations.html",
        {"target_languages": overview["languages"], "groups": groups},
    )


@editor_required
@require_http_methods(["GET", "HEAD", "POST"])
@never_cache
def translation_edit(request, kind: str, key: str, language: str):
    languages = dict(translation_languages())
    if language not in languages:
        raise Http404
    target = _target(kind, key)
    current = translation_of(target, language)
    has_title = kind != "article"
    status = 200
    if request.method == "POST":
        form = TranslationForm(request.POST, language=language, has_title=has_title)
        if form.is_valid():
            try:
                saved = translation_save(
                    target=target,
                    language=language,
                    title=form.cleaned_data.get("title", ""),
                    text=form.cleaned_data["text"],
                    editor=request.user,
                    request=request,
                )
            except ValidationError as error:
                form.add_service_errors(error)
            else:
                if saved:
                    messages.success(request, _("Translation saved."))
                elif current:
                    messages.success(request, _("Translation removed."))
                else:
                    messages.info(request, _("Nothing saved: every field was empty."))
                return redirect(request.path)
        status = 400
    else:
        initial = {"title": current.title, "text": current.text} if current else {}
        form = TranslationForm(initial=initial, language=language, has_title=has_title)
    context = {
        "target": target,
        "kind": kind,
        "language": language,
        "language_name": languages[language],
        "english_title": target.title,
        "english_text": target.summary if kind == "article" else target.point,
        "form": form,
        "current": current,
        "history": translation_history(target, language),
    }
    return render(request, "provisions/translation_edit.html", context, status=status)

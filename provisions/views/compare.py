"""The text of an article in two languages side by side, paragraph by paragraph (issue 14).

A plain GET form chooses the two languages (`?left=ar&right=en`); each column says which
language and version it holds and carries its own `lang` and `dir`, so Arabic reads right to
left inside a page in any interface language. A language whose version does not hold the
article shows the English text with a note. Unknown languages answer 400 with the form.
"""

from django import forms
from django.shortcuts import get_object_or_404, render
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_safe

from provisions.access import public
from provisions.cache.serving import cache_public_page
from provisions.models import Article
from provisions.models.languages import text_language
from provisions.models.treaty import ENGLISH, TEXT_LANGUAGES
from provisions.queries.languages import current_versions, holds, text_in


class CompareForm(forms.Form):
    # Each label a whole phrase of its own (never "Compare" … "with" glued in the page); the
    # first column is at the start of the line in either direction of writing.
    left = forms.ChoiceField(
        label=_("Language of the first column"), choices=TEXT_LANGUAGES, required=False
    )
    right = forms.ChoiceField(
        label=_("Language of the second column"), choices=TEXT_LANGUAGES, required=False
    )


def _defaults(article, versions) -> tuple[str, str]:
    """The reader's language beside English; for an English reader, English beside the first
    language that holds the article (or French)."""
    reader = text_language(get_language())
    if reader != ENGLISH:
        return reader, ENGLISH
    held = [code for code, _name in TEXT_LANGUAGES if holds(versions.get(code), article)]
    return ENGLISH, (held[0] if held else "fr")


@public
@require_safe
@cache_public_page("article:{number}")
def article_compare(request, number: int):
    article = get_object_or_404(Article.objects.select_related("chapter"), number=number)
    versions = current_versions(article.treaty_id)
    left, right = _defaults(article, versions)
    form = CompareForm(request.GET)
    valid = form.is_valid()
    if valid:
        left = form.cleaned_data["left"] or left
        right = form.cleaned_data["right"] or right
    columns = [text_in(article, language) for language in (left, right)]
    provisions = list(article.provisions.current().order_by("position"))
    rows = [
        (
            provision,
            [(column, column.label_of(provision), column.text_of(provision)) for column in columns],
        )
        for provision in provisions
    ]
    context = {
        "article": article,
        "form": form,
        "columns": columns,
        "rows": rows,
    }
    return render(request, "provisions/compare.html", context, status=200 if valid else 400)

"""Template filters for user-written content (only ever output what is known to be inert) and
for machine-readable values in pages."""

import re
from collections.abc import Iterable
from datetime import UTC, date, datetime

from django import template
from django.conf import settings
from django.utils.html import format_html
from django.utils.translation import get_language, gettext

from provisions import annotator, languages, public_names, text
from provisions.models.translations import Shown, Translatable, content_language
from provisions.queries.headings import HeadingTitles

register = template.Library()


# The one rule for web addresses (also the services' and the feeds'): provisions/text.py.
register.filter("http_url", text.http_url)


@register.filter
def version_label(value) -> str:
    """A text version's label as the reader reads it: the one the app gives its own editorial
    summaries ("Editorial summaries", stored as it is in the data and the exports) translated;
    an imported version's label (a UN document symbol, a corrigendum's name) as it was given."""
    from django.utils.translation import pgettext

    from provisions.models.treaty import SUMMARY_LABEL

    if value == SUMMARY_LABEL:
        return pgettext("the text version of the app's own summaries", "Editorial summaries")
    return value


# The note a restore leaves in the history (services/history.py, record_restore), stored in
# English as "from version N: <the editor's reason>".
RESTORED_NOTE = re.compile(r"from version (\d+): (.*)", re.DOTALL)


@register.filter
def revision_note(revision) -> str:
    """A revision's note as the reader reads it: the app's own words around a restore's reason
    in the reader's language, the reason (typed by an editor) as typed; any other note as
    stored."""
    note = revision.note or ""
    found = RESTORED_NOTE.fullmatch(note) if revision.action == "restored" else None
    if found:
        return gettext("from version %(version)s: %(reason)s") % {
            "version": found.group(1),
            "reason": found.group(2),
        }
    return note


@register.filter
def sanitised(value) -> str:
    """Stored annotation HTML, sanitised on the way out too (defence in depth)."""
    from provisions.rendering import as_safe_html

    return as_safe_html(value)


@register.filter
def iso_datetime(value) -> str:
    """A `<time datetime>` value: ISO 8601, in UTC and to the second for an aware datetime.

    Django's `date:"c"` writes microseconds, which HTML does not allow (three digits at most).
    """
    if isinstance(value, datetime):
        if value.tzinfo is not None:
            return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        return value.strftime("%Y-%m-%dT%H:%M:%S")
    if isinstance(value, date):
        return value.isoformat()
    return ""


@register.filter
def public_name(user) -> str:
    """How `user` is credited on any page: their chosen public name or "A TreatyWatch member".

    No user (a removed account) gives "", so that a template says what it means with `default`.
    """
    return public_names.public_name(user) if user is not None else ""


@register.filter
def editor_label(user) -> str:
    """How `user` is named on pages only editors see: the public name and the sign-in name,
    never an e-mail address. No user gives ""."""
    return public_names.editor_label(user) if user is not None else ""


@register.filter
def action_label(revision) -> str:
    """What happened in a revision, agreeing with its kind of object (queries/history.py)."""
    from provisions.queries.history import action_label as label

    return label(revision)


@register.simple_tag(takes_context=True)
def language_links(context):
    """This page in every language (provisions/languages.py), for the switcher and hreflang."""
    return languages.language_links(context.get("request"))


@register.simple_tag
def language_tag():
    """The current language as a BCP 47 tag for <html lang> (zh-Hans)."""
    return languages.bcp47(get_language() or settings.LANGUAGE_CODE)


@register.simple_tag
def shown(obj, field: str = "", plain: bool = False):
    """An editorial field (a concern's "title" or "point", an article's "summary") in the
    reader's language (models/translations.py). Without a translation the English is shown in
    an element marked `lang="en" dir="ltr"`; `untranslated_note` says so once per object.
    plain=True gives the text alone (a <title>, an attribute).

    `obj` may also be what Translatable.shown gave already (a search facet's label), or a plain
    label that is not editorial content (a tag's, or a chapter's search.results.ChapterLabel,
    which marks its own heading), shown as it is."""
    if isinstance(obj, str) or not (isinstance(obj, Shown) or hasattr(obj, "shown")):
        return obj
    value = obj if isinstance(obj, Shown) else obj.shown(field)
    return value.text if plain else value.__html__()


def _untranslated(item) -> bool:
    """An object with editorial fields (models/translations.Translatable), what its `shown`
    gave, or a list of them, of which one at least has no translation into the reader's
    language. Anything else (a chapter's or a tag's label, nothing) is not editorial content."""
    if isinstance(item, Shown):
        return item.fallback
    if isinstance(item, Translatable):
        return item.untranslated
    if isinstance(item, str) or not isinstance(item, Iterable):
        return False
    return any(_untranslated(each) for each in item)


@register.simple_tag(takes_context=True)
def heading(context, obj, plain: bool = False):
    """An article's or a chapter's title in the reader's language (queries/headings.py), marked
    with its `lang` and `dir` (the English one too, where it stands in for a title not
    imported); plain=True gives the words alone (a <title>, an attribute)."""
    titles = context.get("headings")
    if not isinstance(titles, HeadingTitles):  # rendered without the context processor
        titles = HeadingTitles(get_language())
    value = titles.of(obj)
    # Markup, not the Heading itself: {% blocktranslate %} turns a value that is no string
    # into plain text before escaping it, which would lose the marking.
    return value.text if plain else value.__html__()


@register.simple_tag
def untranslated_note(*objects, element: str = "span"):
    """ "Not yet translated; shown in English" when one of `objects` (each an object, or a list
    of them: an annotation's concerns) has no translation into the reader's language (nothing
    in English), once for all of them, in a <span> or a <p>."""
    if content_language() is None:  # English: nothing to say, and no list read for it
        return ""
    if not any(_untranslated(item) for item in objects):
        return ""
    tag = "p" if element == "p" else "span"
    return format_html(
        '<{} class="untranslated-note">{}</{}>',
        tag,
        gettext("Not yet translated; shown in English"),
        tag,
    )


@register.simple_tag
def annotator_strings():
    """The in-page annotator's words in the page's language (provisions/annotator.py), for
    `{{ …|json_script:"annotator-strings" }}`."""
    return annotator.annotator_strings()

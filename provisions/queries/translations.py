"""Editorial content in the reader's language: the one way pages load translations.

Every place that shows a concern's or demand's title and words, or an article's summary, loads
its objects through `with_translations` (a queryset) or `load_translations` (objects already
read), then shows them with the `shown` template tag (templatetags/treatywatch.py). In English
neither adds a query; in another language each adds exactly one query per path, however many
objects there are (tests/test_translations.py counts them).
"""

from django.db.models import Prefetch, prefetch_related_objects

from provisions.models import Article, Concern, SafeguardDemand, Translation
from provisions.models.translations import (
    LOADED_ATTRIBUTE,
    content_language,
    translation_languages,
)

# The paths to the concerns and demands an annotation is tied to (its chips), and a link's.
ANNOTATION_POINTS = ("concerns", "demands")
LINK_POINTS = ("concern", "demand")


def _prefetches(paths: tuple[str, ...], language: str) -> list[Prefetch]:
    return [
        Prefetch(
            f"{path}__translations" if path else "translations",
            queryset=Translation.objects.filter(language=language),
            to_attr=LOADED_ATTRIBUTE,
        )
        for path in paths or ("",)
    ]


def with_translations(queryset, *paths: str):
    """The queryset, with the translation into the request's language of each object it yields
    (no path) or reaches through each of `paths` (e.g. "concern", "demand")."""
    language = content_language()
    if language is None:
        return queryset
    return queryset.prefetch_related(*_prefetches(paths, language))


def load_translations(objects, *paths: str):
    """The same for objects already read (a list); returns them."""
    language = content_language()
    if language is not None and objects:
        prefetch_related_objects(list(objects), *_prefetches(paths, language))
    return objects


def translation_overview() -> dict:
    """For editors' list (/review/translations/): every concern, demand and article with the
    languages it is translated into. Four queries, however many rows."""
    done: dict[tuple[str, int], set[str]] = {}
    for concern_id, demand_id, article_id, language in Translation.objects.values_list(
        "concern_id", "demand_id", "article_id", "language"
    ):
        key = (
            ("concern", concern_id)
            if concern_id
            else ("demand", demand_id)
            if demand_id
            else ("article", article_id)
        )
        done.setdefault(key, set()).add(language)
    languages = translation_languages()

    def rows(kind, objects):
        return [
            (obj, [(code, name, code in done.get((kind, obj.pk), ())) for code, name in languages])
            for obj in objects
        ]

    return {
        "languages": languages,
        "concerns": rows("concern", Concern.objects.only("slug", "title", "position")),
        "demands": rows("demand", SafeguardDemand.objects.only("slug", "title", "position")),
        "articles": rows("article", Article.objects.only("number", "title")),
    }

"""Reading what an API client sent: ids, keys, lists, a W3C body and target, the provision a
target names, and the filters links and annotations share. Every refusal is a ValidationError or
an ApiError the endpoint turns into the documented error (errors.py).
"""

from urllib.parse import urlsplit

from django.core.exceptions import ValidationError
from django.http import Http404
from django.urls import Resolver404, resolve
from django.utils.translation import gettext as _

from provisions.api.endpoint import query_int, query_text
from provisions.api.errors import ApiError
from provisions.models import Provision
from provisions.models.languages import LANGUAGE_TAGS, language_from_tag

# Larger ids or numbers cannot exist; refusing them early keeps databases from overflowing.
MAX_ID = 2**53


def check_id(value: int) -> int:
    if value > MAX_ID:
        raise Http404
    return value


def choose_one(values) -> str:
    return _("Choose one of: %(c)s") % {"c": ", ".join(values)}


def check_keys(data: dict, allowed: set[str]) -> None:
    unknown = sorted(set(data) - allowed)
    if unknown:
        raise ValidationError({key: _("Unknown field.") for key in unknown})


def string_list(data: dict, key: str) -> list[str] | None:
    """An optional list of strings (slugs or tag names); None when the key is absent."""
    if key not in data:
        return None
    value = data[key]
    if value is None:
        return []
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise ValidationError({key: _('Give a list of text values, e.g. ["a", "b"].')})
    return value


def body_value(data: dict) -> str:
    """The Markdown note from a W3C `body` (TextualBody) or the `bodyValue` shorthand."""
    if "bodyValue" in data:
        if "body" in data:
            raise ValidationError({"body": _("Send either body or bodyValue, not both.")})
        value = data["bodyValue"]
    else:
        body = data.get("body")
        if isinstance(body, list) and len(body) == 1:
            body = body[0]
        if not isinstance(body, dict):
            raise ValidationError(
                {"body": _('Give the note as {"type": "TextualBody", "value": "…"}.')}
            )
        if body.get("type", "TextualBody") != "TextualBody":
            raise ValidationError({"body.type": _("Only a TextualBody is supported.")})
        if body.get("format", "text/markdown") not in ("text/markdown", "text/plain"):
            raise ValidationError({"body.format": _("The format is text/markdown.")})
        value = body.get("value")
    if not isinstance(value, str):
        raise ValidationError({"body.value": _("The note must be text.")})
    return value


def target_parts(target) -> tuple[object, list | None]:
    """(source, selectors) of a W3C target; selectors is None when the target names none."""
    if isinstance(target, str):
        return target, None
    if isinstance(target, list) and len(target) == 1:
        target = target[0]
    if not isinstance(target, dict):
        raise ValidationError(
            {"target": _('Give the target as {"source": "art_24", "selector": [...]}.')}
        )
    if "selector" not in target:
        return target.get("source"), None
    selector = target["selector"]
    if selector is None:
        return target.get("source"), []
    if isinstance(selector, dict):
        selector = [selector]
    if not isinstance(selector, list):
        raise ValidationError({"target.selector": _("Give a list of W3C selectors.")})
    return target.get("source"), selector


def target_language(target) -> str | None:
    """The text language a W3C target names (`"language": "ar"`: the words the note is made on
    and its selectors count in), or None when it names none. One of the Convention's languages,
    as a BCP 47 tag (models.languages.LANGUAGE_TAGS), else refused."""
    if isinstance(target, list) and len(target) == 1:
        target = target[0]
    if not isinstance(target, dict) or target.get("language") is None:
        return None
    language = language_from_tag(target["language"])
    if language is None:
        raise ValidationError({"target.language": choose_one(LANGUAGE_TAGS)})
    return language


def provision_from_source(source, field: str) -> Provision:
    """A provision named by its eid ("art_24__para_1") or its permalink (article URL + #eid)."""
    invalid = ValidationError(
        {field: _("Name a provision: an eid such as art_24, or its permalink.")}
    )
    if not isinstance(source, str) or not source.strip():
        raise invalid
    source = source.strip()
    eid, number, in_article = source, None, True
    if "#" in source or "/" in source:
        try:
            # urlsplit refuses some addresses outright ("http://[::1": a broken IPv6 host).
            parts = urlsplit(source)
            match = resolve(parts.path)
        except (ValueError, Resolver404):
            raise invalid from None
        eid = parts.fragment
        if not eid or match.view_name not in ("provisions:article", "provisions:toc"):
            raise invalid
        number = match.kwargs.get("number")
        in_article = match.view_name == "provisions:article"
    provision = Provision.objects.select_related("article").filter(eid=eid).first()
    if provision is None:
        raise ValidationError({field: _("No provision has the id %(eid)s.") % {"eid": eid[:100]}})
    if number is not None and (not in_article or provision.article.number != number):
        raise invalid
    if number is None and "#" in source and provision.article_id is not None:
        # A table-of-contents permalink only names provisions outside the articles.
        raise invalid
    return provision


def annotation_id_from(value) -> int | None:
    """The id of an annotation named by its number or its address (either API's); else None."""
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if isinstance(value, str):
        if value.isdigit():
            try:
                return int(value)
            except ValueError:
                # "²" is a digit to Python but not a number; 5,000 digits are past int()'s limit.
                return None
        try:
            match = resolve(urlsplit(value).path)
        except (ValueError, Resolver404):
            return None
        if match.view_name in ("api:annotation", "api:wap_annotation"):
            return match.kwargs["pk"]
    return None


def where_and_status(request, queryset, statuses):
    """The filters links and annotations share: ?article=24, ?provision=art_24_para_1 and
    ?status= (one of `statuses`, else a 400 that lists them)."""
    article = query_int(request, "article")
    if article is not None:
        queryset = queryset.filter(provision__article__number=article)
    if provision := query_text(request, "provision"):
        queryset = queryset.filter(provision__eid=provision)
    if status := query_text(request, "status"):
        if status not in statuses.values:
            raise ApiError(
                400,
                "bad_request",
                _("Unknown status."),
                fields={"status": [choose_one(statuses.values)]},
            )
        queryset = queryset.filter(status=status)
    return queryset

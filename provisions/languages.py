"""The site's languages for a page: where the same page is in each language, how to name it, and
which way it is written (docs/translations.md).

Every language but English is at the address prefixed with its code (/fr/…); English is at the
unprefixed one. The switcher's links keep the query string (a search stays a search); the
hreflang alternates name the page itself, without it. A page that exists in one language only
(the admin: not prefixed) offers no other.
"""

from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import DisallowedHost
from django.urls import NoReverseMatch, Resolver404, resolve, reverse
from django.utils.encoding import escape_uri_path, iri_to_uri
from django.utils.translation import get_language, get_language_info, override, to_locale


def bcp47(code: str) -> str:
    """The language tag for HTML's lang and hreflang: zh-hans is written zh-Hans."""
    return to_locale(code).replace("_", "-")


def local_name(code: str) -> str:
    """The language's name in that language, capitalised as a menu entry (Français)."""
    name = get_language_info(code)["name_local"]
    return name[:1].upper() + name[1:]


@dataclass(frozen=True)
class LanguageLink:
    code: str  # Django's code, as in the URL prefix (zh-hans)
    tag: str  # BCP 47, for lang and hreflang (zh-Hans)
    name: str  # the language's name in that language (Français)
    short: str  # two letters for a narrow screen (FR)
    path: str  # this page in that language, without the query: the hreflang alternate
    url: str  # the same with the query string kept: the switcher's link (a search stays a search)
    current: bool
    rtl: bool
    alternate: bool  # the same page (False: that language's home page, from a missing page)


# Where a request keeps its links once they are made: base.html and the search results' fragment
# may both ask, and each asking would otherwise resolve the address again.
_REQUEST_ATTRIBUTE = "_treatywatch_language_links"


def language_links(request) -> list[LanguageLink]:
    """This page in every language, or [] when it exists in one language only.

    Made once per request: the address is resolved once and reversed in each language."""
    if request is None:
        return []
    links = getattr(request, _REQUEST_ATTRIBUTE, None)
    if links is None:
        links = _links_for(request)
        setattr(request, _REQUEST_ATTRIBUTE, links)
    return links


def _links_for(request) -> list[LanguageLink]:
    try:
        request.get_host()
    except DisallowedHost:
        return []  # the 400 page for a Host header we do not serve: no addresses built on it
    here = escape_uri_path(request.path)
    same_page = True
    try:
        match = resolve(request.path_info)
    except Resolver404:
        same_page = False
        # A page that does not exist (the 404 page): each language's home page instead.
        match = resolve(reverse("provisions:home"))
        query = ""
    else:
        query = iri_to_uri(request.META.get("QUERY_STRING", ""))
    name = f"{match.namespace}:{match.url_name}" if match.namespace else match.url_name
    paths = {}
    for code, _name in settings.LANGUAGES:
        with override(code):
            try:
                paths[code] = reverse(name, args=match.args, kwargs=match.kwargs) if name else here
            except NoReverseMatch:
                paths[code] = here
    if same_page and len(set(paths.values())) == 1:
        return []  # not language-prefixed: the same address whatever the language
    current = get_language()
    return [
        LanguageLink(
            code=code,
            tag=bcp47(code),
            name=local_name(code),
            short=code.split("-")[0].upper(),
            path=paths[code],
            url=f"{paths[code]}?{query}" if query else paths[code],
            current=code == current,
            rtl=get_language_info(code)["bidi"],
            alternate=same_page,
        )
        for code, _name in settings.LANGUAGES
    ]

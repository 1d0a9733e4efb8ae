"""The site's languages for a page: where the same page is in each language, how to name it, and
which way it is written (docs/translations.md).

Every language but English is at the address prefixed with its code (/fr/…); English is at the
unprefixed one. The links keep the query string (a search stays a search), and a page that
exists in one language only (sign-in, the admin: not prefixed) offers no other.
"""

from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import DisallowedHost
from django.urls import Resolver404, resolve, reverse, translate_url
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
    url: str  # this page in that language, query string kept
    current: bool
    rtl: bool
    alternate: bool  # the same page (False: that language's home page, from a missing page)


def language_links(request) -> list[LanguageLink]:
    """This page in every language, or [] when it exists in one language only."""
    if request is None:
        return []
    try:
        request.get_host()
    except DisallowedHost:
        return []  # the 400 page for a Host header we do not serve: no addresses built on it
    here = request.get_full_path()
    same_page = True
    try:
        resolve(request.path_info)
    except Resolver404:
        same_page = False
        # A page that does not exist (the 404 page): each language's home page instead.
        urls = {}
        for code, _name in settings.LANGUAGES:
            with override(code):
                urls[code] = reverse("provisions:home")
    else:
        urls = {code: translate_url(here, code) for code, _name in settings.LANGUAGES}
        if len(set(urls.values())) == 1:
            return []  # not language-prefixed: the same address whatever the language
    current = get_language()
    return [
        LanguageLink(
            code=code,
            tag=bcp47(code),
            name=local_name(code),
            short=code.split("-")[0].upper(),
            url=urls[code],
            current=code == current,
            rtl=get_language_info(code)["bidi"],
            alternate=same_page,
        )
        for code, _name in settings.LANGUAGES
    ]

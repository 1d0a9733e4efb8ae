"""The interface in six languages: extraction and compilation of the catalogues
(docs/translations.md)."""

import re
import shutil
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.test import RequestFactory, override_settings
from django.utils import translation

from provisions.cache import keys
from tests.helpers import po_entries, text_of

ROOT = Path(settings.BASE_DIR)
LOCALES = ["fr", "es", "ar", "ru", "zh_Hans"]


def test_the_site_offers_the_conventions_six_languages():
    assert [code for code, _name in settings.LANGUAGES] == ["en", "fr", "es", "ar", "ru", "zh-hans"]
    assert settings.LANGUAGE_CODE == "en"


@pytest.fixture
def project_copy(tmp_path, monkeypatch):
    """The code makemessages reads (provisions/, templates/) plus a tests/ and a .venv/ it must
    skip, in a scratch directory with its own locale/."""
    for name in ("provisions", "templates"):
        shutil.copytree(ROOT / name, tmp_path / name, ignore=shutil.ignore_patterns("__pycache__"))
    for skipped in ("tests", ".venv/lib", "bench", "scripts", "node_modules/x"):
        (tmp_path / skipped).mkdir(parents=True)
        (tmp_path / skipped / "skipped.py").write_text(
            'from django.utils.translation import gettext as _\n_("A string nobody reads")\n'
        )
    monkeypatch.chdir(tmp_path)
    with override_settings(LOCALE_PATHS=[tmp_path / "locale"]):
        yield tmp_path


def catalogue(root: Path, locale: str) -> str:
    return (root / "locale" / locale / "LC_MESSAGES" / "django.po").read_text(encoding="utf-8")


def test_makemessages_writes_stable_sorted_catalogues_without_locations(project_copy):
    call_command("makemessages", verbosity=0)
    for locale in LOCALES:
        text = catalogue(project_copy, locale)
        assert "#: " not in text  # no source locations
        assert '#, fuzzy\nmsgid ""' not in text  # a clean header
        assert f'"Language: {locale}\\n"' in text
        assert "charset=UTF-8" in text
        assert "Plural-Forms: nplurals=INTEGER" not in text
        assert 'msgid "A string nobody reads"' not in text
        assert 'msgid "Search"' in text
    entries = po_entries(catalogue(project_copy, "fr"))
    assert entries[0]["msgid"] == "" and "fuzzy" not in entries[0]["flags"]
    ids = [entry["msgid"] for entry in entries[1:]]
    assert len(ids) > 1000
    assert ids == sorted(ids)
    before = {locale: catalogue(project_copy, locale) for locale in LOCALES}

    # A second run that finds nothing new changes nothing, not even the header's date.
    call_command("makemessages", verbosity=0)
    assert {locale: catalogue(project_copy, locale) for locale in LOCALES} == before


def test_compilemessages_builds_mo_files_and_is_quiet_without_catalogues(project_copy):
    call_command("compilemessages", verbosity=0)  # no catalogue yet: nothing to do, no error
    call_command("makemessages", locale=["fr"], verbosity=0)
    call_command("compilemessages", verbosity=0)
    assert (project_copy / "locale" / "fr" / "LC_MESSAGES" / "django.mo").exists()
    assert not list((project_copy / ".venv").rglob("*.mo"))


def test_compiled_catalogues_are_not_committed():
    assert "*.mo" in (ROOT / ".gitignore").read_text().splitlines()


# --- Language-prefixed addresses -------------------------------------------------------------

ART24 = "/convention/articles/24/"
# Strings the committed catalogues translate (base.html's skip link).
SKIP_LINK = {
    "en": "Skip to content",
    "fr": "Aller au contenu",
    "ar": "انتقل إلى المحتوى",
    "zh-hans": "跳到正文",
}
FRENCH_COOKIE = {settings.LANGUAGE_COOKIE_NAME: "fr"}


@pytest.fixture
def translated(compiled_catalogues, db):
    """Pages rendered with the project's compiled catalogues."""


def test_a_prefixed_page_is_in_its_language(client, translated):
    for code in ("fr", "ar", "zh-hans"):
        response = client.get(f"/{code}{ART24}")
        html = text_of(response)
        assert SKIP_LINK[code] in html, code
        assert SKIP_LINK["en"] not in html, code
        assert response["Content-Language"] == code


@pytest.mark.parametrize("code", ["fr", "es", "ar", "ru", "zh-hans"])
def test_every_language_has_its_prefix(client, translated, code):
    assert client.get(f"/{code}/convention/").status_code == 200
    assert client.get(f"/{code}/search/?q=data").status_code == 200


def test_an_unprefixed_page_is_english_whatever_the_visitor_asks(client, translated):
    for headers in ({"HTTP_ACCEPT_LANGUAGE": "fr"}, {"HTTP_ACCEPT_LANGUAGE": "ar,fr;q=0.8"}):
        response = client.get(ART24, **headers)
        html = text_of(response)
        assert SKIP_LINK["en"] in html and SKIP_LINK["fr"] not in html
        assert response["Content-Language"] == "en"
    client.cookies.load(FRENCH_COOKIE)
    html = text_of(client.get(ART24, HTTP_ACCEPT_LANGUAGE="fr"))
    assert SKIP_LINK["en"] in html and SKIP_LINK["fr"] not in html


def test_links_on_a_prefixed_page_stay_in_its_language(client, translated):
    html = text_of(client.get(f"/fr{ART24}"))
    assert 'href="/fr/convention/"' in html
    assert 'href="/fr/search/"' in html
    assert 'href="/convention/"' not in html
    # Sign-in is prefixed too: a reader who chose French signs in in French.
    assert 'href="/fr/accounts/login/' in html
    assert 'href="/accounts/login/' not in html


def test_sign_in_speaks_the_readers_language(client, translated):
    page = text_of(client.get("/fr/accounts/login/"))
    assert '<html lang="fr" dir="ltr">' in page
    with translation.override("fr"):
        sign_in = translation.gettext("Sign in")
    assert sign_in != "Sign in" and sign_in in page
    assert "/fr/accounts/password_reset/" in page


def test_the_api_health_check_and_admin_are_not_prefixed(client, translated):
    english = client.get("/api/v1/")
    french = client.get("/api/v1/", HTTP_ACCEPT_LANGUAGE="fr", cookies=FRENCH_COOKIE)
    assert english.status_code == french.status_code == 200
    assert english.content == french.content
    for path in ("/fr/api/v1/", "/fr/healthz", "/fr/admin/"):
        assert client.get(path).status_code == 404, path
    assert client.get("/healthz").status_code == 200


def test_the_page_cache_keeps_each_language_apart(client, translated, page_cache_on):
    def get(path, **extra):
        response = client.get(path, **extra)
        return response.get("X-Page-Cache"), text_of(response)

    state, html = get(ART24, HTTP_ACCEPT_LANGUAGE="fr")
    assert state == "miss" and SKIP_LINK["en"] in html
    state, html = get(f"/fr{ART24}")
    assert state == "miss" and SKIP_LINK["fr"] in html
    state, html = get(f"/ar{ART24}", HTTP_ACCEPT_LANGUAGE="en")
    assert state == "miss" and SKIP_LINK["ar"] in html
    # Stored pages, each served in its own language whatever the visitor's headers say.
    state, html = get(ART24, HTTP_ACCEPT_LANGUAGE="fr")
    assert state == "hit" and SKIP_LINK["en"] in html
    state, html = get(f"/fr{ART24}", HTTP_ACCEPT_LANGUAGE="ar")
    assert state == "hit" and SKIP_LINK["fr"] in html
    client.cookies.load(FRENCH_COOKIE)
    state, html = get(ART24)
    assert state == "hit" and SKIP_LINK["en"] in html


def test_the_page_key_comes_from_the_address_not_the_active_language():
    factory = RequestFactory()
    english, french = factory.get(ART24), factory.get(f"/fr{ART24}")
    assert keys.page_language(english) == "en"
    assert keys.page_language(french) == "fr"
    assert keys.page_language(factory.get("/zh-hans/convention/")) == "zh-hans"
    # Wherever the cache sits in the middleware stack, whatever language is active.
    with translation.override("fr"):
        assert keys.page_key(english) == keys.page_key(factory.get(ART24))
        english_under_fr = keys.page_key(english)
    assert keys.page_key(english) == english_under_fr
    assert keys.page_key(english) != keys.page_key(french)


# --- The language of each page: <html lang dir>, hreflang alternates, the switcher --------------


def html_element(html: str) -> str:
    return re.search(r"<html[^>]*>", html).group(0)


def test_html_lang_and_dir_follow_the_language(client, translated):
    expected = {
        ART24: '<html lang="en" dir="ltr">',
        f"/fr{ART24}": '<html lang="fr" dir="ltr">',
        f"/ar{ART24}": '<html lang="ar" dir="rtl">',
        f"/ru{ART24}": '<html lang="ru" dir="ltr">',
        f"/zh-hans{ART24}": '<html lang="zh-Hans" dir="ltr">',
    }
    for path, element in expected.items():
        assert html_element(text_of(client.get(path))) == element, path
    # The error pages too.
    assert html_element(text_of(client.get("/ar/nowhere/"), 404)) == '<html lang="ar" dir="rtl">'


def alternates(html: str) -> dict[str, str]:
    return dict(re.findall(r'<link rel="alternate" hreflang="([^"]+)" href="([^"]+)">', html))


def test_every_page_names_its_alternates_in_every_language(client, translated):
    # Addresses on this host without naming it: a page kept in the shared page cache is the same
    # whichever of the allowed host names asked first, and no Host header ends up in a <link>.
    expected = {
        "en": "/convention/articles/24/",
        "x-default": "/convention/articles/24/",
        "fr": "/fr/convention/articles/24/",
        "es": "/es/convention/articles/24/",
        "ar": "/ar/convention/articles/24/",
        "ru": "/ru/convention/articles/24/",
        "zh-Hans": "/zh-hans/convention/articles/24/",
    }
    assert alternates(text_of(client.get(f"/ar{ART24}"))) == expected
    assert alternates(text_of(client.get(ART24))) == expected
    # A page in one language only (the admin's sign-in redirect target aside), or a missing one,
    # names none; sign-in exists in every language.
    assert alternates(text_of(client.get("/accounts/login/")))["fr"] == "/fr/accounts/login/"
    assert alternates(text_of(client.get("/fr/nowhere/"), 404)) == {}


def switcher_links(html: str) -> list[str]:
    nav = re.search(r'<nav class="language-switcher".*?</nav>', html, re.S).group(0)
    return re.findall(r"<a [^>]*>[^<]*</a>", nav)


def test_the_switcher_keeps_the_page_and_its_query(client, translated):
    html = text_of(client.get("/fr/search/?q=data+retention&kind=article"))
    assert switcher_links(html) == [
        '<a href="/search/?q=data+retention&amp;kind=article" lang="en" hreflang="en" dir="ltr">'
        "English</a>",
        '<a href="/fr/search/?q=data+retention&amp;kind=article" lang="fr" hreflang="fr" dir="ltr"'
        ' aria-current="true">Français</a>',
        '<a href="/es/search/?q=data+retention&amp;kind=article" lang="es" hreflang="es" dir="ltr">'
        "Español</a>",
        '<a href="/ar/search/?q=data+retention&amp;kind=article" lang="ar" hreflang="ar" dir="rtl">'
        "العربيّة</a>",
        '<a href="/ru/search/?q=data+retention&amp;kind=article" lang="ru" hreflang="ru" dir="ltr">'
        "Русский</a>",
        '<a href="/zh-hans/search/?q=data+retention&amp;kind=article" lang="zh-Hans"'
        ' hreflang="zh-Hans" dir="ltr">简体中文</a>',
    ]
    # Its summary names the current language, in that language.
    assert '<span class="language-name" lang="fr">Français</span>' in html
    # Each link leads to the same page in that language.
    for href in re.findall(r'href="([^"]+)"', "".join(switcher_links(html))):
        assert client.get(href.replace("&amp;", "&")).status_code == 200


def test_the_query_string_is_written_once_per_language_in_the_switcher_only(client, translated):
    # A long search is written into the page by the switcher, once per language; the hreflang
    # alternates name the search page itself. Before, the <head> repeated it seven more times.
    words = "+".join(["retention"] * 40)
    html = text_of(client.get(f"/fr/search/?q={words}&kind=article"))
    query = f"?q={words}&amp;kind=article"
    assert html.count(query) == len(settings.LANGUAGES)
    assert alternates(html) == {
        "en": "/search/",
        "x-default": "/search/",
        "fr": "/fr/search/",
        "es": "/es/search/",
        "ar": "/ar/search/",
        "ru": "/ru/search/",
        "zh-Hans": "/zh-hans/search/",
    }
    assert all(query in link for link in switcher_links(html))


def test_the_links_are_made_once_per_request(rf, translated, monkeypatch):
    from provisions import languages

    resolved = []
    real_resolve = languages.resolve
    monkeypatch.setattr(
        languages, "resolve", lambda path: resolved.append(path) or real_resolve(path)
    )
    request = rf.get("/fr/search/", {"q": "data"})
    with translation.override("fr"):
        first = languages.language_links(request)
        assert languages.language_links(request) is first
    assert resolved == ["/fr/search/"]  # one resolve for six languages, and none the second time
    assert [link.url for link in first][:2] == ["/search/?q=data", "/fr/search/?q=data"]
    assert [link.path for link in first][:2] == ["/search/", "/fr/search/"]


def test_a_search_made_with_htmx_updates_the_switchers_query(client, translated):
    response = client.get("/ar/search/?q=surveillance", HTTP_HX_REQUEST="true")
    html = text_of(response)
    assert '<ul class="language-list" id="language-list" data-hx-swap-oob="outerHTML">' in html
    assert 'href="/fr/search/?q=surveillance"' in html
    assert 'href="/ar/search/?q=surveillance"' in html and 'aria-current="true"' in html


def test_the_switcher_is_absent_where_a_page_has_one_language(client, translated):
    # A missing page offers each language's home page.
    html = text_of(client.get("/fr/nowhere/"), 404)
    assert 'href="/es/"' in html and 'href="/fr/" lang="fr"' in html

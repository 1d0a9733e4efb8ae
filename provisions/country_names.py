"""The names of countries and regions in the reader's language, and the order to list them in:
one rule for every page that names a party, an M49 region or a sub-region (docs/treaty-status.md,
"Names in each language").

- **English** pages show the names as they are stored and always were: a party's name as the
  seed took it from ISO 3166-1 (`pycountry`), a sub-region as M49 writes it (`country_converter`),
  a region as M49 names it (`Region`'s labels). English never needs the library below.
- **Every other language** takes the name from the Unicode CLDR, through the `babel` package's
  territory names, keyed by ISO 3166-1 alpha-2 for a country and by the M49 area code for a
  region or sub-region (CLDR names both; pycountry's catalogues name no region and leave Arabic
  gaps). The two UN observer States are the exception: CLDR names their territories
  ("Palestinian Territories", "Vatican City"), not the States that take part in the Convention,
  so their names come from our catalogues as the UN writes them. A code CLDR does not know is
  shown with its stored English name rather than not at all.

The API, the exports and the admin stay English with the ISO code: they are read by programs and
compared across languages. Nothing here queries the database; CLDR's tables are read once per
process and language.
"""

import functools
import unicodedata

from django.conf import settings
from django.utils import translation
from django.utils.translation import pgettext

ENGLISH = "en"

# The M49 area codes of the five regions, by the value Party.region stores.
REGION_CODES = {
    "africa": "002",
    "americas": "019",
    "asia": "142",
    "europe": "150",
    "oceania": "009",
}

# The M49 area codes of the sub-regions, by the English name the seed stores (country_converter's
# UNregion column, which writes them as M49 does). The Americas and Africa are divided to M49's
# intermediate regions (Caribbean, Central America…), as that column does.
SUBREGION_CODES = {
    "Northern Africa": "015",
    "Eastern Africa": "014",
    "Middle Africa": "017",
    "Southern Africa": "018",
    "Western Africa": "011",
    "Caribbean": "029",
    "Central America": "013",
    "South America": "005",
    "Northern America": "021",
    "Central Asia": "143",
    "Eastern Asia": "030",
    "South-eastern Asia": "035",
    "Southern Asia": "034",
    "Western Asia": "145",
    "Eastern Europe": "151",
    "Northern Europe": "154",
    "Southern Europe": "039",
    "Western Europe": "155",
    "Australia and New Zealand": "053",
    "Melanesia": "054",
    "Micronesia": "057",
    "Polynesia": "061",
}

# Parties whose CLDR code is not their alpha-2 (the European Union has none; CLDR calls it EU).
_CLDR_CODE = {"EUU": "EU"}


def _observer_state_name(code: str) -> str | None:
    """The UN observer States as the UN names them (CLDR names only their territories)."""
    if code == "PSE":
        return pgettext("UN observer State", "State of Palestine")
    if code == "VAT":
        return pgettext("UN observer State", "Holy See")
    return None


def current_language() -> str:
    """The active language's code if the site speaks it, else English."""
    language = (translation.get_language() or ENGLISH).lower()
    return language if language in dict(settings.LANGUAGES) else ENGLISH


@functools.cache
def cldr_names(language: str) -> dict[str, str]:
    """CLDR's territory names in one language (countries by alpha-2, areas by M49 code)."""
    # Imported here: English pages, the API and the exports never load CLDR's data.
    from babel import Locale

    return dict(Locale.parse(translation.to_locale(language)).territories)


def cldr_code(party) -> str:
    """The code CLDR names the party by: its alpha-2, or EU for the European Union."""
    return _CLDR_CODE.get(party.code, party.alpha2.upper())


def party_name(party) -> str:
    """How a page names this party in the current language."""
    language = current_language()
    if language == ENGLISH:
        return party.name
    observer = _observer_state_name(party.code)
    if observer is not None:
        return observer
    return cldr_names(language).get(cldr_code(party)) or party.name


def area_name(code: str | None, english: str) -> str:
    """An M49 area (a region or sub-region, by its code) in the current language. English pages,
    and an area without a code or that CLDR does not name, get `english`."""
    language = current_language()
    if language == ENGLISH or not code:
        return english
    return cldr_names(language).get(code) or english


def region_name(region: str, english: str) -> str:
    """A region by the value Party.region stores ("africa") and its English label."""
    return area_name(REGION_CODES.get(region), english)


def subregion_name(subregion: str) -> str:
    """A sub-region, stored in English as M49 writes it, in the current language."""
    return area_name(SUBREGION_CODES.get(subregion), subregion)


# --- Order ---------------------------------------------------------------------------------

# Letters that a language sorts after their base letter instead of with it: Spanish ñ comes after
# n, Russian й after и (ё stays with е, as Russian indexes have it). The key spells them as the
# base letter followed by the highest code point, so they come after every word with the base
# letter there and before the next letter.
_LETTERS_OF_THEIR_OWN = {
    "es": {"ñ": "n"},
    "ru": {"й": "и"},
}
_AFTER_EVERYTHING = "\U0010ffff"
# Arabic letters that an index files with another: tāʼ marbūṭa with hāʼ, alif maqṣūra with yāʼ.
_ARABIC_FILED_AS = str.maketrans({"ة": "ه", "ى": "ي"})
_ARABIC_ARTICLE = "ال"


def _base_letters(text: str, language: str) -> str:
    """The text without accents, hamza or vowel marks, in lower case: the letters it is filed
    under."""
    own = _LETTERS_OF_THEIR_OWN.get(language, {})
    letters = []
    for character in unicodedata.normalize("NFC", text.casefold()):
        if character in own:
            letters.append(own[character] + _AFTER_EVERYTHING)
            continue
        decomposed = unicodedata.normalize("NFKD", character)
        letters.append("".join(c for c in decomposed if not unicodedata.combining(c)))
    return "".join(letters)


def sort_key(name: str, language: str | None = None) -> tuple[str, str]:
    """A key that lists names as a reader of the language expects, as far as code-point order
    can: accents and case count only between names that are otherwise the same; in Arabic the
    definite article at the start is passed over (الأردن is filed under أ, next to أذربيجان),
    hamza and vowel marks are ignored; Chinese is in the order of its characters' code points,
    which is their radical-and-stroke order, not pinyin (docs/treaty-status.md)."""
    language = language or current_language()
    filed = name
    if language == "ar" and name.startswith(_ARABIC_ARTICLE) and len(name) > 3:
        # Only the article itself, a bare alif and lām: ألبانيا (with hamza) keeps its letters.
        filed = name[len(_ARABIC_ARTICLE) :]
    base = _base_letters(filed, language)
    if language == "ar":
        base = base.translate(_ARABIC_FILED_AS)
    return base, name.casefold()

"""Country and region names in the reader's language (provisions/country_names.py): CLDR's names
on /fr/, /ar/, /ru/, /es/, /zh-hans/ pages, the stored English ones on English pages, in the
order each language lists them; the API and exports stay English."""

import re

import pytest
from django.utils import translation

from provisions.country_names import (
    REGION_CODES,
    SUBREGION_CODES,
    area_name,
    cldr_code,
    cldr_names,
    party_name,
    region_name,
    sort_key,
    subregion_name,
)
from provisions.models import Party, Region
from provisions.services.treaty_status import treaty_status_import
from tests.helpers import text_of

pytestmark = pytest.mark.django_db

OTHER_LANGUAGES = ("fr", "es", "ar", "ru", "zh-hans")
SOURCE = "https://treaties.un.org/example"
HEADER = "party,action,date,reference,articles,text,source,confidence"


def party(code: str) -> Party:
    return Party.objects.get(code=code)


def names_in_table(html: str) -> list[str]:
    """The parties' names in the order of the states table's rows."""
    return re.findall(r'<th scope="row"><a href="[^"]+">([^<]+)</a>', html)


# --- The rule ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("language", "germany", "france", "eu"),
    [
        ("fr", "Allemagne", "France", "Union européenne"),
        ("es", "Alemania", "Francia", "Unión Europea"),
        ("ar", "ألمانيا", "فرنسا", "الاتحاد الأوروبي"),
        ("ru", "Германия", "Франция", "Европейский союз"),
        ("zh-hans", "德国", "法国", "欧盟"),
    ],
)
def test_a_party_is_named_from_cldr_in_each_other_language(language, germany, france, eu):
    with translation.override(language):
        assert party_name(party("DEU")) == germany
        assert party_name(party("FRA")) == france
        assert party_name(party("EUU")) == eu
        assert party("DEU").display_name == germany


def test_english_names_are_the_stored_ones_as_before():
    with translation.override("en"):
        assert party_name(party("PSE")) == "State of Palestine"
        assert party_name(party("VAT")) == party("VAT").name == "Holy See (Vatican City State)"
        assert party_name(party("COD")) == "Democratic Republic of the Congo"
        assert region_name("americas", "Americas") == "Americas"
        assert Party(region="americas").region_name == "Americas"
        assert subregion_name("South-eastern Asia") == "South-eastern Asia"
    # With no language active (a management command), English too.
    assert party_name(party("DEU")) == "Germany"


@pytest.mark.parametrize(
    ("language", "palestine", "holy_see"),
    [
        ("fr", "État de Palestine", "Saint-Siège"),
        ("es", "Estado de Palestina", "Santa Sede"),
        ("ar", "دولة فلسطين", "الكرسي الرسولي"),
        ("ru", "Государство Палестина", "Святейший Престол"),
        ("zh-hans", "巴勒斯坦国", "教廷"),
    ],
)
def test_the_un_observer_states_are_named_as_the_un_names_them(
    compiled_catalogues, language, palestine, holy_see
):
    """CLDR names the territories ("Territoires palestiniens", "Cité du Vatican"), not the
    States that may join the Convention."""
    with translation.override(language):
        assert party_name(party("PSE")) == palestine
        assert party_name(party("VAT")) == holy_see


def test_every_party_has_a_cldr_name_in_every_language():
    """No party falls back to English in Arabic, Chinese or any other language: CLDR names
    every UN member State and the EU (the two observer States come from the catalogue)."""
    parties = list(Party.objects.all())
    assert len(parties) == 196
    for language in OTHER_LANGUAGES:
        known = cldr_names(language)
        missing = [
            p.code for p in parties if p.code not in ("PSE", "VAT") and cldr_code(p) not in known
        ]
        assert missing == [], language
        with translation.override(language):
            names = [party_name(p) for p in parties]
        assert len(set(names)) == len(names), language  # no two parties share a name


def test_a_code_cldr_does_not_know_keeps_its_stored_name():
    unknown = Party(code="QQQ", alpha2="", name="Somewhere", kind="state")
    with translation.override("fr"):
        assert party_name(unknown) == "Somewhere"
        assert subregion_name("Somewhere Else") == "Somewhere Else"
        assert area_name("999", "Nowhere") == "Nowhere"


@pytest.mark.parametrize(
    ("language", "africa", "americas", "western_africa", "western_asia"),
    [
        ("fr", "Afrique", "Amériques", "Afrique occidentale", "Asie de l’Ouest"),
        ("es", "África", "América", "África occidental", "Asia occidental"),
        ("ar", "أفريقيا", "الأمريكتان", "غرب أفريقيا", "غرب آسيا"),
        ("ru", "Африка", "Америка", "Западная Африка", "Западная Азия"),
        ("zh-hans", "非洲", "美洲", "西非", "西亚"),
    ],
)
def test_regions_and_sub_regions_by_their_m49_codes(
    language, africa, americas, western_africa, western_asia
):
    with translation.override(language):
        assert Party(region="africa").region_name == africa
        assert region_name("americas", "Americas") == americas
        assert subregion_name("Western Africa") == western_africa
        assert subregion_name("Western Asia") == western_asia
        assert Party(region="").region_name == ""


def test_the_m49_codes_are_the_areas_m49_names():
    """A mistyped code would name another area: CLDR's English name of each code is M49's
    English name, except three that CLDR words differently."""
    english = cldr_names("en")
    cldr_wording = {
        "South-eastern Asia": "Southeast Asia",
        "Australia and New Zealand": "Australasia",
        "Micronesia": "Micronesian Region",
    }
    for name, code in SUBREGION_CODES.items():
        assert english[code] == cldr_wording.get(name, name), (name, code)
    for value, code in REGION_CODES.items():
        assert english[code] == Region(value).label
    assert set(REGION_CODES) == set(Region.values)


def test_every_stored_sub_region_has_its_m49_code():
    stored = set(Party.objects.exclude(subregion="").values_list("subregion", flat=True))
    assert stored and stored <= set(SUBREGION_CODES), stored - set(SUBREGION_CODES)


# --- Order ---------------------------------------------------------------------------------


def test_french_files_accented_capitals_with_their_letter():
    names = ["Zambie", "États-Unis", "Éthiopie", "Espagne", "Égypte", "Eswatini"]
    ordered = sorted(names, key=lambda n: sort_key(n, "fr"))
    assert ordered == ["Égypte", "Espagne", "Eswatini", "États-Unis", "Éthiopie", "Zambie"]


def test_arabic_passes_over_the_article_and_the_hamza():
    names = ["الجزائر", "ألبانيا", "أرمينيا", "الأردن", "أذربيجان", "بلجيكا", "جامايكا"]
    ordered = sorted(names, key=lambda n: sort_key(n, "ar"))
    # أذربيجان (ذ) before الأردن (filed as أردن) before أرمينيا; ألبانيا keeps its lām;
    # الجزائر is filed under ج, after جامايكا.
    assert ordered == ["أذربيجان", "الأردن", "أرمينيا", "ألبانيا", "بلجيكا", "جامايكا", "الجزائر"]


def test_russian_short_i_and_spanish_enye_are_letters_of_their_own():
    russian = ["Камбоджа", "Йемен", "Италия", "Индия"]
    assert sorted(russian, key=lambda n: sort_key(n, "ru")) == [
        "Индия",
        "Италия",
        "Йемен",
        "Камбоджа",
    ]
    spanish = ["ñu", "oca", "nuez"]
    assert sorted(spanish, key=lambda n: sort_key(n, "es")) == ["nuez", "ñu", "oca"]


# --- Pages ---------------------------------------------------------------------------------


def test_the_french_states_list_names_and_sorts_in_french(client, compiled_catalogues):
    html = text_of(client.get("/fr/states/"))
    names = names_in_table(html)
    assert len(names) == 196
    for name in ("Allemagne", "France", "Union européenne", "État de Palestine", "Saint-Siège"):
        assert name in names
    assert "Germany" not in names
    # In French order: É with E, not after Z.
    at = names.index
    assert at("Égypte") < at("Espagne") < at("États-Unis") < at("Éthiopie") < at("Zambie")
    assert at("Afrique du Sud") < at("Allemagne") < at("Autriche")
    # The region column and the region filter in French.
    assert "<td>Europe</td>" in html and "<td>Afrique</td>" in html
    assert '<option value="americas">Amériques</option>' in html


def test_the_arabic_states_list_names_and_sorts_in_arabic(client, compiled_catalogues):
    html = text_of(client.get("/ar/states/"))
    names = names_in_table(html)
    assert "فرنسا" in names and "ألمانيا" in names and "دولة فلسطين" in names
    at = names.index
    assert at("أذربيجان") < at("الأردن") < at("أرمينيا") < at("جامايكا") < at("الجزائر")
    assert "<td>أوروبا</td>" in html


def test_the_russian_list_by_region_sorts_by_the_russian_names(client, compiled_catalogues):
    names = names_in_table(text_of(client.get("/ru/states/?sort=region")))
    at = names.index
    # The regions in Russian order (Азия, Америка, Африка, Европа, Океания), each by name.
    assert at("Китай") < at("Бразилия") < at("Египет") < at("Германия") < at("Австралия")
    assert at("Индия") < at("Йемен") < at("Камбоджа")  # й after и, before к
    assert names[-1] == "Европейский союз"  # no region: last


def test_english_pages_keep_the_stored_names(client):
    html = text_of(client.get("/states/"))
    names = names_in_table(html)
    assert "Germany" in names and "State of Palestine" in names
    # The same order rule in English: Côte d'Ivoire is filed under "co", not after Czechia.
    assert names.index("Costa Rica") < names.index("Côte d&#x27;Ivoire") < names.index("Croatia")
    assert "<td>Americas</td>" in html
    assert "<h1>Germany</h1>" in text_of(client.get("/states/deu/"))


def test_a_states_page_heading_title_and_region_in_french(client, compiled_catalogues):
    html = text_of(client.get("/fr/states/deu/"))
    assert "<h1>Allemagne</h1>" in html
    assert "<title>Allemagne · États · TreatyWatch</title>" in html
    assert "Europe (Europe de l’Ouest)" in html
    assert '<li aria-current="page">Allemagne</li>' in html
    arabic = text_of(client.get("/ar/states/pse/"))
    assert "<h1>دولة فلسطين</h1>" in arabic and "(غرب آسيا)" in arabic


def test_the_map_titles_each_country_in_the_readers_language(client, compiled_catalogues):
    svg = client.get("/fr/states/map.svg").content.decode()
    assert "<title>Mali\u00a0: Signé, pas encore ratifié</title>" in svg
    assert "<title>Arabie saoudite\u00a0: Signé, pas encore ratifié</title>" in svg
    assert "Saudi Arabia" not in svg
    arabic = client.get("/ar/states/map.svg").content.decode()
    assert "<title>مالي: وقَّع ولم يصدِّق بعد</title>" in arabic
    assert '<title id="map-title">' in arabic and "Where the states stand" not in arabic


def test_the_scorecard_and_the_feed_name_parties_in_french(client, compiled_catalogues):
    scorecard = text_of(client.get("/fr/scorecard/"))
    assert ">Arabie saoudite</a></th>" in scorecard and ">Saudi Arabia<" not in scorecard
    feed = client.get("/fr/feeds/states.atom").content.decode()
    assert "<title>Arabie saoudite\u00a0: Signature le 2025-10-26</title>" in feed


def test_the_commitment_form_lists_parties_by_their_french_names(
    client, analyst, compiled_catalogues
):
    client.force_login(analyst)
    html = text_of(client.get("/fr/scorecard/propose/"))
    options = re.findall(r'<option value="([A-Z]{3})"[^>]*>([^<]+)</option>', html)
    labels = [label for _code, label in options]
    assert ("DEU", "Allemagne") in options
    assert labels.index("Égypte") < labels.index("Espagne") < labels.index("Zambie")


def test_the_import_preview_names_the_party_and_action_in_french(
    client, editor, compiled_catalogues
):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client.force_login(editor)
    text = f"{HEADER}\nDEU,signature,2025-10-25,,,,{SOURCE},confirmed\n"
    upload = SimpleUploadedFile("status.csv", text.encode(), content_type="text/csv")
    html = text_of(client.post("/fr/review/status/", {"file": upload}))
    assert "Allemagne (DEU)\u00a0: Signature, 25 octobre 2025" in html


def test_the_api_and_exports_keep_the_english_name_and_the_code(client):
    treaty_status_import(text=f"{HEADER}\nDEU,signature,2025-10-25,,,,{SOURCE},\n")
    csv = client.get("/fr/states/export.csv").content.decode()
    assert "DEU,Germany," in csv and "Allemagne" not in csv
    data = client.get("/api/v1/states/deu", HTTP_ACCEPT_LANGUAGE="fr").json()
    assert data["name"] == "Germany" and data["code"] == "DEU"

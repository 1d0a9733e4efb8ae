"""Dates read the way each language writes them (treatywatch/formats/): templates name a format
(DATE_FORMAT, SHORT_DATE_FORMAT, …) instead of fixing an English pattern."""

import datetime
import re
from pathlib import Path

import pytest
from django.template import Context, Template
from django.utils import translation

WHEN = datetime.datetime(2024, 12, 24, 9, 30, tzinfo=datetime.UTC)

EXPECTED = {
    "en": ("24 December 2024", "24 Dec 2024"),
    "fr": ("24 décembre 2024", "24 déc 2024"),
    "es": ("24 de diciembre de 2024", "24 dic 2024"),
    "ar": ("24 ديسمبر 2024", "24 ديسمبر 2024"),
    "ru": ("24 декабря 2024 г.", "24.12.2024"),
    "zh-hans": ("2024年12月24日", "2024年12月24日"),
}


@pytest.mark.parametrize(("language", "expected"), EXPECTED.items())
def test_each_language_writes_dates_its_own_way(language, expected):
    template = Template('{{ d|date:"DATE_FORMAT" }}|{{ d|date:"SHORT_DATE_FORMAT" }}')
    with translation.override(language):
        assert template.render(Context({"d": WHEN})).split("|") == list(expected)


@pytest.mark.parametrize(
    ("prefix", "adopted"),
    [("", "24 December 2024"), ("/ru", "24 декабря 2024 г."), ("/zh-hans", "2024年12月24日")],
)
def test_the_home_page_gives_the_adoption_date_in_the_readers_language(db, client, prefix, adopted):
    page = client.get(f"{prefix}/").content.decode()
    assert adopted in page


def test_no_template_fixes_an_english_date_pattern():
    """A fixed pattern with month names ('j F Y') would read '24 十二月 2024' in Chinese."""
    root = Path(__file__).resolve().parent.parent / "templates"
    fixed = re.compile(r'\|date:"[^"]*[FMNbE][^"]*"')
    offenders = [
        f"{path.relative_to(root)}: {match.group(0)}"
        for path in root.rglob("*.html")
        for match in fixed.finditer(path.read_text(encoding="utf-8"))
        if not re.fullmatch(r'\|date:"[A-Z_]+_FORMAT"', match.group(0))
    ]
    assert offenders == []

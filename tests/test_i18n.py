"""The interface in six languages: extraction and compilation of the catalogues
(docs/translations.md)."""

import shutil
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.test import override_settings

from tests.helpers import po_entries

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

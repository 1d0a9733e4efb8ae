"""Every string a person reads is translated in every language the site offers.

The project's `makemessages` (provisions/management/commands/makemessages.py) runs over a scratch
copy of the code, templates and committed catalogues: a string added to the code without a
translation shows up there as an empty entry, a changed one as fuzzy. Each of the five
catalogues must then have no empty and no fuzzy entry, and GNU msgfmt --check (placeholders,
plural forms, header) must accept it. docs/translations.md says how to fill what is missing.
"""

import os
import shutil
import subprocess
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.test import override_settings

from provisions.management.commands.makemessages import catalogue_locales
from tests.helpers import po_entries

ROOT = Path(settings.BASE_DIR)
LOCALES = ["fr", "es", "ar", "ru", "zh_Hans"]


def test_the_catalogues_are_those_of_the_sites_languages():
    assert catalogue_locales() == LOCALES
    for locale in LOCALES:
        assert (ROOT / "locale" / locale / "LC_MESSAGES" / "django.po").is_file(), locale


@pytest.fixture(scope="module")
def extracted(tmp_path_factory):
    """The committed catalogues, updated by makemessages from the current code and templates."""
    if shutil.which("xgettext") is None:
        pytest.fail("GNU gettext is missing: `make install` installs it")
    root = tmp_path_factory.mktemp("project")
    for name in ("provisions", "templates", "locale"):
        shutil.copytree(
            ROOT / name, root / name, ignore=shutil.ignore_patterns("__pycache__", "*.mo")
        )
    here = Path.cwd()
    try:
        os.chdir(root)
        with override_settings(LOCALE_PATHS=[root / "locale"]):
            call_command("makemessages", verbosity=0)
    finally:
        os.chdir(here)
    return {locale: root / "locale" / locale / "LC_MESSAGES" / "django.po" for locale in LOCALES}


def describe(entry: dict) -> str:
    context = f" (context {entry['msgctxt']!r})" if entry["msgctxt"] else ""
    return f"{entry['msgid'][:80]!r}{context}"


@pytest.mark.parametrize("locale", LOCALES)
def test_every_string_is_translated(extracted, locale):
    entries = po_entries(extracted[locale].read_text(encoding="utf-8"))
    assert entries and entries[0]["msgid"] == ""
    missing, fuzzy = [], []
    for entry in entries[1:]:
        if entry["obsolete"]:
            continue
        if "fuzzy" in entry["flags"]:
            fuzzy.append(describe(entry))
        elif not entry["msgstr"] or not all(form.strip() for form in entry["msgstr"]):
            missing.append(describe(entry))
    assert len(entries) > 1000
    assert missing == [], f"{locale}: {len(missing)} without a translation:\n" + "\n".join(missing)
    assert fuzzy == [], f"{locale}: {len(fuzzy)} fuzzy (to check):\n" + "\n".join(fuzzy)


@pytest.mark.parametrize("locale", LOCALES)
def test_msgfmt_accepts_the_catalogue(extracted, locale):
    for po in (extracted[locale], ROOT / "locale" / locale / "LC_MESSAGES" / "django.po"):
        result = subprocess.run(
            ["msgfmt", "--check", "--output-file=/dev/null", str(po)],
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
        assert result.returncode == 0, f"{po}:\n{result.stderr}"

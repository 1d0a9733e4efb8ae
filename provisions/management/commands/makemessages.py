"""`manage.py makemessages`, made stable and merge-friendly for TreatyWatch's catalogues.

Django's command, with these defaults (docs/translations.md):

- no source locations (`#: file.py:12` lines change whenever code moves) and no line wrapping
  (the session's translation tools write unwrapped entries too), entries sorted by msgid, so two
  people who add strings in different places rarely touch the same lines;
- the POT-Creation-Date of an existing catalogue is kept, so a run that finds nothing new leaves
  the files byte-for-byte unchanged;
- without -l/--all/-x it updates every language in settings.LANGUAGES except English, creating
  a catalogue that does not exist yet (with a clean header: language, UTF-8, plural forms);
- it never reads the virtualenv, tests, the bench, the scripts, collected static files or
  other tool directories.
"""

import re
from pathlib import Path

from django.conf import settings
from django.core.management.commands import makemessages
from django.utils.translation import to_locale

# Directories whose strings no reader of the site ever sees (or which are not ours).
IGNORED = [
    ".venv",
    "venv",
    "node_modules",
    "tests",
    "bench",
    "scripts",
    "staticfiles",
    "var",
    "test-artifacts",
    "docs",
    "fixtures",
    "locale",
    "provisions/migrations",
]

_POT_DATE = re.compile(r'^"POT-Creation-Date: [^"\\]*\\n"$', re.MULTILINE)


def catalogue_locales() -> list[str]:
    """Django locale names (fr, zh_Hans) of every language the site offers except English."""
    return [to_locale(code) for code, _name in settings.LANGUAGES if code != "en"]


def _pot_date(text: str) -> str | None:
    match = _POT_DATE.search(text)
    return match.group(0) if match else None


def _clean_new_header(text: str, locale: str) -> str:
    """The header xgettext leaves for a new catalogue is a template marked fuzzy: fill it in."""
    header, _sep, rest = text.partition("\n\n")
    header = header.replace("#, fuzzy\n", "")
    header = header.replace("# SOME DESCRIPTIVE TITLE.\n", "# TreatyWatch's interface.\n", 1)
    header = re.sub(r"^#.*(YEAR|PACKAGE package).*\n", "", header, flags=re.MULTILINE)
    created = _pot_date(header)
    if created:
        revised = created.replace("POT-Creation-Date", "PO-Revision-Date")
        header = re.sub(
            r'^"PO-Revision-Date: [^"\\]*\\n"$',
            lambda _m: revised,
            header,
            count=1,
            flags=re.MULTILINE,
        )
    header = header.replace(
        '"Project-Id-Version: PACKAGE VERSION\\n"', '"Project-Id-Version: TreatyWatch\\n"'
    )
    header = header.replace(
        '"Last-Translator: FULL NAME <EMAIL@ADDRESS>\\n"', '"Last-Translator: TreatyWatch\\n"'
    )
    header = header.replace(
        '"Language-Team: LANGUAGE <LL@li.org>\\n"', f'"Language-Team: {locale}\\n"'
    )
    header = re.sub(r'"Language: [^"\\]*\\n"', lambda _m: f'"Language: {locale}\\n"', header)
    header = header.replace("charset=CHARSET", "charset=UTF-8")
    return f"{header}\n\n{rest}"


class Command(makemessages.Command):
    help = makemessages.Command.help + (
        " TreatyWatch: no locations, no wrapping, sorted; all site languages by default."
    )
    msgmerge_options = [*makemessages.Command.msgmerge_options, "--sort-output"]
    msguniq_options = [*makemessages.Command.msguniq_options, "--sort-output"]
    msgattrib_options = [*makemessages.Command.msgattrib_options, "--sort-output"]

    def add_arguments(self, parser):
        super().add_arguments(parser)
        parser.set_defaults(no_location=True, no_wrap=True, no_obsolete=True)

    def handle(self, *args, **options):
        if not options["locale"] and not options["exclude"] and not options["all"]:
            options["locale"] = catalogue_locales()
        options["ignore_patterns"] = [*options["ignore_patterns"], *IGNORED]
        return super().handle(*args, **options)

    def write_po_file(self, potfile, locale):
        pofile = Path(potfile).parent / locale / "LC_MESSAGES" / f"{self.domain}.po"
        existed = pofile.exists()
        before = _pot_date(pofile.read_text(encoding="utf-8")) if existed else None
        super().write_po_file(potfile, locale)
        text = pofile.read_text(encoding="utf-8")
        if not existed:
            text = _clean_new_header(text, locale)
        elif before is not None:
            text = _POT_DATE.sub(lambda _m: before, text, count=1)
        pofile.write_text(text, encoding="utf-8")

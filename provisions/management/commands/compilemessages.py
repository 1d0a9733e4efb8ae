"""`manage.py compilemessages` for TreatyWatch: the .mo files are built, never committed.

Django's command, run from the project directory whatever the current one, reading only
settings.LOCALE_PATHS (never the virtualenv's packages, which ship their own compiled catalogues)
and doing nothing, quietly, while there is no catalogue yet. It recompiles a catalogue only when
its .po is newer than its .mo, so calling it before every start costs a few stat() calls.
`make install`, `make run`, `make test` and the scripts that start gunicorn call it
(docs/translations.md).
"""

import os
from pathlib import Path

from django.conf import settings
from django.core.management.commands import compilemessages


def catalogue_dirs() -> list[Path]:
    return [Path(path) for path in settings.LOCALE_PATHS if Path(path).is_dir()]


class Command(compilemessages.Command):
    help = "Compiles the project's .po catalogues (settings.LOCALE_PATHS) into .mo files."

    def handle(self, **options):
        dirs = [path for path in catalogue_dirs() if any(path.glob("*/LC_MESSAGES/*.po"))]
        if not dirs:
            if options["verbosity"] > 0:
                self.stdout.write("No catalogues to compile.")
            return
        # Django's command walks the current directory for "locale" directories: start it where
        # only the project's own are, and let it skip everything but LOCALE_PATHS.
        here = os.getcwd()
        os.chdir(settings.BASE_DIR)
        try:
            options["ignore_patterns"] = [*options["ignore_patterns"], "*"]
            super().handle(**options)
        finally:
            os.chdir(here)

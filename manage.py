#!/usr/bin/env python
"""Django's command-line entry point for TreatyWatch."""

import os
import sys

# Commands that sign nothing and serve no one: the entry point says so with the settings'
# explicit flag, so that `manage.py makemigrations --check` runs on a clean clone without a
# DJANGO_SECRET_KEY (a throwaway key for this process). Every other command still refuses.
SIGNS_NOTHING = {"makemigrations"}


def main():
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "treatywatch.settings")
    if sys.argv[1:2] and sys.argv[1] in SIGNS_NOTHING:
        os.environ.setdefault("DJANGO_ALLOW_THROWAWAY_SECRET_KEY", "1")
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()

"""Settings hygiene: every environment variable the settings read is documented in the README's
configuration table, and every app setting the code reads is declared in the settings."""

import re
from pathlib import Path

from django.conf import settings

ROOT = Path(__file__).resolve().parent.parent
SETTINGS_SOURCE = (ROOT / "treatywatch" / "settings.py").read_text()
# os.environ.get("X"…), os.environ["X"], env_bool("X"…), env_list("X"…)
READ = re.compile(r"""(?:os\.environ(?:\.get\(|\[)|env_bool\(|env_list\()\s*"([A-Z0-9_]+)\"""")


def readme_table_variables() -> set[str]:
    readme = (ROOT / "README.md").read_text()
    section = readme.split("## Configuration", 1)[1].split("\n## ", 1)[0]
    names: set[str] = set()
    for line in section.splitlines():
        if line.startswith("| `"):
            first_cell = line.split("|")[1]
            names.update(re.findall(r"`([A-Z0-9_]+)`", first_cell))
    return names


def test_every_environment_variable_the_settings_read_is_in_the_readme():
    read = set(READ.findall(SETTINGS_SOURCE))
    assert {"DJANGO_SECRET_KEY", "DJANGO_HSTS_PRELOAD", "DJANGO_EMAIL_HOST"} <= read  # the regex
    # dj_database_url reads DATABASE_URL itself.
    read.add("DATABASE_URL")
    assert read - readme_table_variables() == set()


def test_the_readme_table_names_no_variable_the_settings_do_not_read():
    read = set(READ.findall(SETTINGS_SOURCE)) | {"DATABASE_URL"}
    assert readme_table_variables() - read == set()


def test_app_settings_are_declared_not_defaulted_where_they_are_read():
    """A default beside `getattr(settings, …)` is a second place for the rule: settings.py is the
    one place, and the code reads `settings.X`."""
    offenders = [
        f"{path.relative_to(ROOT)}:{number}"
        for folder in ("provisions", "treatywatch")
        for path in sorted((ROOT / folder).rglob("*.py"))
        for number, line in enumerate(path.read_text().splitlines(), start=1)
        if "getattr(settings" in line
    ]
    assert offenders == []


def test_the_app_settings_the_code_reads_exist():
    for name in (
        "TREATYWATCH_API_TOKEN_DAYS",
        "TREATYWATCH_API_WRITES_PER_MINUTE",
        "TREATYWATCH_CONFIRM_SECONDS",
        "TREATYWATCH_TRUSTED_PROXY_HOPS",
        "TREATYWATCH_PAGE_CACHE",
        "TREATYWATCH_PAGE_CACHE_SECONDS",
        "MAILERS",
    ):
        assert hasattr(settings, name), name

"""The commands that import a file read it the same way (management/commands/_file_import.py):
a file that cannot be read, is too large or is not UTF-8 is a clear error, and nothing changes."""

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from provisions.models import Annotation, ProvisionVersion, TreatyAction

pytestmark = pytest.mark.django_db

COMMANDS = ["import_convention", "import_treaty_status", "import_annotations"]


def counts() -> tuple[int, int, int]:
    return (
        Annotation.objects.count(),
        ProvisionVersion.objects.count(),
        TreatyAction.objects.count(),
    )


@pytest.mark.parametrize("command", COMMANDS)
def test_a_missing_file_is_named_and_nothing_changes(command, tmp_path):
    before = counts()
    missing = tmp_path / "missing.file"
    with pytest.raises(CommandError, match="Cannot read .*missing.file.*Nothing was changed"):
        call_command(command, str(missing), "--dry-run")
    assert counts() == before


def test_a_status_file_that_is_not_utf8_is_refused(tmp_path):
    before = counts()
    latin1 = tmp_path / "status.csv"
    latin1.write_bytes("party,action\nCôte d'Ivoire,signature\n".encode("latin-1"))
    with pytest.raises(CommandError, match="Cannot read .*utf-8.*Nothing was changed"):
        call_command("import_treaty_status", str(latin1))
    assert counts() == before


def test_an_annotation_file_past_the_limit_is_refused_unread(tmp_path, monkeypatch):
    from provisions.management.commands import import_annotations

    monkeypatch.setattr(import_annotations, "MAX_FILE_BYTES", 2 * 1024 * 1024)
    big = tmp_path / "big.json"
    big.write_bytes(b"[" + b" " * (2 * 1024 * 1024) + b"]")
    with pytest.raises(CommandError, match="big.json is larger than 2 MB: split it"):
        call_command("import_annotations", str(big), "--dry-run")

"""requirements.lock (what `make install` and deployments install) pins every dependency that
pyproject.toml declares, at a version the declaration accepts: a dependency added to one file but
not the other would give a broken install (README "Installing and the lock file")."""

import tomllib
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name
from packaging.version import Version

ROOT = Path(__file__).resolve().parent.parent
PROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]


def locked() -> dict[str, Version]:
    pins = {}
    for line in (ROOT / "requirements.lock").read_text().splitlines():
        line = line.split("#", 1)[0].strip()
        if line:
            name, _, version = line.partition("==")
            assert version, f"not pinned with ==: {line!r}"
            pins[canonicalize_name(name)] = Version(version)
    return pins


@pytest.mark.parametrize(
    "declared",
    PROJECT["dependencies"] + PROJECT["optional-dependencies"]["test"],
)
def test_every_declared_dependency_is_pinned_in_the_lock(declared):
    requirement = Requirement(declared)
    pins = locked()
    name = canonicalize_name(requirement.name)
    assert name in pins, f"{requirement.name} is in pyproject.toml but not in requirements.lock"
    assert requirement.specifier.contains(pins[name], prereleases=True), (
        f"requirements.lock pins {requirement.name}=={pins[name]}, "
        f"outside pyproject.toml's {requirement.specifier}"
    )


def test_the_lock_leaves_out_the_project_itself():
    assert canonicalize_name(PROJECT["name"]) not in locked()

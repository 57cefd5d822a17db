"""specgroups' subpackages: each lists every module it holds, and imports none of them (a stage's code deps stay
the files it runs); the package's version is the changelog's latest release."""

from __future__ import annotations

import importlib
import pkgutil
import re
import tomllib
from pathlib import Path

import pytest

import specgroups

ROOT = Path(__file__).resolve().parents[1]
SUBPACKAGES = sorted(m.name for m in pkgutil.iter_modules(specgroups.__path__) if m.ispkg)


@pytest.mark.parametrize("name", SUBPACKAGES)
def test_a_subpackage_lists_its_modules_and_imports_none(name):
    package = importlib.import_module(f"specgroups.{name}")
    modules = sorted(m.name for m in pkgutil.iter_modules(package.__path__))
    assert sorted(package.__all__) == modules
    assert "import " not in Path(package.__file__).read_text().split('"""')[-1]


def test_the_version_is_the_changelogs_latest_release():
    version = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["version"]
    releases = re.findall(r"^## \[(\d+\.\d+\.\d+)\] - \d{4}-\d{2}-\d{2}$", (ROOT / "CHANGELOG.md").read_text(), re.M)
    assert releases and releases[0] == version

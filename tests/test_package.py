"""specgroups' subpackages: each lists every module it holds, and imports none of them (a stage's code deps stay
the files it runs)."""

from __future__ import annotations

import importlib
import pkgutil
from pathlib import Path

import pytest

import specgroups

SUBPACKAGES = sorted(m.name for m in pkgutil.iter_modules(specgroups.__path__) if m.ispkg)


@pytest.mark.parametrize("name", SUBPACKAGES)
def test_a_subpackage_lists_its_modules_and_imports_none(name):
    package = importlib.import_module(f"specgroups.{name}")
    modules = sorted(m.name for m in pkgutil.iter_modules(package.__path__))
    assert sorted(package.__all__) == modules
    assert "import " not in Path(package.__file__).read_text().split('"""')[-1]

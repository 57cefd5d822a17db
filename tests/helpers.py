"""Shared test helpers: real structures from the project's data."""

from __future__ import annotations

import os
import subprocess
import sys
from functools import lru_cache
from pathlib import Path

from pymatgen.core import Structure

from specgroups.atomic import read_json
from specgroups.structures import structure_from_poscar

ROOT = Path(__file__).parents[1]


@lru_cache(maxsize=None)
def _oxides() -> dict:
    return {record["id"]: record for record in read_json(ROOT / "data/sources/oxides_pbesol.json.gz")}


@lru_cache(maxsize=None)
def _chalcogenides() -> dict:
    return {record["id"]: record for record in read_json(ROOT / "data/sources/chalcogenides_mp.json.gz")}


def oxide_structure(material_id: str) -> Structure:
    return Structure.from_dict(_oxides()[material_id]["structure"])


def oxide_id(formula: str) -> str:
    return next(material_id for material_id, record in _oxides().items() if record["formula"] == formula)


def chalcogenide_structure(material_id: str) -> Structure:
    return structure_from_poscar(_chalcogenides()[material_id]["poscar"], material_id)


def small_oxide_ids(count: int, max_sites: int = 8) -> list[str]:
    return sorted(material_id for material_id, r in _oxides().items() if r["nsites"] <= max_sites)[:count]


def dvc(repo: Path, *arguments: str, check: bool = True) -> subprocess.CompletedProcess:
    """Run the venv's DVC in ``repo`` with single-threaded BLAS; fail the test on a non-zero exit if ``check``."""
    environment = {
        **os.environ,
        "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}",
        "DVC_NO_ANALYTICS": "1",
        "OPENBLAS_NUM_THREADS": "1",
        "OMP_NUM_THREADS": "1",
    }
    completed = subprocess.run(
        [sys.executable, "-m", "dvc", *arguments], cwd=repo, env=environment, capture_output=True, text=True
    )
    if check:
        assert completed.returncode == 0, completed.stdout + completed.stderr
    return completed

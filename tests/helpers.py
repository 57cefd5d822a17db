"""Shared test helpers: real structures from the project's data."""

from __future__ import annotations

import json
import math
import os
import shutil
import subprocess
import sys
from functools import lru_cache
from pathlib import Path

from pymatgen.core import Structure

from specgroups.io.atomic import read_json
from specgroups.structures import structure_from_poscar

ROOT = Path(__file__).parents[1]


def study_grid():
    """The default profile's energy grid (params.yaml dataset.grid: the study's 0-15 eV, 1501 points)."""
    import yaml

    from specgroups.spectra import energy_grid

    return energy_grid(**yaml.safe_load((ROOT / "params.yaml").read_text())["dataset"]["grid"])


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


def assert_same_decisions(expected, actual, rel: float = 1e-9, where: str = "") -> None:
    """Nested JSON data equal in everything but floats, which agree within ``rel``: ids, order, strings and
    integers are what rules decide; derived floats may differ in the last digits between processors."""
    if isinstance(expected, float) or isinstance(actual, float):
        assert isinstance(actual, (int, float)) and isinstance(expected, (int, float)), where
        assert math.isclose(expected, actual, rel_tol=rel, abs_tol=rel), f"{where}: {expected!r} != {actual!r}"
    elif isinstance(expected, dict):
        assert isinstance(actual, dict) and list(expected) == list(actual), f"{where}: keys differ"
        for key in expected:
            assert_same_decisions(expected[key], actual[key], rel, f"{where}/{key}")
    elif isinstance(expected, list):
        assert isinstance(actual, list) and len(expected) == len(actual), f"{where}: lengths differ"
        for index, (a, b) in enumerate(zip(expected, actual)):
            assert_same_decisions(a, b, rel, f"{where}[{index}]")
    else:
        assert expected == actual, f"{where}: {expected!r} != {actual!r}"


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


def git(repo: Path, *arguments: str) -> str:
    command = ["git", "-c", "user.name=test", "-c", "user.email=test@example.org", *arguments]
    return subprocess.run(command, cwd=repo, check=True, capture_output=True, text=True).stdout.strip()


def keep_first_materials(repo: Path, count: int) -> list[str]:
    """Cut the copy's data/demo/materials.json to its first ``count`` materials; their ids."""
    listed = json.loads((repo / "data/demo/materials.json").read_text())[:count]
    (repo / "data/demo/materials.json").write_text(json.dumps(listed, indent=1))
    return [material["id"] for material in listed]


def small_pipeline(repo: Path, epochs: int, until: str = "embed", materials: int = 100) -> Path:
    """A git + DVC copy of the default profile in ``repo`` that has run dataset -> ... -> ``until``
    (training ``epochs`` epochs) on the first ``materials`` of the committed GPAW data (about
    80 of them non-metallic), with the lock committed. The subset keeps the suite's time
    independent of how many materials data/demo holds."""
    import shutil

    import yaml

    for folder in ("specgroups", "stages", "data/demo", "paper/templates"):
        shutil.copytree(ROOT / folder, repo / folder, ignore=shutil.ignore_patterns("__pycache__"))
    keep_first_materials(repo, materials)
    for name in ("dvc.yaml", "data/.gitignore", "models/.gitignore", ".dvcignore"):
        (repo / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(ROOT / name, repo / name)
    for name in ("paper/study_reported.yaml",):
        shutil.copy(ROOT / name, repo / name)
    params = yaml.safe_load((ROOT / "params.yaml").read_text())
    params["train"]["epochs"] = epochs
    # a hundred materials make no cluster of the scan rule's minimum mean size: the stages below use this one
    params["cluster"].update(representation="alignn_2", n_clusters=12)
    params["scan"].update(counts=[6, 12], guideline_rounds=20)
    # one model: the suite's pipelines test the data path; the ensemble has tests of its own (tests/model/test_ensemble.py)
    params["train"]["ensemble"].update(members=1)
    # the suite runs two pipelines at once (pytest-xdist): one ChemEnv process each, not two
    params["chemistry"]["workers"] = 1
    (repo / "params.yaml").write_text(yaml.safe_dump(params, sort_keys=False))
    git(repo, "init", "-q")
    dvc(repo, "init", "-q")
    dvc(repo, "config", "core.analytics", "false")
    dvc(repo, "repro", f"dvc.yaml:{until}")
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", "pipeline outputs")
    return repo


CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
# headless, and offline: every host name resolves to nothing, so a page that needs the network shows it
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
    "--host-resolver-rules=MAP * ~NOTFOUND",
]

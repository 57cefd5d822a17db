"""`dvc repro profiles/firstprinciples/dvc.yaml` regenerates first-principles data, on a 5-material subset."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

from specgroups.firstprinciples.results import load_results
from tests.helpers import dvc

ROOT = Path(__file__).parents[2]
PROFILE = "profiles/firstprinciples/dvc.yaml"
STAGES = [
    f"{PROFILE}:{name}"
    for name in ("select", "spectra", "gaps", "convergence", "localisation", "cell_shapes", "validate")
]
VASP_REFERENCE = "tests/fixtures/MgSe_absorption_vasprun.xml.gz"

pytestmark = [pytest.mark.gpaw, pytest.mark.slow]


@pytest.fixture()
def subset_repository(tmp_path):
    """A copy of the project whose selection rules pick 5 small materials (MgO, 2 chalcogenides, 2 oxides)."""
    repo = tmp_path / "repo"
    for folder in ("specgroups", "stages", "data/sources", "profiles/firstprinciples"):
        shutil.copytree(ROOT / folder, repo / folder, ignore=shutil.ignore_patterns("__pycache__", "dvc.lock"))
    (repo / VASP_REFERENCE).parent.mkdir(parents=True)
    shutil.copy(ROOT / VASP_REFERENCE, repo / VASP_REFERENCE)
    (repo / "data/demo").mkdir(parents=True)
    shutil.copy(ROOT / "data/demo/measured_gaps.csv", repo / "data/demo/measured_gaps.csv")
    params_path = repo / "profiles/firstprinciples/params.yaml"
    params = yaml.safe_load(params_path.read_text())
    params["select"].update(
        headline_max_sites=0,
        include_ids=["mp-1265"],
        chalcogenide_count=2,
        chalcogenide_max_sites=2,
        oxide_count=2,
        oxide_max_sites=2,
        top_up_chalcogenide_count=0,
        top_up_oxide_count=0,
    )
    params["convergence"].update(
        ids=["mp-1265"], optics_kpoint_densities=[2.0, 3.0], broadenings_ev=[0.1], small_cell_densities=[]
    )
    params["validate"].update(indirect_example="mp-1265")
    # the stage's mechanics on a cheap cell (MgO's 60-degree cell passes GPAW's check and is its own Niggli cell)
    params["cell_shapes"].update(ids=["mp-1265"])
    # the pipeline's mechanics, not the grid: the small cells' denser optics grid quadruples the run
    params["gpaw"]["small_cell_optics_kpoint_density"] = params["gpaw"]["optics_kpoint_density"]
    params_path.write_text(yaml.safe_dump(params))
    subprocess.run(["git", "init", "-q"], cwd=repo, check=True)
    dvc(repo, "init", "-q")
    dvc(repo, "config", "core.analytics", "false")
    return repo


def test_profile_regenerates_and_resumes(subset_repository):
    repo = subset_repository
    dvc(repo, "unfreeze", *STAGES)
    dvc(repo, "repro", STAGES[-1])
    # the subset has no V/Cr compound: the localisation batch has nothing to compute, and says so
    assert "localisation: 0 materials" in dvc(repo, "repro", f"{PROFILE}:localisation").stdout
    results = load_results(repo / "data/demo/first_principles")
    assert len(results) == 5
    assert results["mp-1265"]["status"] == "ok"
    assert all(result["status"] in ("ok", "metal") for result in results.values())
    lock = yaml.safe_load((repo / "profiles/firstprinciples/dvc.lock").read_text())
    assert set(lock["stages"]) == {
        "select",
        "spectra",
        "gaps",
        "convergence",
        "localisation",
        "cell_shapes",
        "validate",
    }
    gaps = load_results(repo / "data/demo/gllbsc")
    assert set(gaps) == set(results) and gaps["mp-1265"]["corrected_gap_ev"] > results["mp-1265"]["band_gap_ev"] + 2.0

    validation = json.loads((repo / "data/demo/validation.json").read_text())
    measured = validation["gaps_vs_measured"]
    assert (
        measured["materials"] >= 1
        and measured["gllbsc_mean_absolute_error_ev"] < measured["pbe_mean_absolute_error_ev"]
    )  # MgO
    assert {row["label"] for row in validation["convergence"]} == {"k2-eta0.1", "k3-eta0.1"}
    assert validation["onsets_vs_direct_gaps"]["below_with_cut_at_direct_gap"] == 0
    shapes = validation["skewed_cells"]
    assert (
        shapes["skewed"] == 0
        and [row["id"] for row in shapes["compared"]] == ["mp-1265"]
        and shapes["max_abs_band_gap_difference_ev"] < 0.01
    )
    assert validation["mgse_gpaw_vs_vasp"]["gap_ev"] == pytest.approx(2.529, abs=0.05)  # VASP's PBE gap
    assert validation["mgo_gpaw_vs_experiment"]["gap_ev"] == pytest.approx(results["mp-1265"]["band_gap_ev"], abs=1e-3)
    dataset = validation["dataset"]
    assert dataset["computed"] == 5 and dataset["not_computed"] == 0
    complete = [r for r in results.values() if r["status"] == "ok" and r["transitions_complete_to_ev"] >= 15.0]
    assert dataset["complete_to_grid_end"] == len(complete) == sum(dataset["complete_to_grid_end_by_source"].values())

    # reproducing again recomputes nothing: every stage is up to date
    again = dvc(repo, "repro", STAGES[-1])
    assert "didn't change, skipping" in again.stdout and "Running stage" not in again.stdout

    # a lost result (an interrupted run) is recomputed alone; finished files are untouched
    directory = repo / "data/demo/first_principles"
    kept = {path.name: path.stat().st_mtime_ns for path in directory.glob("*.json") if path.name != "mp-1265.json"}
    (directory / "mp-1265.json").unlink()
    dvc(repo, "repro", STAGES[-1])
    assert (directory / "mp-1265.json").is_file()
    assert {name: (directory / name).stat().st_mtime_ns for name in kept} == kept

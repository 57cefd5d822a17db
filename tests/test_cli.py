"""`specgroups predict` and `specgroups explain` on a small profile's real outputs."""

from __future__ import annotations

import gzip
import json
import shutil
import subprocess
import sys

import numpy as np
import pandas as pd
import pytest
from pymatgen.core import Structure

from specgroups.names import chemical_formula
from tests.helpers import ROOT

pytestmark = pytest.mark.slow


def specgroups(repo, *arguments: str, environment: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "specgroups.cli", *arguments], cwd=repo, capture_output=True, text=True, env=environment
    )


@pytest.fixture(scope="module")
def new_material(tmp_path_factory):
    """An oxide of the committed source collection that the embedded set does not use, as a CIF file."""
    used = {m["id"] for m in json.loads((ROOT / "data/demo/materials.json").read_text())}
    with gzip.open(ROOT / "data/sources/oxides_pbesol.json.gz", "rt") as handle:
        record = next(
            r for r in json.load(handle) if r["id"] not in used and r["nsites"] <= 6 and r["band_gap_pbesol_eV"] > 2
        )
    path = tmp_path_factory.mktemp("new") / f"{record['formula']}.cif"
    Structure.from_dict(record["structure"]).to(filename=str(path))
    return record, path


def test_predict_places_a_new_material(pipeline_repo, new_material, tmp_path):
    record, cif = new_material
    completed = specgroups(pipeline_repo, "predict", str(cif), "--json", str(tmp_path / "prediction.json"))
    assert completed.returncode == 0, completed.stderr[-2000:]
    [result] = json.loads((tmp_path / "prediction.json").read_text())
    spectrum = np.array(result["predicted_log_alpha"])
    assert spectrum.shape == (1501,) and 1.0 < spectrum.min() and spectrum.max() < 8.0
    assert result["formula"] == chemical_formula(Structure.from_file(cif).composition)
    assert 0.5 < result["onset_energy_ev"] < 12.0  # an insulating oxide absorbs above 10^4 cm^-1 somewhere in the UV
    clusters = json.loads((pipeline_repo / "data/interpretation/clusters.json").read_text())
    placement = result["placement"]
    assert str(placement["cluster"]) in clusters and placement["cluster_size"] == len(
        clusters[str(placement["cluster"])]["members"]
    )
    assert placement["distance"] >= 0 and 0.0 <= placement["members_closer"] <= 1.0
    neighbours = result["nearest_materials"]
    assert len(neighbours) == 5 and [n["distance"] for n in neighbours] == sorted(n["distance"] for n in neighbours)
    known = {m for c in clusters.values() for m in c["members"]}
    assert {n["id"] for n in neighbours} <= known and all(len(n["reference_log_alpha"]) == 1501 for n in neighbours)
    guidelines = json.loads((pipeline_repo / "data/interpretation/guidelines.json").read_text())
    assert result["guidelines"] == [
        f"[{g['validation']['status']}] {g['statement']}" for g in guidelines if g["cluster"] == placement["cluster"]
    ]
    text = completed.stdout
    assert text.startswith(f"{result['formula']}  ({cif})") and f"cluster {placement['cluster']} (" in text
    assert f"predicted onset {result['onset_energy_ev']:.2f} eV" in text
    assert all(n["id"] in text for n in neighbours)
    assert result["headline_environment"] is None and "headline contrast" not in text  # not a V/Cr compound


def test_predict_names_the_class_of_a_vanadate(pipeline_repo, tmp_path):
    """Na3VO4 from the committed oxides: isolated VO4 among Na ions."""
    with gzip.open(ROOT / "data/sources/oxides_pbesol.json.gz", "rt") as handle:
        record = next(r for r in json.load(handle) if r["formula"] == "Na3VO4")
    path = tmp_path / "Na3VO4.json"
    path.write_text(json.dumps(record["structure"]))
    completed = specgroups(pipeline_repo, "predict", str(path), "--json", str(tmp_path / "prediction.json"))
    assert completed.returncode == 0, completed.stderr[-2000:]
    [result] = json.loads((tmp_path / "prediction.json").read_text())
    assert result["headline_environment"] == {"cation": "V", "anion": "O", "environment": "isolated_alkali"}
    assert "headline contrast: V with anion O, environment isolated_alkali" in completed.stdout


def test_explain_prints_the_clusters_record(pipeline_repo, tmp_path):
    clusters = json.loads((pipeline_repo / "data/interpretation/clusters.json").read_text())
    cluster = max(clusters, key=lambda c: len(clusters[c]["members"]))
    completed = specgroups(pipeline_repo, "explain", cluster, "--json", str(tmp_path / "cluster.json"))
    assert completed.returncode == 0, completed.stderr
    representation = str(np.load(pipeline_repo / "data/clusters.npz")["representation"])
    assert completed.stdout.startswith(
        f"cluster {cluster} ({representation}): {len(clusters[cluster]['members'])} materials"
    )
    assert all(member in completed.stdout for member in clusters[cluster]["members"])
    assert json.loads((tmp_path / "cluster.json").read_text())["members"] == clusters[cluster]["members"]
    # the V5+/Cr6+ oxides of a cluster holding some, by class, as contrast.csv gives them
    contrast = pd.read_csv(pipeline_repo / "data/interpretation/contrast.csv")
    labels = {m: c for c, summary in clusters.items() for m in summary["members"]}
    holding = labels[contrast["id"].iloc[0]]
    completed = specgroups(pipeline_repo, "explain", holding, "--json", str(tmp_path / "holding.json"))
    expected = {
        env: sorted(contrast.loc[(contrast["environment"] == env) & contrast["id"].map(labels).eq(holding), "id"])
        for env in sorted(set(contrast.loc[contrast["id"].map(labels) == holding, "environment"]))
    }
    found = json.loads((tmp_path / "holding.json").read_text())["headline_environments"]
    assert sorted(found) == sorted(expected) and all(len(found[env]) == len(expected[env]) for env in expected)
    assert "V5+/Cr6+ oxides by environment (headline contrast): " + next(iter(expected)) in completed.stdout


def test_bad_structures_and_clusters_are_one_line_errors(pipeline_repo, tmp_path):
    broken = tmp_path / "broken.cif"
    broken.write_text("data_broken\n_cell_length_a nonsense\n")
    for arguments, expected in (
        (["predict", str(broken)], "broken.cif: not a readable structure"),
        (["predict", str(tmp_path / "absent.cif")], "absent.cif: file not found"),
        (["predict", "mp-2472"], "mp-2472: fetching from the Materials Project needs an API key in the MP_API_KEY"),
        (["explain", "999"], "cluster 999: no such cluster"),
        (
            ["explain", "1", "--profile", "elsewhere"],
            "elsewhere/params.yaml: params file not found (run from the project folder or pass --profile)",
        ),
    ):
        environment = {key: value for key, value in __import__("os").environ.items() if key != "MP_API_KEY"}
        completed = specgroups(pipeline_repo, *arguments, environment=environment)
        errors = [line for line in completed.stderr.splitlines() if line.startswith("error: ")]
        assert completed.returncode == 2 and len(errors) == 1 and expected in errors[0], completed.stderr[-2000:]


def test_the_profiles_params_set_the_neighbours_and_the_onset_definition(pipeline_repo, new_material, tmp_path):
    import yaml

    _, cif = new_material
    repo = tmp_path / "repo"
    shutil.copytree(pipeline_repo, repo, symlinks=True)
    params = yaml.safe_load((repo / "params.yaml").read_text())
    params["predict"]["nearest_materials"] = 2
    params["dataset"]["onset_threshold"] = 9.0  # above any absorption: no onset
    (repo / "params.yaml").write_text(yaml.safe_dump(params))
    completed = specgroups(repo, "predict", str(cif), "--json", str(tmp_path / "out.json"))
    assert completed.returncode == 0, completed.stderr[-2000:]
    [result] = json.loads((tmp_path / "out.json").read_text())
    assert len(result["nearest_materials"]) == 2 and result["onset_energy_ev"] is None
    assert "predicted spectrum never reaches the onset threshold 9 on 0-15 eV: no onset" in completed.stdout

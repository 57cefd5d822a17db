"""The paper profile's data path, end to end, against a local mirror of the authors' repository.

This machine cannot reach GitHub, so a fixture builds a plain git repository
with the authors' layout (a few materials: real GPAW spectra of the embedded
set written as vise archives, an onset table, a run folder with an alignn-2024
checkpoint, config and split) in two commits. A copy of this project whose
data.dvc / model.dvc point at that mirror, pinned to the first commit, then
runs exactly what a reviewer runs: ``dvc pull`` and ``dvc repro
profiles/paper/dvc.yaml`` (here up to the cluster stage, with 3 clusters).
"""

from __future__ import annotations

import gzip
import json
import shutil
import subprocess
import sys

import numpy as np
import pytest
import torch
import yaml
from pymatgen.core import Structure
from pymatgen.io.vasp import Poscar

from specgroups.dataset import read_dataset
from specgroups.model import PURE_ONLY_KEYS, build_model
from specgroups.spectra import onset_metrics
from tests.helpers import ROOT, dvc, git, study_grid
from tests.test_archives import write_archive
from tests.test_assemble import demo_candidates

pytestmark = pytest.mark.slow

RUN = "model/neighbor_20/hidden_64/2024-03-01/10-00-00"
# what alignn 2024's DGL model wrote in config.json (extra keys the pure model does not have are ignored)
AUTHORS_MODEL = {
    "name": "alignn_atomwise", "alignn_layers": 1, "gcn_layers": 1, "atom_input_features": 92,
    "edge_input_features": 80, "triplet_input_features": 40, "embedding_features": 16, "hidden_features": 16,
    "output_features": 1501, "link": "identity", "zero_inflated": False, "classification": False,
}  # fmt: skip


def json_archive(path, name: str, document) -> None:
    write_archive(path, {name: json.dumps(document).encode()})


@pytest.fixture(scope="module")
def mirror(tmp_path_factory):
    """(mirror path, pinned commit, the materials) of a plain git repository with the authors' layout."""
    repo = tmp_path_factory.mktemp("opt_absorption_alignn")
    structures_dir = repo / "data/alignn_training_data"
    archives_dir = repo / "data/first_principles_calculation"
    structures_dir.mkdir(parents=True)
    archives_dir.mkdir(parents=True)
    materials = demo_candidates(8)
    onsets, names = {}, []
    for material in materials:
        stem = f"{material.formula}_{material.material_id}"
        names.append(f"POSCAR_{stem}.vasp")
        Poscar(Structure.from_dict(material.structure)).write_file(structures_dir / names[-1])
        vise = json.loads(gzip.open(material.load_dielectric.args[0]).read())
        json_archive(archives_dir / f"{stem}.json.tar.gz", f"{stem}.json", vise)
        onsets[names[-1]] = {
            "min_gap": material.min_gap_ev, "direct_gap": material.direct_gap_ev,
            "onset_energy": 3.0, "absorption_edge_integral": 1.0,
        }  # fmt: skip
    json_archive(repo / "data/onset_edge.json.tar.gz", "onset_edge.json", onsets)

    run = repo / RUN
    run.mkdir(parents=True)
    json_archive(run / "config.json.tar.gz", "config.json", {"model": AUTHORS_MODEL, "batch_size": 4})
    torch.manual_seed(0)
    state = build_model({k: v for k, v in AUTHORS_MODEL.items() if k != "name"}).state_dict()
    torch.save({k: v for k, v in state.items() if k not in PURE_ONLY_KEYS}, run / "best_model.pt")
    # the last material is in no split, as one of the study's 2,681 was not
    split = {"id_train": names[:5], "id_val": names[5:6], "id_test": names[6:7]}
    json_archive(run / "ids_train_val_test.json.tar.gz", "ids_train_val_test.json", split)
    git(repo, "init", "-q")
    git(repo, "add", ".")
    git(repo, "commit", "-qm", "published")
    pinned = git(repo, "rev-parse", "HEAD")

    # a later commit the pinned import must not see: one archive changed, one material added
    first = sorted(archives_dir.iterdir())[0]
    json_archive(first, "changed.json", {"energies": []})
    shutil.copy(structures_dir / names[0], structures_dir / "POSCAR_Extra_mp-999999.vasp")
    git(repo, "add", ".")
    git(repo, "commit", "-qm", "later")
    return repo, pinned, materials


@pytest.fixture(scope="module")
def project(mirror, tmp_path_factory):
    """A copy of this project whose imports point at the mirror, pinned to its first commit."""
    mirror_path, pinned, _ = mirror
    repo = tmp_path_factory.mktemp("project")
    for folder in ("specgroups", "stages", "paper/templates", "profiles/paper"):
        shutil.copytree(ROOT / folder, repo / folder, ignore=shutil.ignore_patterns("__pycache__", "dvc.lock", "data", "metrics"))
    for name in ("paper/study_reported.yaml", "data.dvc", "model.dvc", "data/.gitignore", "models/.gitignore", ".dvcignore"):
        (repo / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(ROOT / name, repo / name)
    for name in ("data.dvc", "model.dvc"):
        spec = yaml.safe_load((repo / name).read_text())
        spec["deps"][0]["repo"] = {"url": mirror_path.as_uri(), "rev": pinned, "rev_lock": pinned}
        (repo / name).write_text(yaml.safe_dump(spec, sort_keys=False))
    params_path = repo / "profiles/paper/params.yaml"
    params = yaml.safe_load(params_path.read_text())
    params["cluster"].update(n_clusters=3, permutations=20, bootstrap_rounds=3)
    params["train"].update(device="cpu")
    params_path.write_text(yaml.safe_dump(params, sort_keys=False))
    subprocess.run(["git", "init", "-q"], cwd=repo, check=True)
    dvc(repo, "init", "-q")
    dvc(repo, "config", "core.analytics", "false")
    return repo


def test_pull_fetches_the_pinned_commit_and_the_profile_reproduces(mirror, project):
    mirror_path, pinned, materials = mirror
    dvc(project, "pull", "data.dvc", "model.dvc")
    pulled = project / "data/paper"
    pinned_files = git(mirror_path, "ls-tree", "-r", "--name-only", pinned, "data").splitlines()
    assert sorted(str(p.relative_to(project / "data/paper").as_posix()) for p in pulled.rglob("*") if p.is_file()) == sorted(
        name.removeprefix("data/") for name in pinned_files
    )
    for name in pinned_files:  # byte for byte the pinned commit, not the later one
        expected = subprocess.run(["git", "show", f"{pinned}:{name}"], cwd=mirror_path, capture_output=True, check=True).stdout
        assert (pulled / name.removeprefix("data/")).read_bytes() == expected, name
    assert not (pulled / "alignn_training_data/POSCAR_Extra_mp-999999.vasp").exists()
    assert (project / "models/published" / RUN.removeprefix("model/") / "best_model.pt").is_file()

    # `dvc update` with the pinned rev stays on it and records the content hashes
    dvc(project, "update", "data.dvc", "model.dvc")
    spec = yaml.safe_load((project / "data.dvc").read_text())
    assert spec["deps"][0]["repo"]["rev_lock"] == pinned and spec["outs"][0]["md5"].endswith(".dir")
    assert "up to date" in dvc(project, "status", "data.dvc", "model.dvc").stdout

    # on a fresh checkout a dry run needs --force: DVC hashes every dependency, and later stages' do not exist yet
    dry = dvc(project, "repro", "--dry", "--force", "profiles/paper/dvc.yaml").stdout
    for stage in yaml.safe_load((project / "profiles/paper/dvc.yaml").read_text())["stages"]:
        assert f"'profiles/paper/dvc.yaml:{stage}'" in dry, stage

    dvc(project, "repro", "profiles/paper/dvc.yaml:cluster")
    again = dvc(project, "repro", "--dry", "profiles/paper/dvc.yaml:cluster").stdout
    assert "Running stage" not in again and "'profiles/paper/dvc.yaml:cluster' didn't change" in again
    dataset = read_dataset(project / "profiles/paper/data/dataset")
    by_name = {f"{m.formula}_{m.material_id}": m for m in materials}
    # every material is in the dataset; the one in no split is `unused`: clustered, never trained or scored on
    assert sorted(dataset.ids) == sorted(by_name)
    splits = dict(zip(dataset.materials["id"], dataset.materials["split"]))
    assert [splits[name] for name in by_name] == ["train"] * 5 + ["val", "test", "unused"]
    assert json.loads((project / "profiles/paper/results/dataset.json").read_text())["split"]["unused"] == 1
    # the onset table's gaps are carried; the spectra are the archives' (same onsets as computed directly)
    row = dataset.materials.set_index("id").loc[list(by_name)[0]]
    assert row["min_gap_ev"] == pytest.approx(by_name[list(by_name)[0]].min_gap_ev, rel=1e-5)  # csv keeps 6 digits
    grid = study_grid()
    onset = onset_metrics(grid, dataset.spectra[dataset.ids.index(list(by_name)[0])]).onset_energy_ev
    assert onset == pytest.approx(row["onset_energy_ev"], abs=1e-4)

    evaluation = json.loads((project / "profiles/paper/results/train.json").read_text())
    assert evaluation["mode"] == "published" and evaluation["epochs"] == 0
    assert evaluation["materials"] == {"train": 5, "val": 1, "test": 1}
    with np.load(project / "profiles/paper/data/clusters.npz", allow_pickle=False) as clusters:
        assert sorted(set(clusters["labels"].tolist())) == [1, 2, 3] and len(clusters["labels"]) == len(by_name)
    assert json.loads((project / "profiles/paper/metrics/cluster.json").read_text())["n_clusters"] == 3
    # its metrics are plain outs (a never-run profile must not make `dvc metrics show` warn); named, they show
    named = sorted(path.relative_to(project).as_posix() for path in (project / "profiles/paper/metrics").glob("*.json"))
    shown = dvc(project, "metrics", "show", *named).stdout
    assert "profiles/paper/metrics/train.json" in shown and "test_mae" in shown and "n_clusters" in shown
    assert not (project / "data/dataset").exists()  # nothing of the default profile's outputs was written


def test_a_missing_pull_says_what_to_run(project, tmp_path):
    """The dataset stage, run before `dvc pull`, names the folder and the command."""
    params = yaml.safe_load((project / "profiles/paper/params.yaml").read_text())
    params["dataset"]["authors"] = {"root": str(tmp_path / "absent"), "split_from_run": None}
    (tmp_path / "params.yaml").write_text(yaml.safe_dump(params))
    completed = subprocess.run(
        [sys.executable, "-m", "stages.dataset", "--params", str(tmp_path / "params.yaml")],
        cwd=project, capture_output=True, text=True,
    )
    assert completed.returncode == 2
    assert "no POSCAR_*.vasp files (run `dvc pull data.dvc`)" in completed.stderr
    assert completed.stderr.count("\n") == 1

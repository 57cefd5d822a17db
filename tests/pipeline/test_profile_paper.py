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
import pandas as pd
import pytest
import torch
import yaml
from pymatgen.core import Structure
from pymatgen.io.vasp import Poscar

from specgroups.io.dataset import read_dataset
from specgroups.model.network import PURE_ONLY_KEYS, build_model
from specgroups.spectra import onset_metrics
from tests.data.test_assemble import demo_candidates
from tests.helpers import ROOT, dvc, git, study_grid
from tests.io.test_archives import write_archive

pytestmark = pytest.mark.slow

RUN = "model/neighbor_20/hidden_64/250825/013208"
# the authors' run config as their std.log prints it: alignn 2024's trainer fields and the 29 fields of the DGL
# model `alignn_atomwise` (the pure model ignores the ones it lacks); only the layer sizes are made small here
AUTHORS_MODEL = {
    "add_reverse_forces": False,
    "alignn_layers": 1,
    "atom_input_features": 92,
    "atomwise_output_features": 0,
    "atomwise_weight": 0.0,
    "batch_stress": True,
    "calculate_gradient": True,
    "classification": False,
    "edge_input_features": 80,
    "embedding_features": 16,
    "energy_mult_natoms": False,
    "extra_features": 0,
    "force_mult_natoms": False,
    "gcn_layers": 1,
    "grad_multiplier": -1,
    "gradwise_weight": 0.0,
    "graphwise_weight": 1.0,
    "hidden_features": 16,
    "include_pos_deriv": False,
    "inner_cutoff": 10.0,
    "lg_on_fly": False,
    "link": "identity",
    "name": "alignn_atomwise",
    "output_features": 1501,
    "stress_multiplier": 1.0,
    "stresswise_weight": 0.0,
    "triplet_input_features": 40,
    "use_cutoff_function": False,
    "zero_inflated": False,
}
AUTHORS_CONFIG = {
    "atom_features": "cgcnn",
    "batch_size": 4,
    "classification_threshold": None,
    "criterion": "mse",
    "cutoff": 10.0,
    "cutoff_extra": 3.0,
    "data_parallel": False,
    "dataset": "user_data",
    "distributed": False,
    "epochs": 500,
    "filename": "sample",
    "id_tag": "jid",
    "keep_data_order": True,
    "learning_rate": 0.001,
    "log_tensorboard": False,
    "max_neighbors": 20,
    "model": AUTHORS_MODEL,
    "n_early_stopping": None,
    "n_test": None,
    "n_train": None,
    "n_val": None,
    "neighbor_strategy": "k-nearest",
    "normalize_graph_level_loss": False,
    "num_workers": 0,
    "optimizer": "adamw",
    "output_dir": ".//250825/013208",
    "pin_memory": False,
    "progress": True,
    "random_seed": 123,
    "save_dataloader": False,
    "scheduler": "onecycle",
    "standard_scalar_and_pca": False,
    "store_outputs": True,
    "target": "target",
    "target_multiplication_factor": None,
    "test_ratio": 0.15,
    "train_ratio": 0.8,
    "use_canonize": True,
    "val_ratio": 0.05,
    "version": "112bbedebdaecf59fb18e11c929080fb2f358246",
    "warmup_steps": 2000,
    "weight_decay": 1e-05,
    "write_checkpoint": True,
    "write_predictions": True,
}
# materials of the mirror: the first 7 computed ones and a name with parentheses (Ba(CuO)2); one more id is added to a name
# (as in POSCAR_Ag3PO4_mp-1229128_mp-4198.vasp), and one archive holds something else (unreadable)
MIRROR_IDS = (
    "mp-754594",
    "mp-29047",
    "mp-27624",
    "mp-504510",
    "mp-550622",
    "mp-29188",
    "mp-18740",
    "mp-7374",
    "mp-18781",
)
TWO_IDS, UNREADABLE = "mp-504510", "mp-29188"


def checkpoint(seed: int) -> dict:
    torch.manual_seed(seed)
    from alignn.models.alignn_atomwise_pure import ALIGNNAtomWisePureConfig

    state = build_model(
        {k: v for k, v in AUTHORS_MODEL.items() if k in ALIGNNAtomWisePureConfig.model_fields}
    ).state_dict()
    return {k: v for k, v in state.items() if k not in PURE_ONLY_KEYS}


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
    materials = demo_candidates(ids=MIRROR_IDS)
    onsets, names = {}, []
    for material in materials:
        stem = f"{material.formula}_{material.material_id}" + ("_mp-999998" if material.material_id == TWO_IDS else "")
        names.append(f"POSCAR_{stem}.vasp")
        Poscar(Structure.from_dict(material.structure)).write_file(structures_dir / names[-1])
        vise = json.loads(gzip.open(material.load_dielectric.args[0]).read())
        json_archive(
            archives_dir / f"{stem}.json.tar.gz",
            f"{stem}.json",
            {"frequencies": [0, 1]} if material.material_id == UNREADABLE else vise,
        )
        onsets[names[-1]] = {
            "min_gap": material.min_gap_ev,
            "direct_gap": material.direct_gap_ev,
            "onset_energy": 3.0,
            "absorption_edge_integral": 1.0e5,
        }
    json_archive(repo / "data/onset_edge.json.tar.gz", "onset_edge.json", onsets)

    run = repo / RUN
    run.mkdir(parents=True)
    for folder in (run, run.parents[1]):  # hidden_64/ holds a config and std.log too
        json_archive(folder / "config.json.tar.gz", "config.json", AUTHORS_CONFIG)
    (run.parents[1] / "std.log").write_text("TestLoss 0 0.0\n")
    torch.save(checkpoint(0), run / "best_model.pt")
    torch.save(checkpoint(1), run / "last_model.pt")
    torch.save(checkpoint(1), run / "current_model.pt")
    for name in ("history_train", "history_val"):
        json_archive(run / f"{name}.json.tar.gz", f"{name}.json", [[0.5, 0.3]])
    (run / "train_data_data_range").write_text("Max=6.400967295662746\nMin=2.0\n")
    # the last material is in no split, as one of the study's 2,681 was not
    split = {"id_train": names[:6], "id_val": names[6:7], "id_test": names[7:8]}
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
    for folder in ("specgroups", "stages", "paper/templates"):
        shutil.copytree(ROOT / folder, repo / folder, ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copytree(
        ROOT / "profiles/paper", repo / "profiles/paper", ignore=shutil.ignore_patterns("dvc.lock", "data", "metrics")
    )
    for name in (
        "paper/study_reported.yaml",
        "params.yaml",
        "data.dvc",
        "model.dvc",
        "data/.gitignore",
        "models/.gitignore",
        ".dvcignore",
    ):
        (repo / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(ROOT / name, repo / name)
    for name in ("data.dvc", "model.dvc"):
        spec = yaml.safe_load((repo / name).read_text())
        spec["deps"][0]["repo"] = {"url": mirror_path.as_uri(), "rev": pinned, "rev_lock": pinned}
        (repo / name).write_text(yaml.safe_dump(spec, sort_keys=False))
    params_path = repo / "profiles/paper/params.yaml"
    params = yaml.safe_load(params_path.read_text())
    params["cluster"].update(n_clusters=3, permutations=20, bootstrap_rounds=3)
    # the mirror's model has one ALIGNN and one GCN layer
    rule = {"candidates": ["alignn_1", "gcn_1", "pooled", "predicted"]}
    params["scan"] = {"counts": [2, 3], "permutations": 5, "stability_rounds": 2, "guideline_rounds": 10, "rule": rule}
    params["dataset"].update(max_unreadable_share=0.2)  # one of the mirror's 9 archives is unreadable
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
    assert sorted(
        str(p.relative_to(project / "data/paper").as_posix()) for p in pulled.rglob("*") if p.is_file()
    ) == sorted(name.removeprefix("data/") for name in pinned_files)
    for name in pinned_files:  # byte for byte the pinned commit, not the later one
        expected = subprocess.run(
            ["git", "show", f"{pinned}:{name}"], cwd=mirror_path, capture_output=True, check=True
        ).stdout
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
    name_of = {
        m.material_id: f"{m.formula}_{m.material_id}" + ("_mp-999998" if m.material_id == TWO_IDS else "")
        for m in materials
    }
    by_name = {name_of[m.material_id]: m for m in materials if m.material_id != UNREADABLE}
    # every readable material is in the dataset, both ids kept; the one in no split is `unused`: clustered, never trained or scored on
    assert (
        sorted(dataset.ids) == sorted(by_name)
        and name_of[TWO_IDS].endswith("_mp-504510_mp-999998")
        and name_of[TWO_IDS] in dataset.ids
    )
    splits = dict(zip(dataset.materials["id"], dataset.materials["split"]))
    assert [splits[name] for name in by_name] == ["train"] * 5 + ["val", "test", "unused"]
    assert json.loads((project / "profiles/paper/results/dataset.json").read_text())["split"]["unused"] == 1
    # the unreadable archive is left out with its reason, under dataset.max_unreadable_share
    excluded = pd.read_csv(project / "profiles/paper/data/dataset/excluded.csv")
    assert excluded["id"].tolist() == [name_of[UNREADABLE]] and excluded["reason"].iloc[0].startswith("unreadable:")
    assert "expected one dielectric function, found 0" in excluded["reason"].iloc[0]
    # the onset table's gaps are carried; onsets and integrals are the authors' (onset_metrics_from: authors) and the
    # recomputed ones are kept, from the archives' spectra
    first = list(by_name)[0]
    row = dataset.materials.set_index("id").loc[first]
    assert row["min_gap_ev"] == pytest.approx(by_name[first].min_gap_ev, rel=1e-5)  # csv keeps 6 digits
    assert row["onset_energy_ev"] == 3.0 and row["log10_edge_integral"] == pytest.approx(5.0)
    onset = onset_metrics(study_grid(), dataset.spectra[dataset.ids.index(first)]).onset_energy_ev
    assert onset == pytest.approx(row["recomputed_onset_energy_ev"], abs=1e-4)
    agreement = json.loads((project / "profiles/paper/results/dataset.json").read_text())["published_agreement"]
    assert agreement["onset_energy_ev"]["materials"] == 8 and not agreement["onsets_agree"]
    assert json.loads((project / "profiles/paper/metrics/dataset.json").read_text())["published_onsets_agree"] == 0

    evaluation = json.loads((project / "profiles/paper/results/train.json").read_text())
    assert evaluation["mode"] == "published" and evaluation["epochs"] == 0 and evaluation["checkpoint"] == "last"
    assert evaluation["materials"] == {"train": 5, "val": 1, "test": 1}
    # the MAE is the last epoch's (the study's table); the saved run, whose features embed extracts, is the best
    saved = torch.load(project / "profiles/paper/model/best_model.pt", weights_only=True)
    assert all(torch.equal(saved[key], value) for key, value in checkpoint(0).items())
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
        [sys.executable, "-m", "stages.dataset", "--profile", str(tmp_path)],
        cwd=project,
        capture_output=True,
        text=True,
    )
    assert completed.returncode == 2
    assert "no POSCAR_*.vasp files (run `dvc pull data.dvc`)" in completed.stderr
    assert completed.stderr.count("\n") == 1

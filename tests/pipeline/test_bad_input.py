"""Bad input across the pipeline (the table in docs/reproducibility.md): each case is one line naming the item, exit status 2,
no partial output, and the outputs of an earlier run left as they were."""

from __future__ import annotations

import gzip
import json
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import torch
import yaml
from pymatgen.core import Lattice, Structure

from specgroups.data.assemble import OnsetCorrection, SpectrumOptions, assemble_dataset
from specgroups.io.dataset import write_dataset
from specgroups.io.layout import ProfileLayout
from specgroups.io.outputs import write_chemistry, write_ensemble_features, write_pretrained_features
from specgroups.model.network import build_model
from tests.data.test_assemble import RESULTS, demo_candidates
from tests.helpers import ROOT, study_grid
from tests.io.test_archives import write_archive

PREVIOUS = b"output of an earlier run"
ROCK_SALT = Structure(Lattice.cubic(4.2), ["Mg", "O"], [[0, 0, 0], [0.5, 0.5, 0.5]])


def stage_params(tmp_path: Path) -> dict:
    """The default profile's params for a profile rooted at tmp_path (its outputs go there)."""
    params = yaml.safe_load((ROOT / "params.yaml").read_text())
    # the cases make their own materials, which have no GLLB-SC gaps
    params["dataset"]["onset_correction"]["mode"] = "none"
    return params


def good_dataset(directory: Path, count: int = 4):
    options = SpectrumOptions(study_grid(), 2.0, 4.0, 1.0, OnsetCorrection(cut_below_direct_gap=True), 0.0)
    dataset, _ = assemble_dataset(demo_candidates(count), options, {"train": 0.5, "val": 0.25, "test": 0.25}, 1)
    write_dataset(directory, dataset)
    return dataset


def with_structure(directory: Path, structure: Structure, material_id: str = "mp-bad") -> None:
    dataset = good_dataset(directory)
    first = dataset.ids[0]
    dataset.materials.loc[0, "id"] = material_id
    dataset.structures = {
        **{k: v for k, v in dataset.structures.items() if k != first},
        material_id: structure.as_dict(),
    }
    write_dataset(directory, dataset)


def bad_dielectric(tmp_path: Path, params: dict, corrupt) -> None:
    """An embedded-source dataset whose first material's dielectric file is damaged by ``corrupt``."""
    results = tmp_path / "first_principles"
    shutil.copytree(RESULTS, results)
    materials = json.loads((ROOT / "data/demo/materials.json").read_text())
    ok = [m for m in materials if (results / f"{m['id']}.diele_func.json.gz").is_file()][:3]
    path = results / f"{ok[0]['id']}.diele_func.json.gz"
    data = json.loads(gzip.open(path).read())
    corrupt(data)
    path.write_bytes(gzip.compress(json.dumps(data).encode()))
    (tmp_path / "materials.json").write_text(json.dumps(ok))
    params["dataset"].update(materials=str(tmp_path / "materials.json"), first_principles=str(results))


def case_malformed_poscar(tmp_path, params):
    root = tmp_path / "authors"
    (root / "alignn_training_data").mkdir(parents=True)
    (root / "alignn_training_data/POSCAR_MgO_mp-1265.vasp").write_text("MgO\n1.0\nthis is not a lattice\n")
    write_archive(
        root / "onset_edge.json.tar.gz",
        {
            "onset_edge.json": b'{"POSCAR_MgO_mp-1265.vasp": {"min_gap": 1, '
            b'"direct_gap": 1, "onset_energy": 1, "absorption_edge_integral": 1}}'
        },
    )
    params["dataset"].update(source="authors", authors={"root": str(root), "split_from_run": None})
    return (
        "stages.dataset",
        "POSCAR_MgO_mp-1265.vasp",
        [ProfileLayout.of(tmp_path).dataset, ProfileLayout.of(tmp_path).metrics("dataset")],
    )


def case_overlapping_atoms(tmp_path, params):
    with_structure(
        ProfileLayout.of(tmp_path).dataset, Structure(Lattice.cubic(4.2), ["Mg", "O"], [[0, 0, 0], [0.02, 0, 0]])
    )
    return "stages.graphs", "mp-bad: atoms 0 (Mg) and 1 (O) overlap", [ProfileLayout.of(tmp_path).graphs / "index.json"]


def case_element_without_features(tmp_path, params):
    with_structure(
        ProfileLayout.of(tmp_path).dataset, Structure(Lattice.cubic(4.2), ["Md", "O"], [[0, 0, 0], [0.5, 0.5, 0.5]])
    )
    return (
        "stages.graphs",
        "mp-bad: no cgcnn atom features for ['Md']",
        [ProfileLayout.of(tmp_path).graphs / "index.json"],
    )


def case_dielectric_with_nan(tmp_path, params):
    bad_dielectric(tmp_path, params, lambda data: data["diele_func_imag"][0].__setitem__(5, float("nan")))
    return (
        "stages.dataset",
        "diele_func.json.gz: eps_imag",
        [ProfileLayout.of(tmp_path).dataset, ProfileLayout.of(tmp_path).metrics("dataset")],
    )


def case_dielectric_with_negative_absorption(tmp_path, params):
    def corrupt(data):
        for row in data["diele_func_imag"]:
            row[100:200] = [-5.0] * 100

    bad_dielectric(tmp_path, params, corrupt)
    return (
        "stages.dataset",
        "negative",
        [ProfileLayout.of(tmp_path).dataset, ProfileLayout.of(tmp_path).metrics("dataset")],
    )


def case_dielectric_with_a_wrong_energy_axis(tmp_path, params):
    bad_dielectric(tmp_path, params, lambda data: data["energies"].reverse())
    return (
        "stages.dataset",
        "energ",
        [ProfileLayout.of(tmp_path).dataset, ProfileLayout.of(tmp_path).metrics("dataset")],
    )


def case_spectrum_of_the_wrong_length(tmp_path, params):
    good_dataset(ProfileLayout.of(tmp_path).dataset)
    spectra = np.load(tmp_path / "data/dataset/spectra.npy")
    np.save(tmp_path / "data/dataset/spectra.npy", spectra[:, :1000])
    return (
        "stages.graphs",
        "spectra have 1000 points but the energy grid has 1501",
        [ProfileLayout.of(tmp_path).graphs / "index.json"],
    )


def case_duplicate_material_ids(tmp_path, params):
    good_dataset(ProfileLayout.of(tmp_path).dataset)
    table = pd.read_csv(tmp_path / "data/dataset/materials.csv", dtype={"id": str})
    table.loc[1, "id"] = table.loc[0, "id"]
    table.to_csv(tmp_path / "data/dataset/materials.csv", index=False)
    return "stages.graphs", "duplicate material ids", [ProfileLayout.of(tmp_path).graphs / "index.json"]


def case_empty_dataset(tmp_path, params):
    good_dataset(ProfileLayout.of(tmp_path).dataset)
    table = pd.read_csv(tmp_path / "data/dataset/materials.csv")
    table.iloc[:0].to_csv(tmp_path / "data/dataset/materials.csv", index=False)
    np.save(tmp_path / "data/dataset/spectra.npy", np.zeros((0, 1501), dtype=np.float32))
    return "stages.graphs", "the dataset is empty", [ProfileLayout.of(tmp_path).graphs / "index.json"]


def case_more_clusters_than_materials(tmp_path, params):
    layout = ProfileLayout.of(tmp_path)
    dataset = good_dataset(layout.dataset)
    write_chemistry(layout.chemistry, {m: {"id": m, "error": "not analysed in this case"} for m in dataset.ids})
    members = [{"pooled": np.random.default_rng(k).normal(size=(4, 8))} for k in range(2)]
    write_ensemble_features(layout.ensemble_features, dataset.ids, members)
    write_pretrained_features(layout.pretrained_features, dataset.ids, {"chgnet": np.ones((4, 64))})
    params["cluster"].update(n_clusters=12, representation="pooled")
    return "stages.cluster", "12 clusters requested for 4 materials", [layout.clusters, layout.metrics("cluster")]


def case_params_of_the_wrong_type(tmp_path, params):
    params["train"]["epochs"] = "ten"
    return "stages.train", "train.epochs must be an integer, got 'ten'", [ProfileLayout.of(tmp_path).metrics("train")]


def case_params_null(tmp_path, params):
    # a profile inherits every key it leaves out from the default params: a key can be wrong, not missing
    params["train"]["seed"] = None
    return "stages.train", "train.seed must be an integer, got None", [ProfileLayout.of(tmp_path).metrics("train")]


def case_checkpoint_not_matching_its_config(tmp_path, params):
    good_dataset(ProfileLayout.of(tmp_path).dataset)
    model_dir = ProfileLayout.of(tmp_path).model
    model_dir.mkdir(parents=True)
    architecture = {**params["train"]["architecture"], "output_features": 1501}
    (model_dir / "config.json").write_text(json.dumps({"model": {**architecture, "hidden_features": 32}}))
    torch.save(build_model(architecture).state_dict(), model_dir / "best_model.pt")
    return "stages.embed", "best_model.pt: does not match", [ProfileLayout.of(tmp_path).features]


CASES = {name.removeprefix("case_"): function for name, function in globals().items() if name.startswith("case_")}


@pytest.mark.parametrize("case", sorted(CASES))
def test_bad_input_is_one_line_exit_2_and_leaves_earlier_outputs(case, tmp_path):
    params = stage_params(tmp_path)
    module, expected, outputs = CASES[case](tmp_path, params)
    for output in outputs:  # what an earlier, good run left
        Path(output).parent.mkdir(parents=True, exist_ok=True)
        if not Path(output).is_dir():
            Path(output).write_bytes(PREVIOUS)
    before = sorted(str(p.relative_to(tmp_path)) for p in tmp_path.rglob("*"))
    (tmp_path / "params.yaml").write_text(yaml.safe_dump(params))
    completed = subprocess.run(
        [sys.executable, "-m", module, "--profile", str(tmp_path)],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert completed.returncode == 2, completed.stderr[-2000:]
    errors = [line for line in completed.stderr.splitlines() if line.startswith("error: ")]  # besides progress bars
    assert len(errors) == 1 and expected in errors[0] and "Traceback" not in completed.stderr, completed.stderr
    for output in outputs:
        if Path(output).is_file():
            assert Path(output).read_bytes() == PREVIOUS, output
    after = sorted(str(p.relative_to(tmp_path)) for p in tmp_path.rglob("*"))
    assert after == [*before, "params.yaml"] or sorted([*before, "params.yaml"]) == after, set(after) - set(before)

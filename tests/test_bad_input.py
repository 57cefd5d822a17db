"""Bad input across the pipeline (the README's table): each case is one line naming the item, exit status 2,
no partial output, and the outputs of an earlier run left as they were."""

from __future__ import annotations

import gzip
import io
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

from specgroups.assemble import OnsetCorrection, SpectrumOptions, assemble_dataset
from specgroups.dataset import write_dataset
from specgroups.model import build_model
from tests.helpers import ROOT, study_grid
from tests.test_archives import write_archive
from tests.test_assemble import RESULTS, demo_candidates

PREVIOUS = b"output of an earlier run"
ROCK_SALT = Structure(Lattice.cubic(4.2), ["Mg", "O"], [[0, 0, 0], [0.5, 0.5, 0.5]])


def stage_params(tmp_path: Path) -> dict:
    """The default profile's params with every path moved into tmp_path."""
    params = yaml.safe_load((ROOT / "params.yaml").read_text())
    moved = {
        "dataset": {"output": "dataset", "results": "results/dataset.json", "metrics": "metrics/dataset.json"},
        "graphs": {"dataset": "dataset", "output": "graphs"},
        "train": {"dataset": "dataset", "graphs": "graphs", "model_dir": "model", "results": "results/train.json", "metrics": "metrics/train.json",
                  "learning_curve": "metrics/learning_curve.csv", "onset_parity": "metrics/onset_parity.csv", "example_spectra": "metrics/test_spectra"},
        "embed": {"dataset": "dataset", "graphs": "graphs", "model_dir": "model", "output": "features.npz"},
        "cluster": {"features": "features.npz", "output": "clusters.npz", "results": "results/cluster.json", "metrics": "metrics/cluster.json"},
    }  # fmt: skip
    for section, paths in moved.items():
        params[section].update({key: str(tmp_path / value) for key, value in paths.items()})
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
    dataset.structures = {**{k: v for k, v in dataset.structures.items() if k != first}, material_id: structure.as_dict()}
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
    write_archive(root / "onset_edge.json.tar.gz", {"onset_edge.json": b'{"POSCAR_MgO_mp-1265.vasp": {"min_gap": 1, '
                  b'"direct_gap": 1, "onset_energy": 1, "absorption_edge_integral": 1}}'})  # fmt: skip
    params["dataset"].update(source="authors", authors={"root": str(root), "split_from_run": None})
    return "stages.dataset", "POSCAR_MgO_mp-1265.vasp", [params["dataset"]["output"], params["dataset"]["metrics"]]


def case_overlapping_atoms(tmp_path, params):
    with_structure(tmp_path / "dataset", Structure(Lattice.cubic(4.2), ["Mg", "O"], [[0, 0, 0], [0.02, 0, 0]]))
    return "stages.graphs", "mp-bad: atoms 0 (Mg) and 1 (O) overlap", [params["graphs"]["output"] + "/index.json"]


def case_element_without_features(tmp_path, params):
    with_structure(tmp_path / "dataset", Structure(Lattice.cubic(4.2), ["Md", "O"], [[0, 0, 0], [0.5, 0.5, 0.5]]))
    return "stages.graphs", "mp-bad: no cgcnn atom features for ['Md']", [params["graphs"]["output"] + "/index.json"]


def case_dielectric_with_nan(tmp_path, params):
    bad_dielectric(tmp_path, params, lambda data: data["diele_func_imag"][0].__setitem__(5, float("nan")))
    return "stages.dataset", "diele_func.json.gz: eps_imag", [params["dataset"]["output"], params["dataset"]["metrics"]]


def case_dielectric_with_negative_absorption(tmp_path, params):
    def corrupt(data):
        for row in data["diele_func_imag"]:
            row[100:200] = [-5.0] * 100

    bad_dielectric(tmp_path, params, corrupt)
    return "stages.dataset", "negative", [params["dataset"]["output"], params["dataset"]["metrics"]]


def case_dielectric_with_a_wrong_energy_axis(tmp_path, params):
    bad_dielectric(tmp_path, params, lambda data: data["energies"].reverse())
    return "stages.dataset", "energ", [params["dataset"]["output"], params["dataset"]["metrics"]]


def case_spectrum_of_the_wrong_length(tmp_path, params):
    good_dataset(tmp_path / "dataset")
    spectra = np.load(tmp_path / "dataset/spectra.npy")
    np.save(tmp_path / "dataset/spectra.npy", spectra[:, :1000])
    return "stages.graphs", "spectra have 1000 points but the energy grid has 1501", [params["graphs"]["output"] + "/index.json"]


def case_duplicate_material_ids(tmp_path, params):
    good_dataset(tmp_path / "dataset")
    table = pd.read_csv(tmp_path / "dataset/materials.csv", dtype={"id": str})
    table.loc[1, "id"] = table.loc[0, "id"]
    table.to_csv(tmp_path / "dataset/materials.csv", index=False)
    return "stages.graphs", "duplicate material ids", [params["graphs"]["output"] + "/index.json"]


def case_empty_dataset(tmp_path, params):
    good_dataset(tmp_path / "dataset")
    table = pd.read_csv(tmp_path / "dataset/materials.csv")
    table.iloc[:0].to_csv(tmp_path / "dataset/materials.csv", index=False)
    np.save(tmp_path / "dataset/spectra.npy", np.zeros((0, 1501), dtype=np.float32))
    return "stages.graphs", "the dataset is empty", [params["graphs"]["output"] + "/index.json"]


def case_more_clusters_than_materials(tmp_path, params):
    buffer = io.BytesIO()
    rng = np.random.default_rng(0)
    np.savez(buffer, material_ids=np.array(["a", "b", "c", "d"]), pooled=rng.normal(size=(4, 8)), reference=rng.normal(size=(4, 20)))
    (tmp_path / "features.npz").write_bytes(buffer.getvalue())
    params["cluster"].update(n_clusters=12, representation="pooled")
    return "stages.cluster", "12 clusters requested for 4 materials", [params["cluster"]["output"], params["cluster"]["metrics"]]


def case_params_of_the_wrong_type(tmp_path, params):
    params["train"]["epochs"] = "ten"
    return "stages.train", "train.epochs must be a positive integer, got 'ten'", [params["train"]["metrics"]]


def case_params_missing(tmp_path, params):
    del params["train"]["seed"]
    return "stages.train", "train lacks ['seed']", [params["train"]["metrics"]]


def case_checkpoint_not_matching_its_config(tmp_path, params):
    good_dataset(tmp_path / "dataset")
    model_dir = tmp_path / "model"
    model_dir.mkdir()
    architecture = {**params["train"]["architecture"], "output_features": 1501}
    (model_dir / "config.json").write_text(json.dumps({"model": {**architecture, "hidden_features": 32}}))
    torch.save(build_model(architecture).state_dict(), model_dir / "best_model.pt")
    return "stages.embed", "best_model.pt: does not match", [params["embed"]["output"]]


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
    completed = subprocess.run([sys.executable, "-m", module, "--params", str(tmp_path / "params.yaml")],
                               cwd=ROOT, capture_output=True, text=True)  # fmt: skip
    assert completed.returncode == 2, completed.stderr[-2000:]
    errors = [line for line in completed.stderr.splitlines() if line.startswith("error: ")]  # besides progress bars
    assert len(errors) == 1 and expected in errors[0] and "Traceback" not in completed.stderr, completed.stderr
    for output in outputs:
        if Path(output).is_file():
            assert Path(output).read_bytes() == PREVIOUS, output
    after = sorted(str(p.relative_to(tmp_path)) for p in tmp_path.rglob("*"))
    assert after == [*before, "params.yaml"] or sorted([*before, "params.yaml"]) == after, set(after) - set(before)

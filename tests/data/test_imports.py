"""specgroups.data.imports and `specgroups new-profile`: the three shapes of user data read from real files (the
embedded GPAW dielectric functions as records and as an alignn id_prop folder; the VASP optics fixtures as a folder
of runs), bad input named, and a new profile whose dataset stage reproduces the spectra it was given."""

from __future__ import annotations

import csv
import gzip
import json
import shutil
import subprocess
import sys

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
import yaml

from specgroups.data.imports import (
    create_profile,
    read_id_prop,
    read_records,
    read_vasprun_folder,
    spectrum_description,
    structure_file_id,
)
from specgroups.errors import InputError
from specgroups.firstprinciples.results import dielectric_path, load_results
from specgroups.io.dataset import read_dataset
from specgroups.spectra import energy_grid, log_absorption_on_grid, read_dielectric
from tests.helpers import ROOT, dvc, oxide_structure

GRID = energy_grid(0.0, 15.0, 1501)
FIRST_PRINCIPLES = ROOT / "data/demo/first_principles"
FIXTURES = ROOT / "tests/fixtures"


@pytest.fixture(scope="module")
def material_ids() -> list[str]:
    oxides = {
        m["id"] for m in json.loads((ROOT / "data/demo/materials.json").read_text()) if m["source"] == "oxides_pbesol"
    }
    done = load_results(FIRST_PRINCIPLES)
    return sorted(i for i, r in done.items() if r["status"] == "ok" and i in oxides)[:5]


def record(material_id: str) -> dict:
    with gzip.open(dielectric_path(FIRST_PRINCIPLES, material_id), "rt") as handle:
        vise = json.load(handle)
    return {
        "material_id": material_id,
        "structure": oxide_structure(material_id).as_dict(),
        "energies": vise["energies"],
        "eps_real": dict(zip(vise["directions"], vise["diele_func_real"])),
        "eps_imag": dict(zip(vise["directions"], vise["diele_func_imag"])),
    }


def expected_log_alpha(material_id: str) -> np.ndarray:
    return log_absorption_on_grid(read_dielectric(dielectric_path(FIRST_PRINCIPLES, material_id)), GRID, 2.0)


def test_records_give_the_spectra_and_structures_of_their_dielectric_functions(tmp_path, material_ids):
    path = tmp_path / "records.json"
    path.write_text(json.dumps([record(i) for i in material_ids]))
    found = read_records(path, GRID, 2.0)
    assert [m.material_id for m in found] == material_ids
    for material in found:
        np.testing.assert_allclose(material.values, expected_log_alpha(material.material_id), atol=1e-9)
        assert material.formula == oxide_structure(material.material_id).composition.reduced_formula


def test_records_as_a_mapping_take_their_ids_from_the_keys_and_vise_keys_too(tmp_path, material_ids):
    first = record(material_ids[0])
    with gzip.open(dielectric_path(FIRST_PRINCIPLES, material_ids[1]), "rt") as handle:
        second = {**json.load(handle), "structure": oxide_structure(material_ids[1]).as_dict()}
    del first["material_id"]
    path = tmp_path / "records.json"
    path.write_text(json.dumps({"a": first, "b": second}))
    found = read_records(path, GRID, 2.0)
    assert [m.material_id for m in found] == ["a", "b"]
    np.testing.assert_allclose(found[1].values, expected_log_alpha(material_ids[1]), atol=1e-9)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda r: {**r, "structure": {"lattice": 1}}, r"material mp-\S+: no readable pymatgen structure"),
        (lambda r: {k: v for k, v in r.items() if k != "material_id"}, r"material at position 0: no id"),
        (lambda r: {**r, "energies": "x"}, r"material mp-\S+: malformed dielectric arrays|do not match"),
        (lambda r: {**r, "eps_imag": {"xx": [1.0]}}, r"material mp-\S+:"),
    ],
)
def test_a_bad_record_is_an_input_error_naming_the_material(tmp_path, material_ids, change, message):
    path = tmp_path / "records.json"
    path.write_text(json.dumps([change(record(material_ids[0]))]))
    with pytest.raises(InputError, match=message):
        read_records(path, GRID, 2.0)


def test_repeated_ids_and_bad_json_are_input_errors(tmp_path, material_ids):
    path = tmp_path / "records.json"
    path.write_text(json.dumps([record(material_ids[0])] * 2))
    with pytest.raises(InputError, match="repeated material ids"):
        read_records(path, GRID, 2.0)
    path.write_text("[{")
    with pytest.raises(InputError, match="records.json: not valid JSON"):
        read_records(path, GRID, 2.0)


def test_a_folder_of_vasp_runs_gives_one_material_per_run(tmp_path):
    for name in ("MgSe_absorption", "Ge"):
        (tmp_path / "runs" / name).mkdir(parents=True)
        shutil.copy(FIXTURES / f"{name}_vasprun.xml.gz", tmp_path / "runs" / name / "vasprun.xml.gz")
    found = read_vasprun_folder(tmp_path / "runs", GRID, 2.0)
    assert [(m.material_id, m.formula) for m in found] == [("Ge", "Ge"), ("MgSe_absorption", "MgSe")]
    mgse = found[1].values
    assert mgse.shape == GRID.shape and mgse.min() >= 2.0 and mgse.max() > 5.0
    (tmp_path / "empty").mkdir()
    with pytest.raises(InputError, match="empty: no vasprun.xml"):
        read_vasprun_folder(tmp_path / "empty", GRID, 2.0)


def write_id_prop(folder, material_ids, values=None) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    with (folder / "id_prop.csv").open("w", newline="") as handle:
        writer = csv.writer(handle)
        for material_id in material_ids:
            oxide_structure(material_id).to(filename=str(folder / f"{material_id}.vasp"), fmt="poscar")
            row = expected_log_alpha(material_id) if values is None else values
            writer.writerow([f"{material_id}.vasp", *(f"{v:.6f}" for v in row)])


def test_an_id_prop_folder_gives_its_rows(tmp_path, material_ids):
    write_id_prop(tmp_path / "alignn", material_ids)
    found = read_id_prop(tmp_path / "alignn", GRID)
    assert [m.material_id for m in found] == material_ids
    for material in found:
        np.testing.assert_allclose(material.values, expected_log_alpha(material.material_id), atol=1e-6)
    assert (
        structure_file_id("POSCAR_Ag3PO4_mp-1.vasp") == "POSCAR_Ag3PO4_mp-1" and structure_file_id("POSCAR") == "POSCAR"
    )


def test_an_id_prop_row_of_the_wrong_length_is_named_with_its_line(tmp_path, material_ids):
    write_id_prop(tmp_path / "alignn", material_ids[:2], values=np.ones(10))
    with pytest.raises(
        InputError,
        match=rf"id_prop.csv, line 1 \({material_ids[0]}.vasp\): 1501 finite values expected \(one per grid point\), got 10",
    ):
        read_id_prop(tmp_path / "alignn", GRID)


def test_an_existing_profile_is_never_overwritten(tmp_path, material_ids):
    shutil.copy(ROOT / "params.yaml", tmp_path / "params.yaml")
    (tmp_path / "profiles/mine").mkdir(parents=True)
    (tmp_path / "profiles/mine/params.yaml").write_text("kept: true\n")
    write_id_prop(tmp_path / "alignn", material_ids[:1])
    with pytest.raises(InputError, match="the profile exists"):
        create_profile(tmp_path, "mine", "id_prop", tmp_path / "alignn", True)
    assert (tmp_path / "profiles/mine/params.yaml").read_text() == "kept: true\n"


@pytest.mark.slow
@pytest.mark.parametrize("shape", ["records", "vasprun", "id_prop"])
def test_new_profile_command_makes_a_profile_whose_dataset_holds_the_spectra(tmp_path, material_ids, shape):
    """`specgroups new-profile` in a copy of the project, then `dvc repro` of its dataset stage."""
    repo = tmp_path / "repo"
    for folder in ("specgroups", "stages", "tools"):
        shutil.copytree(ROOT / folder, repo / folder, ignore=shutil.ignore_patterns("__pycache__"))
    for name in ("params.yaml", "dvc.yaml", "profiles/eps2/params.yaml", "profiles/paper/params.yaml"):
        (repo / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(ROOT / name, repo / name)
    source = tmp_path / "input"
    if shape == "records":
        source = tmp_path / "records.json.gz"
        with gzip.open(source, "wt") as handle:
            json.dump([record(i) for i in material_ids], handle)
        expected = {i: expected_log_alpha(i) for i in material_ids}
    elif shape == "vasprun":
        # a split needs three materials: the two fixtures, one of them twice
        for name, fixture in (("MgSe", "MgSe_absorption"), ("Ge", "Ge"), ("MgSe/again", "MgSe_absorption")):
            (source / name).mkdir(parents=True)
            shutil.copy(FIXTURES / f"{fixture}_vasprun.xml.gz", source / name / "vasprun.xml.gz")
        expected = {m.material_id: m.values for m in read_vasprun_folder(source, GRID, 2.0)}
        assert sorted(expected) == ["Ge", "MgSe", "MgSe_again"]
    else:
        write_id_prop(source, material_ids)
        expected = {i: expected_log_alpha(i) for i in material_ids}
    command = [sys.executable, "-m", "specgroups.cli", "new-profile", "mine", str(source), "--shape", shape]
    said = ["--level-of-theory", "PBE, independent particle", "--broadening-ev", "0.1"]
    completed = subprocess.run([*command, *said], cwd=repo, capture_output=True, text=True)
    assert completed.returncode == 0, completed.stderr
    assert "run: dvc repro profiles/mine/dvc.yaml" in completed.stdout
    params = yaml.safe_load((repo / "profiles/mine/params.yaml").read_text())
    table = params["dataset"]["table"]
    assert params["dataset"]["source"] == "table" and table["logarithmic"] is True
    # what the spectra are, as said, and "unknown" where not: the note names those
    assert table["description"]["level_of_theory"] == "PBE, independent particle"
    assert table["description"]["broadening_ev"] == 0.1 and table["description"]["gap_correction"] == "unknown"
    assert "gap_correction" in completed.stderr and "kpoint_density" in completed.stderr
    subprocess.run(["git", "init", "-q"], cwd=repo, check=True)
    dvc(repo, "init", "-q")
    dvc(repo, "repro", "profiles/mine/dvc.yaml:dataset")
    dataset = read_dataset(repo / "profiles/mine/data/dataset")
    assert sorted(dataset.ids) == sorted(expected)
    for row, material_id in enumerate(dataset.ids):
        np.testing.assert_allclose(dataset.spectra[row], expected[material_id], atol=1e-6)
    # log10 alpha: the edge integral is of alpha itself, as for the embedded spectra
    assert (dataset.materials["log10_edge_integral"] > 3.0).all()
    again = subprocess.run(command, cwd=repo, capture_output=True, text=True)
    assert again.returncode == 2 and "the profile exists" in again.stderr


JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers(-5, 5) | st.floats(allow_nan=False) | st.text(max_size=4),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=3), children, max_size=3),
    max_leaves=12,
)


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    field=st.sampled_from(["material_id", "structure", "energies", "eps_real", "eps_imag", "band_gap"]),
    value=JSON_VALUES,
)
def test_a_record_field_of_the_wrong_type_is_an_input_error_never_a_crash(tmp_path, material_ids, field, value):
    path = tmp_path / "records.json"
    path.write_text(json.dumps([{**record(material_ids[0]), field: value}]))
    try:
        read_records(path, GRID, 2.0)
    except InputError as error:
        assert str(path) in str(error)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(cells=st.lists(st.text(max_size=6) | st.floats(allow_nan=True).map(str), max_size=5))
def test_an_id_prop_row_of_any_text_is_an_input_error_never_a_crash(tmp_path, material_ids, cells):
    folder = tmp_path / "alignn"
    write_id_prop(folder, material_ids[:1])
    with (folder / "id_prop.csv").open("a", newline="") as handle:
        csv.writer(handle).writerow(cells)
    try:
        read_id_prop(folder, GRID)
    except InputError as error:
        assert "id_prop.csv" in str(error)


def test_a_description_names_what_it_was_not_told_and_refuses_unknown_fields():
    described = spectrum_description({"level_of_theory": "PBE"}, "records")
    assert described == {
        "level_of_theory": "PBE",
        "broadening_ev": "unknown",
        "kpoint_density": "unknown",
        "gap_correction": "unknown",
        "component": "mean of xx, yy, zz",
    }
    assert spectrum_description({}, "id_prop")["component"] == "unknown"
    with pytest.raises(InputError, match=r"unknown fields \['smearing'\]"):
        spectrum_description({"smearing": 0.1}, "records")

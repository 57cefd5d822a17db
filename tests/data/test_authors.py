"""Reading the authors' published files: names with several ids, vise archives, onsets, split, runs."""

from __future__ import annotations

import json

import numpy as np
import pytest

from specgroups.data.authors import (
    dielectric_from_archive,
    find_run,
    parse_name,
    read_onset_table,
    read_split,
    split_file,
)
from specgroups.errors import InputError
from specgroups.spectra import read_dielectric
from tests.helpers import ROOT
from tests.io.test_archives import write_archive

VISE_FIXTURE = ROOT / "tests/fixtures/MgSe_diele_func_data.json"


def test_names_keep_every_id():
    name = parse_name("POSCAR_Ag3PO4_mp-1229128_mp-4198.vasp")
    assert (name.material_id, name.formula, name.mp_ids) == ("Ag3PO4_mp-1229128_mp-4198", "Ag3PO4", ("mp-1229128", "mp-4198"))
    assert parse_name("Ba(CuS)2_mp-5970.json.tar.gz").material_id == "Ba(CuS)2_mp-5970"
    assert parse_name("POSCAR_Ba(CuS)2_mp-5970.vasp") == parse_name("Ba(CuS)2_mp-5970.json.tar.gz")
    with pytest.raises(InputError, match="POSCAR_MgO.vasp: not named"):
        parse_name("POSCAR_MgO.vasp")


def test_vise_archive_gives_the_same_dielectric_function_as_the_plain_file(tmp_path):
    archive = write_archive(tmp_path / "MgSe_mp-13031.json.tar.gz", {"MgSe_mp-13031.json": VISE_FIXTURE.read_bytes()})
    from_archive, plain = dielectric_from_archive(archive), read_dielectric(VISE_FIXTURE)
    np.testing.assert_array_equal(from_archive.eps_imag, plain.eps_imag)
    np.testing.assert_array_equal(from_archive.energies, plain.energies)
    assert from_archive.band_gap == plain.band_gap
    # one level down (e.g. {"diele_func_data": {...}, "band_edge": ...}) is found too
    nested = {"diele_func_data": json.loads(VISE_FIXTURE.read_text()), "note": "x"}
    deeper = write_archive(tmp_path / "nested.json.tar.gz", {"nested.json": json.dumps(nested).encode()})
    np.testing.assert_array_equal(dielectric_from_archive(deeper).eps_imag, plain.eps_imag)


@pytest.mark.parametrize("layout", ["deep", "no_directions", "no_directions_no_ave", "rows_per_energy", "pymatgen"])
def test_every_shape_vise_or_pymatgen_writes_gives_the_same_function(tmp_path, layout):
    vise = json.loads(VISE_FIXTURE.read_text())
    assert vise["directions"] == ["xx", "yy", "zz", "xy", "yz", "xz", "ave"]
    bare = {key: value for key, value in vise.items() if key != "directions"}
    per_energy = [np.asarray(vise[key])[:6].T.tolist() for key in ("diele_func_real", "diele_func_imag")]
    document = {
        "deep": {"calc": {"optics": [{"step": 1}, {"diele_func_data": vise}]}, "note": "x"},
        "no_directions": bare,
        "no_directions_no_ave": {**bare, "diele_func_real": vise["diele_func_real"][:6], "diele_func_imag": vise["diele_func_imag"][:6]},
        "rows_per_energy": {**bare, "diele_func_real": per_energy[0], "diele_func_imag": per_energy[1]},
        "pymatgen": {"density": [vise["energies"], *per_energy], "velocity": None},  # Vasprun.dielectric_data
    }[layout]
    archive = write_archive(tmp_path / "MgSe_mp-13031.json.tar.gz", {"MgSe_mp-13031.json": json.dumps(document).encode()})
    np.testing.assert_allclose(dielectric_from_archive(archive).eps_imag, read_dielectric(VISE_FIXTURE).eps_imag, rtol=1e-12)


def test_another_format_fails_describing_what_it_found(tmp_path):
    other = {"frequencies": [0, 1], "epsilon": [[1, 1]], "gap": 1.0}
    archive = write_archive(tmp_path / "X_mp-1.json.tar.gz", {"X_mp-1.json": json.dumps(other).encode()})
    with pytest.raises(InputError, match=r"X_mp-1.json.tar.gz: expected one dielectric function, found 0 in a document shaped "
                                         r"\{frequencies: list\[2\] of int, epsilon: list\[1\] of list\[2\], gap: float\}"):
        dielectric_from_archive(archive)
    two = write_archive(tmp_path / "Y_mp-2.json.tar.gz", {"Y_mp-2.json": json.dumps({"a": json.loads(VISE_FIXTURE.read_text())} | {"b": json.loads(VISE_FIXTURE.read_text())}).encode()})
    with pytest.raises(InputError, match=r"found 2 \['/a', '/b'\]"):
        dielectric_from_archive(two)


def test_onset_table_and_split(tmp_path):
    onsets = {"POSCAR_MgO_mp-1265.vasp": {"min_gap": 4.4, "direct_gap": 4.4, "onset_energy": 6.1, "absorption_edge_integral": 1.2}}
    table = read_onset_table(write_archive(tmp_path / "onset_edge.json.tar.gz", {"onset_edge.json": json.dumps(onsets).encode()}))
    assert table == {"MgO_mp-1265": onsets["POSCAR_MgO_mp-1265.vasp"]}
    bad = write_archive(tmp_path / "bad.json.tar.gz", {"b.json": json.dumps({"POSCAR_MgO_mp-1265.vasp": {"gap": 1}}).encode()})
    with pytest.raises(InputError, match=r"entry 'POSCAR_MgO_mp-1265.vasp' needs .*found \['gap'\]"):
        read_onset_table(bad)

    run = tmp_path / "model/neighbor_20/hidden_64/2024-01-01/12-00-00"
    run.mkdir(parents=True)
    split = {"id_train": ["POSCAR_MgO_mp-1265.vasp"], "id_val": ["POSCAR_CaO_mp-2605.vasp"], "id_test": ["POSCAR_Ag3PO4_mp-1229128_mp-4198.vasp"]}
    write_archive(run / "ids_train_val_test.json.tar.gz", {"ids_train_val_test.json": json.dumps(split).encode()})
    assert read_split(split_file(run)) == {"MgO_mp-1265": "train", "CaO_mp-2605": "val", "Ag3PO4_mp-1229128_mp-4198": "test"}
    (run / "wrong.json").write_text(json.dumps({"train": []}))
    with pytest.raises(InputError, match=r"wrong.json: expected keys \['id_test', 'id_train', 'id_val'\], found \['train'\]"):
        read_split(run / "wrong.json")

    with pytest.raises(InputError, match="expected one run folder"):
        find_run(tmp_path / "model")
    (run / "best_model.pt").write_bytes(b"")
    write_archive(run / "config.json.tar.gz", {"config.json": b"{}"})
    assert find_run(tmp_path / "model/neighbor_20") == run

"""Reading and validating structures."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from pymatgen.core import Lattice, Structure

from specgroups import InputError
from specgroups.io.atomic import read_json
from specgroups.structures import read_structure, structure_family, structure_from_poscar
from tests.helpers import oxide_id, oxide_structure

ROOT = Path(__file__).parents[1]


@pytest.fixture(scope="module")
def chalcogenide_poscar() -> str:
    records = read_json(ROOT / "data/sources/chalcogenides_mp.json.gz")
    return next(r["poscar"] for r in records if r["id"] == "mp-13031")  # MgSe


def test_poscar_with_symbols_after_coordinates(chalcogenide_poscar):
    structure = structure_from_poscar(chalcogenide_poscar, "MgSe")
    assert structure.composition.reduced_formula == "MgSe" and len(structure) == 2


@pytest.mark.parametrize("suffix", ["POSCAR", "structure.cif", "structure.json"])
def test_read_every_format(tmp_path, chalcogenide_poscar, suffix):
    structure = structure_from_poscar(chalcogenide_poscar, "MgSe")
    path = tmp_path / suffix
    if suffix == "POSCAR":
        path.write_text(chalcogenide_poscar)
    elif suffix.endswith(".cif"):
        structure.to(filename=str(path))
    else:
        path.write_text(json.dumps(structure.as_dict()))
    again = read_structure(path)
    assert again.composition == structure.composition


def test_malformed_poscar(tmp_path):
    path = tmp_path / "POSCAR"
    path.write_text("MgSe\n1.0\n 1 0 0\n 0 1\n")
    with pytest.raises(InputError, match="not a readable POSCAR") as caught:
        read_structure(path)
    assert str(path) in str(caught.value)


def test_malformed_cif(tmp_path):
    path = tmp_path / "broken.cif"
    path.write_text("data_broken\n_cell_length_a 4.0\nloop_\n_atom_site_label\n")
    with pytest.raises(InputError, match=str(path)):
        read_structure(path)


def test_overlapping_atoms_are_named(tmp_path):
    structure = Structure(Lattice.cubic(4.0), ["Mg", "O", "O"], [[0, 0, 0], [0.5, 0.5, 0.5], [0.52, 0.5, 0.5]])
    path = tmp_path / "overlap.json"
    path.write_text(json.dumps(structure.as_dict()))
    with pytest.raises(InputError, match=r"atoms 1 \(O\) and 2 \(O\) overlap \(0.080 A apart"):
        read_structure(path)


def test_missing_structure_file(tmp_path):
    with pytest.raises(InputError, match="file not found"):
        read_structure(tmp_path / "POSCAR")


def test_polymorphs_are_different_families_and_a_supercell_the_same():
    structure = oxide_structure(oxide_id("YVO4"))
    assert structure_family(structure) == "ABC4 #141"
    assert structure_family(structure.make_supercell([1, 1, 2], in_place=False)) == "ABC4 #141"

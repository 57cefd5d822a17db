"""Skewed cells: GPAW's angle check, the Niggli-reduced cell in the same frame, the same k-points in both, and the
ground states of both cells on the committed set and on a fresh GPAW run."""

from __future__ import annotations

import dataclasses
import os
from pathlib import Path

import numpy as np
import pytest
import yaml
from pymatgen.analysis.structure_matcher import StructureMatcher
from pymatgen.core import Structure
from pymatgen.core.operations import SymmOp

from specgroups import InputError
from specgroups.firstprinciples import validation
from specgroups.firstprinciples.cells import (
    compare_cell_shapes,
    gamma_centred_kpoints,
    is_skewed,
    kpoints_in_cell,
    niggli_reduced,
)
from specgroups.firstprinciples.results import load_results
from specgroups.firstprinciples.settings import OpticsSettings
from specgroups.io.atomic import read_json

ROOT = Path(__file__).parents[2]
PARAMS = yaml.safe_load((ROOT / "profiles/firstprinciples/params.yaml").read_text())
SETTINGS = OpticsSettings.from_params(PARAMS["gpaw"])
MATERIALS = {m["id"]: m for m in read_json(ROOT / "data/demo/materials.json")}
os.environ.update({"OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1"})


def structure(material_id: str) -> Structure:
    return Structure.from_dict(MATERIALS[material_id]["structure"])


def test_gpaw_warns_about_the_rhombohedral_and_body_centred_cells_only():
    assert is_skewed(structure("mp-3748")) and is_skewed(structure("mp-4961"))  # AlCuO2 28 degrees, Na2HgO2 152
    assert not is_skewed(structure("mp-1265"))  # MgO's primitive fcc cell, 60 degrees
    assert sum(is_skewed(structure(material_id)) for material_id in MATERIALS) == 66


def test_the_niggli_cell_is_the_same_crystal_in_the_same_frame_and_passes_gpaws_check():
    matcher = StructureMatcher()
    for material_id in [i for i in MATERIALS if is_skewed(structure(i))]:
        given = structure(material_id)
        reduced = niggli_reduced(given, material_id)
        assert not is_skewed(reduced), material_id
        assert reduced.volume == pytest.approx(given.volume) and matcher.fit(given, reduced), material_id
        # same frame: every reduced vector is an integer combination of the given ones, not a rotated copy
        transform = np.linalg.solve(given.lattice.matrix.T, reduced.lattice.matrix.T).T
        assert np.allclose(transform, np.round(transform), atol=1e-6), material_id


def test_a_rotated_reduction_is_refused(monkeypatch):
    given = structure("mp-4961")
    rotated = given.copy()
    rotated.apply_operation(SymmOp.from_axis_angle_and_translation([0, 0, 1], 30))
    monkeypatch.setattr(Structure, "get_reduced_structure", lambda self, method: rotated)
    with pytest.raises(InputError, match="mp-4961"):
        niggli_reduced(given, "mp-4961")


def test_kpoints_keep_their_cartesian_coordinates_in_the_reduced_cell():
    given = structure("mp-540584")
    reduced = niggli_reduced(given, "mp-540584")
    kpoints = gamma_centred_kpoints([3, 4, 5])
    assert (
        len(kpoints) == 60
        and np.allclose(kpoints.min(axis=0), 0.0)
        and np.allclose(kpoints.max(axis=0), [2 / 3, 3 / 4, 4 / 5])
    )
    mapped = kpoints_in_cell(kpoints, given.lattice.matrix, reduced.lattice.matrix)
    cartesian = lambda k, lattice: k @ lattice.reciprocal_lattice_crystallographic.matrix  # noqa: E731
    assert np.allclose(cartesian(mapped, reduced.lattice), cartesian(kpoints, given.lattice))
    assert np.allclose(kpoints_in_cell(mapped, reduced.lattice.matrix, given.lattice.matrix), kpoints)


def test_the_committed_comparisons_find_the_skewed_cells_harmless():
    summary = validation.skewed_cells(MATERIALS, load_results(ROOT / PARAMS["cell_shapes"]["output"]))
    assert summary["skewed"] == 66 and summary["materials"] == len(MATERIALS)
    assert {row["id"] for row in summary["compared"]} == set(PARAMS["cell_shapes"]["ids"])
    # far below the spectra's 0.1 eV onset target: the warning's error is meV-sized on the most skewed cells
    assert summary["max_abs_band_gap_difference_ev"] < 0.02 and summary["max_abs_max_band_mean_difference_ev"] < 0.05
    # the skewed cell's grid holds more k-points than the reduced one's at the same density
    assert all(row["spectrum_kpoints"]["given"] >= row["spectrum_kpoints"]["niggli"] for row in summary["compared"])


@pytest.mark.gpaw
@pytest.mark.slow
def test_both_cells_give_one_ground_state_on_the_same_kpoints():
    coarse = dataclasses.replace(SETTINGS, ground_state_kpoint_density=1.0)
    record = compare_cell_shapes(structure("mp-3748"), "mp-3748", coarse)
    assert (
        record["status"] == "ok" and record["given"]["irreducible_kpoints"] == record["niggli"]["irreducible_kpoints"]
    )
    assert record["given"]["occupied_bands"] == record["niggli"]["occupied_bands"]
    assert abs(record["band_gap_difference_ev"]) < 0.02 and abs(record["energy_per_atom_difference_ev"]) < 0.02
    assert record["band_gap_difference_ev"] == record["niggli"]["band_gap_ev"] - record["given"]["band_gap_ev"] != 0.0

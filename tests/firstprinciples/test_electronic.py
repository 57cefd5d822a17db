"""Band-edge state analysis: localisation measures on hand-made densities, and MgO with GPAW."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pytest
import yaml
from pymatgen.core import Lattice, Structure

from specgroups import InputError
from specgroups.firstprinciples.electronic import (
    band_edge_states,
    fraction_near_atoms,
    inverse_participation_ratio,
    significant,
)
from specgroups.firstprinciples.settings import OpticsSettings

ROOT = Path(__file__).parents[2]
SETTINGS = OpticsSettings.from_params(
    yaml.safe_load((ROOT / "profiles/firstprinciples/params.yaml").read_text())["gpaw"]
)
os.environ.update({"OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1"})


def test_ipr_is_one_for_a_uniform_state_and_n_for_a_single_point():
    uniform = np.full((10, 10, 10), 1e-3)
    assert inverse_participation_ratio(uniform) == pytest.approx(1.0)
    point = np.zeros((10, 10, 10))
    point[3, 4, 5] = 1.0
    assert inverse_participation_ratio(point) == pytest.approx(1000.0)
    half = np.zeros((10, 10, 10))
    half[:5] = 1.0 / 500
    assert inverse_participation_ratio(half) == pytest.approx(2.0)


def test_fraction_near_atoms_counts_periodic_images():
    cell = np.eye(3) * 10.0
    density = np.zeros((20, 20, 20))
    density[0, 0, 0] = 0.5  # at the origin
    density[19, 0, 0] = 0.25  # 0.5 A from the origin through the boundary
    density[10, 10, 10] = 0.25  # far away
    assert fraction_near_atoms(density, cell, np.array([[0.0, 0.0, 0.0]]), radius=1.0) == pytest.approx(0.75)
    assert fraction_near_atoms(density, cell, np.array([[0.5, 0.5, 0.5]]), radius=1.0) == pytest.approx(0.25)


@pytest.mark.gpaw
def test_mgo_band_edges():
    structure = Structure(
        Lattice.cubic(4.21),
        ["Mg"] * 4 + ["O"] * 4,
        [
            [0, 0, 0],
            [0.5, 0.5, 0],
            [0.5, 0, 0.5],
            [0, 0.5, 0.5],
            [0.5, 0, 0],
            [0, 0.5, 0],
            [0, 0, 0.5],
            [0.5, 0.5, 0.5],
        ],
    ).get_primitive_structure()
    vbm, cbm, _ = band_edge_states(structure, SETTINGS, atom_indices=list(range(len(structure))), radius=5.0)
    assert vbm.kpoint == [0.0, 0.0, 0.0] and cbm.kpoint == [0.0, 0.0, 0.0]
    assert cbm.energy_ev - vbm.energy_ev == pytest.approx(4.5, abs=0.3)
    assert max(vbm.projection_weights, key=vbm.projection_weights.get) == "O-p"
    assert max(cbm.projection_weights, key=cbm.projection_weights.get) == "Mg-s"
    assert sum(cbm.projection_weights.values()) == pytest.approx(1.0, abs=1e-3)
    assert cbm.inverse_participation_ratio == pytest.approx(2.6, abs=0.5)  # a delocalised s-like CBM
    assert cbm.fraction_near_atoms == pytest.approx(1.0)  # every atom, 5 A: the whole cell


@pytest.mark.gpaw
def test_metal_band_edges_are_an_input_error():
    structure = Structure(Lattice.cubic(2.87), ["Na"], [[0, 0, 0]])
    with pytest.raises(InputError, match="Na: odd electron count"):
        band_edge_states(structure, SETTINGS)


def test_significant_rounds_every_float_at_any_depth_and_keeps_the_rest():
    data = {"e": 1.23456789e-3, "w": {"V": 0.123456789, "n": 3}, "k": [0.333333333, "x", None, True]}
    assert significant(data) == {"e": 0.00123457, "w": {"V": 0.123457, "n": 3}, "k": [0.333333, "x", None, True]}
    assert significant(2.0000000000001) == significant(1.9999999999999) == 2.0  # GPAW's run-to-run noise goes

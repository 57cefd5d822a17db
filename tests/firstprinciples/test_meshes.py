"""specgroups.firstprinciples.meshes: even grids, and MgO with GPAW against its committed optics
run (a direct gap at Gamma, which both grids hold, so the two must agree)."""

from __future__ import annotations

import os

import pytest
import yaml

from specgroups.firstprinciples.meshes import compute_zone_boundary_gap, even_grid
from specgroups.firstprinciples.results import load_results
from specgroups.firstprinciples.settings import OpticsSettings
from tests.helpers import ROOT, oxide_id, oxide_structure

PARAMS = yaml.safe_load((ROOT / "profiles/firstprinciples/params.yaml").read_text())
SETTINGS = OpticsSettings.from_params(PARAMS["gpaw"])
os.environ.update({"OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1"})


def test_even_grids_round_up_odd_sizes_only():
    assert even_grid([11, 4, 1]) == [12, 4, 2]


@pytest.mark.gpaw
def test_mgo_direct_gap_at_gamma_is_the_optics_runs():
    material_id = oxide_id("MgO")
    optics = load_results(ROOT / PARAMS["spectra"]["output"])[material_id]
    found = compute_zone_boundary_gap(oxide_structure(material_id), material_id, SETTINGS)
    assert found.status == "ok" and found.kpoint_grid_optics == optics["kpoint_grid_optics"]
    assert found.kpoint_grid_even == even_grid(optics["kpoint_grid_optics"])
    assert found.cbm_kpoint == pytest.approx([0, 0, 0], abs=1e-9)
    assert found.direct_gap_ev == pytest.approx(optics["direct_gap_ev"], abs=0.01)

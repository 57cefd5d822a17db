"""The convergence study on MgO: one ground state, two optics grids, two broadenings, errors against the densest."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pytest
import yaml
from pymatgen.core import Structure

from specgroups import InputError
from specgroups.firstprinciples.convergence import ConvergencePlan, compute_convergence, run_label
from specgroups.firstprinciples.settings import OpticsSettings
from specgroups.io.atomic import read_json
from tests.helpers import study_grid

ROOT = Path(__file__).parents[2]
SETTINGS = OpticsSettings.from_params(
    yaml.safe_load((ROOT / "profiles/firstprinciples/params.yaml").read_text())["gpaw"]
)
os.environ.update({"OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1"})
PLAN = ConvergencePlan((2.0, 3.0), (0.1, 0.05))


@pytest.fixture(scope="module")
def mgo(tmp_path_factory):
    structure = next(m for m in read_json(ROOT / "data/demo/materials.json") if m["id"] == "mp-1265")["structure"]
    return compute_convergence(Structure.from_dict(structure), "mp-1265", SETTINGS, PLAN)


@pytest.mark.gpaw
def test_every_planned_run_is_there_on_its_own_grid(mgo):
    assert mgo["status"] == "ok"
    assert [run["label"] for run in mgo["runs"]] == ["k2-eta0.1", "k2-eta0.05", "k3-eta0.1", "k3-eta0.05"]
    grids = {run["optics_kpoint_density"]: run["kpoint_grid_optics"] for run in mgo["runs"]}
    assert grids == {2.0: [6, 6, 6], 3.0: [8, 8, 8]}
    assert set(mgo["dielectrics"]) == {run["label"] for run in mgo["runs"]}
    # MgO's gap is direct at Gamma, on every Gamma-centred grid
    assert all(run["band_gap_ev"] == pytest.approx(mgo["runs"][0]["band_gap_ev"], abs=1e-3) for run in mgo["runs"])


@pytest.mark.gpaw
def test_errors_are_measured_against_the_densest_grid(mgo, tmp_path):
    from specgroups.firstprinciples.results import labelled_dielectric_path, load_results, write_result
    from specgroups.firstprinciples.validation import convergence_summary, convergence_table
    from specgroups.spectra import read_dielectric

    write_result(tmp_path, mgo)
    table = convergence_table(
        load_results(tmp_path),
        lambda i, label: read_dielectric(labelled_dielectric_path(tmp_path, i, label)),
        study_grid(),
        2.0,
        4.0,
        1.0,
        0.1,
    )
    rows = {row["label"]: row for row in table}
    assert rows["k3-eta0.1"]["onset_error_ev"] == 0.0 and rows["k3-eta0.1"]["log_alpha_mae"] == 0.0
    assert rows["k3-eta0.1"]["log_edge_integral_error"] == 0.0 and rows["k2-eta0.1"]["log_edge_integral_error"] != 0.0
    assert 0.0 < rows["k2-eta0.1"]["log_alpha_mae"] < 0.3 and abs(rows["k2-eta0.1"]["onset_error_ev"]) < 0.1
    assert rows["k3-eta0.05"]["log_alpha_mae"] > 0.0
    summary = convergence_summary(table, lambda nsites: 2.0, 0.1)
    assert (
        summary["materials"] == 1 and summary["per_material"][0]["log_alpha_mae"] == rows["k2-eta0.1"]["log_alpha_mae"]
    )
    assert (
        convergence_summary(table, lambda nsites: 3.0 if nsites <= 2 else 2.0, 0.1)["per_material"][0]["log_alpha_mae"]
        == 0.0
    )
    production = rows["k2-eta0.1"]
    assert summary["within_tolerances"] == int(
        abs(production["onset_error_ev"]) <= 0.1 and production["log_alpha_mae"] <= 0.1
    )
    assert summary["max_abs_onset_error_ev"] == abs(production["onset_error_ev"])
    assert [row["broadening_ev"] for row in summary["other_broadenings_on_the_densest_grid"]] == [0.05]


def test_the_scissor_carries_the_kohn_sham_gap_error_of_a_grid_that_misses_the_band_edge():
    """KTaO3's VBM lies at R (1/2, 1/2, 1/2): the odd 7x7x7 grid of density 4.0 misses it, the even 10x10x10 reference
    holds it. Its direct gap (at Gamma) is on every grid, so the unshifted onset is converged, and the onset after
    the scissor is off by the Kohn-Sham gap's error. MgO's gap is direct at Gamma: no error either way."""
    from specgroups.firstprinciples.results import labelled_dielectric_path, load_results
    from specgroups.firstprinciples.validation import convergence_table
    from specgroups.spectra import read_dielectric

    directory = ROOT / "data/demo/convergence"
    records = {i: r for i, r in load_results(directory).items() if i in ("mp-3614", "mp-1265")}
    table = convergence_table(
        records,
        lambda i, label: read_dielectric(labelled_dielectric_path(directory, i, label)),
        study_grid(),
        2.0,
        4.0,
        1.0,
        0.1,
    )
    rows = {(row["formula"], row["label"]): row for row in table}
    ktao3 = rows[("KTaO3", "k4-eta0.1")]
    assert ktao3["kpoint_grid_optics"] == [7, 7, 7] and ktao3["kohn_sham_gap_error_ev"] > 0.04
    assert abs(ktao3["onset_error_ev"]) < 0.01
    assert ktao3["scissored_onset_error_ev"] == pytest.approx(
        ktao3["onset_error_ev"] - ktao3["kohn_sham_gap_error_ev"], abs=2e-3
    )
    assert all(abs(row["kohn_sham_gap_error_ev"]) < 1e-3 for (formula, _), row in rows.items() if formula == "MgO")


def test_a_plan_needs_two_grids_and_positive_values():
    with pytest.raises(InputError, match="at least two"):
        ConvergencePlan((2.0,), (0.1,))
    with pytest.raises(InputError, match="positive"):
        ConvergencePlan((2.0, -3.0), (0.1,))
    assert run_label(3.0, 0.05) == "k3-eta0.05" and np.isclose(float(run_label(2.5, 0.1)[1:4]), 2.5)


def test_small_cells_also_run_the_denser_grids():
    plan = ConvergencePlan.from_params(
        {
            "optics_kpoint_densities": [3.0, 2.0],
            "broadenings_ev": [0.1],
            "small_cell_max_sites": 5,
            "small_cell_densities": [6.0, 3.0],
        }
    )
    assert plan.densities_for(5) == (2.0, 3.0, 6.0) and plan.densities_for(6) == (2.0, 3.0)
    assert plan.run_labels(2) == {"k2-eta0.1", "k3-eta0.1", "k6-eta0.1"}
    assert ConvergencePlan.from_params({"optics_kpoint_densities": [2.0, 3.0], "broadenings_ev": [0.1]}).densities_for(
        1
    ) == (2.0, 3.0)

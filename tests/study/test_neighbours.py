"""specgroups.study.neighbours: neighbour classes of hand-made records, isolation distances of real vanadates
against a brute-force count, and the nested onset models on a table with a known answer."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from specgroups.study.neighbours import (
    even_grid_columns,
    isolation_distance,
    neighbour_class,
    onset_overstatement,
    onset_regression,
)
from tests.helpers import oxide_id, oxide_structure

ACCEPTORS = frozenset({"Zn", "Cd", "Ag", "Tl", "Bi"})


def record(*sites: tuple[str, float, str, list[str]]) -> dict:
    return {
        "cations": [
            {"element": e, "oxidation_state": q, "environment": env, "neighbour_cations": n} for e, q, env, n in sites
        ]
    }


@pytest.mark.parametrize(
    ("sites", "expected"),
    [
        ([("V", 5.0, "T:4", ["K", "Na"])], ("alkali", ["K", "Na"])),
        ([("V", 5.0, "T:4", ["K", "Mg"])], ("closed_shell", ["K", "Mg"])),
        ([("Cr", 6.0, "T:4", ["Ba"])], ("closed_shell", ["Ba"])),
        ([("V", 5.0, "T:4", ["K"]), ("V", 5.0, "T:4", ["Ag", "K"])], ("acceptor", ["Ag", "K"])),
        ([("V", 5.0, "T:4", ["Bi"])], ("acceptor", ["Bi"])),
        ([("V", 5.0, "T:4", ["K"]), ("V", 5.0, "T:4", ["V", "K"])], None),  # one site shares an anion with V
        ([("V", 5.0, "O:6", ["Mg"])], None),
        ([("V", 4.0, "T:4", ["K"])], None),  # not V5+
    ],
)
def test_neighbour_classes(sites, expected):
    assert neighbour_class(record(*sites), ACCEPTORS) == expected


@pytest.mark.parametrize("formula", ["YVO4", "Tl3VO4", "CaV2O6"])
def test_the_isolation_distance_is_the_shortest_v_v_distance_of_a_supercell(formula):
    structure = oxide_structure(oxide_id(formula))
    supercell = structure.make_supercell([3, 3, 3], in_place=False)
    vanadium = [i for i, site in enumerate(supercell) if site.specie.symbol == "V"]
    distances = supercell.distance_matrix[np.ix_(vanadium, vanadium)]
    assert isolation_distance(structure) == pytest.approx(distances[distances > 1e-6].min(), abs=1e-6)


def test_the_model_with_the_terms_that_made_the_onsets_wins_out_of_sample():
    rng = np.random.default_rng(0)
    classes = np.array(["alkali", "closed_shell", "acceptor"] * 8)
    cations = np.array(["V"] * 12 + ["Cr"] * 12)
    onset = 5.0 - 0.8 * (cations == "Cr") + 1.0 * (classes == "alkali") - 1.2 * (classes == "acceptor")
    table = pd.DataFrame(
        {
            "cation": cations,
            "neighbour_class": classes,
            "isolation_distance_a": rng.uniform(3.5, 6.0, 24),  # no effect
            "neighbour_electronegativity": rng.uniform(0.8, 2.0, 24),  # no effect
            "onset_ev": onset + rng.normal(scale=0.05, size=24),
            "family": [f"family {k // 2}" for k in range(24)],
        }
    )
    found = onset_regression(table)
    rmse = {name: model["leave_one_family_out_rmse_ev"] for name, model in found["models"].items()}
    assert found["materials"] == 24 and found["families"] == 12
    assert rmse["+ acceptor"] < 0.1 < rmse["+ alkali"] < rmse["cation"]
    assert found["best"] in ("+ acceptor", "+ isolation distance", "+ neighbour electronegativity")
    assert found["models"]["+ acceptor"]["coefficients"]["acceptor"] == pytest.approx(-1.2, abs=0.1)


def test_the_overstatement_is_never_negative_and_needs_an_ok_result():
    assert onset_overstatement(3.20, 3.05) == pytest.approx(0.15)
    assert onset_overstatement(3.20, 3.30) == 0.0
    assert np.isnan(onset_overstatement(float("nan"), 3.30))  # a dataset without the optics grid's gaps
    # the direct gap falls by 0.15 eV on the even grid and the fundamental gap by 0.05: the scissor grows by 0.05
    assert even_grid_columns({"status": "ok", "direct_gap_ev": 3.05, "band_gap_ev": 2.95}, 3.20, 3.00) == {
        "even_grid_direct_gap_ev": 3.05,
        "even_grid_band_gap_ev": 2.95,
        "onset_overstatement_ev": pytest.approx(0.15),
        "corrected_onset_overstatement_ev": pytest.approx(0.10),
    }
    for result in (None, {"status": "failed", "direct_gap_ev": None}):
        found = even_grid_columns(result, 3.20, 3.0)
        assert len(found) == 4 and all(np.isnan(v) for v in found.values())

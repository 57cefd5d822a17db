"""The mechanism by class: the per-material table from localisation results, class differences, like-for-like
pairs, and the verdict of each claim."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from specgroups import InputError
from specgroups.study.mechanism import (
    claims,
    curvature_mass,
    like_for_like,
    localisation_by_class,
    localisation_table,
    verdict,
    width_net_of_valence,
    width_verdict,
)

CONTRAST = pd.DataFrame(
    [
        ("a", "V", "isolated_alkali", "AB3C4 #31"),
        ("b", "V", "isolated_alkali", "AB3C4 #31"),
        ("c", "V", "isolated_other", "ABC4 #141"),
        ("d", "V", "connected", "A2B5 #59"),
        ("e", "Cr", "isolated_alkali", "AB2C4 #62"),
    ],
    columns=["id", "cation", "environment", "family"],
)


def result(mass: float, weight: float) -> dict:
    return {
        "status": "ok",
        "band_gap_ev": 3.0,
        "cbm_weight_headline_cation": 0.7,
        "cbm_weight_mo4": weight,
        "vbm_weight_mo4": 0.95,
        "cbm_weight_other_cations": 1 - weight,
        "lowest_conduction_band_width_ev": 0.3,
        "highest_valence_band_width_ev": 0.8,
        "cbm_masses": [mass, mass, mass],
        "cbm_conductivity_mass": mass,
    }


FORMULAS = {"a": "Na3VO4", "b": "Li3VO4", "c": "YVO4", "d": "V2O5", "e": "K2CrO4"}
RESULTS = {"a": result(3.0, 0.99), "b": result(5.0, 0.97), "c": result(1.0, 0.8), "d": {"status": "failed"}}


def test_table_has_a_row_per_oxide_and_nan_where_nothing_finished():
    table = localisation_table(CONTRAST, RESULTS, FORMULAS)
    assert table["id"].tolist() == ["a", "b", "c", "d", "e"]
    assert table.set_index("id").loc["d", "status"] == "failed" and math.isnan(
        table.set_index("id").loc["d", "cbm_conductivity_mass"]
    )
    assert table.set_index("id").loc["e", "status"] == "missing"


def test_class_differences_use_only_finished_materials():
    by_class = localisation_by_class(localisation_table(CONTRAST, RESULTS, FORMULAS), np.random.default_rng(0), 300)
    mass = by_class["V"]["cbm_curvature_mass"]
    assert by_class["V"]["counts"] == {"isolated_alkali": 2, "isolated_other": 1, "connected": 0}
    assert mass["differences"]["isolated_alkali - elsewhere"]["difference"] == pytest.approx(3.0)
    assert mass["means"]["isolated_alkali"]["n"] == 2 and "vbm_weight_mo4" in by_class["V"]
    assert "Cr" not in by_class  # its only oxide has no result


def test_like_for_like_pairs_side_by_side():
    table = localisation_table(CONTRAST, RESULTS, FORMULAS)
    (pair,) = like_for_like(table, [["a", "c"]])
    assert (
        pair["a"]["environment"] == "isolated_alkali"
        and pair["a"]["formula"] == "Na3VO4"
        and pair["b"]["cbm_conductivity_mass"] == 1.0
    )
    assert like_for_like(table, [["a", "d"]])[0]["b"]["cbm_conductivity_mass"] is None
    with pytest.raises(InputError, match="must name two"):
        like_for_like(table, [["a", "mp-absent"]])


def test_verdicts_read_the_interval_against_the_claimed_sign():
    assert verdict({"ci95": [0.2, 0.9], "n": [5, 25]}, 1) == "supported"
    assert verdict({"ci95": [-0.9, -0.2], "n": [5, 25]}, -1) == "supported"
    assert verdict({"ci95": [-0.1, 0.9], "n": [5, 25]}, 1) == "inconclusive"
    assert verdict({"ci95": [-0.9, -0.2], "n": [5, 25]}, 1) == "not supported"
    assert verdict({"ci95": [0.2, 0.9], "n": [2, 6]}, 1) == "inconclusive"  # two materials make no interval
    assert verdict({"ci95": [float("nan"), float("nan")]}, 1) == verdict({"ci95": [None, None]}, 1) == "not testable"


def test_claims_cover_the_onsets_and_every_measure():
    onsets = {
        "V": {
            "onset_energy_ev": {
                "differences": {"isolated_alkali - elsewhere": {"difference": 1.2, "ci95": [0.9, 1.4], "n": [5, 25]}}
            }
        }
    }
    localised = localisation_by_class(localisation_table(CONTRAST, RESULTS, FORMULAS), np.random.default_rng(0), 300)
    rows = claims(onsets, localised)
    assert {(r["cation"], r["quantity"]) for r in rows} >= {
        ("V", "onset_energy_ev"),
        ("V", "cbm_curvature_mass"),
        ("V", "cbm_weight_mo4"),
        ("V", "lowest_conduction_band_width_ev"),
    }
    assert next(r for r in rows if r["quantity"] == "onset_energy_ev")["verdict"] == "supported"
    pair = {"onset_first_minus_second_ev": {"difference": 0.4, "ci95": [-0.1, 0.8], "n": [16, 40]}}
    assert claims(onsets, {}, pair)[-1] == {
        "cation": "V/Cr",
        "quantity": "cluster_pair_onset_ev",
        "difference": 0.4,
        "ci95": [-0.1, 0.8],
        "n": [16, 40],
        "verdict": "inconclusive",
    }


def test_curvature_mass_is_the_conductivity_mass_at_a_minimum_and_defined_off_it():
    assert curvature_mass([0.5, 2.0, 8.0]) == pytest.approx(3 / (2 + 0.5 + 0.125))
    assert curvature_mass([-8.55, 14.22, 37.79]) == pytest.approx(
        3 / (1 / 8.55 + 1 / 14.22 + 1 / 37.79)
    )  # K2CrO4's flat band
    assert math.isnan(curvature_mass(None)) and math.isnan(curvature_mass([1.0, None, 2.0]))


def test_a_narrower_conduction_band_is_confounded_unless_it_narrows_more_than_the_valence_band():
    assert width_net_of_valence(result(1.0, 0.9)) == pytest.approx(0.3 - 0.8)
    assert width_net_of_valence({"status": "failed"}) is None
    assert width_verdict("supported", "supported") == "supported"
    assert width_verdict("supported", "inconclusive") == "confounded"
    assert width_verdict("inconclusive", "supported") == "inconclusive"

    def differences(width: list[float], net: list[float]) -> dict:
        entry = lambda ci: {
            "differences": {"isolated_alkali - elsewhere": {"difference": sum(ci) / 2, "ci95": ci, "n": [5, 25]}}
        }  # noqa: E731
        return {"V": {"lowest_conduction_band_width_ev": entry(width), "conduction_minus_valence_width_ev": entry(net)}}

    def width_row(localised: dict) -> dict:
        return next(r for r in claims({}, localised) if r["quantity"] == "lowest_conduction_band_width_ev")

    # the conduction band narrows by 0.3 eV and the valence band as much: confounded
    assert width_row(differences([-0.4, -0.2], [-0.1, 0.1]))["verdict"] == "confounded"
    # it narrows more than the valence band does: supported
    assert width_row(differences([-0.4, -0.2], [-0.3, -0.1]))["verdict"] == "supported"


def test_the_verdict_uses_the_family_interval_where_there_is_one():
    by_materials = {"difference": 1.0, "ci95": [0.5, 1.5], "n": [5, 6]}
    assert verdict(by_materials, 1) == "supported"
    assert verdict({**by_materials, "ci95_families": [-0.2, 2.0], "n_families": [3, 4]}, 1) == "inconclusive"
    assert verdict({**by_materials, "ci95_families": [0.3, 1.8], "n_families": [2, 4]}, 1) == "inconclusive"
    assert verdict({**by_materials, "ci95_families": [0.3, 1.8], "n_families": [3, 4]}, 1) == "supported"

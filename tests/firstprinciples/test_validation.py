"""The first-principles checks, on the committed GPAW results: measured gaps, the direct-gap cut, CPU hours."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
import yaml

from specgroups.firstprinciples import validation
from specgroups.firstprinciples.results import dielectric_path, load_results
from specgroups.firstprinciples.settings import OpticsSettings
from specgroups.io.atomic import read_json
from specgroups.spectra import read_dielectric
from tests.helpers import study_grid

ROOT = Path(__file__).parents[2]
RESULTS_DIR = ROOT / "data/demo/first_principles"
RESULTS = load_results(RESULTS_DIR)
MEASURED = pd.read_csv(ROOT / "data/demo/measured_gaps.csv")


def spectrum(material_id: str):
    return read_dielectric(dielectric_path(RESULTS_DIR, material_id))


def test_the_measured_gaps_name_materials_of_the_set_each_with_a_reference():
    materials = {m["id"]: m for m in read_json(ROOT / "data/demo/materials.json")}
    assert len(MEASURED) >= 20 and MEASURED["id"].is_unique
    from pymatgen.core import Composition

    # the table's formula is the material's, as a chemist writes it (ZnSe, where pymatgen writes SeZn)
    assert all(
        Composition(materials[row.id]["formula"]).reduced_composition == Composition(row.formula).reduced_composition
        for row in MEASURED.itertuples()
    )
    assert all(RESULTS[row.id]["status"] == "ok" for row in MEASURED.itertuples())
    assert MEASURED["reference"].str.len().min() > 20 and (MEASURED["measured_gap_ev"] > 0).all()


def test_gap_errors_against_measured_values():
    corrected = {
        row.id: {"status": "ok", "corrected_gap_ev": row.measured_gap_ev + 0.1} for row in MEASURED.itertuples()
    }
    corrected.pop(MEASURED["id"].iloc[0])  # a material without a GLLB-SC result is left out
    found = validation.gaps_against_measured(MEASURED, RESULTS, corrected)
    assert found["materials"] == len(MEASURED) - 1
    assert found["gllbsc_mean_absolute_error_ev"] == pytest.approx(0.1, abs=1e-3)
    pbe_errors = [RESULTS[row["id"]]["band_gap_ev"] - row["measured_gap_ev"] for row in found["rows"]]
    assert found["pbe_mean_signed_error_ev"] == pytest.approx(sum(pbe_errors) / len(pbe_errors), abs=2e-3)
    assert found["pbe_mean_signed_error_ev"] < -1.0  # PBE underestimates these gaps, by more than an eV on average
    assert validation.gaps_against_measured(MEASURED, RESULTS, {})["materials"] == 0


def test_the_direct_gap_cut_on_an_indirect_material():
    li2s = validation.direct_gap_cut_example(RESULTS["mp-1153"], spectrum("mp-1153"), study_grid(), 2.0, 4.0)
    assert li2s["direct_gap_ev"] - li2s["kohn_sham_gap_ev"] > 0.7
    assert li2s["onset_uncut_ev"] <= li2s["onset_cut_at_kohn_sham_gap_ev"] < li2s["direct_gap_ev"] - 0.1
    assert li2s["direct_gap_ev"] - 0.02 <= li2s["onset_cut_at_direct_gap_ev"]


def test_no_onset_lies_below_the_direct_gap_with_the_dataset_rule():
    chosen = {
        material_id: RESULTS[material_id]
        for material_id in ["mp-1153", "mp-1265", "mp-1500", "mp-3614", "mp-1170", "mp-2201"]
    }
    counts = validation.onsets_against_direct_gaps(chosen, spectrum, study_grid(), 2.0, 4.0)
    assert counts["materials"] == 6 and counts["indirect"] == 4  # Li2S, BaS, KTaO3, SnS2
    assert counts["below_with_cut_at_direct_gap"] == 0
    assert counts["indirect_below_with_cut_at_kohn_sham_gap"] >= 2


def test_cpu_hours_add_up_per_step():
    hours = validation.cpu_hours(
        {"a": {"cpu_seconds": {"ground_state": 1800, "total": 3600}}, "b": {"cpu_seconds": {"total": 3600}}, "c": {}}
    )
    assert hours == {"ground_state": 0.5, "total": 2.0}


def test_spectra_on_other_settings_are_counted_stale_by_the_setting_they_differ_in():
    materials = {m["id"]: m for m in read_json(ROOT / "data/demo/materials.json")}
    params = yaml.safe_load((ROOT / "profiles/firstprinciples/params.yaml").read_text())["gpaw"]
    small = {i for i, r in RESULTS.items() if r["nsites"] <= params["small_cell_max_sites"]}
    on_coarse = {
        i for i, r in RESULTS.items() if r["settings"]["optics_kpoint_density"] == params["optics_kpoint_density"]
    }
    for density in (params["optics_kpoint_density"], params["optics_kpoint_density"] + 2.0):
        settings = OpticsSettings.from_params({**params, "small_cell_optics_kpoint_density": density})
        found = validation.spectra_on_present_settings(materials, RESULTS, settings)
        expected_stale = small & on_coarse if density != params["optics_kpoint_density"] else small - on_coarse
        assert set(found["stale_ids"]) == expected_stale and found["stale"] == len(expected_stale)
        assert found["current"] + found["stale"] == len(RESULTS) == sum(found["by_optics_kpoint_density"].values())
        assert found["stale_by_setting"] == ({"optics_kpoint_density": len(expected_stale)} if expected_stale else {})
    other_setups = OpticsSettings.from_params({**params, "setups": {}})
    chromium = {i for i, r in RESULTS.items() if "Cr" in r["settings"].get("setups", {})}
    assert chromium and chromium <= set(
        validation.spectra_on_present_settings(materials, RESULTS, other_setups)["stale_ids"]
    )

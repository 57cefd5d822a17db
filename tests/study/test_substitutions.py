"""specgroups.study.substitutions on real GPAW results: a relaxed-spectrum result assembled from a material's own
optics and GLLB-SC records gives the dataset's onsets; CdCrO4 -> MgCrO4 (one framework type, Cmcm, both in the set)
read as a swap gives the table's onset difference and the Cr class contrast as its prediction."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from specgroups.data.assemble import SpectrumOptions
from specgroups.errors import InputError
from specgroups.firstprinciples.results import dielectric_path
from specgroups.spectra import read_dielectric
from specgroups.study.substitutions import class_change, structure_onsets, swap_effects, swapped_elements
from tests.helpers import ROOT, oxide_structure

OPTICS, GAPS = ROOT / "data/demo/first_principles", ROOT / "data/demo/gllbsc"
CDCRO4, MGCRO4 = "mp-18781", "mp-19120"


def relaxed_result(material_id: str, as_id: str) -> dict:
    """A relaxed_spectrum result of the material's committed records (no relaxation: the database geometry)."""
    optics = json.loads((OPTICS / f"{material_id}.json").read_text())
    return {
        "material_id": as_id,
        "formula": optics["formula"],
        "status": "ok",
        "reason": "",
        "structure": oxide_structure(material_id).as_dict(),
        "optics": optics,
        "gllbsc": json.loads((GAPS / f"{material_id}.json").read_text()),
        "relaxation": {"steps": 0},
        "cpu_seconds": {"total": 3600.0},
    }


@pytest.fixture(scope="module")
def options() -> SpectrumOptions:
    import yaml

    return SpectrumOptions.from_params(yaml.safe_load((ROOT / "params.yaml").read_text())["dataset"])


@pytest.fixture(scope="module")
def table() -> pd.DataFrame:
    return pd.read_csv(ROOT / "results/headline_materials.csv")


def test_a_materials_own_records_give_the_datasets_onsets(options, table):
    row = table.set_index("id").loc[CDCRO4]
    onsets = structure_onsets(relaxed_result(CDCRO4, CDCRO4), read_dielectric(dielectric_path(OPTICS, CDCRO4)), options)
    assert onsets["corrected"] == pytest.approx(row["onset_ev"], abs=2e-4)
    assert onsets["pbe"] == pytest.approx(row["pbe_onset_ev"], abs=2e-4)


def test_cdcro4_to_mgcro4_read_as_a_swap(options, table):
    results = {
        f"{CDCRO4}-relaxed": relaxed_result(CDCRO4, f"{CDCRO4}-relaxed"),
        f"{CDCRO4}-Mg-for-Cd": relaxed_result(MGCRO4, f"{CDCRO4}-Mg-for-Cd"),
    }
    dielectrics = {
        key: read_dielectric(dielectric_path(OPTICS, r["optics"]["material_id"])) for key, r in results.items()
    }
    neighbours = json.loads((ROOT / "results/neighbours.json").read_text())
    found = swap_effects(results, dielectrics, table, neighbours["contrasts"], neighbours["acceptors"], options)
    assert found["pending"] == [] and len(found["swaps"]) == 1
    swap, rows = found["swaps"][0], table.set_index("id")
    assert swap["swap"] == {"Cd": "Mg"} and swap["neighbour_class"] == ["acceptor", "closed_shell"]
    expected = rows.loc[MGCRO4, "onset_ev"] - rows.loc[CDCRO4, "onset_ev"]
    assert swap["observed_ev"]["corrected"] == pytest.approx(expected, abs=5e-4)
    contrast = neighbours["contrasts"]["Cr"]["corrected"]["differences"]["closed_shell - acceptor"]
    assert swap["predicted_ev"]["corrected"] == contrast
    assert swap["within_prediction"] == bool(
        contrast["ci95"][0] <= swap["observed_ev"]["corrected"] <= contrast["ci95"][1]
    )
    assert swap["geometry_ev"] == pytest.approx(0.0, abs=2e-4) and swap["cpu_hours"] == 2.0


def test_a_pair_with_an_unfinished_side_is_pending(options, table):
    results = {
        f"{CDCRO4}-relaxed": relaxed_result(CDCRO4, f"{CDCRO4}-relaxed"),
        f"{CDCRO4}-Mg-for-Cd": {
            **relaxed_result(MGCRO4, f"{CDCRO4}-Mg-for-Cd"),
            "status": "failed",
            "reason": "timed out",
        },
    }
    found = swap_effects(results, {}, table, {}, [], options)
    assert found["swaps"] == [] and found["pending"] == [
        {"id": f"{CDCRO4}-Mg-for-Cd", "status": ["ok", "failed"], "reason": "timed out"}
    ]


def test_swapped_elements_need_exactly_one_swap():
    a, b = relaxed_result(CDCRO4, "a"), relaxed_result(CDCRO4, "b")
    with pytest.raises(InputError, match=r"b: not one element swapped from a"):
        swapped_elements(a, b)


def test_class_change_reads_a_contrast_in_either_order():
    differences = {"closed_shell - acceptor": {"difference": 1.0, "ci95": [0.5, 1.5], "n": [3, 4]}}
    assert class_change(differences, "acceptor", "closed_shell") == {
        "difference": -1.0,
        "ci95": [-1.5, -0.5],
        "n": [4, 3],
    }
    assert class_change(differences, "closed_shell", "closed_shell")["difference"] == 0.0
    assert np.isnan(class_change(differences, "alkali", "acceptor")["difference"])

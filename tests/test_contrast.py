"""The study's contrast: which side a material is on, the groups' clusters and onsets, representatives."""

from __future__ import annotations

from functools import lru_cache

import numpy as np
import pandas as pd
import pytest

from specgroups import InputError
from specgroups.chemistry import material_chemistry
from specgroups.contrast import cbm_comparison, headline_class, headline_contrast, headline_groups, representatives
from tests.helpers import oxide_id, oxide_structure

FORMULAS = ("Na3VO4", "V2O5", "YVO4", "MgO")


@lru_cache(maxsize=None)
def record(formula: str) -> dict:
    return material_chemistry(oxide_structure(oxide_id(formula)), formula)


def test_each_material_falls_on_its_side():
    assert headline_class(record("Na3VO4")) == "isolated_alkali"  # isolated VO4 among Na
    assert headline_class(record("V2O5")) == "other"  # square pyramids sharing O
    assert headline_class(record("YVO4")) == "other"  # isolated, but among Y3+
    assert headline_class(record("MgO")) is None
    assert headline_class({"id": "x", "error": "ChemEnv failed"}) is None


def table_of(formulas: list[str], onsets: list[float], nsites: list[int]) -> tuple[dict, pd.DataFrame]:
    records = {f"m{k}": record(formula) for k, formula in enumerate(formulas)}
    table = pd.DataFrame({"id": list(records), "formula": formulas, "onset_energy_ev": onsets, "nsites": nsites})
    return records, table


def test_groups_clusters_purity_and_onset_difference():
    records, table = table_of(["Na3VO4", "V2O5", "YVO4", "MgO", "Na3VO4"], [4.0, 2.0, 3.0, 7.0, 4.2], [16, 14, 12, 2, 16])
    assert headline_groups(records, table["id"].tolist()) == {"isolated_alkali": [0, 4], "other": [1, 2]}
    labels = np.array([1, 2, 1, 3, 1])  # cluster 1 holds both sides, cluster 2 only V2O5
    result = headline_contrast(records, table, labels, np.random.default_rng(0), 500)
    assert result["clusters"] == {"isolated_alkali": [1], "other": [1, 2]} and result["clusters_holding_both"] == [1]
    assert result["separation_purity"] == pytest.approx(1 / 4)  # only V2O5's cluster is free of the other side
    difference = result["onset_isolated_alkali_minus_other_ev"]
    assert difference["difference"] == pytest.approx(4.1 - 2.5) and difference["n"] == [2, 2]
    assert difference["ci95"][0] <= difference["difference"] <= difference["ci95"][1]
    separated = headline_contrast(records, table, np.array([1, 2, 2, 3, 1]), np.random.default_rng(0), 500)
    assert separated["separation_purity"] == 1.0 and separated["clusters_holding_both"] == []


def test_representative_is_the_most_central_small_member():
    records, table = table_of(["Na3VO4", "Na3VO4", "Na3VO4", "V2O5"], [4.0, 4.1, 4.2, 2.0], [16, 16, 32, 14])
    vectors = {"m0": np.array([0.0, 0.0]), "m1": np.array([1.0, 0.0]), "m2": np.array([0.4, 0.0]), "m3": np.array([5.0, 5.0])}
    # the group's mean is (0.47, 0): m2 (0.07 away) is nearest but has 32 sites, then m0 (0.47) before m1 (0.53)
    assert representatives(records, table, {}, 16, vectors) == {"isolated_alkali": "m0", "other": "m3"}
    assert representatives(records, table, {}, 40, vectors)["isolated_alkali"] == "m2"
    assert representatives(records, table, {}, 8, vectors) == {"isolated_alkali": None, "other": None}
    assert representatives(records, table, {"other": "m1"}, 16, vectors)["other"] == "m1"
    with pytest.raises(InputError, match="'mp-unknown' is not in the dataset"):
        representatives(records, table, {"other": "mp-unknown"}, 16, vectors)


def test_cbm_comparison_needs_both_groups():
    computed = {"isolated_alkali": {"material": "a", "cbm": {"inverse_participation_ratio": 3.0}},
                "other": {"material": "b", "cbm": {"inverse_participation_ratio": 2.0}}}
    assert cbm_comparison(computed) == {"cbm_ipr_isolated_alkali_over_other": 1.5, "claim_cbm_more_localised_in_isolated_alkali": True}
    assert cbm_comparison({**computed, "other": {"material": None, "reason": "none small enough"}}) is None

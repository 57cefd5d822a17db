"""Design guidelines: quantified on derivation materials, validated on held-out ones; hand-made cases and the
committed default profile."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from specgroups import InputError
from specgroups.analysis.chemistry import site_features
from specgroups.analysis.enrichment import enrichment, feature_matrix
from specgroups.analysis.guidelines import (
    GuidelineRules,
    Materials,
    cluster_summaries,
    derived_guidelines,
    guideline,
    prediction_interval,
    statement,
    trivial_features,
    validate,
    validation_summary,
)
from specgroups.io.dataset import read_dataset
from specgroups.io.outputs import read_arrays

NAMES = ["Cr6+", "element Na", "V5+"]
# clusters 1 and 2: Cr6+ in every material of cluster 1, none of cluster 2; Na everywhere
MATRIX = np.array([[1, 1, 0]] * 6 + [[0, 1, 1]] * 6 + [[0, 1, 0]] * 3, dtype=bool)
LABELS = np.array([1] * 6 + [2] * 6 + [3] * 3)
ONSETS = np.array([3.0] * 6 + [2.0] * 6 + [5.0] * 3)


def materials(onsets: np.ndarray, held_out: np.ndarray) -> Materials:
    return Materials(NAMES, MATRIX, LABELS, onsets, onsets / 2, held_out)


def test_summaries_give_members_onsets_and_enriched_features():
    table = pd.DataFrame(
        {
            "id": [f"m{i}" for i in range(15)],
            "formula": [f"X{i}" for i in range(15)],
            "onset_energy_ev": ONSETS,
            "log10_edge_integral": ONSETS / 2,
        }
    )
    summaries = cluster_summaries(table, LABELS, enrichment(NAMES, MATRIX, LABELS), 0.05)
    assert sorted(summaries) == [1, 2, 3] and summaries[1]["members"] == [f"m{i}" for i in range(6)]
    assert (
        summaries[1]["onset_energy_ev"] == {"mean": 3.0, "std": 0.0}
        and summaries[1]["log10_edge_integral"]["mean"] == 1.5
    )
    assert [row["feature"] for row in summaries[1]["enriched"]] == ["Cr6+"]
    assert [row["feature"] for row in summaries[3]["enriched"]] == []  # Na is everywhere


def large(onsets: np.ndarray, held_out: np.ndarray) -> Materials:
    """Cluster 1: 20 Cr6+ materials; cluster 2: 10 V5+ ones; Na everywhere (rows in that order)."""
    matrix = np.array([[1, 1, 0]] * 20 + [[0, 1, 1]] * 10, dtype=bool)
    labels = np.array([1] * 20 + [2] * 10)
    return Materials(NAMES, matrix, labels, onsets, onsets / 2, held_out)


ROW = pd.Series({"group": 1, "feature": "Cr6+", "within": "", "q_value": 0.01})
RULES = GuidelineRules(0.8, 5, ("O", "S", "Se", "Te"), 0.8)


@pytest.mark.parametrize(
    ("n", "expected"),
    [(8, [None, None]), (9, [1.0, 9.0]), (19, [2.0, 18.0]), (20, [2.0, 19.0])],
)
def test_the_prediction_interval_is_the_order_statistic_that_guarantees_the_level(n, expected):
    # k = floor((n + 1) 0.1): 0 for n = 8 (unbounded), 1 for 9, 2 for 19 and 20
    assert prediction_interval(np.arange(1.0, n + 1)[::-1], 0.8) == expected


def test_the_interval_covers_new_draws_at_the_stated_level():
    """Exchangeable draws from a skewed distribution: the next draw falls in the interval at least 80 % of the
    time, where a Student-t interval's coverage would depend on the shape."""
    rng = np.random.default_rng(0)
    hits = []
    for _ in range(4000):
        draws = rng.lognormal(size=12)
        low, high = prediction_interval(draws[:11], 0.8)
        hits.append(low <= draws[11] <= high)
    assert np.mean(hits) == pytest.approx(10 / 12, abs=0.02)  # (n + 1 - 2k) / (n + 1) with n = 11, k = 1


def test_a_guideline_states_its_interval_and_its_width_against_the_baselines_from_derivation_materials_only():
    onsets = np.r_[np.linspace(3.0, 3.4, 10), 9.0, np.full(9, 3.2), np.linspace(1.0, 5.0, 10)]
    held_out = np.arange(30) == 10  # the 9.0 eV carrier is held out
    g = guideline(ROW, large(onsets, held_out), 2, 0.8, np.random.default_rng(0), 500)
    assert g["n"] == 19 and g["interval_ev"] == prediction_interval(np.delete(onsets[:20], 10), 0.8)
    assert g["width_ev"] == pytest.approx(g["interval_ev"][1] - g["interval_ev"][0])
    # every member of cluster 1 carries Cr6+: the guideline is its cluster, and narrows nothing beyond it
    assert g["all_materials_width_ev"] > g["cluster_width_ev"] == g["width_ev"] and not g["narrower_than_baselines"]
    na = guideline({**ROW, "feature": "element Na"}, large(onsets, held_out), 2, 0.8, np.random.default_rng(0), 50)
    assert na["width_ev"] == g["width_ev"]
    assert g["contrast_ev"]["difference"] > 0 and g["clusters"] == [1, 2]
    few = guideline(ROW, materials(ONSETS, np.zeros(15, dtype=bool)), 2, 0.8, np.random.default_rng(0), 100)
    assert few["n"] == 6 and few["interval_ev"] == [None, None] and not few["narrower_than_baselines"]
    assert "unbounded (too few materials at n = 6)" in statement(few)


def test_a_status_needs_enough_held_out_carriers_and_can_fail():
    onsets = np.r_[np.linspace(3.0, 3.4, 14), np.full(6, 3.2), np.full(10, 2.0)]
    held_out = np.isin(np.arange(30), [14, 15, 16, 17, 18, 19, 25, 26, 27, 28, 29])
    data = large(onsets, held_out)
    g = guideline(ROW, data, 2, 0.8, np.random.default_rng(0), 500)
    v = validate(g, data, 5)
    assert (v["held_out_carriers"], v["in_interval"], v["status"], v["sign_agrees"]) == (6, 6, "held", True)
    assert v["held_out_contrast_ev"] == pytest.approx(1.2)
    assert validate(g, data, 7)["status"] == "untested" and validate(g, data, 7)["held_out_contrast_ev"] is None
    # five of six held-out carriers far outside the interval: failed (P(at most 1 of 6 | 0.8) = 0.0016)
    far = np.where(np.isin(np.arange(30), [14, 15, 16, 17, 18]), 6.0, onsets)
    assert validate(g, large(far, held_out), 5)["status"] == "failed"
    # the nearest cluster's held-out members absorbing later reverse the sign: failed, unless no direction is claimed
    reversed_sign = np.where(np.arange(30) >= 25, 4.0, onsets)
    assert validate(g, large(reversed_sign, held_out), 5)["status"] == "failed"
    assert validate({**g, "effect_spans_zero": True}, large(reversed_sign, held_out), 5)["status"] == "held"
    # an unbounded interval holds every carrier and cannot fail on coverage
    unbounded = {**g, "interval_ev": [None, None]}
    assert validate(unbounded, large(far, held_out), 5)["in_interval"] == 6


def test_guidelines_are_ranked_summarised_and_the_trivial_ones_reported_apart():
    onsets = np.r_[np.linspace(3.0, 3.4, 20), np.linspace(1.8, 2.2, 10)]
    data = large(onsets, np.isin(np.arange(30), [0, 1, 2, 3, 4, 5, 25, 26, 27, 28, 29]))
    enriched = enrichment(NAMES, data.matrix[~data.held_out], data.labels[~data.held_out], min_count=2)
    found = derived_guidelines(enriched, data, {1: 2, 2: 1}, 0.05, RULES, np.random.default_rng(0), 500)
    assert [(g["feature"], g["cluster"], g["trivial"]) for g in found] == [("Cr6+", 1, False), ("V5+", 2, False)]
    summary = validation_summary(found, data, 0.8, 5)
    assert summary["held_out_materials"] == 11 and summary["nominal_level"] == 0.8
    assert summary["held"] + summary["failed"] + summary["untested"] == 2 and summary["trivial"] == 0
    assert summary["unbounded"] == 1  # V5+ has 5 derivation carriers
    assert summary["coverage_pairs"] == 6  # the bounded Cr6+ guideline's held-out carriers only
    # Na is carried by every material: a trivial guideline, tested but left out of the summary's counts
    assert trivial_features(data, RULES) == {"element Na"}
    flagged = [{**g, "trivial": True} for g in found]
    assert validation_summary(flagged, data, 0.8, 5)["trivial"] == 2
    with pytest.raises(InputError, match="min_count"):
        single = pd.DataFrame([{"group": 2, "feature": "V5+", "within": "", "in_group": 1, "q_value": 0.01}])
        derived_guidelines(single, data, {1: 2, 2: 1}, 0.05, RULES, np.random.default_rng(0), 10)


@pytest.mark.slow
def test_a_pipelines_guidelines_come_from_derivation_materials_and_their_clusters(pipeline_repo):
    dataset = read_dataset(pipeline_repo / "data/dataset")
    labels = dict(zip(dataset.ids, read_arrays(pipeline_repo / "data/clusters.npz", "cluster")["labels"].tolist()))
    records = json.loads((pipeline_repo / "data/chemistry/materials.json").read_text())
    usable = [m for m in dataset.ids if "error" not in records[m]]
    names, matrix = feature_matrix({m: site_features(records[m]) for m in usable}, usable)
    split = dict(zip(dataset.materials["id"], dataset.materials["split"]))
    onset = dict(zip(dataset.materials["id"], dataset.materials["onset_energy_ev"]))
    guidelines = json.loads((pipeline_repo / "data/interpretation/guidelines.json").read_text())
    assert guidelines, "the small pipeline states at least one guideline"
    for g in guidelines:
        column = names.index(g["feature"])
        carriers = [m for row, m in enumerate(usable) if matrix[row, column] and labels[m] == g["cluster"]]
        derived = [onset[m] for m in carriers if split[m] in ("train", "val")]
        assert g["n"] == len(derived) and g["onset_energy_ev"]["mean"] == pytest.approx(np.mean(derived), rel=1e-9)
        assert g["validation"]["held_out_carriers"] == sum(split[m] == "test" for m in carriers)
    effects = [abs(g["contrast_ev"]["difference"]) for g in guidelines if not g["effect_spans_zero"]]
    assert effects == sorted(effects, reverse=True)

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
    Materials,
    cluster_summaries,
    derived_guidelines,
    guideline,
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
# Student t quantile t(0.9, 4), from a printed table
T_090_4 = 1.5332


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


def test_a_guideline_states_mean_prediction_interval_and_contrast_from_derivation_materials_only():
    # cluster 1: five derivation onsets 3.0-3.4 and one held-out one at 9 that must not move any number
    onsets = np.array([3.0, 3.2, 3.4, 3.1, 3.3, 9.0] + [2.0] * 6 + [5.0] * 3)
    held_out = np.arange(15) == 5
    row = pd.Series({"group": 1, "feature": "Cr6+", "within": "", "q_value": 0.01})
    g = guideline(row, materials(onsets, held_out), 2, 0.8, np.random.default_rng(0), 500)
    assert g["n"] == 5 and g["onset_energy_ev"]["mean"] == pytest.approx(3.2)
    half_width = T_090_4 * np.std([3.0, 3.2, 3.4, 3.1, 3.3], ddof=1) * np.sqrt(1 + 1 / 5)
    assert g["interval_ev"] == pytest.approx([3.2 - half_width, 3.2 + half_width], abs=1e-3)
    assert g["contrast_ev"]["difference"] == pytest.approx(1.2) and not g["effect_spans_zero"]
    assert g["clusters"] == [1, 2] and g["log10_edge_integral"]["mean"] == pytest.approx(1.6)


def test_validation_counts_held_out_carriers_in_the_interval_and_the_contrast_sign():
    onsets = np.array([3.0, 3.2, 3.4, 3.1, 3.3, 3.25] + [2.0] * 5 + [2.5] + [5.0] * 3)
    held_out = np.isin(np.arange(15), [5, 11])
    data = materials(onsets, held_out)
    g = guideline(
        pd.Series({"group": 1, "feature": "Cr6+", "within": "", "q_value": 0.01}),
        data,
        2,
        0.8,
        np.random.default_rng(0),
        500,
    )
    v = validate(g, data)
    assert (v["held_out_carriers"], v["in_interval"], v["coverage"], v["sign_agrees"], v["status"]) == (
        1,
        1,
        1.0,
        True,
        "held",
    )
    assert v["held_out_contrast_ev"] == pytest.approx(0.75)
    # the held-out material of the nearest cluster absorbing later than the carrier reverses the sign: failed
    reversed_sign = materials(np.where(np.arange(15) == 11, 4.0, onsets), held_out)
    assert validate(g, reversed_sign)["status"] == "failed"
    # a guideline claiming no direction keeps "held" when the held-out sign differs; its sign still counts as disagreeing
    undirected = {**g, "effect_spans_zero": True}
    assert (
        validate(undirected, reversed_sign)["status"] == "held"
        and validate(undirected, reversed_sign)["sign_agrees"] is False
    )
    # none held out in cluster 1: not tested
    assert validate(g, materials(onsets, np.zeros(15, dtype=bool)))["status"] == "not tested"


def test_a_guideline_whose_held_out_materials_mostly_miss_its_interval_fails():
    onsets = np.array([3.0, 3.1, 3.2, 3.1, 3.0, 3.2] + [2.0] * 6 + [5.0] * 3)
    derivation = materials(onsets, np.zeros(15, dtype=bool))
    g = guideline(
        pd.Series({"group": 1, "feature": "Cr6+", "within": "", "q_value": 0.01}),
        derivation,
        2,
        0.8,
        np.random.default_rng(0),
        500,
    )
    far = np.where(np.arange(15) < 4, 6.0, onsets)  # four held-out carriers far outside the interval
    v = validate(g, materials(far, np.arange(15) < 4))
    assert (v["in_interval"], v["held_out_carriers"], v["status"]) == (0, 4, "failed")  # P(0 of 4 | 0.8) = 0.0016


def test_guidelines_are_ranked_by_effect_and_summarised():
    onsets = np.array([3.0, 3.2, 3.4, 3.1, 3.3, 3.25] + [2.0, 2.1, 1.9, 2.0, 2.2, 2.05] + [5.0] * 3)
    data = materials(onsets, np.isin(np.arange(15), [5, 11]))
    enriched = enrichment(NAMES, MATRIX[~data.held_out], LABELS[~data.held_out], min_count=2)
    found = derived_guidelines(enriched, data, {1: 2, 2: 1, 3: 2}, 0.05, 0.8, np.random.default_rng(0), 500)
    assert [(g["feature"], g["cluster"]) for g in found] == [
        ("Cr6+", 1),
        ("V5+", 2),
    ]  # same |difference|; lower q first
    assert found[0]["contrast_ev"]["difference"] == pytest.approx(-found[1]["contrast_ev"]["difference"])
    summary = validation_summary(found, data, 0.8)
    assert summary["held_out_materials"] == 2 and summary["coverage_pairs"] == 2 and summary["sign_pairs"] == 2
    assert summary["directed_sign_pairs"] == 2 and summary["sign_agreement"] == summary["sign_agreement_directed"]
    assert summary["nominal_level"] == 0.8 and summary["held"] + summary["failed"] + summary["not_tested"] == 2
    with pytest.raises(InputError, match="min_count"):
        single = pd.DataFrame([{"group": 3, "feature": "V5+", "within": "", "in_group": 1, "q_value": 0.01}])
        derived_guidelines(single, data, {1: 2, 2: 1, 3: 2}, 0.05, 0.8, np.random.default_rng(0), 10)


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

"""Cluster summaries and design-guideline statements from enrichment and contrasts."""

from __future__ import annotations

import numpy as np
import pandas as pd

from specgroups.enrichment import enrichment
from specgroups.guidelines import cluster_summaries, guideline, ranked_guidelines

NAMES = ["Cr6+", "element Na", "V5+"]
# clusters 1 and 2: Cr6+ in every material of cluster 1, none of cluster 2; Na everywhere
MATRIX = np.array([[1, 1, 0]] * 6 + [[0, 1, 1]] * 6 + [[0, 1, 0]] * 3, dtype=bool)
LABELS = np.array([1] * 6 + [2] * 6 + [3] * 3)
ONSETS = np.array([3.0] * 6 + [2.0] * 6 + [5.0] * 3)


def test_summaries_give_members_onsets_and_enriched_features():
    table = pd.DataFrame({"id": [f"m{i}" for i in range(15)], "formula": [f"X{i}" for i in range(15)],
                          "onset_energy_ev": ONSETS, "log10_edge_integral": ONSETS / 2})
    summaries = cluster_summaries(table, LABELS, enrichment(NAMES, MATRIX, LABELS), 0.05)
    assert sorted(summaries) == [1, 2, 3] and summaries[1]["members"] == [f"m{i}" for i in range(6)]
    assert summaries[1]["onset_energy_ev"] == {"mean": 3.0, "std": 0.0} and summaries[1]["log10_edge_integral"]["mean"] == 1.5
    assert [row["feature"] for row in summaries[1]["enriched"]] == ["Cr6+"]
    assert [row["feature"] for row in summaries[3]["enriched"]] == []  # Na is everywhere


def test_a_statement_names_the_separating_feature_and_the_onset_difference():
    [first, second] = ranked_guidelines([(2, 3), (1, 2)], NAMES, MATRIX, LABELS, ONSETS, np.random.default_rng(0), 0.05, 500)
    assert first["clusters"] == [1, 2]  # both Cr6+ and V5+ separate 1 from 2 (p = 0.002); 2 vs 3 only V5+ (p = 0.012)
    assert first["statement"].startswith("clusters 1 vs 2: Cr6+: 6/6 vs 0/6; V5+: 0/6 vs 6/6; onset +1.00 eV")
    assert second["onset_a_minus_b_ev"]["difference"] == -3.0


def test_without_a_separating_feature_the_statement_says_so():
    result = {"size_a": 3, "size_b": 3, "features": [{"feature": "V5+", "in_a": 2, "in_b": 1, "p_value": 1.0, "q_value": 1.0}],
              "onset_a_minus_b_ev": {"difference": 0.2, "ci95": [-0.1, 0.5], "n": [3, 3]}}
    found = guideline((4, 5), result, 0.05)
    assert found["statement"] == "clusters 4 vs 5: no feature separates them at this q; onset +0.20 eV (95% CI -0.10 to +0.50)"
    assert found["best_p_value"] == 1.0 and found["separating_features"] == []

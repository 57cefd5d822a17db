"""The chemistry of a clustering (specgroups.analysis.interpret) on hand-made records, clusters and onsets."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from specgroups.analysis.clustering import ward_linkage
from specgroups.analysis.crossvalidation import CrossValidationPlan
from specgroups.analysis.interpret import GuidelineSplits, InterpretSettings, interpret_clusters


def record(material_id: str, element: str, state: int) -> dict:
    """A chemistry record of one tetrahedral cation in an oxide: features element X, X<state>+, X<state>+ T:4."""
    site = {
        "index": 0,
        "element": element,
        "oxidation_state": state,
        "environment": "T:4",
        "coordination_number": 4,
        "isolated": False,
        "neighbour_cations": [element],
        "alkali_neighbours_only": False,
    }
    return {"id": material_id, "formula": f"{element}O", "elements": [element, "O"], "cations": [site]}


def test_guidelines_come_from_derivation_materials_with_chemistry_and_coherence_from_every_representation():
    # rows 0-7 cluster 1 (Cr6+), 8-15 cluster 2 (V5+); rows 6, 7, 14, 15 held out; row 16 (Cr6+, cluster 1) in no
    # split; row 17 (cluster 2) has no chemistry. Rows 16 and 17 absorb at 9 eV: counted, they would move the numbers
    ids = [f"m{row:02d}" for row in range(18)]
    onsets = np.array([3.0, 3.1, 3.2, 3.3, 3.4, 3.5, 3.2, 3.3, 2.0, 2.1, 2.2, 2.3, 2.4, 2.5, 2.2, 2.3, 9.0, 9.0])
    splits = ["train"] * 5 + ["val", "test", "test"] + ["train"] * 6 + ["test", "test", "unused", "train"]
    table = pd.DataFrame(
        {
            "id": ids,
            "formula": [f"X{row}" for row in range(18)],
            "split": splits,
            "onset_energy_ev": onsets,
            "log10_edge_integral": onsets / 2,
        }
    )
    records = {m: record(m, "Cr", 6) for m in ids[:8] + ids[16:17]}
    records |= {m: record(m, "V", 5) for m in ids[8:16]}
    records["m17"] = {"id": "m17", "error": "ValueError: BVAnalyzer found no valences"}
    labels = np.array([1] * 8 + [2] * 8 + [1, 2])
    points = np.column_stack([10.0 * (labels == 2), 0.01 * np.arange(18)])
    clusters = {
        "labels": labels,
        "linkage": ward_linkage(points),
        "representation": np.array("pooled"),
        "labels_pooled": labels,
        "labels_predicted": np.arange(18) % 2 + 1,  # splits every cluster in two
    }
    settings = InterpretSettings(
        min_count=2,
        max_q_value=0.05,
        guidelines=GuidelineSplits(("train", "val"), ("test",), 0.8, 2, ("S", "Se", "Te"), 0.9),
        cross_validation=CrossValidationPlan(folds=4, repeats=2, bootstrap_rounds=50),
        bootstrap_rounds=200,
        seed=0,
        group_quorum=9,
    )

    # two materials per family: the folds hold each pair out together
    families = {m: f"family {row // 2}" for row, m in enumerate(ids)}
    found = interpret_clusters(table, ids, records, clusters, families, settings)

    # nested features with the same carriers are tested once, as the most specific: X T:4 and element O per cluster
    assert sorted(zip(found.enrichment.group, found.enrichment.feature)) == [
        (1, "Cr6+ T:4"),
        (1, "element O"),
        (2, "V5+ T:4"),
        (2, "element O"),
    ]
    summary = found.summary
    assert (summary["materials"], summary["representation"]) == (18, "pooled")
    assert (summary["enrichment_tests"], summary["significant"]) == (4, 2)
    cr, v = found.guidelines
    assert (cr["feature"], cr["cluster"], cr["nearest_cluster"], cr["n"]) == ("Cr6+ T:4", 1, 2, 6)
    assert (v["feature"], v["cluster"], v["n"]) == ("V5+ T:4", 2, 6)
    assert cr["onset_energy_ev"]["mean"] == pytest.approx(3.25)  # rows 0-5: not the held-out or unused ones
    assert cr["contrast_ev"]["difference"] == pytest.approx(1.0)  # against rows 8-13: not row 17
    assert summary["guidelines"] == [cr["statement"], v["statement"]]
    validation = summary["guideline_validation"]
    # six derivation carriers each: no finite interval guarantees 80 %, so none is stated and coverage is not counted
    assert cr["interval_ev"] == v["interval_ev"] == [None, None]
    assert (validation["held_out_materials"], validation["coverage_pairs"], validation["unbounded"]) == (4, 0, 2)
    assert validation["held"] == 2 and validation["coverage"] is None and validation["sign_agreement"] == 1.0
    # the cross-validation re-derives them from the 16 materials in a split (not row 16), 4 folds x 2 repeats
    cross_validation = summary["cross_validation"]
    assert (cross_validation["folds"], cross_validation["repeats"], cross_validation["families"]) == (4, 2, 8)
    assert 0 < cr["appearance"] <= 1 and 0 < v["appearance"] <= 1
    # the summaries are of every material of each cluster, those without chemistry or split too
    assert found.clusters[1]["members"] == ids[:8] + ["m16"]
    assert found.clusters[2]["members"] == ids[8:16] + ["m17"]
    assert [row["feature"] for row in found.clusters[1]["enriched"]] == ["Cr6+ T:4"]

    assert "chemical_coherence" not in summary  # the cluster stage's (specgroups.analysis.baselines)

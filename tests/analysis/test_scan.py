"""The cluster-count scan and its selection rule: hand-made scans with known picks, a real scan point, and the
committed profiles."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from specgroups import InputError
from specgroups.analysis.guidelines import GuidelineRules, Materials
from specgroups.analysis.scan import SCAN_COLUMNS, ScanSettings, SelectionRule, cluster_scan
from tests.helpers import ROOT

RULE = SelectionRule(
    ("alignn_1", "pooled"), min_mean_cluster_size=20, min_consensus_stability=0.6, max_spectral_coherence_ratio=1.0
)

RULES = GuidelineRules(0.8, 1, ("S", "Se", "Te"), 0.9)


def scan_of(rows: list[tuple]) -> pd.DataFrame:
    columns = [
        "representation",
        "n_clusters",
        "mean_cluster_size",
        "spectral_coherence_ratio",
        "environment_coherence_ratio",
        "consensus_stability",
    ]
    return pd.DataFrame(rows, columns=columns)


def test_the_rule_takes_the_most_environment_coherent_clustering_that_qualifies():
    scan = scan_of(
        [
            ("alignn_1", 12, 25.0, 0.5, 2.6, 0.52),  # most coherent, but unstable
            ("pooled", 12, 25.0, 0.4, 2.2, 0.75),
            ("pooled", 24, 12.5, 0.4, 3.4, 0.70),  # clusters too small
            ("alignn_1", 10, 30.0, 0.5, 2.1, 0.65),
            ("reference", 12, 25.0, 0.3, 9.9, 0.99),  # a baseline, not a candidate
        ]
    )
    assert RULE.pick(scan) == {"representation": "pooled", "n_clusters": 12}


def test_ties_go_to_fewer_clusters_then_to_the_earlier_candidate():
    scan = scan_of(
        [
            ("pooled", 10, 30.0, 0.4, 2.0, 0.7),
            ("alignn_1", 10, 30.0, 0.4, 2.0, 0.7),
            ("alignn_1", 8, 37.5, 0.4, 2.0, 0.7),
        ]
    )
    assert RULE.pick(scan) == {"representation": "alignn_1", "n_clusters": 8}
    assert RULE.pick(scan[scan.n_clusters == 10]) == {"representation": "alignn_1", "n_clusters": 10}


def test_nothing_qualifying_is_no_pick_and_an_unknown_candidate_an_input_error():
    assert (
        RULE.pick(scan_of([("pooled", 12, 25.0, 1.2, 2.2, 0.75), ("alignn_1", 12, 25.0, 1.1, 2.0, 0.8)])) is None
    )  # no better than random
    with pytest.raises(InputError, match="gcn_9"):
        SelectionRule(("gcn_9",), 20, 0.6, 1.0).pick(scan_of([("pooled", 12, 25.0, 0.4, 2.2, 0.75)]))


def test_a_scan_measures_every_representation_at_every_count():
    # three separated blobs; environments follow the blobs, so three clusters are the most coherent per size
    rng = np.random.default_rng(0)
    truth = np.repeat([0, 1, 2], 30)
    points = np.array([[0, 0], [8, 0], [0, 8]])[truth] + rng.normal(scale=0.5, size=(90, 2))
    spectra = np.eye(3)[truth] @ rng.normal(size=(3, 40)) + rng.normal(scale=0.05, size=(90, 40))
    environments = np.eye(3, dtype=bool)[truth]
    onsets = truth + rng.normal(scale=0.1, size=90)
    rows = np.arange(90)

    def materials_for(labels):
        return Materials(["a", "b", "c"], environments, labels, onsets, onsets, np.arange(90) % 5 == 0)

    features = {"blobs": points, "noise": rng.normal(size=(90, 2))}
    settings = ScanSettings(
        permutations=10, stability_rounds=3, guideline_rounds=50, min_count=2, max_q_value=0.05, rules=RULES, seed=0
    )
    # one member each: the consensus is the Ward clustering, so stability is 1 and the bootstrap tells them apart
    scan = cluster_scan(
        {name: f[None] for name, f in features.items()},
        [2, 3, 6],
        spectra,
        environments,
        rows,
        materials_for,
        {},
        settings,
    )
    assert list(scan.columns) == SCAN_COLUMNS and len(scan) == 6
    assert (scan["consensus_stability"] == 1.0).all() and scan["split_half_consensus_ari"].isna().all()
    blobs, noise = (
        scan[scan.representation == "blobs"].set_index("n_clusters"),
        scan[scan.representation == "noise"].set_index("n_clusters"),
    )
    assert blobs.loc[3, "bootstrap_ari"] > 0.95 and blobs.loc[3, "spectral_coherence_ratio"] < 0.2
    assert (
        noise.loc[3, "spectral_coherence_ratio"] > 0.8
        and blobs.loc[3, "environment_coherence_ratio"] > noise.loc[3, "environment_coherence_ratio"]
    )
    # one guideline per blob (its environment); 18 held-out materials against 80 % prediction intervals
    assert blobs.loc[3, "guidelines"] == 3 and 0.6 <= blobs.loc[3, "coverage"] <= 1.0
    assert (blobs["mean_cluster_size"] == [45.0, 30.0, 15.0]).all()


@pytest.mark.parametrize("profile", ["", "profiles/eps2/"])
def test_each_committed_profile_clusters_as_its_rule_picks(profile):
    results = json.loads((ROOT / profile / "results/scan.json").read_text())
    scan = pd.DataFrame(results["scan"])
    rule = results["rule"]
    picked = SelectionRule(
        tuple(rule["candidates"]),
        rule["min_mean_cluster_size"],
        rule["min_consensus_stability"],
        rule["max_spectral_coherence_ratio"],
    ).pick(scan)
    clusters = json.loads((ROOT / profile / "results/cluster.json").read_text())
    assert picked == results["picked"] == {key: clusters[key] for key in ("representation", "n_clusters")}
    assert clusters["chosen_by"] == "scan rule"
    plot = pd.read_csv(ROOT / profile / "metrics/n_clusters_scan.csv")
    shown = scan[scan["representation"] == picked["representation"]]
    assert plot["n_clusters"].tolist() == shown["n_clusters"].tolist()

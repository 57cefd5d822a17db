"""specgroups.study.group on hand-made ensembles: a group that every member keeps together, and one it splits."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest

from specgroups.analysis.consensus import consensus_of
from specgroups.study.group import group_across_members
from specgroups.study.mechanism import group_claims

IDS = [f"mp-{i}" for i in range(30)]
OXIDES = pd.DataFrame(
    {
        "id": IDS[:16],
        "cation": ["V"] * 16,
        "environment": ["isolated_alkali"] * 11 + ["connected"] * 5,
    }
)


def dataset(onsets: np.ndarray) -> SimpleNamespace:
    return SimpleNamespace(ids=IDS, materials=pd.DataFrame({"id": IDS, "onset_energy_ev": onsets}))


def run(spread: float, seed: int) -> dict:
    """Members whose features put the 11 group materials in one blob (displaced by ``spread`` per member)."""
    rng = np.random.default_rng(seed)
    centres = np.repeat([[0.0, 0.0], [8.0, 0.0], [0.0, 8.0]], [11, 5, 14], axis=0)
    members = np.stack([centres + rng.normal(scale=spread, size=(30, 2)) for _ in range(6)])
    consensus = consensus_of(list(members), 3)
    clusters = {
        "representation": np.array("pooled"),
        "labels": consensus.labels,
        "member_labels": consensus.member_labels,
        "coassociation": consensus.coassociation,
        "member_linkages": consensus.member_linkages,
    }
    onsets = np.r_[np.full(11, 6.0), np.full(5, 4.0), np.full(14, 3.0)]
    return group_across_members(OXIDES, dataset(onsets), clusters, 9, 0.8)


def test_a_group_every_member_keeps_together_is_supported():
    group = run(spread=0.3, seed=0)
    assert group["share_of_members_holding_quorum"] == 1.0 and group["mean_coassociation"] == 1.0
    assert group["held_by_stable_core"] and group["in_consensus_cluster"] == 11
    assert group["pair_onset_difference_ev"]["median"] == pytest.approx(2.0)
    assert [row["verdict"] for row in group_claims(group)] == ["supported", "supported", "supported"]


def test_a_group_the_members_scatter_is_not():
    group = run(spread=6.0, seed=1)
    assert group["share_of_members_holding_quorum"] < 0.9 and group["mean_coassociation"] < 1.0
    rows = group_claims(group)
    assert rows[0]["verdict"] == "not supported" and rows[0]["n"] == [6, 11]

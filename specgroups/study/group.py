"""The study's group, tested directly across retraining: do the V5+/Cr6+ oxides with isolated tetrahedra among
alkali ions form one group whatever the training run, and does the data-picked pair of clusters keep its contrast?

Read from the consensus of an ensemble (:mod:`specgroups.analysis.consensus`):

- the share of members in which at least ``quorum`` of the group share one cluster;
- the group's mean co-association (over its pairs of materials);
- the consensus cluster holding most of the group, how many it holds, its stability, and whether it is a stable
  core (stability at least the threshold) holding at least ``quorum``;
- the onset contrast of the pair of clusters each member picks (:func:`specgroups.study.contrast.cluster_pair`,
  first minus second, eV): its median and 2.5-97.5 % range over the members.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from specgroups.analysis.consensus import cluster_stability
from specgroups.study.contrast import cluster_pair

GROUP = "isolated_alkali"


def group_rows(oxides: pd.DataFrame, ids: list[str]) -> np.ndarray:
    """Dataset rows of the group's oxides (``oxides``: the contrast table)."""
    members = set(oxides.loc[oxides["environment"] == GROUP, "id"])
    return np.array([row for row, material_id in enumerate(ids) if material_id in members], dtype=int)


def share_holding_quorum(member_labels: np.ndarray, rows: np.ndarray, quorum: int) -> float:
    """Share of members (rows of ``member_labels``) in which at least ``quorum`` of the materials ``rows`` share a cluster."""
    return float(np.mean([np.bincount(labels[rows]).max() >= quorum for labels in member_labels]))


def mean_pair_coassociation(co: np.ndarray, rows: np.ndarray) -> float:
    """Mean co-association over the pairs of the materials ``rows``."""
    return float(co[np.ix_(rows, rows)][np.triu_indices(len(rows), 1)].mean())


def pair_onset_differences(
    oxides: pd.DataFrame, ids: list[str], onsets: np.ndarray, member_labels: np.ndarray, member_linkages: np.ndarray
) -> list[float]:
    """Per member (its labels and Ward linkage), the mean onset of the first cluster of its pair minus that of the
    second (eV); members without a pair are left out."""
    differences = []
    for labels, tree in zip(member_labels, member_linkages):
        pair = cluster_pair(oxides, ids, labels, tree)
        if pair:
            first, second = labels == pair["isolated_alkali_cluster"], labels == pair["other_cluster"]
            differences.append(float(onsets[first].mean() - onsets[second].mean()))
    return differences


def group_across_members(
    oxides: pd.DataFrame, dataset, clusters: dict[str, np.ndarray], quorum: int, stable_core: float
) -> dict:
    """The JSON-ready test of the study's group (see the module) from a clusters.npz's arrays."""
    ids, onsets = dataset.ids, dataset.materials["onset_energy_ev"].to_numpy()
    rows, member_labels, co = group_rows(oxides, ids), clusters["member_labels"], clusters["coassociation"]
    if len(rows) < 2:
        return {"materials": int(len(rows)), "quorum": quorum}
    consensus = clusters["labels"][rows]
    core = int(np.bincount(consensus).argmax())
    stability = cluster_stability(co, clusters["labels"])[core]
    differences = pair_onset_differences(oxides, ids, onsets, member_labels, clusters["member_linkages"])
    return {
        "materials": int(len(rows)),
        "quorum": quorum,
        "members": int(len(member_labels)),
        "share_of_members_holding_quorum": share_holding_quorum(member_labels, rows, quorum),
        "mean_coassociation": mean_pair_coassociation(co, rows),
        "consensus_cluster": core,
        "in_consensus_cluster": int((consensus == core).sum()),
        "consensus_cluster_stability": stability,
        "held_by_stable_core": bool((consensus == core).sum() >= quorum and stability >= stable_core),
        "pair_onset_difference_ev": {
            "members_with_pair": len(differences),
            "median": float(np.median(differences)) if differences else None,
            "range95": [float(v) for v in np.percentile(differences, [2.5, 97.5])] if differences else None,
            "values": differences,
        },
    }

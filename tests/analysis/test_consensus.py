"""specgroups.analysis.consensus on hand-made ensembles whose agreement is known."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.metrics import adjusted_rand_score

from specgroups import InputError
from specgroups.analysis.consensus import (
    cluster_stability,
    coassociation,
    consensus_labels,
    consensus_of,
    material_confidence,
    pac,
    seed_to_seed_ari,
    split_half_curve,
)

TRUTH = np.repeat([0, 1, 2], 20)
CENTRES = np.array([[0.0, 0.0], [6.0, 0.0], [0.0, 6.0]])


def members(count: int, noise: float, seed: int = 0) -> list[np.ndarray]:
    rng = np.random.default_rng(seed)
    return [CENTRES[TRUTH] + rng.normal(scale=noise, size=(len(TRUTH), 2)) for _ in range(count)]


def test_coassociation_is_the_share_of_members_that_agree():
    labels = np.array([[1, 1, 2, 2], [1, 2, 2, 2], [1, 1, 1, 2]])
    co = coassociation(labels)
    assert co[0, 1] == pytest.approx(2 / 3) and co[2, 3] == pytest.approx(2 / 3) and co[0, 3] == 0.0
    assert np.allclose(np.diag(co), 1.0) and np.allclose(co, co.T)


def test_members_that_agree_give_a_stable_unambiguous_consensus():
    consensus = consensus_of(members(6, noise=0.3), 3)
    assert adjusted_rand_score(consensus.labels, TRUTH) == 1.0
    assert all(value == 1.0 for value in consensus.stability.values())
    assert pac(consensus.coassociation) == 0.0 and seed_to_seed_ari(consensus.member_labels) == 1.0
    assert np.all(consensus.confidence == 1.0)
    expected = {str(c): {"size": 20, "stability": 1.0, "stable": True} for c in (1, 2, 3)}
    assert consensus.summary()["clusters"] == expected


def test_members_that_disagree_give_ambiguous_pairs_and_lower_stability():
    noisy = consensus_of(members(8, noise=2.5, seed=1), 3)
    assert 0.0 < pac(noisy.coassociation) < 1.0
    assert seed_to_seed_ari(noisy.member_labels) < 0.9
    assert min(noisy.stability.values()) < 1.0 and noisy.confidence.min() < 1.0


def test_a_larger_ensemble_agrees_with_another_better():
    labels = consensus_of(members(16, noise=2.5, seed=2), 3).member_labels
    curve = split_half_curve(labels, 3, seed=0, partitions=20)
    assert list(curve) == list(range(1, 9))
    assert curve[8] > curve[1] and curve[1] == pytest.approx(seed_to_seed_ari(labels), abs=0.15)


def test_stability_and_confidence_are_means_over_the_pairs_of_a_cluster():
    co = np.array([[1.0, 0.5, 0.0], [0.5, 1.0, 0.0], [0.0, 0.0, 1.0]])
    labels, _ = consensus_labels(co, 2)
    assert cluster_stability(co, labels) == {int(labels[0]): 0.5, int(labels[2]): 1.0}
    assert material_confidence(co, labels).tolist() == [0.5, 0.5, 1.0]


def test_no_member_is_an_input_error():
    with pytest.raises(InputError, match="at least one member"):
        consensus_of([], 3)


def test_one_member_is_its_own_ward_clustering():
    from specgroups.analysis.clustering import cluster_labels, ward_linkage

    [features] = members(1, noise=2.5, seed=3)
    single = consensus_of([features], 3)
    assert np.array_equal(single.labels, cluster_labels(ward_linkage(features), 3))
    assert np.array_equal(single.linkage, ward_linkage(features)) and np.isnan(single.split_half_ari(0, 5))

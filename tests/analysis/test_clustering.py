"""Ward clustering and its quality measures on hand-made data with known answers."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from scipy.cluster.hierarchy import fcluster, linkage

from specgroups import InputError
from specgroups.analysis.clustering import (
    agreement,
    bootstrap_stability,
    by_centrality,
    chemical_coherence,
    cluster_labels,
    jaccard_similarities,
    mean_within_cluster,
    nearest_clusters,
    spectral_coherence,
    spectral_distances,
    ward_linkage,
)

ROOT = Path(__file__).parents[2]


@pytest.fixture()
def blobs():
    rng = np.random.default_rng(0)
    centres = np.array([[0.0, 0.0], [10.0, 0.0], [0.0, 10.0]])
    truth = np.repeat([0, 1, 2], 20)
    return centres[truth] + rng.normal(scale=0.5, size=(60, 2)), truth


def test_ward_recovers_separated_groups_with_fcluster_numbering(blobs):
    features, truth = blobs
    labels = cluster_labels(ward_linkage(features), 3)
    assert agreement(labels, truth) == 1.0
    np.testing.assert_array_equal(labels, fcluster(linkage(features, "ward"), 3, criterion="maxclust"))
    assert sorted(set(labels)) == [1, 2, 3]


def mean_within_cluster_distance(spectra: np.ndarray, labels: np.ndarray) -> float:
    return mean_within_cluster(spectral_distances(spectra), labels)


def mean_within_cluster_jaccard(matrix: np.ndarray, labels: np.ndarray) -> float:
    return mean_within_cluster(jaccard_similarities(matrix), labels)


def test_mean_within_cluster_distance_by_hand():
    spectra = np.array([[0.0, 0.0], [1.0, 1.0], [5.0, 5.0], [5.0, 7.0]])
    # pairs: (0,1) -> mean |diff| 1.0; (2,3) -> 1.0
    assert mean_within_cluster_distance(spectra, np.array([1, 1, 2, 2])) == pytest.approx(1.0)
    # one pair (0,2) -> 5.0, one (1,3) -> (4+6)/2 = 5.0
    assert mean_within_cluster_distance(spectra, np.array([1, 2, 1, 2])) == pytest.approx(5.0)
    assert np.isnan(mean_within_cluster_distance(spectra, np.array([1, 2, 3, 4])))


def test_spectral_coherence_beats_random_groups(blobs):
    features, truth = blobs
    grid = np.linspace(0, 1, 50)
    spectra = np.array([np.sin((t + 1) * 3 * grid) for t in truth]) + np.random.default_rng(1).normal(
        scale=0.01, size=(60, 50)
    )
    good = spectral_coherence(spectral_distances(spectra), truth + 1, np.random.default_rng(2), permutations=50)
    assert good["ratio_to_random"] < 0.1 and good["random_groups_mae_std"] > 0
    random_labels = np.random.default_rng(3).permutation(truth) + 1
    bad = spectral_coherence(spectral_distances(spectra), random_labels, np.random.default_rng(2), permutations=50)
    assert 0.8 < bad["ratio_to_random"] < 1.2


def test_bootstrap_stability_of_clear_groups(blobs):
    features, _ = blobs
    labels = cluster_labels(ward_linkage(features), 3)
    stability = bootstrap_stability(features, labels, 3, np.random.default_rng(0), rounds=10)
    assert stability["bootstrap_ari_mean"] == pytest.approx(1.0) and stability["bootstrap_rounds"] == 10


def test_more_clusters_than_materials():
    with pytest.raises(InputError, match="5 clusters requested for 3 materials"):
        cluster_labels(ward_linkage(np.eye(3)), 5)


def test_non_finite_features_are_refused():
    with pytest.raises(InputError, match="gcn_1: features are not finite"):
        ward_linkage(np.array([[0.0, np.nan], [1.0, 1.0]]), "gcn_1")


def test_nearest_clusters_of_a_known_tree():
    # four tight pairs; pairs (A, B) and (C, D) are close to each other, far from the other two
    points = np.array(
        [[0, 0], [0, 0.1], [1, 0], [1, 0.1], [10, 0], [10, 0.1], [11, 0], [11, 0.1], [30, 0], [30, 0.1]], dtype=float
    )
    linkage_matrix = ward_linkage(points)
    labels = cluster_labels(linkage_matrix, 5)
    by_point = {tuple(p): int(l) for p, l in zip(points, labels)}
    a, b, c, d, e = (by_point[(x, 0.0)] for x in (0.0, 1.0, 10.0, 11.0, 30.0))
    nearest = nearest_clusters(linkage_matrix, labels)
    assert (nearest[a], nearest[b], nearest[c], nearest[d]) == (b, a, d, c)
    # E joins the rest last, at the same height for all four: the lowest label wins
    assert nearest[e] == min(a, b, c, d)
    assert nearest_clusters(linkage_matrix, cluster_labels(linkage_matrix, 2)) == {1: 2, 2: 1}


def test_chemical_coherence_by_hand():
    # rows: {A}, {A}, {B}, {B}: clustering by element gives Jaccard 1 within clusters; mixing gives 0
    matrix = np.array([[1, 0], [1, 0], [0, 1], [0, 1]], dtype=bool)
    assert mean_within_cluster_jaccard(matrix, np.array([1, 1, 2, 2])) == pytest.approx(1.0)
    assert mean_within_cluster_jaccard(matrix, np.array([1, 2, 1, 2])) == pytest.approx(0.0)
    # {A,B} vs {A}: |intersection| 1, |union| 2
    assert mean_within_cluster_jaccard(np.array([[1, 1], [1, 0]], dtype=bool), np.array([1, 1])) == pytest.approx(0.5)
    coherent = chemical_coherence(
        jaccard_similarities(matrix), np.array([1, 1, 2, 2]), np.random.default_rng(0), permutations=30
    )
    # random pairings of these four rows are alike 1/3 of the time
    assert coherent["random_groups_jaccard_mean"] == pytest.approx(1 / 3, abs=0.15)
    assert coherent["ratio_to_random"] > 2


def test_within_cluster_means_equal_scipys_pdist_cluster_by_cluster():
    """The pairwise matrices, computed once, give what scipy's pdist gives cluster by cluster: Jaccard on the
    element sets of the embedded materials (data/demo/materials.json), mean absolute difference on spectra-like
    rows; and no features at all give NaN, as before."""
    from scipy.spatial.distance import pdist

    from specgroups.analysis.enrichment import feature_matrix
    from specgroups.io.atomic import read_json

    materials = read_json(ROOT / "data/demo/materials.json")
    elements = {m["id"]: {site["species"][0]["element"] for site in m["structure"]["sites"]} for m in materials}
    _, matrix = feature_matrix(elements, list(elements))
    labels = np.random.default_rng(0).integers(1, 13, len(matrix))

    def by_pdist(data: np.ndarray, metric: str) -> float:
        return float(
            np.concatenate(
                [
                    pdist(data[labels == label], metric=metric)
                    for label in np.unique(labels)
                    if (labels == label).sum() > 1
                ]
            ).mean()
        )

    assert matrix.shape[1] > 20
    assert mean_within_cluster_jaccard(matrix, labels) == pytest.approx(1 - by_pdist(matrix, "jaccard"), rel=1e-12)
    spectra = np.cumsum(np.random.default_rng(1).normal(size=(len(labels), 150)), axis=1)
    assert mean_within_cluster_distance(spectra, labels) == pytest.approx(
        by_pdist(spectra, "cityblock") / 150, rel=1e-12
    )
    assert np.isnan(mean_within_cluster_jaccard(np.zeros((4, 0), dtype=bool), np.array([1, 1, 2, 2])))


def test_by_centrality_orders_from_the_most_typical_member():
    vectors = np.array([[10.0, 0.0], [1.0, 0.0], [0.0, 1.0], [-1.0, -1.0]])  # mean (2.5, 0)
    assert by_centrality(vectors).tolist() == [1, 2, 3, 0]

"""Ward clustering of per-material representations, and how good each clustering is.

Cluster ids follow the study: scipy's ``fcluster(linkage, n, criterion="maxclust")``
numbers clusters 1..n in the order of the dendrogram's leaves, so the same
linkage always gives the same ids.
"""

from __future__ import annotations

import numpy as np
from scipy.cluster.hierarchy import fcluster, linkage
from scipy.spatial.distance import pdist
from sklearn.metrics import adjusted_rand_score

from specgroups.errors import InputError


def ward_linkage(features: np.ndarray, name: str = "features") -> np.ndarray:
    """Euclidean Ward linkage (scipy) of a materials x features array."""
    features = np.asarray(features, dtype=np.float64)
    if features.ndim != 2 or len(features) < 2:
        raise InputError(f"{name}: Ward linkage needs at least 2 materials, got shape {features.shape}")
    if not np.all(np.isfinite(features)):
        raise InputError(f"{name}: features are not finite")
    return linkage(features, method="ward", metric="euclidean")


def cluster_labels(linkage_matrix: np.ndarray, n_clusters: int) -> np.ndarray:
    """Labels 1..n_clusters (fewer when the tree has ties), as ``fcluster(maxclust)`` numbers them."""
    materials = len(linkage_matrix) + 1
    if not 1 <= n_clusters <= materials:
        raise InputError(f"params: {n_clusters} clusters requested for {materials} materials")
    return fcluster(linkage_matrix, n_clusters, criterion="maxclust")


def mean_within_cluster_distance(spectra: np.ndarray, labels: np.ndarray) -> float:
    """Mean absolute difference (per energy point) over all pairs of materials that share a cluster."""
    total, pairs = 0.0, 0
    for label in np.unique(labels):
        members = spectra[labels == label]
        if len(members) > 1:
            distances = pdist(members, metric="cityblock") / spectra.shape[1]
            total += distances.sum()
            pairs += len(distances)
    return total / pairs if pairs else float("nan")


def against_random_groups(measure, name: str, data: np.ndarray, labels: np.ndarray, rng: np.random.Generator, permutations: int) -> dict:
    """``measure(data, labels)`` next to its mean and spread over random relabellings (groups of the same sizes)."""
    observed = measure(data, labels)
    baseline = np.array([measure(data, rng.permutation(labels)) for _ in range(permutations)])
    mean = float(baseline.mean())
    return {
        f"within_cluster_{name}": observed,
        f"random_groups_{name}_mean": mean,
        f"random_groups_{name}_std": float(baseline.std(ddof=1)) if permutations > 1 else 0.0,
        "ratio_to_random": observed / mean if mean > 0 else float("nan"),
    }


def spectral_coherence(spectra: np.ndarray, labels: np.ndarray, rng: np.random.Generator, permutations: int) -> dict:
    """Within-cluster spectral distance (mean absolute difference) against random groups of the same sizes."""
    return against_random_groups(mean_within_cluster_distance, "mae", spectra, labels, rng, permutations)


def bootstrap_stability(features: np.ndarray, labels: np.ndarray, n_clusters: int, rng: np.random.Generator, rounds: int) -> dict:
    """ARI between the clustering of each bootstrap resample and the full clustering, on the resampled materials."""
    scores = []
    for _ in range(rounds):
        chosen = np.unique(rng.choice(len(features), size=len(features), replace=True))
        if len(chosen) <= n_clusters:
            continue
        resampled = cluster_labels(ward_linkage(features[chosen]), n_clusters)
        scores.append(adjusted_rand_score(labels[chosen], resampled))
    scores = np.array(scores)
    return {"bootstrap_ari_mean": float(scores.mean()) if len(scores) else float("nan"),
            "bootstrap_ari_std": float(scores.std(ddof=1)) if len(scores) > 1 else float("nan"),
            "bootstrap_rounds": int(len(scores))}


def agreement(labels: np.ndarray, other: np.ndarray) -> float:
    """Adjusted Rand index between two clusterings of the same materials."""
    return float(adjusted_rand_score(labels, other))


def merge_height(cophenetic: np.ndarray, row_a: int, row_b: int) -> float:
    """The height at which Ward's dendrogram joins two materials (rows), from its condensed cophenetic distances
    (``scipy.cluster.hierarchy.cophenet(linkage)``): for clusters cut from the tree, the same for any member of
    each, so it is the clusters' distance in the dendrogram."""
    n = int(round((1 + np.sqrt(1 + 8 * len(cophenetic))) / 2))
    i, j = sorted((row_a, row_b))
    return float(cophenetic[n * i - i * (i + 1) // 2 + (j - i - 1)])


def nearest_clusters(linkage_matrix: np.ndarray, labels: np.ndarray) -> dict[int, int]:
    """{cluster: the other cluster the dendrogram joins it to lowest} (:func:`merge_height`; ties: the lower
    label). For a cluster with a sibling that is a single cluster, it is the sibling."""
    from scipy.cluster.hierarchy import cophenet

    cophenetic = cophenet(linkage_matrix)
    first_row = {int(c): int(np.flatnonzero(labels == c)[0]) for c in np.unique(labels)}
    return {
        a: min((b for b in first_row if b != a), key=lambda b: (merge_height(cophenetic, first_row[a], first_row[b]), b))
        for a in first_row if len(first_row) > 1
    }


def mean_within_cluster_jaccard(matrix: np.ndarray, labels: np.ndarray) -> float:
    """Mean Jaccard similarity of the feature sets (rows of a boolean matrix) over pairs sharing a cluster."""
    total, pairs = 0.0, 0
    for label in np.unique(labels):
        members = matrix[labels == label]
        if len(members) > 1 and members.shape[1]:
            similarities = 1.0 - pdist(members, metric="jaccard")
            total += np.nan_to_num(similarities, nan=1.0).sum()  # two empty sets are alike
            pairs += len(similarities)
    return total / pairs if pairs else float("nan")


def chemical_coherence(matrix: np.ndarray, labels: np.ndarray, rng: np.random.Generator, permutations: int) -> dict:
    """Within-cluster Jaccard similarity of chemical features against random groups of the same sizes."""
    return against_random_groups(mean_within_cluster_jaccard, "jaccard", matrix, labels, rng, permutations)


def chemical_coherence_by_kind(matrix: np.ndarray, names: list[str], kinds: dict, labels: dict[str, np.ndarray], seed: int, permutations: int) -> dict:
    """{representation: {kind: chemical_coherence}} where ``kinds`` maps a kind to a test on feature names
    (e.g. :data:`specgroups.chemistry.FEATURE_KINDS`) and ``labels`` each representation's cluster labels;
    every (representation, kind) draws its random relabellings from a generator seeded with ``seed``."""
    return {
        representation: {
            kind: chemical_coherence(matrix[:, [select(name) for name in names]], values, np.random.default_rng(seed), permutations)
            for kind, select in kinds.items()
        }
        for representation, values in labels.items()
    }


def representation_quality(
    features: np.ndarray, labels: np.ndarray, reference_labels: np.ndarray, reference_spectra: np.ndarray,
    n_clusters: int, seed: int, permutations: int, bootstrap_rounds: int,
) -> dict:
    """How good one representation's clustering is: its dimension, :func:`spectral_coherence` of the reference
    spectra, the ARI with the clustering of the reference spectra themselves (:func:`agreement`) and
    :func:`bootstrap_stability`; one generator seeded with ``seed`` draws the relabellings, then the resamples."""
    rng = np.random.default_rng(seed)
    return {
        "dimensions": int(features.shape[1]),
        **spectral_coherence(reference_spectra, labels, rng, permutations),
        "ari_with_reference_spectra_clusters": agreement(labels, reference_labels),
        **bootstrap_stability(features, labels, n_clusters, rng, bootstrap_rounds),
    }


def by_centrality(vectors: np.ndarray) -> np.ndarray:
    """Row indices ordered from the row nearest the rows' mean (the most typical member) outwards."""
    vectors = np.asarray(vectors, dtype=float)
    distances = np.linalg.norm(vectors - vectors.mean(axis=0), axis=1)
    return np.argsort(distances, kind="stable")

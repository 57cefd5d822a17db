"""Ward clustering of per-material representations, and how good each clustering is.

Cluster ids follow the study: scipy's ``fcluster(linkage, n, criterion="maxclust")``
numbers clusters 1..n in the order of the dendrogram's leaves, so the same
linkage always gives the same ids.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.cluster.hierarchy import fcluster, linkage
from scipy.spatial.distance import pdist, squareform
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


def mean_within_cluster(pairwise: np.ndarray, labels: np.ndarray) -> float:
    """Mean of a square matrix of pairwise values (a distance or a similarity of every two materials) over the
    pairs of distinct materials that share a cluster; NaN when no cluster has two members."""
    total, pairs = 0.0, 0
    for label in np.unique(labels):
        members = np.flatnonzero(labels == label)
        if len(members) > 1:
            block = pairwise[np.ix_(members, members)]
            total += (block.sum() - np.trace(block)) / 2
            pairs += len(members) * (len(members) - 1) // 2
    return total / pairs if pairs else float("nan")


def spectral_distances(spectra: np.ndarray) -> np.ndarray:
    """Mean absolute difference (per energy point) of every two materials' spectra, a square matrix."""
    return squareform(pdist(spectra, metric="cityblock") / spectra.shape[1])


def against_random_groups(
    measure, name: str, data: np.ndarray, labels: np.ndarray, rng: np.random.Generator, permutations: int
) -> dict:
    """``measure(data, labels)`` next to its mean and spread over random relabellings (groups of the same sizes):
    ``data`` is computed once, e.g. the pairwise matrix of :func:`mean_within_cluster`, and each relabelling only
    regroups it."""
    observed = measure(data, labels)
    baseline = np.array([measure(data, rng.permutation(labels)) for _ in range(permutations)])
    mean = float(baseline.mean())
    return {
        f"within_cluster_{name}": observed,
        f"random_groups_{name}_mean": mean,
        f"random_groups_{name}_std": float(baseline.std(ddof=1)) if permutations > 1 else 0.0,
        "ratio_to_random": observed / mean if mean > 0 else float("nan"),
    }


def spectral_coherence(distances: np.ndarray, labels: np.ndarray, rng: np.random.Generator, permutations: int) -> dict:
    """Within-cluster spectral distance (mean absolute difference, ``distances`` = :func:`spectral_distances` of
    the spectra) against random groups of the same sizes."""
    return against_random_groups(mean_within_cluster, "mae", distances, labels, rng, permutations)


def bootstrap_stability(
    features: np.ndarray, labels: np.ndarray, n_clusters: int, rng: np.random.Generator, rounds: int
) -> dict:
    """ARI between the clustering of each bootstrap resample and the full clustering, on the resampled materials."""
    scores = []
    for _ in range(rounds):
        chosen = np.unique(rng.choice(len(features), size=len(features), replace=True))
        if len(chosen) <= n_clusters:
            continue
        resampled = cluster_labels(ward_linkage(features[chosen]), n_clusters)
        scores.append(adjusted_rand_score(labels[chosen], resampled))
    scores = np.array(scores)
    return {
        "bootstrap_ari_mean": float(scores.mean()) if len(scores) else float("nan"),
        "bootstrap_ari_std": float(scores.std(ddof=1)) if len(scores) > 1 else float("nan"),
        "bootstrap_rounds": int(len(scores)),
    }


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
        a: min(
            (b for b in first_row if b != a), key=lambda b: (merge_height(cophenetic, first_row[a], first_row[b]), b)
        )
        for a in first_row
        if len(first_row) > 1
    }


def jaccard_similarities(matrix: np.ndarray) -> np.ndarray:
    """Jaccard similarity |A & B| / |A | B| of the feature sets of every two materials (rows of a boolean
    materials x features matrix), a square matrix: 1 for two empty sets (they are alike), NaN everywhere when
    there are no features at all."""
    counts = np.asarray(matrix, dtype=np.float64)
    if counts.shape[1] == 0:
        return np.full((len(counts), len(counts)), np.nan)
    shared = counts @ counts.T
    sizes = np.diag(shared)
    union = sizes[:, None] + sizes[None, :] - shared
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(union > 0, 1.0 - (union - shared) / union, 1.0)


def chemical_coherence(
    similarities: np.ndarray, labels: np.ndarray, rng: np.random.Generator, permutations: int
) -> dict:
    """Within-cluster Jaccard similarity of chemical features (``similarities`` = :func:`jaccard_similarities` of
    the materials x features matrix) against random groups of the same sizes."""
    return against_random_groups(mean_within_cluster, "jaccard", similarities, labels, rng, permutations)


def chemical_coherence_by_kind(
    matrix: np.ndarray, names: list[str], kinds: dict, labels: dict[str, np.ndarray], seed: int, permutations: int
) -> dict:
    """{representation: {kind: chemical_coherence}} where ``kinds`` maps a kind to a test on feature names
    (e.g. :data:`specgroups.analysis.chemistry.FEATURE_KINDS`) and ``labels`` each representation's cluster labels;
    every (representation, kind) draws its random relabellings from a generator seeded with ``seed``."""
    similarities = {
        kind: jaccard_similarities(matrix[:, [select(name) for name in names]]) for kind, select in kinds.items()
    }
    return {
        representation: {
            kind: chemical_coherence(similarities[kind], values, np.random.default_rng(seed), permutations)
            for kind in kinds
        }
        for representation, values in labels.items()
    }


def representation_quality(
    features: np.ndarray,
    labels: np.ndarray,
    reference_labels: np.ndarray,
    reference_distances: np.ndarray,
    n_clusters: int,
    seed: int,
    permutations: int,
    bootstrap_rounds: int,
    bootstrap_labels: np.ndarray | None = None,
) -> dict:
    """How good one representation's clustering is: its dimension, :func:`spectral_coherence` of the reference
    spectra (``reference_distances``: their :func:`spectral_distances`), the ARI with the clustering of the
    reference spectra themselves (:func:`agreement`) and :func:`bootstrap_stability`; one generator seeded with ``seed`` draws the relabellings, then the resamples."""
    rng = np.random.default_rng(seed)
    return {
        "dimensions": int(features.shape[1]),
        **spectral_coherence(reference_distances, labels, rng, permutations),
        "ari_with_reference_spectra_clusters": agreement(labels, reference_labels),
        **bootstrap_stability(
            features, labels if bootstrap_labels is None else bootstrap_labels, n_clusters, rng, bootstrap_rounds
        ),
    }


def by_centrality(vectors: np.ndarray) -> np.ndarray:
    """Row indices ordered from the row nearest the rows' mean (the most typical member) outwards."""
    vectors = np.asarray(vectors, dtype=float)
    distances = np.linalg.norm(vectors - vectors.mean(axis=0), axis=1)
    return np.argsort(distances, kind="stable")


@dataclass(frozen=True)
class ClusterSettings:
    """The clustering used downstream: ``representation`` and ``n_clusters`` override the scan rule's pick where
    set (null: the pick); ``permutations`` random relabellings for each coherence baseline, ``bootstrap_rounds``
    resamples for each stability, ``seed`` of both; a consensus cluster whose stability is at least
    ``stable_core`` is a stable core."""

    permutations: int
    bootstrap_rounds: int
    seed: int
    stable_core: float
    representation: str | None = None
    n_clusters: int | None = None

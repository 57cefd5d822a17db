"""Consensus clusters of an ensemble: what the members of an ensemble of spectrum models agree on.

Each member's features are cut into ``n`` Ward clusters (:func:`specgroups.analysis.clustering.cluster_labels`).
The co-association of two materials is the share of members in which they share a cluster (Fred & Jain,
IEEE TPAMI 27, 835 (2005)). The consensus clusters are the average-linkage clusters of ``1 - co-association``
cut into ``n`` (ids 1..n in dendrogram order, as every clustering here). A cluster's stability is the mean
co-association over its pairs of materials; a material's confidence the mean co-association with the other
members of its consensus cluster; PAC, the proportion of ambiguous clustering (Senbabaoglu, Michailidis & Li,
Sci. Rep. 4, 6207 (2014)), is the share of pairs whose co-association lies strictly between 0.1 and 0.9.

Reproducibility across retraining is measured, not assumed: the seed-to-seed ARI is the mean adjusted Rand
index between two members' clusterings; the split-half consensus ARI at ``m`` members is the ARI between the
consensus clusters of two disjoint sets of ``m`` members each (averaged over random partitions), i.e. how
well two independent ensembles of ``m`` models agree.
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import combinations

import numpy as np
from scipy.cluster.hierarchy import fcluster, linkage
from scipy.spatial.distance import squareform
from sklearn.metrics import adjusted_rand_score

from specgroups.analysis.clustering import (
    ClusterSettings,
    cluster_labels,
    representation_quality,
    spectral_distances,
    ward_linkage,
)
from specgroups.errors import InputError

AMBIGUOUS = (0.1, 0.9)


def member_linkages(members: list[np.ndarray]) -> np.ndarray:
    """(members x (materials - 1) x 4) Ward linkages of each member's features (materials x dimensions)."""
    if not members:
        raise InputError("consensus clustering needs at least one member")
    return np.stack([ward_linkage(features) for features in members])


def coassociation(labels: np.ndarray) -> np.ndarray:
    """(materials x materials) share of the members (rows of ``labels``) in which two materials share a cluster."""
    labels = np.asarray(labels)
    together = np.zeros((labels.shape[1], labels.shape[1]))
    for row in labels:
        together += row[:, None] == row[None, :]
    return together / len(labels)


def consensus_linkage(co: np.ndarray) -> np.ndarray:
    """Average linkage of the distances ``1 - co``."""
    distances = np.clip(1.0 - co, 0.0, None)
    np.fill_diagonal(distances, 0.0)
    return linkage(squareform(distances, checks=False), method="average")


def consensus_labels(co: np.ndarray, n_clusters: int) -> tuple[np.ndarray, np.ndarray]:
    """(consensus labels 1..n, their average linkage) of a co-association matrix."""
    tree = consensus_linkage(co)
    return fcluster(tree, n_clusters, criterion="maxclust").astype(int), tree


def cluster_stability(co: np.ndarray, labels: np.ndarray) -> dict[int, float]:
    """{cluster: mean co-association over its pairs of materials} (1.0 for a single material)."""
    stability = {}
    for cluster in np.unique(labels):
        rows = np.flatnonzero(labels == cluster)
        pairs = co[np.ix_(rows, rows)][np.triu_indices(len(rows), 1)]
        stability[int(cluster)] = float(pairs.mean()) if len(pairs) else 1.0
    return stability


def clustering_stability(co: np.ndarray, labels: np.ndarray) -> float:
    """Mean co-association over every within-cluster pair of the clustering (pairs pooled over clusters)."""
    same = labels[:, None] == labels[None, :]
    upper = np.triu(same, 1)
    return float(co[upper].mean()) if upper.any() else 1.0


def material_confidence(co: np.ndarray, labels: np.ndarray) -> np.ndarray:
    """Each material's mean co-association with the other materials of its consensus cluster (1.0 alone)."""
    confidence = np.ones(len(labels))
    for index, cluster in enumerate(labels):
        others = np.flatnonzero((labels == cluster) & (np.arange(len(labels)) != index))
        if len(others):
            confidence[index] = co[index, others].mean()
    return confidence


def pac(co: np.ndarray, bounds: tuple[float, float] = AMBIGUOUS) -> float:
    """Share of the pairs of materials whose co-association lies strictly inside ``bounds``."""
    values = co[np.triu_indices(len(co), 1)]
    return float(((values > bounds[0]) & (values < bounds[1])).mean())


def seed_to_seed_ari(labels: np.ndarray) -> float:
    """Mean ARI between every two members' clusterings (rows of ``labels``); NaN with one member."""
    scores = [adjusted_rand_score(a, b) for a, b in combinations(labels, 2)]
    return float(np.mean(scores)) if scores else float("nan")


def split_half_ari(labels: np.ndarray, size: int, n_clusters: int, rng: np.random.Generator, partitions: int) -> float:
    """Mean ARI between the consensus clusters of two disjoint random sets of ``size`` members each, over
    ``partitions`` random draws; NaN when there are fewer than ``2 * size`` members."""
    if 2 * size > len(labels):
        return float("nan")
    scores = []
    for _ in range(partitions):
        order = rng.permutation(len(labels))
        first, _ = consensus_labels(coassociation(labels[order[:size]]), n_clusters)
        second, _ = consensus_labels(coassociation(labels[order[size : 2 * size]]), n_clusters)
        scores.append(adjusted_rand_score(first, second))
    return float(np.mean(scores))


def split_half_curve(labels: np.ndarray, n_clusters: int, seed: int, partitions: int) -> dict[int, float]:
    """{ensemble size m: :func:`split_half_ari` of two disjoint m-member ensembles}, m = 1 .. members // 2."""
    rng = np.random.default_rng(seed)
    return {size: split_half_ari(labels, size, n_clusters, rng, partitions) for size in range(1, len(labels) // 2 + 1)}


@dataclass(frozen=True)
class Consensus:
    """The consensus of one representation at one cluster count: every member's labels (members x materials),
    the co-association, the consensus labels and linkage, how stable they are, and every member's Ward linkage."""

    member_labels: np.ndarray
    coassociation: np.ndarray
    labels: np.ndarray
    linkage: np.ndarray
    member_linkages: np.ndarray

    @property
    def stability(self) -> dict[int, float]:
        return cluster_stability(self.coassociation, self.labels)

    @property
    def confidence(self) -> np.ndarray:
        return material_confidence(self.coassociation, self.labels)

    def arrays(self) -> dict[str, np.ndarray]:
        """The arrays a clusters.npz keeps of the chosen consensus: co-association, every member's labels and Ward
        linkage, and each material's confidence."""
        return {
            "coassociation": self.coassociation,
            "member_labels": self.member_labels,
            "member_linkages": self.member_linkages,
            "confidence": self.confidence,
        }

    def split_half_ari(self, seed: int, partitions: int) -> float:
        """:func:`split_half_ari` of two disjoint halves of the members (NaN with fewer than two)."""
        n_clusters = len(np.unique(self.labels))
        return split_half_ari(
            self.member_labels, len(self.member_labels) // 2 or 1, n_clusters, np.random.default_rng(seed), partitions
        )

    def summary(self, stable_core: float = 0.8) -> dict:
        """JSON-ready numbers: clustering stability, PAC, seed-to-seed ARI, and each cluster's size, stability and
        whether it is a stable core (stability at least ``stable_core``)."""
        sizes = {int(c): int((self.labels == c).sum()) for c in np.unique(self.labels)}
        return {
            "members": len(self.member_labels),
            "stability": clustering_stability(self.coassociation, self.labels),
            "pac": pac(self.coassociation),
            "seed_to_seed_ari": seed_to_seed_ari(self.member_labels),
            "stable_core": stable_core,
            "clusters": {
                str(c): {"size": sizes[c], "stability": s, "stable": s >= stable_core}
                for c, s in self.stability.items()
            },
        }


def consensus_of(members: list[np.ndarray], n_clusters: int) -> Consensus:
    """The :class:`Consensus` of the members' features (one array per member, same materials in the same order).
    A single member's consensus is its own Ward clustering, ids and linkage included."""
    trees = member_linkages(members)
    labels = np.stack([cluster_labels(tree, n_clusters) for tree in trees])
    co = coassociation(labels)
    if len(members) == 1:
        return Consensus(labels, co, labels[0], trees[0], trees)
    consensus, tree = consensus_labels(co, n_clusters)
    return Consensus(labels, co, consensus, tree, trees)


def consensus_clusterings(
    representations: dict[str, np.ndarray], n_clusters: int, settings: ClusterSettings
) -> tuple[dict[str, Consensus], dict[str, dict]]:
    """({name: :class:`Consensus` at ``n_clusters``}, {name: :func:`representation_quality` of its consensus labels,
    the bootstrap on its first member}) of every representation (members x materials x dimensions; ``reference``,
    the spectra, among them)."""
    found = {name: consensus_of(list(members), n_clusters) for name, members in representations.items()}
    reference_distances = spectral_distances(representations["reference"][0])
    quality = {
        name: representation_quality(
            representations[name][0],
            consensus.labels,
            found["reference"].labels,
            reference_distances,
            n_clusters,
            settings.seed,
            settings.permutations,
            settings.bootstrap_rounds,
            consensus.member_labels[0],
        )
        for name, consensus in found.items()
    }
    return found, quality

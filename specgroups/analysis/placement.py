"""Placing a new material among known clusters, in the representation the clusters were made in."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Placement:
    cluster: int
    distance: float  # to the cluster's centroid
    members_closer: float  # fraction of the cluster's own members nearer their centroid than the new material
    outlier: bool  # farther from the centroid than every member
    neighbours: list[int]  # rows of the known materials, nearest first
    neighbour_distances: list[float]


def centroids(vectors: np.ndarray, labels: np.ndarray) -> dict[int, np.ndarray]:
    """The mean vector of every cluster."""
    return {int(label): vectors[labels == label].mean(axis=0) for label in np.unique(labels)}


def place(vector: np.ndarray, vectors: np.ndarray, labels: np.ndarray, neighbours: int) -> Placement:
    """The nearest cluster centroid, how that distance ranks among the members' own, and the ``neighbours``
    nearest known materials (Euclidean distances in the clustering representation)."""
    vector = np.asarray(vector, dtype=float)
    vectors = np.asarray(vectors, dtype=float)
    centres = centroids(vectors, labels)
    distances = {label: float(np.linalg.norm(vector - centre)) for label, centre in centres.items()}
    cluster = min(distances, key=distances.get)
    members = vectors[labels == cluster]
    member_distances = np.linalg.norm(members - centres[cluster], axis=1)
    to_known = np.linalg.norm(vectors - vector, axis=1)
    nearest = np.argsort(to_known, kind="stable")[:neighbours]
    return Placement(
        cluster=cluster,
        distance=distances[cluster],
        members_closer=float(np.mean(member_distances < distances[cluster])),
        outlier=bool(distances[cluster] > member_distances.max()),
        neighbours=[int(i) for i in nearest],
        neighbour_distances=[float(to_known[i]) for i in nearest],
    )

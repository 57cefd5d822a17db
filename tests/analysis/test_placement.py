"""Placing a material among clusters, on hand-made points with known answers."""

from __future__ import annotations

import numpy as np

from specgroups.analysis.placement import centroids, place

VECTORS = np.array([[0.0, 0.0], [0.0, 2.0], [10.0, 0.0], [10.0, 2.0], [12.0, 1.0]])
LABELS = np.array([1, 1, 2, 2, 2])


def test_centroids_are_cluster_means():
    found = centroids(VECTORS, LABELS)
    np.testing.assert_allclose(found[1], [0.0, 1.0])
    np.testing.assert_allclose(found[2], [32 / 3, 1.0])


def test_a_typical_new_material_joins_the_nearest_centroid():
    placement = place(np.array([0.5, 1.0]), VECTORS, LABELS, neighbours=2)
    assert placement.cluster == 1 and placement.distance == 0.5
    assert placement.members_closer == 0.0 and not placement.outlier  # members are 1.0 from their centre
    assert placement.neighbours == [0, 1] and np.isclose(placement.neighbour_distances[0], np.hypot(0.5, 1.0))


def test_a_far_material_is_flagged_as_an_outlier():
    placement = place(np.array([-5.0, 1.0]), VECTORS, LABELS, neighbours=5)
    assert placement.cluster == 1 and placement.distance == 5.0
    assert placement.members_closer == 1.0 and placement.outlier
    assert len(placement.neighbours) == 5

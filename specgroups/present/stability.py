"""Figure 4: how far the clusters hold across the ensemble's members (``specgroups.analysis.consensus``).

(a) The co-association of the chosen representation, the share of members in which two materials share a cluster,
with the materials ordered by consensus cluster; (b) each consensus cluster's stability (mean within-cluster
co-association) against its size, with the stable-core threshold; (c) the split-half consensus ARI against the
members per half, beside the seed-to-seed ARI of two single models.
"""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

# the split-half consensus ARI the groups issue asks of a reproducible clustering
TARGET_SPLIT_HALF_ARI = 0.9


def stability_figure(coassociation: np.ndarray, labels: np.ndarray, consensus: dict, split_half: dict[str, float]):
    """The figure from a clusters.npz's ``coassociation`` and consensus ``labels``, the chosen representation's
    consensus summary (results/cluster.json: per-cluster size and stability, stable-core threshold, seed-to-seed
    ARI) and its split-half consensus ARI by members per half."""
    figure, (matrix_axis, cluster_axis, curve_axis) = plt.subplots(1, 3, figsize=(7.0, 2.4))
    order = np.argsort(labels, kind="stable")
    image = matrix_axis.imshow(coassociation[np.ix_(order, order)], cmap="Greys", vmin=0, vmax=1, interpolation="none")
    for boundary in np.flatnonzero(np.diff(labels[order])) + 0.5:
        matrix_axis.axhline(boundary, color="#b2182b", linewidth=0.3)
        matrix_axis.axvline(boundary, color="#b2182b", linewidth=0.3)
    matrix_axis.set(xticks=[], yticks=[], title="(a) co-association", xlabel="materials by consensus cluster")
    figure.colorbar(image, ax=matrix_axis, fraction=0.046, pad=0.02)

    clusters = consensus["clusters"]
    sizes = np.array([clusters[c]["size"] for c in clusters])
    stabilities = np.array([clusters[c]["stability"] for c in clusters])
    stable = np.array([clusters[c]["stable"] for c in clusters])
    cluster_axis.scatter(sizes[~stable], stabilities[~stable], s=10, color="#999999", label="not stable")
    cluster_axis.scatter(sizes[stable], stabilities[stable], s=10, color="#1b7837", label="stable core")
    cluster_axis.axhline(consensus["stable_core"], color="#1b7837", linestyle="--", linewidth=0.6)
    cluster_axis.set(xlim=(0, None), ylim=(0, 1.02), xlabel="cluster size (materials)", ylabel="cluster stability")
    cluster_axis.set_title(f"(b) {consensus['members']} members")
    cluster_axis.legend(frameon=False, loc="lower right")

    members = [int(m) for m in split_half]
    curve_axis.plot(members, [split_half[str(m)] for m in members], "o-", color="#2166ac", label="split-half consensus")
    if consensus["seed_to_seed_ari"] is not None and np.isfinite(consensus["seed_to_seed_ari"]):  # one member: none
        curve_axis.axhline(consensus["seed_to_seed_ari"], color="#999999", linestyle=":", label="two single models")
    curve_axis.axhline(TARGET_SPLIT_HALF_ARI, color="#b2182b", linestyle="--", linewidth=0.6, label="target")
    curve_axis.set(ylim=(0, 1.02), xlabel="members per half", ylabel="ARI", title="(c) agreement of two ensembles")
    curve_axis.set_xticks(members or [1])
    curve_axis.legend(frameon=False, loc="upper center", bbox_to_anchor=(0.5, 0.86))  # between target and curves
    figure.tight_layout()
    return figure

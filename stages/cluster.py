"""Stage `cluster`: Ward linkage and labels of every representation at the chosen count, and the quality of each.

The representation and count are the scan rule's pick (``data/clustering_choice.json``) unless
``cluster.representation`` or ``cluster.n_clusters`` set them (the paper profile's 96 clusters).
"""

from __future__ import annotations

from specgroups.analysis.clustering import ClusterSettings, cluster_every_representation
from specgroups.io.metrics import cluster_metrics, write_results
from specgroups.io.outputs import clustering_choice, read_features, representation_names, write_clusters
from stages._common import stage_main


def run(profile) -> str:
    settings, layout = profile.settings(ClusterSettings, "cluster"), profile.layout
    features = read_features(layout.features)
    names = representation_names(features)
    choice = clustering_choice(layout.clustering_choice, settings.representation, settings.n_clusters, names)
    linkages, labels, quality = cluster_every_representation(features, names, choice.n_clusters, settings)
    write_clusters(layout.clusters, features["material_ids"], choice.representation, labels, linkages)
    results = {
        "n_clusters": choice.n_clusters,
        "representation": choice.representation,
        "chosen_by": choice.chosen_by,
        "quality": quality,
    }
    write_results(layout, "cluster", results, cluster_metrics)
    best = min(quality, key=lambda name: quality[name]["ratio_to_random"])
    return (
        f"cluster: {len(labels[choice.representation])} materials into {choice.n_clusters} clusters by "
        f"{choice.representation} ({choice.chosen_by}); most spectrally coherent representation: {best} -> {layout.clusters}"
    )


if __name__ == "__main__":
    stage_main(run, __doc__)

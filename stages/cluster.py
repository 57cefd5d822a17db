"""Stage `cluster`: the consensus clusters of every representation and baseline at the chosen count, how stable
and how spectrally coherent each is, and the chosen one's co-association, members' labels and confidence.

The representation and count are the scan rule's pick (``data/clustering_choice.json``) unless
``cluster.representation`` or ``cluster.n_clusters`` set them (the paper profile's 96 clusters).
"""

from __future__ import annotations

from specgroups.analysis.baselines import baseline_comparison, with_baselines
from specgroups.analysis.clustering import ClusterSettings
from specgroups.analysis.consensus import consensus_clusterings, split_half_curve
from specgroups.io.dataset import read_dataset
from specgroups.io.metrics import cluster_metrics, write_results
from specgroups.io.outputs import (
    clustering_choice,
    read_chemistry,
    read_ensemble_features,
    read_pretrained_features,
    write_clusters,
)
from stages._common import stage_main


def run(profile) -> str:
    settings, layout = profile.settings(ClusterSettings, "cluster"), profile.layout
    dataset, records = read_dataset(layout.dataset), read_chemistry(layout.chemistry)
    ensemble = read_ensemble_features(layout.ensemble_features, dataset.ids)
    pretrained = read_pretrained_features(layout.pretrained_features, dataset.ids)
    representations = with_baselines(ensemble, dataset.spectra, records, dataset.ids, pretrained, settings.seed)
    choice = clustering_choice(
        layout.clustering_choice, settings.representation, settings.n_clusters, list(representations)
    )
    found, quality = consensus_clusterings(representations, choice.n_clusters, settings)
    chosen = found[choice.representation]
    labels, linkages = {name: c.labels for name, c in found.items()}, {name: c.linkage for name, c in found.items()}
    chosen_name = choice.representation
    write_clusters(layout.clusters, ensemble["material_ids"], chosen_name, labels, linkages, **chosen.arrays())
    consensus = {name: c.summary(settings.stable_core) for name, c in found.items()}
    results = {
        **vars(choice),
        "quality": quality,
        "consensus": consensus,
        "split_half_consensus_ari": split_half_curve(chosen.member_labels, choice.n_clusters, settings.seed, 20),
        **baseline_comparison(chosen_name, labels, quality, consensus, records, dataset.ids, settings),
    }
    write_results(layout, "cluster", results, cluster_metrics)
    stable = sum(cluster["stable"] for cluster in consensus[choice.representation]["clusters"].values())
    return (
        f"cluster: {len(chosen.labels)} materials into {choice.n_clusters} consensus clusters of {choice.representation} "
        f"({choice.chosen_by}; {len(chosen.member_labels)} members), {stable} stable cores -> {layout.clusters}"
    )


if __name__ == "__main__":
    stage_main(run, __doc__)

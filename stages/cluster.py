"""Stage `cluster`: Ward linkage and labels for every representation, and the quality of each."""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np

from specgroups.atomic import write_bytes_atomic
from specgroups.clustering import cluster_labels, representation_quality, spectral_distances, ward_linkage
from specgroups.errors import InputError
from specgroups.features import load_features
from specgroups.metrics import cluster_metrics, write_results
from stages._common import load_params, stage_main


def run(arguments) -> str:
    params = load_params(arguments.params, "cluster")
    features, n_clusters, chosen = load_features(params["features"]), int(params["n_clusters"]), params["representation"]
    names = [name for name in features if name not in ("material_ids", "split")]
    if chosen not in names:
        raise InputError(f"params: cluster.representation {chosen!r} is not one of {names}")
    linkages = {name: ward_linkage(features[name], name) for name in names}
    labels = {name: cluster_labels(linkages[name], n_clusters) for name in names}
    reference_distances = spectral_distances(features["reference"])
    quality = {
        name: representation_quality(features[name], labels[name], labels["reference"], reference_distances, n_clusters,
                                     int(params["seed"]), int(params["permutations"]), int(params["bootstrap_rounds"]))
        for name in names
    }
    buffer = io.BytesIO()
    np.savez(buffer, material_ids=features["material_ids"], representation=np.array(chosen), labels=labels[chosen], linkage=linkages[chosen],
             **{f"labels_{name}": values for name, values in labels.items()}, **{f"linkage_{name}": values for name, values in linkages.items()})
    write_bytes_atomic(Path(params["output"]), buffer.getvalue())
    results = {"n_clusters": n_clusters, "representation": chosen, "quality": quality}
    write_results(params, results, cluster_metrics)
    best = min(quality, key=lambda name: quality[name]["ratio_to_random"])
    return f"cluster: {len(labels[chosen])} materials into {n_clusters} clusters by {chosen}; most spectrally coherent representation: {best} -> {params['output']}"


if __name__ == "__main__":
    stage_main(run, __doc__)

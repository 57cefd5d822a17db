"""Stage `cluster`: Ward linkage and labels for every representation, and the quality of each."""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np

from specgroups.atomic import write_bytes_atomic, write_json_atomic
from specgroups.clustering import agreement, bootstrap_stability, cluster_labels, spectral_coherence, ward_linkage
from specgroups.errors import InputError
from specgroups.features import load_features
from stages._common import load_params, stage_main


def run(arguments) -> str:
    params = load_params(arguments.params, "cluster")
    features = load_features(params["features"])
    n_clusters = int(params["n_clusters"])
    names = [name for name in features if name not in ("material_ids", "split")]
    if params["representation"] not in names:
        raise InputError(f"params: cluster.representation {params['representation']!r} is not one of {names}")
    reference_spectra = features["reference"]
    linkages = {name: ward_linkage(features[name], name) for name in names}
    labels = {name: cluster_labels(linkages[name], n_clusters) for name in names}
    quality = {}
    for name in names:
        rng = np.random.default_rng(int(params["seed"]))
        quality[name] = {
            "dimensions": int(features[name].shape[1]),
            **spectral_coherence(reference_spectra, labels[name], rng, int(params["permutations"])),
            "ari_with_reference_spectra_clusters": agreement(labels[name], labels["reference"]),
            **bootstrap_stability(features[name], labels[name], n_clusters, rng, int(params["bootstrap_rounds"])),
        }
    chosen = params["representation"]
    buffer = io.BytesIO()
    np.savez(
        buffer,
        material_ids=features["material_ids"],
        representation=np.array(chosen),
        labels=labels[chosen],
        linkage=linkages[chosen],
        **{f"labels_{name}": values for name, values in labels.items()},
        **{f"linkage_{name}": values for name, values in linkages.items()},
    )
    write_bytes_atomic(Path(params["output"]), buffer.getvalue())
    write_json_atomic(params["metrics"], {"n_clusters": n_clusters, "representation": chosen, "quality": quality})
    best = min(quality, key=lambda name: quality[name]["ratio_to_random"])
    return (
        f"cluster: {len(labels[chosen])} materials into {n_clusters} clusters by {chosen}; "
        f"most spectrally coherent representation: {best} -> {params['output']}"
    )


if __name__ == "__main__":
    stage_main(run, __doc__)

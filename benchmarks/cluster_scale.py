"""Benchmark of the cluster stage at the study's scale: 2,681 materials, 96 clusters, every representation.

    python benchmarks/cluster_scale.py [--materials 2681] [--out benchmarks/cluster_scale.json]

Before the paper's data arrive, the features are synthetic with the study's
dimensions (4 ALIGNN + 4 GCN layers and the pooled vector of width 64, the
predicted and reference spectra of 1501 points): Gaussian blobs around 96
centres, so that the quality measures see clusters. The cluster stage itself
(``python -m stages.cluster``, the paper profile's cluster settings: 200
permutations, 20 bootstrap rounds) runs in its own process; its wall time, CPU
time and peak resident memory are recorded. Target: 5 minutes and 4 GB.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

import numpy as np
import yaml
from measure import machine, run_measured

ROOT = Path(__file__).parents[1]
WIDTHS = {**{f"alignn_{i}": 64 for i in range(1, 5)}, **{f"gcn_{i}": 64 for i in range(1, 5)}, "pooled": 64}


def synthetic_features(materials: int, centres: int, seed: int) -> dict[str, np.ndarray]:
    rng = np.random.default_rng(seed)
    membership = rng.integers(0, centres, size=materials)
    features = {
        name: rng.normal(size=(centres, width))[membership] * 3 + rng.normal(size=(materials, width))
        for name, width in WIDTHS.items()
    }
    energies = np.linspace(0, 15, 1501)
    onsets = rng.uniform(1, 8, size=centres)[membership] + rng.normal(scale=0.3, size=materials)
    reference = 2 + 4 / (1 + np.exp(-(energies[None, :] - onsets[:, None]) / 0.4))
    features["reference"] = reference.astype(np.float32)
    features["predicted"] = (reference + rng.normal(scale=0.1, size=reference.shape)).astype(np.float32)
    return {name: values.astype(np.float32) for name, values in features.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--materials", type=int, default=2681)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "cluster_scale.json")
    arguments = parser.parse_args()
    from specgroups.io.atomic import write_json_atomic
    from specgroups.io.layout import ProfileLayout
    from specgroups.io.outputs import write_arrays
    from specgroups.io.params import profile_params

    cluster = profile_params(ROOT / "profiles/paper", ROOT)["cluster"]
    with tempfile.TemporaryDirectory(prefix="specgroups-cluster-scale-") as scratch:
        scratch = Path(scratch)
        features = synthetic_features(arguments.materials, int(cluster["n_clusters"]), arguments.seed)
        write_arrays(
            ProfileLayout.of(scratch).features,
            material_ids=np.array([f"m{i}" for i in range(arguments.materials)]),
            **features,
        )
        (scratch / "params.yaml").write_text(yaml.safe_dump({"cluster": cluster}))
        summary, usage = run_measured([sys.executable, "-m", "stages.cluster", "--profile", str(scratch)], 1, ROOT)
    result = {
        "machine": machine(),
        "materials": arguments.materials,
        "n_clusters": int(cluster["n_clusters"]),
        "representations": {name: int(values.shape[1]) for name, values in features.items()},
        "permutations": int(cluster["permutations"]),
        "bootstrap_rounds": int(cluster["bootstrap_rounds"]),
        **usage,
        "target_wall_s": 300,
        "target_peak_rss_mb": 4096,
        "stage_summary": summary.strip().splitlines()[-1],
    }
    write_json_atomic(arguments.out, result)
    print(
        f"cluster at scale: {result['wall_s']} s wall, {result['cpu_s']} CPU-s, {result['peak_rss_mb']} MB -> {arguments.out}"
    )


if __name__ == "__main__":
    main()

"""How reproducible the clusters are across retraining, and what an ensemble costs against one model.

    python benchmarks/ensemble.py [--members 16] [--epochs 20] [--workers 2] [--counts 6,12,24]
                                  [--out benchmarks/ensemble.json]

On the default profile's dataset and graphs (run ``dvc repro dvc.yaml`` first) it trains ``--members`` models
(:mod:`specgroups.model.ensemble`: seeds ``train.seed + k``, member ``k >= 1`` with its own validation split),
``--workers`` at a time, for ``--epochs`` epochs, and extracts every member's features. Side by side in this
run: the wall time of member 0 alone (one process) and of the whole ensemble, as a ratio.

Then, for every representation and cluster count (:mod:`specgroups.analysis.consensus`): the seed-to-seed ARI
(two single models), the split-half consensus ARI for ensembles of 1 .. members/2 models each (two disjoint
ensembles, 20 random partitions), the consensus stability and PAC, and the ARI of the consensus with the Ward
clusters of the reference spectra; and the study's group tested directly at each count: the share of members
in which at least 9 of the 11 ``isolated_alkali`` V5+/Cr6+ oxides share one cluster, and their mean
co-association. Test MAE and best epoch of every member are recorded.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from measure import machine
from sklearn.metrics import adjusted_rand_score

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from specgroups.analysis.clustering import cluster_labels, ward_linkage  # noqa: E402
from specgroups.analysis.consensus import consensus_of, split_half_curve  # noqa: E402
from specgroups.io.atomic import write_json_atomic  # noqa: E402
from specgroups.io.dataset import read_dataset  # noqa: E402
from specgroups.io.layout import ProfileLayout  # noqa: E402
from specgroups.io.outputs import read_interpretation  # noqa: E402
from specgroups.io.params import profile_params, settings_from  # noqa: E402
from specgroups.model.ensemble import EnsembleSettings, fit_ensemble  # noqa: E402
from specgroups.model.features import EmbedSettings  # noqa: E402
from specgroups.model.fit import ModelSource  # noqa: E402
from specgroups.model.training import TrainingSettings  # noqa: E402
from specgroups.study.group import GROUP, group_rows, mean_pair_coassociation, share_holding_quorum  # noqa: E402

REPRESENTATIONS = ("alignn_1", "alignn_2", "gcn_1", "gcn_2", "pooled", "predicted")
GROUP_QUORUM = 9


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--members", type=int, default=16)
    parser.add_argument("--epochs", type=int, default=20)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--counts", default="6,12,24")
    parser.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "ensemble.json")
    arguments = parser.parse_args()
    layout = ProfileLayout.of(ROOT)
    params = profile_params(ROOT, ROOT)
    dataset = read_dataset(layout.dataset)
    settings = settings_from(TrainingSettings, params["train"], "train")
    source = settings_from(ModelSource, params["train"], "train")
    embed = settings_from(EmbedSettings, params["embed"], "embed")
    threshold = float(params["dataset"]["onset_threshold"])
    one = EnsembleSettings(members=1, workers=1, epochs=arguments.epochs)
    start = time.perf_counter()
    fit_ensemble(dataset, layout.graphs, source, settings, threshold, one, embed)
    single_s = time.perf_counter() - start
    ensemble = EnsembleSettings(members=arguments.members, workers=arguments.workers, epochs=arguments.epochs)
    start = time.perf_counter()
    members = fit_ensemble(dataset, layout.graphs, source, settings, threshold, ensemble, embed)
    ensemble_s = time.perf_counter() - start

    oxides = read_interpretation(layout.interpretation).contrast_oxides
    group = group_rows(oxides, dataset.ids)
    reference = dataset.spectra
    counts = [int(count) for count in arguments.counts.split(",")]
    clusterings = {}
    for name in REPRESENTATIONS:
        for count in counts:
            consensus = consensus_of([features[name] for _, features in members], count)
            summary = consensus.summary()
            clusterings[f"{name}/{count}"] = {
                "seed_to_seed_ari": summary["seed_to_seed_ari"],
                "split_half_consensus_ari": split_half_curve(consensus.member_labels, count, seed=0, partitions=20),
                "stability": summary["stability"],
                "pac": summary["pac"],
                "ari_with_reference_spectra_clusters": adjusted_rand_score(
                    consensus.labels, cluster_labels(ward_linkage(reference), count)
                ),
                "group_shares_one_cluster_in_members": share_holding_quorum(
                    consensus.member_labels, group, GROUP_QUORUM
                ),
                "group_mean_coassociation": mean_pair_coassociation(consensus.coassociation, group),
            }
    result = {
        "machine": machine(),
        "materials": len(dataset.ids),
        "members": arguments.members,
        "epochs": arguments.epochs,
        "workers": arguments.workers,
        "single_model_wall_s": round(single_s, 1),
        "ensemble_wall_s": round(ensemble_s, 1),
        "ensemble_over_single": round(ensemble_s / single_s, 2),
        "group": {"class": GROUP, "materials": len(group), "quorum": GROUP_QUORUM},
        "member_evaluation": [
            {
                "member": k,
                "test_mae": fitted.evaluation["spectrum_mae"]["test"],
                "onset_r2_test": fitted.evaluation["onset_r2_test"],
                "best_epoch": fitted.result.best_epoch,
            }
            for k, (fitted, _) in enumerate(members)
        ],
        "clusterings": clusterings,
    }
    write_json_atomic(arguments.out, result)
    print(
        f"ensemble: {arguments.members} members in {ensemble_s:.0f} s against {single_s:.0f} s for one -> {arguments.out}"
    )


if __name__ == "__main__":
    main()

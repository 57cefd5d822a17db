"""Stage `scan`: every representation at every cluster count, measured, and the rule's choice of both."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from specgroups.atomic import read_json, write_csv_atomic, write_json_atomic
from specgroups.chemistry import FEATURE_KINDS, feature_parents, feature_table
from specgroups.dataset import read_dataset
from specgroups.features import load_features
from specgroups.guidelines import guideline_materials
from specgroups.scan import ScanSettings, SelectionRule, cluster_scan
from stages._common import load_params, stage_main


def run(arguments) -> str:
    params, chemistry = load_params(arguments.params, "scan"), load_params(arguments.params, "chemistry")
    dataset, features, clusters = read_dataset(params["dataset"]), load_features(params["features"]), load_features(params["clusters"])
    records, split_rule = read_json(Path(params["chemistry"]) / "materials.json"), chemistry["guidelines"]
    usable, rows, names, matrix = feature_table(records, dataset.ids)
    environments = matrix[:, [FEATURE_KINDS["environments"](name) for name in names]]
    representations = [name for name in features if name not in ("material_ids", "split")]
    settings = ScanSettings(int(params["permutations"]), int(params["stability_rounds"]), int(params["guideline_rounds"]), int(chemistry["min_count"]),
                            float(chemistry["max_q_value"]), float(split_rule["interval_level"]), int(params["seed"]))
    scan = cluster_scan({name: features[name] for name in representations}, {name: clusters[f"linkage_{name}"] for name in representations},
                        [int(count) for count in params["counts"]], features["reference"], environments, rows,
                        lambda labels: guideline_materials(dataset.materials, rows, names, matrix, labels, split_rule["derivation_splits"], split_rule["held_out_splits"]),
                        feature_parents([records[m] for m in usable]), settings)
    rule = SelectionRule(tuple(params["rule"]["candidates"]), *(float(params["rule"][key]) for key in ("min_mean_cluster_size", "min_bootstrap_ari", "max_spectral_coherence_ratio")))
    picked = rule.pick(scan)
    used = {"representation": str(clusters["representation"]), "n_clusters": int(len(np.unique(clusters["labels"])))}
    shown = picked["representation"] if picked else used["representation"]
    write_csv_atomic(params["plot"], scan[scan["representation"] == shown].drop(columns="representation"), "%.6g")
    write_json_atomic(params["results"], {"rule": params["rule"], "picked": picked, "used": used, "follows_rule": picked == used, "scan": scan.to_dict("records")})
    choice = f"{picked['representation']} with {picked['n_clusters']} clusters" if picked else "none (no clustering qualifies)"
    return (f"scan: {len(scan)} clusterings ({len(representations)} representations x {len(params['counts'])} counts); the rule picks "
            f"{choice}; the cluster stage uses {used['representation']} with {used['n_clusters']}")


if __name__ == "__main__":
    stage_main(run, __doc__)

"""Stage `scan`: the consensus clusters of every representation at every cluster count, and of the baselines,
measured; and the rule's pick, which the cluster stage then uses."""

from __future__ import annotations

from specgroups.analysis.interpret import InterpretSettings
from specgroups.analysis.scan import ScanPlan, scan_clusterings
from specgroups.io.atomic import write_csv_atomic, write_json_atomic
from specgroups.io.dataset import read_dataset
from specgroups.io.outputs import (
    read_chemistry,
    read_ensemble_features,
    read_pretrained_features,
    write_clustering_choice,
)
from stages._common import stage_main


def run(profile) -> str:
    layout, plan = profile.layout, profile.settings(ScanPlan, "scan")
    dataset, records = read_dataset(layout.dataset), read_chemistry(layout.chemistry)
    ensemble = read_ensemble_features(layout.ensemble_features, dataset.ids)
    pretrained = read_pretrained_features(layout.pretrained_features, dataset.ids)
    guidelines = profile.settings(InterpretSettings, "interpret")
    scan, picked = scan_clusterings(
        dataset.materials, dataset.ids, ensemble, dataset.spectra, records, pretrained, plan, guidelines
    )
    shown = scan[scan["representation"] == (picked.representation if picked else plan.rule.candidates[0])]
    write_csv_atomic(layout.plot("n_clusters_scan.csv"), shown.drop(columns="representation"), "%.6g")
    picked_dict = {"representation": picked.representation, "n_clusters": picked.n_clusters} if picked else None
    rule = profile.section("scan")["rule"]
    write_json_atomic(layout.results("scan"), {"rule": rule, "picked": picked_dict, "scan": scan.to_dict("records")})
    write_clustering_choice(layout.clustering_choice, picked)
    choice = (
        f"{picked.representation} with {picked.n_clusters} clusters" if picked else "none (no clustering qualifies)"
    )
    count = len(set(scan["representation"]))
    return (
        f"scan: {len(scan)} clusterings ({count} representations x {len(plan.counts)} counts); the rule picks {choice}"
    )


if __name__ == "__main__":
    stage_main(run, __doc__)

"""Stage `interpret`: what the clusters say: enrichment, validated design guidelines, chemical coherence, and the
study's V5+/Cr6+ contrast on the same clusters, with the study's group tested across the ensemble's members."""

from __future__ import annotations

import numpy as np

from specgroups.analysis.clustering import ClusterSettings
from specgroups.analysis.crossvalidation import material_families
from specgroups.analysis.interpret import InterpretSettings, interpret_clusters
from specgroups.io.dataset import read_dataset
from specgroups.io.metrics import interpret_metrics, write_results
from specgroups.io.outputs import (
    Interpretation,
    read_chemistry,
    read_clusters,
    write_interpretation,
)
from specgroups.study.contrast import CONTRAST_COLUMNS, headline_contrast, onset_differences, oxides
from specgroups.study.group import group_across_members
from stages._common import stage_main


def run(profile) -> str:
    settings, layout = profile.settings(InterpretSettings, "interpret"), profile.layout
    dataset, records = read_dataset(layout.dataset), read_chemistry(layout.chemistry)
    clusters = read_clusters(layout.clusters, dataset.ids)
    families = material_families({m: dataset.structures[m] for m in dataset.ids})
    found = interpret_clusters(dataset.materials, dataset.ids, records, clusters, families, settings)
    rng = np.random.default_rng(settings.seed)
    labels, linkage = clusters["labels"], clusters["linkage"]
    environments, contrast = headline_contrast(
        records, dataset.materials, labels, linkage, rng, settings.bootstrap_rounds, families
    )
    oxide_table = oxides(environments)[CONTRAST_COLUMNS]
    stable_core = profile.settings(ClusterSettings, "cluster").stable_core
    contrast["group"] = group_across_members(oxide_table, dataset, clusters, settings.group_quorum, stable_core)
    interpretation = Interpretation(found.enrichment, found.clusters, found.guidelines, oxide_table, contrast)
    write_interpretation(layout.interpretation, interpretation)
    write_results(layout, "interpret", {**found.summary, "headline": contrast}, interpret_metrics)
    pair = contrast["pair"] and [contrast["pair"]["isolated_alkali_cluster"], contrast["pair"]["other_cluster"]]
    return (
        f"interpret: {len(found.guidelines)} guidelines ({found.summary['guideline_validation']['held']} held out of sample); "
        f"onset isolated_alkali - elsewhere (eV) {onset_differences(contrast)}; pair of clusters {pair}"
    )


if __name__ == "__main__":
    stage_main(run, __doc__)

"""Stage `chemistry`: per-material chemistry, per-cluster enrichment, validated design guidelines, and the
study's headline contrast."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from specgroups.atomic import write_csv_atomic, write_json_atomic
from specgroups.chemistry import FEATURE_KINDS, chemistry_of_materials, feature_parents, feature_table
from specgroups.clustering import chemical_coherence_by_kind, nearest_clusters
from specgroups.contrast import CONTRAST_COLUMNS, headline_contrast, oxides
from specgroups.dataset import read_dataset
from specgroups.errors import InputError
from specgroups.features import load_features
from specgroups.guidelines import cluster_summaries, guideline_materials, validated_guidelines
from specgroups.metrics import chemistry_metrics, write_results
from stages._common import load_params, stage_main


def run(arguments) -> str:
    params = load_params(arguments.params, "chemistry")
    dataset, clusters, rule = read_dataset(params["dataset"]), load_features(params["clusters"]), params["guidelines"]
    if list(clusters["material_ids"]) != dataset.ids:
        raise InputError(f"{params['clusters']}: its materials differ from those of {params['dataset']}")
    labels, table, seed, max_q, rounds, level = clusters["labels"], dataset.materials, int(params["seed"]), float(params["max_q_value"]), int(params["bootstrap_rounds"]), float(rule["interval_level"])
    records = chemistry_of_materials(dataset.structures, params["cache"], int(params["workers"]))
    usable, rows, names, matrix = feature_table(records, dataset.ids)
    materials = guideline_materials(table, rows, names, matrix, labels, rule["derivation_splits"], rule["held_out_splits"])
    enriched, guidelines, validation = validated_guidelines(materials, feature_parents([records[m] for m in usable]), nearest_clusters(clusters["linkage"], labels),
                                                           int(params["min_count"]), max_q, level, np.random.default_rng(seed), rounds)
    output = Path(params["output"])
    write_csv_atomic(output / "enrichment.csv", enriched, "%.4g")
    write_json_atomic(output / "clusters.json", cluster_summaries(table, labels, enriched, max_q))
    write_json_atomic(output / "guidelines.json", guidelines)
    write_json_atomic(output / "materials.json", records)
    environments, headline = headline_contrast(records, table, labels, clusters["linkage"], np.random.default_rng(seed), rounds)
    write_csv_atomic(output / "contrast.csv", oxides(environments)[CONTRAST_COLUMNS])
    representation_labels = {key.removeprefix("labels_"): clusters[key][rows] for key in sorted(clusters) if key.startswith("labels_")}
    summary = {"materials": len(dataset.ids), "representation": str(clusters["representation"]), "chemistry_failed": {m: r["error"] for m, r in records.items() if "error" in r},
               "enrichment_tests": len(enriched), "max_q_value": max_q, "significant": int((enriched.q_value <= max_q).sum()), "headline": headline,
               "guidelines": [g["statement"] for g in guidelines], "guideline_validation": validation,
               "chemical_coherence": chemical_coherence_by_kind(matrix, names, FEATURE_KINDS, representation_labels, seed, int(params["permutations"]))}
    write_results(params, summary, chemistry_metrics)
    onsets = {cation: round(entry["onset_energy_ev"]["differences"]["isolated_alkali - elsewhere"]["difference"], 2) for cation, entry in headline["by_cation"].items()}
    return (f"chemistry: {len(usable)} materials, {len(guidelines)} guidelines ({summary['guideline_validation']['held']} held out of sample); onset isolated_alkali - elsewhere (eV) "
            f"{onsets}; pair of clusters {headline['pair'] and [headline['pair']['isolated_alkali_cluster'], headline['pair']['other_cluster']]}")


if __name__ == "__main__":
    stage_main(run, __doc__)

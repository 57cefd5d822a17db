"""Stage `chemistry`: per-material chemistry, per-cluster enrichment, and the study's headline contrast."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
from pymatgen.core import Structure

from specgroups.atomic import atomic_path, write_json_atomic
from specgroups.chemistry import headline_class, material_chemistry, site_features
from specgroups.dataset import read_dataset
from specgroups.clustering import chemical_coherence, sibling_pairs
from specgroups.enrichment import contrast, difference_with_interval, enrichment, feature_matrix
from specgroups.features import load_features
from specgroups.errors import InputError
from specgroups.parallel import map_cached
from specgroups.structures import structure_fingerprint
from stages._common import load_params, stage_main

CACHE_CONTEXT = {"analysis": "chemistry", "version": 1}


def chemistry_record(structure_dict: dict, material_id: str) -> dict:
    """One material's chemistry, or its error (the batch goes on)."""
    try:
        return material_chemistry(Structure.from_dict(structure_dict), material_id)
    except Exception as error:  # ChemEnv and BVAnalyzer fail in many ways on odd structures
        return {"id": material_id, "error": f"{type(error).__name__}: {error}"}


def headline(records: dict, table: pd.DataFrame, labels: np.ndarray, rng: np.random.Generator) -> dict:
    """V5+/Cr6+ in isolated tetrahedra among alkali ions vs in other environments: clusters and onsets."""
    classes = {material_id: headline_class(records[material_id]) for material_id in table["id"] if "error" not in records[material_id]}
    groups = {name: [i for i, material_id in enumerate(table["id"]) if classes.get(material_id) == name] for name in ("isolated_alkali", "other")}
    clusters = {name: sorted({int(labels[i]) for i in rows}) for name, rows in groups.items()}
    onsets = table["onset_energy_ev"].to_numpy()
    shared = sorted(set(clusters["isolated_alkali"]) & set(clusters["other"]))
    # purity: fraction of headline materials whose cluster holds no headline material of the other class
    pure = sum(int(labels[i]) not in shared for rows in groups.values() for i in rows)
    total = sum(len(rows) for rows in groups.values())
    return {
        "members": {name: [table["formula"].iloc[i] for i in rows] for name, rows in groups.items()},
        "clusters": clusters,
        "clusters_holding_both": shared,
        "separation_purity": pure / total if total else float("nan"),
        "onset_isolated_alkali_minus_other_ev": difference_with_interval(onsets[groups["isolated_alkali"]], onsets[groups["other"]], rng),
    }


FEATURE_KINDS = {
    "elements": lambda name: name.startswith("element "),
    "oxidation_states": lambda name: " " not in name,
    "environments": lambda name: ":" in name,
}


def coherence_by_representation(clusters: dict, rows: np.ndarray, names: list[str], matrix: np.ndarray, params: dict) -> dict:
    """Chemical coherence (elements, oxidation states, environments) of every representation's clusters."""
    result = {}
    for key in sorted(k for k in clusters if k.startswith("labels_")):
        labels = clusters[key][rows]
        result[key.removeprefix("labels_")] = {
            kind: chemical_coherence(matrix[:, [select(n) for n in names]], labels, np.random.default_rng(int(params["seed"])), int(params["permutations"]))
            for kind, select in FEATURE_KINDS.items()
        }
    return result


def guideline(pair: tuple[int, int], result: dict, max_q_value: float) -> dict:
    """One ranked statement: the features that separate two clusters, and their onset difference."""
    a, b = pair
    separating = [row for row in result["features"] if row["q_value"] <= max_q_value]
    onset = result["onset_a_minus_b_ev"]
    parts = [f"{row['feature']}: {row['in_a']}/{result['size_a']} vs {row['in_b']}/{result['size_b']}" for row in separating[:3]]
    text = (
        f"clusters {a} vs {b}: " + ("; ".join(parts) if parts else "no feature separates them at this q")
        + f"; onset {onset['difference']:+.2f} eV (95% CI {onset['ci95'][0]:+.2f} to {onset['ci95'][1]:+.2f})"
    )
    best = separating[0]["p_value"] if separating else 1.0
    return {"clusters": [a, b], "statement": text, "separating_features": separating, "onset_a_minus_b_ev": onset, "best_p_value": best}


def run(arguments) -> str:
    params = load_params(arguments.params, "chemistry")
    dataset = read_dataset(params["dataset"])
    clusters = load_features(params["clusters"])
    if list(clusters["material_ids"]) != dataset.ids:
        raise InputError(f"{params['clusters']}: its materials differ from those of {params['dataset']}")
    labels = clusters["labels"]
    keys = {m: structure_fingerprint(Structure.from_dict(dataset.structures[m]), CACHE_CONTEXT) for m in dataset.ids}
    tasks = {keys[material_id]: (dataset.structures[material_id], material_id) for material_id in dataset.ids}
    by_key = map_cached(chemistry_record, tasks, params["cache"], int(params["workers"]), "chemistry")
    records = {material_id: {**by_key[keys[material_id]], "id": material_id} for material_id in dataset.ids}
    failed = {material_id: r["error"] for material_id, r in records.items() if "error" in r}

    table = dataset.materials
    usable = [material_id for material_id in dataset.ids if material_id not in failed]
    rows = np.array([dataset.ids.index(material_id) for material_id in usable], dtype=int)
    names, matrix = feature_matrix({m: site_features(records[m]) for m in usable}, usable)
    enriched = enrichment(names, matrix, labels[rows], int(params["min_count"]))
    output = Path(params["output"])
    with atomic_path(output / "enrichment.csv") as temporary:
        enriched.to_csv(temporary, index=False, float_format="%.4g")
    summaries = {}
    for cluster in sorted(set(labels.tolist())):
        members = np.flatnonzero(labels == cluster)
        top = enriched[(enriched.group == cluster) & (enriched.q_value <= float(params["max_q_value"]))]
        summaries[int(cluster)] = {
            "members": table["id"].iloc[members].tolist(),
            "formulas": table["formula"].iloc[members].tolist(),
            "onset_energy_ev": {"mean": float(table["onset_energy_ev"].iloc[members].mean()), "std": float(table["onset_energy_ev"].iloc[members].std())},
            "absorption_edge_integral": {"mean": float(table["absorption_edge_integral"].iloc[members].mean()), "std": float(table["absorption_edge_integral"].iloc[members].std())},
            "enriched": top[["feature", "in_group", "group_size", "fraction_in_total", "odds_ratio", "q_value"]].to_dict("records"),
        }
    write_json_atomic(output / "clusters.json", summaries)
    usable_labels, onsets_usable = labels[rows], table["onset_energy_ev"].to_numpy()[rows]
    pairs = sibling_pairs(clusters["linkage"], labels) + [tuple(pair) for pair in params.get("contrast_pairs") or []]
    rng = np.random.default_rng(int(params["seed"]))
    guidelines = sorted(
        (
            guideline(pair, contrast(names, matrix, usable_labels == pair[0], usable_labels == pair[1], onsets_usable, rng), float(params["max_q_value"]))
            for pair in pairs
        ),
        key=lambda g: (g["best_p_value"], -abs(g["onset_a_minus_b_ev"]["difference"] or 0.0)),
    )
    write_json_atomic(output / "guidelines.json", guidelines)
    write_json_atomic(output / "materials.json", records)
    result = headline(records, table, labels, np.random.default_rng(int(params["seed"])))
    metrics = {"materials": len(dataset.ids), "chemistry_failed": failed, "enrichment_tests": len(enriched),
               "significant": int((enriched.q_value <= float(params["max_q_value"])).sum()), "headline": result,
               "guidelines": [g["statement"] for g in guidelines],
               "chemical_coherence": coherence_by_representation(clusters, rows, names, matrix, params)}
    write_json_atomic(params["metrics"], metrics)
    difference = result["onset_isolated_alkali_minus_other_ev"]
    return (
        f"chemistry: {len(usable)} materials, {metrics['significant']} enriched features (q <= {params['max_q_value']}); "
        f"headline onset difference {difference['difference']:.2f} eV (n={difference['n']}), purity {result['separation_purity']:.2f}"
    )


if __name__ == "__main__":
    stage_main(run, __doc__)

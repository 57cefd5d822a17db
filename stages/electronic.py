"""Stage `electronic`: how far the CBM spreads in every V5+/Cr6+ oxide, by environment class, and the CBM of
a representative of each side of the contrasted pair of clusters (GPAW).

The study's claim: with V5+/Cr6+ in isolated tetrahedra among alkali ions the conduction-band minimum is
localised on the tetrahedra; with the same cations in other environments it spreads through the crystal.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from specgroups.atomic import read_json, write_csv_atomic
from specgroups.contrast import representatives
from specgroups.dataset import read_dataset
from specgroups.features import load_features
from specgroups.firstprinciples.electronic import representative_states
from specgroups.firstprinciples.results import load_results
from specgroups.firstprinciples.settings import OpticsSettings
from specgroups.mechanism import like_for_like, localisation_by_class, localisation_table
from specgroups.metrics import electronic_metrics, write_results
from stages._common import load_params, stage_main


def run(arguments) -> str:
    params = load_params(arguments.params, "electronic")
    out_dir = Path(params["output"])
    out_dir.mkdir(parents=True, exist_ok=True)
    if not params["enabled"]:
        write_results(params, {"enabled": False, "representation": None, "representatives": {}, "localisation": {}, "like_for_like": []}, electronic_metrics)
        return f"electronic: not computed (electronic.enabled is false) -> {params['results']}"
    dataset, contrast = read_dataset(params["dataset"]), pd.read_csv(Path(params["chemistry"]) / "contrast.csv")
    formulas = dict(zip(dataset.materials["id"], dataset.materials["formula"]))
    table = localisation_table(contrast, load_results(Path(params["localisation"])) if params["localisation"] else {}, formulas)
    write_csv_atomic(out_dir / "localisation.csv", table, "%.4g")
    rng = np.random.default_rng(int(params["seed"]))
    clusters, features = load_features(params["clusters"]), load_features(params["features"])
    representation = str(clusters["representation"])
    vectors = dict(zip(features["material_ids"].tolist(), features[representation]))
    pair = read_json(params["chemistry_results"])["headline"]["pair"]
    picked = representatives(pair, contrast, dataset.materials, clusters["labels"], params.get("representatives") or {}, int(params["max_sites"]), vectors)
    results = representative_states(picked, dataset.structures, OpticsSettings.from_params(params["gpaw"]), float(params["bond_cutoff"]), float(params["radius"]),
                                    out_dir, f"no {{side}} oxide with at most {params['max_sites']} sites on its side of the pair")
    summary = {"enabled": True, "representation": representation, "pair": pair, "representatives": results,
               "localisation": localisation_by_class(table, rng, int(params["bootstrap_rounds"])), "like_for_like": like_for_like(table, params["like_for_like"]),
               "not_computed": table.loc[table["status"] != "ok", ["id", "status"]].to_dict("records")}
    write_results(params, summary, electronic_metrics)
    return f"electronic: {int((table['status'] == 'ok').sum())} of {len(table)} V5+/Cr6+ oxides with their CBM localisation; representatives {picked} -> {params['results']}"


if __name__ == "__main__":
    stage_main(run, __doc__)

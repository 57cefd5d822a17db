"""Stage `electronic`: where the CBM lives in representatives of the two contrasted groups (GPAW).

The study's claim: with V5+/Cr6+ in isolated tetrahedra among alkali ions the
conduction-band minimum is localised on the tetrahedra; with the same cations
in other environments it spreads through the crystal.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
from pymatgen.core import Structure

from specgroups.atomic import read_json
from specgroups.contrast import cbm_comparison, representatives
from specgroups.dataset import read_dataset
from specgroups.features import load_features
from specgroups.firstprinciples.electronic import band_edge_localisation
from specgroups.firstprinciples.settings import OpticsSettings
from specgroups.metrics import electronic_metrics, write_results
from stages._common import load_params, stage_main


def run(arguments) -> str:
    params = load_params(arguments.params, "electronic")
    out_dir = Path(params["output"])
    out_dir.mkdir(parents=True, exist_ok=True)
    if not params["enabled"]:
        write_results(params, {"enabled": False, "representation": None, "representatives": {}, "comparison": None}, electronic_metrics)
        return f"electronic: not computed (electronic.enabled is false) -> {params['results']}"
    settings = OpticsSettings.from_params(params["gpaw"])
    dataset, records = read_dataset(params["dataset"]), read_json(Path(params["chemistry"]) / "materials.json")
    with np.load(params["clusters"], allow_pickle=False) as clusters:
        representation = str(clusters["representation"])
    features = load_features(params["features"])
    vectors = dict(zip(features["material_ids"].tolist(), features[representation]))
    picked = representatives(records, dataset.materials, params.get("representatives") or {}, int(params["max_sites"]), vectors)
    results = {}
    for group, material_id in picked.items():
        if material_id is None:
            results[group] = {"material": None, "reason": f"no {group} material with at most {params['max_sites']} sites in the dataset"}
            continue
        structure = Structure.from_dict(dataset.structures[material_id])
        cube = out_dir / f"{material_id}_cbm_density.cube"
        results[group] = {"material": material_id, **band_edge_localisation(structure, settings, float(params["bond_cutoff"]), float(params["radius"]), cube)}
    summary = {"enabled": True, "representation": representation, "representatives": results, "comparison": cbm_comparison(results)}
    write_results(params, summary, electronic_metrics)
    line = ", ".join(f"{g}: {r['formula']} CBM IPR {r['cbm']['inverse_participation_ratio']:.2f}" if r.get("material") else f"{g}: none" for g, r in results.items())
    return f"electronic: {line} -> {params['results']}"


if __name__ == "__main__":
    stage_main(run, __doc__)

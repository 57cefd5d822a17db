"""Stage `electronic`: where the CBM lives in representatives of the two contrasted groups (GPAW).

The study's claim: with V5+/Cr6+ in isolated tetrahedra among alkali ions the
conduction-band minimum is localised on the tetrahedra; with the same cations
in other environments it spreads through the crystal.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
from pymatgen.core import Structure

from specgroups.atomic import atomic_path, read_json, write_json_atomic
from specgroups.chemistry import headline_class
from specgroups.clustering import by_centrality
from specgroups.dataset import read_dataset
from specgroups.errors import InputError
from specgroups.features import load_features
from specgroups.firstprinciples.electronic import band_edge_states, state_density
from specgroups.firstprinciples.selection import HEADLINE_ELEMENTS
from specgroups.firstprinciples.settings import OpticsSettings
from stages._common import load_params, stage_main

GROUPS = ("isolated_alkali", "other")


def representatives(records: dict, dataset, chosen: dict, max_sites: int, vectors: dict[str, np.ndarray]) -> dict[str, str | None]:
    """The material of each group: from params, else the group's most central member (nearest the mean of
    the group's features in the clustering representation) among those with at most ``max_sites`` sites."""
    table = dataset.materials.set_index("id")
    picked = {}
    for group in GROUPS:
        if chosen.get(group):
            if chosen[group] not in table.index:
                raise InputError(f"params: electronic representative {chosen[group]!r} is not in the dataset")
            picked[group] = chosen[group]
            continue
        members = [m for m in dataset.ids if "error" not in records[m] and headline_class(records[m]) == group]
        if not members:
            picked[group] = None
            continue
        central = [members[i] for i in by_centrality(np.stack([vectors[m] for m in members]))]
        small = [m for m in central if int(table.loc[m, "nsites"]) <= max_sites]
        picked[group] = small[0] if small else None
    return picked


def tetrahedron_atoms(structure: Structure, bond_cutoff: float) -> list[int]:
    """Indices of every V/Cr site and the anions bonded to it."""
    atoms = set()
    for index, site in enumerate(structure):
        if site.specie.symbol in HEADLINE_ELEMENTS:
            atoms.add(index)
            atoms.update(neighbour.index for neighbour in structure.get_neighbors(site, bond_cutoff))
    return sorted(atoms)


def analyse(material_id: str, structure: Structure, settings: OpticsSettings, params: dict, out_dir: Path) -> dict:
    from ase.io import write

    atoms = tetrahedron_atoms(structure, float(params["bond_cutoff"]))
    vbm, cbm, calc = band_edge_states(structure, settings, atom_indices=atoms, radius=float(params["radius"]))
    index = [list(np.round(k, 6)) for k in calc.get_ibz_k_points()].index([round(x, 6) for x in cbm.kpoint])
    with atomic_path(out_dir / f"{material_id}_cbm_density.cube") as temporary:
        write(str(temporary), calc.get_atoms(), format="cube", data=state_density(calc, index, cbm.band))
    return {
        "formula": structure.composition.reduced_formula,
        "nsites": len(structure),
        "tetrahedron_atoms": atoms,
        "radius_a": float(params["radius"]),
        "vbm": vbm.__dict__,
        "cbm": cbm.__dict__,
        "cube_file": f"{material_id}_cbm_density.cube",
    }


def run(arguments) -> str:
    params = load_params(arguments.params, "electronic")
    out_dir = Path(params["output"])
    if not params["enabled"]:
        out_dir.mkdir(parents=True, exist_ok=True)
        write_json_atomic(params["metrics"], {"enabled": False, "representation": None, "representatives": {}, "comparison": None})
        return f"electronic: not computed (electronic.enabled is false) -> {params['metrics']}"
    settings = OpticsSettings.from_params(params["gpaw"])
    dataset = read_dataset(params["dataset"])
    records = read_json(Path(params["chemistry"]) / "materials.json")
    out_dir.mkdir(parents=True, exist_ok=True)
    with np.load(params["clusters"], allow_pickle=False) as clusters:
        representation = str(clusters["representation"])
    features = load_features(params["features"])
    vectors = dict(zip(features["material_ids"].tolist(), features[representation]))
    picked = representatives(records, dataset, params.get("representatives") or {}, int(params["max_sites"]), vectors)
    results = {}
    for group, material_id in picked.items():
        if material_id is None:
            results[group] = {"material": None, "reason": f"no {group} material with at most {params['max_sites']} sites in the dataset"}
            continue
        structure = Structure.from_dict(dataset.structures[material_id])
        results[group] = {"material": material_id, **analyse(material_id, structure, settings, params, out_dir)}
    computed = {g: r for g, r in results.items() if r.get("material")}
    comparison = None
    if len(computed) == 2:
        ipr = {g: r["cbm"]["inverse_participation_ratio"] for g, r in computed.items()}
        comparison = {
            "cbm_ipr_isolated_alkali_over_other": ipr["isolated_alkali"] / ipr["other"],
            "claim_cbm_more_localised_in_isolated_alkali": bool(ipr["isolated_alkali"] > ipr["other"]),
        }
    write_json_atomic(params["metrics"], {"enabled": True, "representation": representation, "representatives": results, "comparison": comparison})
    summary = ", ".join(
        f"{g}: {r['formula']} CBM IPR {r['cbm']['inverse_participation_ratio']:.2f}" if r.get("material") else f"{g}: none"
        for g, r in results.items()
    )
    return f"electronic: {summary} -> {params['metrics']}"


if __name__ == "__main__":
    stage_main(run, __doc__)

"""Benchmark of the chemistry stage's ChemEnv environments: the stage's computation against ChemEnv as is.

    python benchmarks/chemistry.py [--materials 0] [--out benchmarks/chemistry.json]
                                   [--reference benchmarks/chemenv_reference.json]

Every structure of data/sources (958 oxides and chalcogenides, 2-28
sites: the paper-scale benchmark's distinct structures), or a seeded draw of
``--materials`` of them. For each, in this one process: its oxidation states
(``specgroups.analysis.chemistry.oxidation_states``), then the environments of its
cations twice, interleaved: as the stage computes them
(``coordination_environments``: the symmetry measures of the neighbour set the
strategy reads, once per class of symmetry-equivalent sites) and with ChemEnv
as is (``every_neighbour_set=True``: every neighbour set's measures, the
stage's computation before), each timed with ``time.process_time``.

The JSON holds the CPU time of both per material (median, mean, total and
their ratio), and the agreement: the share of cation sites with the same
ChemEnv symbol, and with the same neighbours, and every site that differs.
``--reference`` receives ChemEnv-as-is environments ({id: {site: symbol}}),
against which ``benchmarks/paper_scale.py`` checks the chemistry of all 2,681
materials it builds from these structures.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import numpy as np
from measure import machine
from pymatgen.core import Structure
from shared_materials import shared_materials

from specgroups.analysis.chemistry import ANIONS, coordination_environments, oxidation_states

ROOT = Path(__file__).parents[1]


def draw(count: int, seed: int) -> list[tuple[str, Structure]]:
    """``count`` shared structures in a seeded draw (0: all of them, in their order)."""
    materials = shared_materials()
    chosen = (
        range(len(materials))
        if count == 0
        else sorted(np.random.default_rng(seed).choice(len(materials), size=count, replace=False))
    )
    return [(materials[i]["id"], Structure.from_dict(materials[i]["structure"])) for i in chosen]


def timed(function, *arguments, **options):
    start = time.process_time()
    return function(*arguments, **options), time.process_time() - start


def compare(material_id: str, structure: Structure) -> dict:
    """Both computations of one material's cation environments, their CPU seconds and their differences."""
    valences, _ = oxidation_states(structure, material_id)
    cations = [
        i
        for i, site in enumerate(structure)
        if site.specie.symbol not in ANIONS and (valences[i] is None or valences[i] > 0)
    ]
    stage, stage_s = timed(coordination_environments, structure, valences, cations)
    full, full_s = timed(coordination_environments, structure, valences, cations, every_neighbour_set=True)
    differences = [
        {
            "site": i,
            "element": structure[i].specie.symbol,
            "stage": stage[i]["environment"],
            "chemenv": full[i]["environment"],
            "same_neighbours": sorted(stage[i]["neighbours"]) == sorted(full[i]["neighbours"]),
        }
        for i in cations
        if stage[i] != full[i]
    ]
    return {
        "id": material_id,
        "nsites": len(structure),
        "cations": len(cations),
        "stage_cpu_s": round(stage_s, 3),
        "chemenv_cpu_s": round(full_s, 3),
        "differences": differences,
        "reference": {str(i): full[i]["environment"] for i in cations},
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--materials", type=int, default=0, help="a seeded draw of this many structures (0: all)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "chemistry.json")
    parser.add_argument("--reference", type=Path, default=ROOT / "benchmarks" / "chemenv_reference.json")
    arguments = parser.parse_args()
    from tqdm import tqdm

    from specgroups.io.atomic import write_json_atomic

    rows, failed = [], {}
    for material_id, structure in tqdm(
        draw(arguments.materials, arguments.seed), desc="chemistry benchmark", unit="material"
    ):
        try:
            rows.append(compare(material_id, structure))
        except Exception as error:  # the stage records such a material as failed; so does this
            failed[material_id] = f"{type(error).__name__}: {error}"
    if not rows:
        raise SystemExit(f"chemistry benchmark: every material failed: {failed}")
    stage = np.array([row["stage_cpu_s"] for row in rows])
    full = np.array([row["chemenv_cpu_s"] for row in rows])
    sites = sum(row["cations"] for row in rows)
    differing = [dict(difference, id=row["id"]) for row in rows for difference in row["differences"]]
    same_symbol = sites - sum(d["stage"] != d["chemenv"] for d in differing)
    same_neighbours = sites - sum(not d["same_neighbours"] for d in differing)
    result = {
        "machine": machine(),
        "materials": len(rows),
        "failed": failed,
        "cation_sites": sites,
        "cpu_s_per_material": {
            name: {
                "median": round(float(np.median(values)), 3),
                "mean": round(float(values.mean()), 3),
                "total": round(float(values.sum()), 1),
            }
            for name, values in (("stage", stage), ("chemenv_as_is", full))
        },
        "chemenv_as_is_over_stage": round(float(full.sum() / stage.sum()), 2),
        "agreement": {
            "same_environment": same_symbol / sites,
            "same_neighbours": same_neighbours / sites,
            "differing_sites": differing,
        },
        "rows": [
            {key: row[key] for key in ("id", "nsites", "cations", "stage_cpu_s", "chemenv_cpu_s")} for row in rows
        ],
    }
    write_json_atomic(arguments.out, result)
    write_json_atomic(arguments.reference, {row["id"]: row["reference"] for row in rows})
    print(
        f"chemistry: {len(rows)} materials, {sites} cation sites; ChemEnv as is {result['chemenv_as_is_over_stage']}x the stage's CPU time; "
        f"same environment {same_symbol}/{sites}, same neighbours {same_neighbours}/{sites} -> {arguments.out}"
    )


if __name__ == "__main__":
    main()

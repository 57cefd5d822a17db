"""Benchmark of the chemistry stage's per-material cost (ChemEnv), and what the paper's 2,681 materials would take.

    python benchmarks/chemistry.py [--materials 60] [--out benchmarks/chemistry.json]

A seeded draw of structures from ../shared/data/structures (oxides up to 16
sites and V/Cr oxides up to 28, chalcogenides up to 10: the size distribution
of the embedded set's sources). Each material's chemistry record
(``specgroups.chemistry.material_chemistry``: bond-valence oxidation states and
ChemEnv environments) is computed in this one process and its CPU time taken
with ``time.process_time``. The JSON holds every material's time, the median,
mean and 90th percentile, the power law of time against the number of sites,
and the projection to 2,681 materials on the chemistry stage's 2 workers.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import numpy as np
from measure import machine
from pymatgen.core import Structure
from shared_materials import shared_materials

from specgroups.chemistry import material_chemistry

ROOT = Path(__file__).parents[1]


def draw(count: int, seed: int) -> list[tuple[str, Structure]]:
    materials = shared_materials()
    chosen = np.random.default_rng(seed).choice(len(materials), size=count, replace=False)
    return [(materials[i]["id"], Structure.from_dict(materials[i]["structure"])) for i in sorted(chosen)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--materials", type=int, default=60)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "chemistry.json")
    arguments = parser.parse_args()
    from specgroups.atomic import write_json_atomic

    rows = []
    for material_id, structure in draw(arguments.materials, arguments.seed):
        start = time.process_time()
        try:
            material_chemistry(structure, material_id)
            status = "ok"
        except Exception as error:  # recorded as the stage records it
            status = f"{type(error).__name__}"
        rows.append({"id": material_id, "nsites": len(structure), "cpu_s": round(time.process_time() - start, 3), "status": status})
    cpu = np.array([row["cpu_s"] for row in rows])
    sites = np.array([row["nsites"] for row in rows])
    exponent, _ = np.polyfit(np.log(sites), np.log(cpu), 1)
    projected_cpu_h = float(cpu.mean()) * 2681 / 3600
    result = {
        "machine": machine(),
        "materials": len(rows),
        "cpu_s_per_material": {
            "median": round(float(np.median(cpu)), 2),
            "mean": round(float(cpu.mean()), 2),
            "p90": round(float(np.percentile(cpu, 90)), 2),
            "max": round(float(cpu.max()), 2),
        },
        "cpu_s_scale_as_sites_to_the": round(float(exponent), 2),
        "projected_2681_materials": {"cpu_hours": round(projected_cpu_h, 2), "wall_hours_on_2_workers": round(projected_cpu_h / 2, 2)},
        "rows": rows,
    }
    write_json_atomic(arguments.out, result)
    print(f"chemistry: median {result['cpu_s_per_material']['median']} CPU-s per material; "
          f"2,681 materials ~{result['projected_2681_materials']['wall_hours_on_2_workers']} h on 2 workers -> {arguments.out}")  # fmt: skip


if __name__ == "__main__":
    main()

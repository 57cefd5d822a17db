"""Benchmark of a first empty-band guess per cubic angstrom of the cell against the spectra's per atom.

    python benchmarks/empty_bands.py [--bands-per-a3 0.28] [--sample 16] [--seed 0] [--out benchmarks/empty_bands.json]

The spectra's first empty-band run takes ``gpaw.empty_bands_per_atom`` (5) empty bands per atom, and 90 of 298
non-metals needed a second run (1.5x the bands) to reach ``min_transitions_complete_ev``. This asks whether a
guess per volume would do better:

1. From the committed spectra (``data/demo/first_principles``, 5 per atom on density 2.0): per non-metal, its
   occupied bands (GPAW's valence electrons of its PAW datasets, halved), the converged empty bands of its last
   run (``calculation.converged_band_count``) and the energy above the VBM they reached, E. The states up to E
   number about V E^1.5 (free electrons), so ``scatter`` is the standard deviation of log(converged empty bands /
   (V E^1.5)) and of log(converged empty bands / (atoms E^1.5)). ``projection``: for each bands-per-cubic-angstrom
   value, how many materials the first run would leave short (the bands each needs, scaled from its own run as
   E^1.5) and the CPU hours of the set, each record's empty-band time scaled as nbands^1.5 and its response time
   as its empty bands (a second run, 1.5x the bands, where the first falls short). A model, not a measurement.
2. Measured: a seeded random sample of those cells on the spectra's own optics density (6-12 sites; the
   2-5-site cells on density 4.0 cost 5-30 CPU-minutes each), each computed with both guesses
   (``calculation.compute_optics``; the volume guess given as its bands per atom for that cell), alternating which
   goes first. Per material: CPU seconds, bands, runs, the energy reached, and the volume guess's spectrum
   against the atom guess's (``validation.compare_spectra`` on the study's grid, each cut below its direct gap).
   ``cpu_s_ratio``: the volume guess's summed CPU seconds over the atom guess's. One single-threaded process;
   other processes on the machine slow both sides alike (``machine.load_average``).
"""

from __future__ import annotations

import argparse
import dataclasses
import math
from pathlib import Path

import numpy as np
import yaml
from measure import machine
from pymatgen.core import Structure

from specgroups.firstprinciples.calculation import compute_optics, converged_band_count
from specgroups.firstprinciples.results import load_results
from specgroups.firstprinciples.settings import OpticsSettings
from specgroups.firstprinciples.validation import compare_spectra
from specgroups.io.atomic import read_json, write_json_atomic
from specgroups.spectra import dielectric_from_vise_dict, energy_grid

ROOT = Path(__file__).parents[1]
DENSITIES = [round(x, 2) for x in np.arange(0.18, 0.345, 0.01)]


def valence_electrons(elements: set[str], settings: OpticsSettings) -> dict[str, int]:
    from gpaw.setup import create_setup

    setups = settings.setups_for(elements)
    return {
        element: int(create_setup(element, settings.xc, type=setups.get(element, "paw")).Nv)
        for element in sorted(elements)
    }


def record_rows(materials: dict, results: dict, settings: OpticsSettings) -> list[dict]:
    """The atom rule's non-metals: sites, volume, occupied bands, converged empty bands, energy reached, CPU split."""
    structures = {i: Structure.from_dict(materials[i]["structure"]) for i, r in results.items() if r["status"] == "ok"}
    valence = valence_electrons({str(site.specie) for s in structures.values() for site in s}, settings)
    rows = []
    for material_id, structure in structures.items():
        record = results[material_id]
        occupied = sum(valence[str(site.specie)] for site in structure) // 2
        first = occupied + math.ceil(settings.empty_bands_per_atom * len(structure))
        runs = [first] if record["nbands"] == first else [first, record["nbands"]]
        cpu = record["cpu_seconds"]
        rows.append(
            {
                "sites": len(structure),
                "volume": structure.volume,
                "occupied": occupied,
                "empty_bands_over_e_1_5": (converged_band_count(record["nbands"]) - occupied)
                / record["transitions_complete_to_ev"] ** 1.5,
                "empty_band_cpu_per_unit": cpu["empty_bands"] / sum(n**1.5 for n in runs),
                "response_cpu_per_band": cpu["response"] / (record["nbands"] - occupied),
                "ground_state_cpu": cpu["ground_state"],
            }
        )
    return rows


def projected(rows: list[dict], first_empty_bands, complete_to_ev: float) -> dict:
    """Materials short after the first run, and CPU hours of the set, when ``first_empty_bands(row)`` is the guess."""
    short, seconds = 0, 0.0
    for row in rows:
        nbands = row["occupied"] + first_empty_bands(row)
        cost = lambda n: row["empty_band_cpu_per_unit"] * n**1.5  # noqa: E731
        seconds += row["ground_state_cpu"] + cost(nbands)
        if converged_band_count(nbands) - row["occupied"] < row["empty_bands_over_e_1_5"] * complete_to_ev**1.5:
            short += 1
            nbands = math.ceil(1.5 * nbands)
            seconds += cost(nbands)
        seconds += row["response_cpu_per_band"] * (nbands - row["occupied"])
    return {"short_after_first_run": short, "cpu_hours": round(seconds / 3600, 2)}


def measured(material: dict, record: dict, settings: OpticsSettings, bands_per_a3: float, volume_first: bool) -> dict:
    structure = Structure.from_dict(material["structure"])
    # ceil(per atom x atoms) is then ceil(bands_per_a3 x V), the volume guess
    volume_rule = (bands_per_a3 * structure.volume - 1e-6) / len(structure)
    rules = {"volume": dataclasses.replace(settings, empty_bands_per_atom=volume_rule), "atom": settings}
    order = ["volume", "atom"] if volume_first else ["atom", "volume"]
    results = {name: compute_optics(structure, material["id"], rules[name]) for name in order}
    spectra = {
        name: dielectric_from_vise_dict(result.dielectric, f"{material['id']} {name}")
        for name, result in results.items()
    }
    agreement = compare_spectra(
        spectra["atom"],
        spectra["volume"],
        energy_grid(0.0, 15.0, 1501),
        results["atom"].direct_gap_ev,
        results["volume"].direct_gap_ev,
    )
    return {
        "id": material["id"],
        "formula": record["formula"],
        "nsites": len(structure),
        "volume_a3": round(structure.volume, 2),
        **{
            f"{name}_{key}": getattr(results[name], attribute)
            for name in rules
            for key, attribute in (
                ("nbands", "nbands"),
                ("runs", "empty_band_rounds"),
                ("complete_to_ev", "transitions_complete_to_ev"),
            )
        },
        **{f"{name}_cpu_s": results[name].cpu_seconds["total"] for name in rules},
        "log_alpha_mae_volume_vs_atom": agreement["mean_absolute_log_alpha"],
        "onset_difference_ev": agreement["onset_difference_ev"],
        "eps_real_at_0": {"atom": agreement["reference_eps_real_at_0"], "volume": agreement["eps_real_at_0"]},
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--bands-per-a3", type=float, default=0.28, help="the volume guess (the projection's minimum)")
    parser.add_argument("--sample", type=int, default=16)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out", default=str(ROOT / "benchmarks/empty_bands.json"))
    arguments = parser.parse_args()
    settings = OpticsSettings.from_params(
        yaml.safe_load((ROOT / "profiles/firstprinciples/params.yaml").read_text())["gpaw"]
    )
    materials = {m["id"]: m for m in read_json(ROOT / "data/demo/materials.json")}
    # the atom rule's records, each with all its empty-band runs (a recomputation on the denser grid skips the first)
    results = {
        i: r
        for i, r in load_results(ROOT / "data/demo/first_principles").items()
        if i in materials
        and r["settings"].get("empty_bands_per_atom") == settings.empty_bands_per_atom
        and r["settings"]["optics_kpoint_density"] == settings.optics_kpoint_density
    }
    rows = record_rows(materials, results, settings)
    e15 = settings.min_transitions_complete_ev**1.5
    scatter = {
        name: round(float(np.std(np.log([r["empty_bands_over_e_1_5"] / r[key] for r in rows]))), 3)
        for name, key in (("volume", "volume"), ("atoms", "sites"))
    }
    projection = {
        f"{rho:.2f}": projected(
            rows, lambda r, rho=rho: math.ceil(rho * r["volume"]), settings.min_transitions_complete_ev
        )
        for rho in DENSITIES
    }
    atom_projection = projected(
        rows, lambda r: math.ceil(settings.empty_bands_per_atom * r["sites"]), settings.min_transitions_complete_ev
    )
    pool = sorted(
        i
        for i, r in results.items()
        if r["status"] == "ok"
        and settings.spectrum_kpoint_density(r["nsites"]) == r["settings"]["optics_kpoint_density"]
        and 6 <= r["nsites"] <= 12
    )
    sample = list(np.random.default_rng(arguments.seed).choice(pool, size=arguments.sample, replace=False))
    runs = [
        measured(materials[i], results[i], settings, arguments.bands_per_a3, volume_first=k % 2 == 0)
        for k, i in enumerate(sample)
    ]
    report = {
        "machine": machine(),
        "materials_in_records": len(rows),
        "median_bands_needed_per_a3_at_min_transitions": round(
            float(np.median([r["empty_bands_over_e_1_5"] * e15 / r["volume"] for r in rows])), 3
        ),
        "scatter": scatter,
        "projection_atom_rule": atom_projection,
        "projection_by_bands_per_a3": projection,
        "volume_rule_bands_per_a3": arguments.bands_per_a3,
        "measured": runs,
        "cpu_s_ratio": round(sum(r["volume_cpu_s"] for r in runs) / sum(r["atom_cpu_s"] for r in runs), 3),
        "median_cpu_s": {name: float(np.median([r[f"{name}_cpu_s"] for r in runs])) for name in ("atom", "volume")},
        "max_log_alpha_mae_volume_vs_atom": max(r["log_alpha_mae_volume_vs_atom"] for r in runs),
    }
    write_json_atomic(arguments.out, report)
    print(
        f"empty_bands: scatter {scatter}; measured CPU volume/atom guess {report['cpu_s_ratio']} on {len(runs)} -> {arguments.out}"
    )


if __name__ == "__main__":
    main()

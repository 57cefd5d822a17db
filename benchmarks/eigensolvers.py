"""Benchmark of GPAW's eigensolvers for the spectra's empty-band run, side by side on the same ground states.

    python benchmarks/eigensolvers.py [--ids mp-1265 mp-1069706 mp-19120] [--density 2.0] [--out benchmarks/eigensolvers.json]

For each material: one PBE ground state, then the empty-band run of its spectrum
(``calculation.empty_band_run``, starting at the run its committed result needed, so
every solver converges the same bands) with each eigensolver of
``settings.EIGENSOLVERS`` in turn, twice, interleaved. Records the CPU seconds of
each run; per solver, its fastest run of each material summed over the materials, as a
ratio to Davidson's; the largest difference of any converged eigenvalue (eV) from
Davidson's; and each solver's highest complete transition: the solvers find the same
states to the eigenstate tolerance, so only the time may differ. One single-threaded process;
other processes on the machine slow every side alike (``machine.load_average``).
"""

from __future__ import annotations

import argparse
import dataclasses
import os
from pathlib import Path

import numpy as np
import yaml
from measure import machine
from pymatgen.core import Structure
from pymatgen.io.ase import AseAtomsAdaptor

from specgroups.firstprinciples.calculation import (
    converged_band_count,
    empty_band_run,
    ground_state,
    kpoint_grid,
    occupied_band_count,
    process_cpu_seconds,
)
from specgroups.firstprinciples.settings import EIGENSOLVERS, OpticsSettings
from specgroups.io.atomic import read_json, write_json_atomic

ROOT = Path(__file__).parents[1]
# MgO (2 sites), K2PdSe2 (5 sites, 72 bands) and a 6-12-site V/Cr oxide of the headline (MgCrO4, 12 sites)
DEFAULT_IDS = ["mp-1265", "mp-1069706", "mp-19120"]
ROUNDS = 2


def converged_eigenvalues(run) -> np.ndarray:
    """k-points x converged bands of an empty-band run (eV)."""
    converged = converged_band_count(run.nbands)
    kpoints = range(len(run.calc.get_ibz_k_points()))
    return np.array([run.calc.get_eigenvalues(kpt=k)[:converged] for k in kpoints])


def compare_material(material: dict, record: dict, settings: OpticsSettings, density: float) -> dict:
    atoms = AseAtomsAdaptor.get_atoms(Structure.from_dict(material["structure"]))
    calc = ground_state(atoms, settings, kpoint_grid(atoms, settings.ground_state_kpoint_density, False), os.devnull)
    occupied = occupied_band_count(calc)
    grid = kpoint_grid(atoms, density, False)
    first_round = int(record.get("empty_band_rounds") or 1)
    cpu, eigenvalues, complete_to = {name: [] for name in EIGENSOLVERS}, {}, {}
    for _ in range(ROUNDS):
        for name in EIGENSOLVERS:
            start = process_cpu_seconds()
            run = empty_band_run(
                calc,
                len(atoms),
                occupied,
                dataclasses.replace(settings, empty_band_eigensolver=name),
                grid,
                os.devnull,
                first_round,
            )
            cpu[name].append(round(process_cpu_seconds() - start, 2))
            eigenvalues[name], complete_to[name] = converged_eigenvalues(run), run.edges["transitions_complete_to_ev"]
    reference = "davidson"
    return {
        "formula": material["formula"],
        "nsites": len(atoms),
        "kpoint_grid_optics": grid,
        "nbands": run.nbands,
        "cpu_s": cpu,
        "max_eigenvalue_difference_from_davidson_ev": {
            name: float(np.abs(values - eigenvalues[reference]).max())
            for name, values in eigenvalues.items()
            if values.shape == eigenvalues[reference].shape
        },
        "transitions_complete_to_ev": {name: round(value, 4) for name, value in complete_to.items()},
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--ids", nargs="+", default=DEFAULT_IDS)
    parser.add_argument(
        "--density", type=float, default=2.0, help="optics k-point density of the empty-band runs (1/A)"
    )
    parser.add_argument("--out", default=str(ROOT / "benchmarks/eigensolvers.json"))
    arguments = parser.parse_args()
    settings = OpticsSettings.from_params(
        yaml.safe_load((ROOT / "profiles/firstprinciples/params.yaml").read_text())["gpaw"]
    )
    materials = {m["id"]: m for m in read_json(ROOT / "data/demo/materials.json")}
    records = {i: read_json(ROOT / f"data/demo/first_principles/{i}.json") for i in arguments.ids}
    per_material = {i: compare_material(materials[i], records[i], settings, arguments.density) for i in arguments.ids}
    total = {name: sum(min(m["cpu_s"][name]) for m in per_material.values()) for name in EIGENSOLVERS}
    report = {
        "machine": machine(),
        "optics_kpoint_density": arguments.density,
        "empty_band_tolerance": settings.empty_band_tolerance,
        "per_material": per_material,
        # each solver's fastest of ROUNDS runs, summed over the materials, over Davidson's
        "cpu_s_ratio_to_davidson": {name: round(seconds / total["davidson"], 3) for name, seconds in total.items()},
    }
    write_json_atomic(arguments.out, report)
    print(f"eigensolvers: CPU time over Davidson's {report['cpu_s_ratio_to_davidson']} -> {arguments.out}")


if __name__ == "__main__":
    main()

"""Isostructural substitutions: one framework, its neighbour cation swapped for a closed-shell one.

The neighbour classes (:mod:`specgroups.study.neighbours`) say that V5+/Cr6+ oxides whose tetrahedra neighbour
acceptor cations (d10 Ag+, Cd2+; ns2 Tl+, Bi3+) absorb 1.1-1.6 eV lower than those among closed-shell ones. Across
materials that contrast also changes the structure. Swapping the neighbour in one framework holds the structure
fixed: Tl3VO4 with K for Tl, Ag3VO4 with Na for Ag, CdCrO4 with Mg for Cd, BiVO4 with Y for Bi (params
``substitutions.swaps``: cations of like charge and size).

Per structure, parent and substituted alike, so that the protocol's errors cancel in their difference:

1. a relaxation of cell and positions with CHGNet (``chgnet.model.StructOptimizer``), a potential trained on
   Materials Project PBE(+U) relaxations: it gives the cell of the substituted cation's size;
2. a GPAW PBE relaxation of the positions in that cell (ASE's BFGS), on the ground-state k-mesh at the spectra's
   plane-wave cutoff, until every force falls below ``max_force_ev_per_a`` (eV/angstrom) or ``max_steps`` steps
   have run. The cell stays CHGNet's because GPAW's plane-wave stress at that cutoff is not a usable guide: a MgO
   cell strained to 110 % of its volume and relaxed with it (ASE's ``FrechetCellFilter``) shrank to 77 % of the
   database volume, far below PBE's, the Pulay stress of an unconverged basis. GPAW keeps the space group's
   symmetry, so the substituted cell stays isostructural;
3. on the relaxed structure, the spectrum (:func:`~specgroups.firstprinciples.calculation.compute_optics`) and the
   GLLB-SC gap (:func:`~specgroups.firstprinciples.gaps.compute_corrected_gap`), with the dataset's settings.

The substitution's effect on the onset is then the substituted structure's onset minus the relaxed parent's, on
PBE and on the GLLB-SC-corrected level (:mod:`specgroups.study.substitutions`).
"""

from __future__ import annotations

import os
import traceback
from dataclasses import dataclass, field

import numpy as np

from specgroups.errors import InputError
from specgroups.firstprinciples.calculation import (
    MaterialResult,
    compute_optics,
    ground_state_calculator,
    kpoint_grid,
    process_cpu_seconds,
    started_result,
)
from specgroups.firstprinciples.gaps import compute_corrected_gap
from specgroups.firstprinciples.settings import OpticsSettings


@dataclass(frozen=True)
class RelaxationSettings:
    """How a structure is relaxed (params ``substitutions.relaxation``): GPAW's force threshold (eV/angstrom) and
    step limit for the positions, and CHGNet's for cell and positions."""

    max_force_ev_per_a: float
    max_steps: int
    prerelax_max_force_ev_per_a: float
    prerelax_max_steps: int

    @classmethod
    def from_params(cls, params: dict) -> "RelaxationSettings":
        try:
            return cls(
                float(params["max_force_ev_per_a"]),
                int(params["max_steps"]),
                float(params["prerelax_max_force_ev_per_a"]),
                int(params["prerelax_max_steps"]),
            )
        except (KeyError, TypeError, ValueError) as error:
            raise InputError(f"params: substitutions.relaxation is incomplete or not numbers ({error!r})") from None


def substituted_structure(structure, swap: dict[str, str], material_id: str):
    """``structure`` (pymatgen) with every site of each element ``swap`` names replaced by the element it maps to."""
    present = {element.symbol for element in structure.composition.elements}
    missing = sorted(set(swap) - present)
    if missing:
        raise InputError(f"{material_id}: a swap replaces {missing}, which the structure ({sorted(present)}) lacks")
    substituted = structure.copy()
    substituted.replace_species(swap)
    return substituted


def swap_label(swap: dict[str, str]) -> str:
    """A swap as a chemist writes it, e.g. ``K-for-Tl`` for ``{"Tl": "K"}``."""
    return "+".join(f"{new}-for-{old}" for old, new in sorted(swap.items()))


def substitution_tasks(materials: dict[str, dict], swaps: dict[str, dict[str, str]]) -> list[dict]:
    """The structures to relax and compute, as materials.json entries: per parent id of ``swaps``, the parent
    (id ``<parent>-relaxed``) and the substituted structure (id ``<parent>-<swap_label>``)."""
    from pymatgen.core import Structure

    tasks = []
    for parent_id, swap in swaps.items():
        if parent_id not in materials:
            raise InputError(f"params: substitutions.swaps names {parent_id}, which is not in the materials")
        parent = Structure.from_dict(materials[parent_id]["structure"])
        substituted = substituted_structure(parent, swap, parent_id)
        for suffix, structure in (("relaxed", parent), (swap_label(swap), substituted)):
            tasks.append(
                {
                    "id": f"{parent_id}-{suffix}",
                    "formula": structure.composition.reduced_formula,
                    "parent": parent_id,
                    "swap": swap if structure is substituted else {},
                    "structure": structure.as_dict(),
                }
            )
    return tasks


@dataclass
class RelaxedSpectrumResult(MaterialResult):
    """A relaxation and the spectrum and GLLB-SC gap of its final structure.

    ``relaxation`` records CHGNet's volume change from the starting structure (relative), then GPAW's steps,
    whether the force threshold was met, the largest remaining force (eV/A) and the largest displacement (A).
    """

    relaxation: dict = field(default_factory=dict)
    structure: dict | None = None
    optics: dict = field(default_factory=dict)
    gllbsc: dict = field(default_factory=dict)
    cpu_seconds: dict[str, float] = field(default_factory=dict)
    settings: dict = field(default_factory=dict)
    dielectric: dict | None = None


def prerelaxed(structure, relaxation: RelaxationSettings):
    """CHGNet's relaxed ``structure`` (cell and positions)."""
    from chgnet.model import StructOptimizer

    outcome = StructOptimizer().relax(
        structure,
        fmax=relaxation.prerelax_max_force_ev_per_a,
        steps=relaxation.prerelax_max_steps,
        relax_cell=True,
        verbose=False,
    )
    return outcome["final_structure"]


def relaxed_with_gpaw(structure, settings: OpticsSettings, relaxation: RelaxationSettings, txt: str):
    """(pymatgen structure with GPAW PBE relaxed positions in its own cell, the relaxation's record): see the
    module docstring, step 2."""
    from ase.optimize import BFGS
    from pymatgen.core import Structure
    from pymatgen.io.ase import AseAtomsAdaptor

    atoms = AseAtomsAdaptor.get_atoms(structure)
    atoms.calc = ground_state_calculator(
        atoms, settings, kpoint_grid(atoms, settings.ground_state_kpoint_density, False), txt
    )
    start = atoms.get_positions()
    optimizer = BFGS(atoms, logfile=None)
    converged = bool(optimizer.run(fmax=relaxation.max_force_ev_per_a, steps=relaxation.max_steps))
    record = {
        "steps": int(optimizer.nsteps),
        "converged": converged,
        "max_force_ev_per_a": round(float(np.linalg.norm(atoms.get_forces(), axis=1).max()), 4),
        "max_displacement_a": round(float(np.linalg.norm(atoms.get_positions() - start, axis=1).max()), 4),
        "energy_ev": round(float(atoms.get_potential_energy()), 5),
    }
    # the positions and cell only: what ASE's adaptor adds from the calculator (final magnetic moments) is not a
    # property of the structure the next calculations start from
    relaxed = Structure(atoms.cell[:], atoms.get_chemical_symbols(), atoms.get_scaled_positions())
    return relaxed, record


def compute_relaxed_spectrum(
    structure, material_id: str, settings: OpticsSettings, relaxation: RelaxationSettings, log_path: str | None = None
) -> RelaxedSpectrumResult:
    """Relax ``structure`` (CHGNet, then GPAW PBE), then its spectrum and GLLB-SC gap; a failure of any step comes
    back as a result with status "failed" and the reason, so a batch keeps going."""
    txt = log_path or os.devnull
    _, result = started_result(RelaxedSpectrumResult, structure, material_id, settings)
    start = process_cpu_seconds()
    initial_volume = structure.volume
    structure = prerelaxed(structure, relaxation)
    result.relaxation["prerelax_volume_change"] = round(structure.volume / initial_volume - 1.0, 5)
    result.cpu_seconds["prerelax"] = round(process_cpu_seconds() - start, 2)
    step = process_cpu_seconds()
    structure, record = relaxed_with_gpaw(structure, settings, relaxation, txt)
    result.relaxation.update(record)
    result.structure = structure.as_dict()
    result.cpu_seconds["relax"] = round(process_cpu_seconds() - step, 2)
    optics = finished_part(compute_optics, structure, material_id, settings, log_path)
    result.dielectric = optics.pop("dielectric", None)
    result.optics = optics
    result.gllbsc = finished_part(compute_corrected_gap, structure, material_id, settings, log_path)
    result.cpu_seconds["total"] = round(process_cpu_seconds() - start, 2)
    statuses = {optics["status"], result.gllbsc["status"]}
    result.status = "ok" if statuses == {"ok"} else ("metal" if "metal" in statuses else "failed")
    result.reason = "; ".join(part["reason"] for part in (optics, result.gllbsc) if part["reason"])
    return result


def finished_part(calculation, structure, material_id: str, settings: OpticsSettings, log_path: str | None) -> dict:
    """One calculation's result dict on the relaxed structure; an exception becomes a "failed" part with its whole
    traceback, so that the parts already computed (the relaxation, the spectrum) are kept."""
    try:
        return calculation(structure, material_id, settings, log_path).as_dict()
    except Exception as error:  # any GPAW failure: recorded, the other parts stay
        return {"status": "failed", "reason": f"{type(error).__name__}: {error}; {traceback.format_exc()[-3000:]}"}

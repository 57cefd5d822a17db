"""Skewed cells: what GPAW's warning about cell angles costs in accuracy.

GPAW warns "Results may be wrong!" for a cell with an angle between its vectors outside 40-140 degrees
(:data:`GPAW_CELL_ANGLES_DEG`) and asks for the Niggli-reduced cell. The warning concerns the real-space grid:
GPAW's GGA takes the density gradient with a finite-difference stencil along the grid's axes, which are the cell
vectors. The Materials Project primitive cells of rhombohedral and body-centred lattices have such angles
(delafossites at 23-37 degrees, the K2PdSe2 family at 145-152).

:func:`compare_cell_shapes` measures the error on one material: the PBE ground state of the given cell and of its
Niggli-reduced cell (the same lattice and atoms, other cell vectors), on the same k-points (the given cell's
Gamma-centred ground-state grid, mapped into the reduced cell's reciprocal basis), every other setting the
spectra's. Physically the two are one calculation, so every difference is the discretisation's.
"""

from __future__ import annotations

import os

import numpy as np

from specgroups.errors import InputError
from specgroups.firstprinciples.calculation import (
    band_edges,
    ground_state,
    kpoint_grid,
    occupied_band_count,
    process_cpu_seconds,
)
from specgroups.firstprinciples.settings import OpticsSettings

# GPAW's own check (gpaw.new.builder, check_cell): every angle strictly inside this range
GPAW_CELL_ANGLES_DEG = (40.0, 140.0)


def is_skewed(structure) -> bool:
    """True when GPAW warns about the pymatgen ``structure``'s cell: an angle outside :data:`GPAW_CELL_ANGLES_DEG`."""
    low, high = GPAW_CELL_ANGLES_DEG
    return not all(low < angle < high for angle in structure.lattice.angles)


def niggli_reduced(structure, material_id: str):
    """The Niggli-reduced cell of ``structure`` (pymatgen's), in the same Cartesian frame: its vectors are integer
    combinations of the given ones, so the atoms, the dielectric tensor's axes and Cartesian k-points are shared.
    InputError when pymatgen's reduction is not such a combination (a rotated cell)."""
    reduced = structure.get_reduced_structure("niggli")
    transform = np.linalg.solve(structure.lattice.matrix.T, reduced.lattice.matrix.T).T
    if not np.allclose(transform, np.round(transform), atol=1e-6) or round(abs(np.linalg.det(transform))) != 1:
        raise InputError(
            f"{material_id}: the Niggli-reduced cell is not an integer, volume-keeping combination of the given cell vectors"
        )
    return reduced


def gamma_centred_kpoints(sizes: list[int]) -> np.ndarray:
    """Every k-point of a Gamma-centred Monkhorst-Pack grid of ``sizes``, in fractions of the reciprocal vectors."""
    axes = [np.arange(n) / n for n in sizes]
    return np.stack(np.meshgrid(*axes, indexing="ij"), axis=-1).reshape(-1, 3)


def kpoints_in_cell(kpoints: np.ndarray, cell_from: np.ndarray, cell_to: np.ndarray) -> np.ndarray:
    """``kpoints`` (fractions of ``cell_from``'s reciprocal vectors) as fractions of ``cell_to``'s (cells: rows are the
    lattice vectors in angstrom; the two must span one lattice)."""
    cartesian = kpoints @ np.linalg.inv(cell_from).T
    return cartesian @ cell_to.T


def _ground_state_record(atoms, settings: OpticsSettings, kpoints: np.ndarray, txt: str) -> dict:
    start = process_cpu_seconds()
    calc = ground_state(atoms, settings, [], txt, explicit_kpoints=kpoints)
    occupied = occupied_band_count(calc)
    if occupied is None:
        raise InputError(
            f"{atoms.get_chemical_formula()}: odd number of valence electrons; the comparison needs a closed shell"
        )
    edges = band_edges(calc, occupied, calc.get_number_of_bands())
    weights = calc.get_k_point_weights()
    eigenvalues = np.array([calc.get_eigenvalues(kpt=k) for k in range(len(weights))])
    vbm = eigenvalues[:, occupied - 1].max()
    return {
        "energy_per_atom_ev": float(calc.get_potential_energy() / len(atoms)),
        "band_gap_ev": edges["band_gap_ev"],
        "direct_gap_ev": edges["direct_gap_ev"],
        "band_means_from_vbm_ev": [round(float(x), 6) for x in weights @ (eigenvalues - vbm)],
        "occupied_bands": occupied,
        "irreducible_kpoints": len(weights),
        "grid_points": [int(n) for n in calc.wfs.gd.N_c],
        "cpu_seconds": round(process_cpu_seconds() - start, 2),
    }


def compare_cell_shapes(structure, material_id: str, settings: OpticsSettings, log_path: str | None = None) -> dict:
    """One material's ground state in its given and its Niggli-reduced cell on the same k-points (module docstring).

    Per cell (``given``, ``niggli``): ``energy_per_atom_ev`` (total energy per atom), ``band_gap_ev`` and
    ``direct_gap_ev`` (Kohn-Sham, on these k-points), ``band_means_from_vbm_ev`` (each band's k-weighted mean
    energy above the VBM, every band of the ground state), the irreducible k-points, GPAW's real-space grid and the
    CPU seconds. The differences (reduced minus given): ``energy_per_atom_difference_ev``,
    ``band_gap_difference_ev``, ``direct_gap_difference_ev``, ``max_band_mean_difference_ev`` (the largest
    absolute one over the bands both hold). ``spectrum_kpoint_grids`` is each cell's Gamma-centred grid at the
    spectrum's density: what the spectrum would cost in k-points.
    """
    from pymatgen.io.ase import AseAtomsAdaptor

    reduced = niggli_reduced(structure, material_id)
    cells = {"given": AseAtomsAdaptor.get_atoms(structure), "niggli": AseAtomsAdaptor.get_atoms(reduced)}
    kpoints = gamma_centred_kpoints(kpoint_grid(cells["given"], settings.ground_state_kpoint_density, False))
    records = {
        label: _ground_state_record(
            atoms, settings, kpoints_in_cell(kpoints, cells["given"].cell[:], atoms.cell[:]), log_path or os.devnull
        )
        for label, atoms in cells.items()
    }
    given, niggli = records["given"], records["niggli"]
    bands = min(len(given["band_means_from_vbm_ev"]), len(niggli["band_means_from_vbm_ev"]))
    density = settings.spectrum_kpoint_density(len(structure))
    return {
        "material_id": material_id,
        "formula": structure.composition.reduced_formula,
        "nsites": len(structure),
        "status": "ok",
        "cell_angles_deg": {
            "given": [round(a, 2) for a in structure.lattice.angles],
            "niggli": [round(a, 2) for a in reduced.lattice.angles],
        },
        "kpoints": len(kpoints),
        "given": given,
        "niggli": niggli,
        "energy_per_atom_difference_ev": niggli["energy_per_atom_ev"] - given["energy_per_atom_ev"],
        "band_gap_difference_ev": niggli["band_gap_ev"] - given["band_gap_ev"],
        "direct_gap_difference_ev": niggli["direct_gap_ev"] - given["direct_gap_ev"],
        "max_band_mean_difference_ev": float(
            np.max(
                np.abs(np.subtract(niggli["band_means_from_vbm_ev"][:bands], given["band_means_from_vbm_ev"][:bands]))
            )
        ),
        "spectrum_kpoint_grids": {label: kpoint_grid(atoms, density, False) for label, atoms in cells.items()},
        "settings": settings.record(set(cells["given"].get_chemical_symbols())),
        "cpu_seconds": {"total": round(given["cpu_seconds"] + niggli["cpu_seconds"], 2)},
    }

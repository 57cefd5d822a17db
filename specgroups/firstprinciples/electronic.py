"""Where the band-edge states live: projections, localisation and density near chosen atoms.

For the valence-band maximum and conduction-band minimum Kohn-Sham states of
one material (from a PBE ground state on the ground-state k-grid):

- projection weights on (element, l) from the PAW projector overlaps
  sum_i |<p_i|psi>|^2, normalised to 1 over all atoms: which atoms and
  orbitals (e.g. V-d, O-p) make the state;
- inverse participation ratio on the pseudo-wavefunction grid,
  IPR = N sum_r |psi(r)|^4 / (sum_r |psi(r)|^2)^2 with N grid points: 1 for a
  uniform state, larger the more localised (the all-electron IPR is dominated
  by core cusps and says nothing about localisation);
- the fraction of the pseudo-density within ``radius`` of chosen atoms (e.g.
  the V/Cr and O atoms of one tetrahedron).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from specgroups.errors import InputError
from specgroups.firstprinciples.calculation import band_edges, ground_state, kpoint_grid, occupied_band_count
from specgroups.firstprinciples.selection import HEADLINE_ELEMENTS
from specgroups.firstprinciples.settings import OpticsSettings
from specgroups.io.atomic import atomic_path
from specgroups.names import chemical_formula

ANGULAR_LABELS = "spdf"


# GPAW's eigenvalues, projections and densities differ by about 1e-13 between two runs on one processor: six
# significant digits lie far above that noise and far below what the mechanism's measures resolve, so a rerun
# writes the same results
SIGNIFICANT_DIGITS = 6


@dataclass
class BandEdgeState:
    """One Kohn-Sham state: where it sits and how it is spread."""

    name: str
    kpoint: list[float]
    band: int
    energy_ev: float
    projection_weights: dict[str, float]
    inverse_participation_ratio: float
    fraction_near_atoms: float | None


def projector_weights(calc, kpoint_index: int, band: int) -> list[dict[int, float]]:
    """Per atom, {l: sum over that atom's projectors of angular momentum l of |<p_i|psi>|^2} for one state."""
    wave_functions = calc.dft.ibzwfs.get_wfs_on_master(kpt=kpoint_index, spin=0, n1=band, n2=band + 1)
    weights = []
    for atom, setup in enumerate(calc.setups):
        projections = np.abs(np.asarray(wave_functions.P_ani[atom][0])) ** 2
        angular_momenta = np.repeat(setup.l_j, [2 * l + 1 for l in setup.l_j])
        weights.append({int(l): float(projections[angular_momenta == l].sum()) for l in sorted(set(setup.l_j))})
    return weights


def projection_weights(calc, kpoint_index: int, band: int) -> dict[str, float]:
    """Weights on "Element-l" (e.g. "V-d"), summed over atoms of each element, normalised to 1."""
    symbols = calc.get_atoms().get_chemical_symbols()
    weights: dict[str, float] = {}
    for atom, by_l in enumerate(projector_weights(calc, kpoint_index, band)):
        for l, value in by_l.items():
            key = f"{symbols[atom]}-{ANGULAR_LABELS[l]}"
            weights[key] = weights.get(key, 0.0) + value
    total = sum(weights.values())
    return {
        key: round(value / total, 4)
        for key, value in sorted(weights.items(), key=lambda item: -item[1])
        if value / total >= 1e-4
    }


def atom_weights(calc, kpoint_index: int, band: int) -> np.ndarray:
    """Per atom, its share of the state's PAW-projected weight (all l), normalised to sum 1."""
    weights = np.array([sum(by_l.values()) for by_l in projector_weights(calc, kpoint_index, band)])
    return weights / weights.sum()


def state_density(calc, kpoint_index: int, band: int) -> np.ndarray:
    """|psi|^2 of the pseudo wave function on the real-space grid, normalised to sum 1."""
    density = np.abs(calc.get_pseudo_wave_function(band=band, kpt=kpoint_index, periodic=True)) ** 2
    return density / density.sum()


def inverse_participation_ratio(density: np.ndarray) -> float:
    """N sum rho^2 for a density normalised to sum 1 on N points: 1 when uniform."""
    return float(density.size * np.sum(density**2))


def fraction_near_atoms(density: np.ndarray, cell: np.ndarray, scaled_positions: np.ndarray, radius: float) -> float:
    """Fraction of a normalised grid density within ``radius`` (angstrom) of any given atom (periodic images included)."""
    shape = np.array(density.shape)
    axes = [np.arange(n) / n for n in shape]
    grid = np.stack(np.meshgrid(*axes, indexing="ij"), axis=-1).reshape(-1, 3)
    near = np.zeros(len(grid), dtype=bool)
    for position in scaled_positions:
        offset = grid - position
        offset -= np.round(offset)
        near |= np.linalg.norm(offset @ cell, axis=1) <= radius
    return float(density.reshape(-1)[near].sum())


def band_edge_states(
    structure,
    settings: OpticsSettings,
    atom_indices: list[int] | None = None,
    radius: float = 2.0,
    log_path: str | None = None,
) -> tuple[BandEdgeState, BandEdgeState, object]:
    """VBM and CBM states of a pymatgen ``Structure``, and the calculator (for cube files).

    ``atom_indices`` are the sites whose neighbourhood (within ``radius``)
    counts for ``fraction_near_atoms``. Raises InputError for a metal.
    """
    from pymatgen.io.ase import AseAtomsAdaptor

    atoms = AseAtomsAdaptor.get_atoms(structure)
    calc = ground_state(
        atoms, settings, kpoint_grid(atoms, settings.ground_state_kpoint_density, False), log_path or os.devnull
    )
    occupied = occupied_band_count(calc)
    name = chemical_formula(structure.composition)
    if occupied is None:
        raise InputError(f"{name}: odd electron count; band edges of a metal are not defined")
    edges = band_edges(calc, occupied, calc.get_number_of_bands())
    if edges["band_gap_ev"] <= settings.metal_gap_threshold_ev:
        raise InputError(f"{name}: Kohn-Sham gap {edges['band_gap_ev']:.3f} eV; band edges of a metal are not defined")
    kpoints = [list(np.round(k, 6)) for k in calc.get_ibz_k_points()]
    cell = np.asarray(atoms.cell)
    chosen = None if atom_indices is None else atoms.get_scaled_positions()[atom_indices]
    states = []
    for state_name, kpoint, band in (
        ("VBM", edges["vbm_kpoint"], occupied - 1),
        ("CBM", edges["cbm_kpoint"], occupied),
    ):
        index = kpoints.index([round(x, 6) for x in kpoint])
        density = state_density(calc, index, band)
        states.append(
            BandEdgeState(
                name=state_name,
                kpoint=kpoint,
                band=band,
                energy_ev=float(calc.get_eigenvalues(kpt=index)[band]),
                projection_weights=projection_weights(calc, index, band),
                inverse_participation_ratio=inverse_participation_ratio(density),
                fraction_near_atoms=None if chosen is None else fraction_near_atoms(density, cell, chosen, radius),
            )
        )
    return states[0], states[1], calc


def tetrahedron_atoms(structure, bond_cutoff: float) -> list[int]:
    """Indices of every V/Cr site and of the atoms within ``bond_cutoff`` (A) of it: its polyhedron."""
    atoms = set()
    for index, site in enumerate(structure):
        if site.specie.symbol in HEADLINE_ELEMENTS:
            atoms.add(index)
            atoms.update(neighbour.index for neighbour in structure.get_neighbors(site, bond_cutoff))
    return sorted(atoms)


def band_edge_localisation(structure, settings: OpticsSettings, bond_cutoff: float, radius: float, cube_path) -> dict:
    """:func:`band_edge_states` with the V/Cr polyhedra (:func:`tetrahedron_atoms`) as the chosen atoms, and
    the CBM's pseudo-density written to ``cube_path`` (a Gaussian cube file). JSON-ready."""
    from ase.io import write

    atoms = tetrahedron_atoms(structure, bond_cutoff)
    vbm, cbm, calc = band_edge_states(structure, settings, atom_indices=atoms, radius=radius)
    index = [list(np.round(k, 6)) for k in calc.get_ibz_k_points()].index([round(x, 6) for x in cbm.kpoint])
    with atomic_path(cube_path) as temporary:
        write(str(temporary), calc.get_atoms(), format="cube", data=state_density(calc, index, cbm.band))
    return {
        "formula": chemical_formula(structure.composition),
        "nsites": len(structure),
        "tetrahedron_atoms": atoms,
        "radius_a": radius,
        "vbm": significant(vbm.__dict__),
        "cbm": significant(cbm.__dict__),
        "cube_file": Path(cube_path).name,
    }


def significant(data, digits: int = SIGNIFICANT_DIGITS):
    """``data`` with every float rounded to ``digits`` significant digits, at any depth of lists and mappings."""
    if isinstance(data, float):
        return float(f"{data:.{digits}g}")
    if isinstance(data, dict):
        return {key: significant(value, digits) for key, value in data.items()}
    if isinstance(data, (list, tuple)):
        return [significant(value, digits) for value in data]
    return data


def representative_states(
    picked: dict[str, str | None],
    structures: dict[str, dict],
    settings: OpticsSettings,
    bond_cutoff: float,
    radius: float,
    out_dir: Path,
    why_none: str,
) -> dict[str, dict]:
    """{side: :func:`band_edge_localisation` of its representative (``picked``: {side: material id or None}),
    with its CBM cube file in ``out_dir``}, or ``{"material": None, "reason": why_none}`` for a side without one."""
    from pymatgen.core import Structure

    results = {}
    for side, material_id in picked.items():
        if material_id is None:
            results[side] = {"material": None, "reason": why_none.format(side=side)}
            continue
        cube = Path(out_dir) / f"{material_id}_cbm_density.cube"
        results[side] = {
            "material": material_id,
            **band_edge_localisation(Structure.from_dict(structures[material_id]), settings, bond_cutoff, radius, cube),
        }
    return results

"""How far the conduction-band minimum spreads, for one V/Cr compound: three measures, each with a baseline.

The study's mechanism: with V5+/Cr6+ in isolated tetrahedra among alkali ions the CBM is
localised on the tetrahedra; with the same cations elsewhere it spreads through the crystal.
A Bloch state is spread over every cell by construction, so "localised" has to be read off
what the state is made of and how its band disperses. Per material (PBE, the spectra's
settings: ground state on the ground-state grid, then non-self-consistent runs on the same grid
with the lowest conduction bands converged, and around the CBM):

- **weight on the MO4 units**: the PAW-projected weight of the CBM (sum_i |<p_i|psi>|^2 over
  each atom's projectors, normalised to 1 over all atoms) on the V/Cr atoms and the atoms within
  ``bond_cutoff`` of them. Baseline: the same number for the VBM, a delocalised O-2p state of
  the same crystal (in an isolated-tetrahedron oxide every O belongs to a unit, so a large
  weight alone says nothing). ``cbm_weight_other_cations`` is the CBM's weight on every cation
  other than V/Cr (alkali, Y, Bi, ...): the channel through which the state spreads.
- **width of the lowest conduction band** over the k-mesh (eV): max - min of that
  band's eigenvalue over the mesh's irreducible points; 0 for a molecular level. Baseline: the width
  of the highest valence band on the same mesh. With Z formula units per cell the band folds Z
  times, so this width shrinks with Z; the effective mass does not. The mesh is a parameter: the
  ground state's (density 1.5/A) or the optics one (2.0/A), which for the 28-site chromates cost 3.4
  times the ground state's CPU time for this step alone (K2CrO4: 787 s).
- **CBM conductivity mass** (in electron masses): 3 / sum_i(1/m_i), with m_i = hbar^2 over the
  second derivative of the lowest conduction band along Cartesian axis i at the mesh's CBM k-point
  (central differences, step ``mass_step_per_a`` in 1/A with 2 pi included, 7 k-points). Baseline:
  the free electron (1). When a curvature is not positive (the mesh's CBM is not a minimum of the
  band, as happens for flat bands whose minimum lies between mesh points), ``cbm_mass_defined`` is
  false and the conductivity mass is None; the principal masses ``cbm_masses`` (signed) are kept,
  and :func:`specgroups.study.mechanism.curvature_mass` reads a magnitude from them in every case.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field

import numpy as np

from specgroups.errors import InputError
from specgroups.firstprinciples.calculation import (
    MaterialResult,
    band_edges,
    closed_shell_ground_state,
    finish_result,
    kpoint_grid,
    process_cpu_seconds,
)
from specgroups.firstprinciples.electronic import atom_weights, tetrahedron_atoms
from specgroups.firstprinciples.selection import HEADLINE_ELEMENTS
from specgroups.firstprinciples.settings import OpticsSettings

# hbar^2 / (2 m_e) in eV A^2
HBAR2_OVER_2ME_EV_A2 = 3.80998212
# the lowest conduction band is converged with this many bands above it (degenerate partners included)
EXTRA_BANDS = 6
# the k-grids the band edges, widths and projections can be computed on: the spectra's (OpticsSettings) densities
MESHES = {"ground_state": "ground_state_kpoint_density", "optics": "optics_kpoint_density"}


@dataclass
class LocalisationResult(MaterialResult):
    """One material's CBM localisation (see the module docstring for each number's definition)."""

    band_gap_ev: float | None = None
    direct_gap_ev: float | None = None
    cbm_kpoint: list[float] | None = None
    unit_atoms: list[int] = field(default_factory=list)
    cbm_weight_mo4: float | None = None
    vbm_weight_mo4: float | None = None
    cbm_weight_headline_cation: float | None = None
    cbm_weight_other_cations: float | None = None
    lowest_conduction_band_width_ev: float | None = None
    highest_valence_band_width_ev: float | None = None
    cbm_masses: list[float | None] | None = None
    cbm_mass_defined: bool | None = None
    cbm_conductivity_mass: float | None = None
    kpoint_grid_ground_state: list[int] | None = None
    kpoint_grid_mesh: list[int] | None = None
    cpu_seconds: dict[str, float] = field(default_factory=dict)
    peak_memory_mb: float | None = None
    settings: dict = field(default_factory=dict)
    options: dict = field(default_factory=dict)


def axis_offsets(step: float) -> np.ndarray:
    """The 7 Cartesian offsets (1/A) of central second differences along x, y and z: 0, +-step e_i."""
    return np.vstack([np.zeros(3)] + [sign * step * axis for axis in np.eye(3) for sign in (1, -1)])


def conductivity_mass(energies: np.ndarray, step: float) -> tuple[list[float], bool, float | None]:
    """From band energies (eV) at :func:`axis_offsets` (same order): the masses along x, y and z (electron
    masses, hbar^2 over the second derivative), whether every curvature is positive (necessary for a
    minimum), and the conductivity mass 3 / sum_i(1/m_i) (None unless every curvature is positive).

    The trace of the inverse-mass tensor does not depend on the axes, so the three Cartesian second
    derivatives give the conductivity mass without the off-diagonal ones.
    """
    curvatures = (energies[1::2] + energies[2::2] - 2 * energies[0]) / step**2  # eV A^2 = hbar^2 / m
    masses = [round(float(2 * HBAR2_OVER_2ME_EV_A2 / c), 4) if c != 0 else None for c in curvatures]
    defined = bool(np.all(curvatures > 0))
    conductivity = round(float(3 * 2 * HBAR2_OVER_2ME_EV_A2 / curvatures.sum()), 4) if defined else None
    return masses, defined, conductivity


def compute_localisation(
    structure,
    material_id: str,
    settings: OpticsSettings,
    bond_cutoff: float,
    mass_step_per_a: float,
    mesh: str,
    log_path: str | None = None,
) -> LocalisationResult:
    """The CBM localisation of one pymatgen ``Structure`` (see the module docstring), with band edges, widths and
    projections on the ``mesh`` (:data:`MESHES`: the ground state's k-grid or the optics one). A metal or an SCF
    that does not converge comes back with status "metal" or "failed" and the reason, so a batch keeps going."""
    from pymatgen.io.ase import AseAtomsAdaptor

    atoms = AseAtomsAdaptor.get_atoms(structure)
    symbols = atoms.get_chemical_symbols()
    result = LocalisationResult(
        material_id=material_id,
        formula=structure.composition.reduced_formula,
        nsites=len(structure),
        status="failed",
        settings=settings.record(set(symbols)),
        options={"bond_cutoff": bond_cutoff, "mass_step_per_a": mass_step_per_a, "mesh": mesh},
    )
    if mesh not in MESHES:
        raise InputError(f"params: localisation.mesh must be one of {sorted(MESHES)}, got {mesh!r}")
    txt = log_path or os.devnull
    result.kpoint_grid_ground_state = kpoint_grid(atoms, settings.ground_state_kpoint_density, False)
    result.kpoint_grid_mesh = kpoint_grid(atoms, getattr(settings, MESHES[mesh]), False)
    start = process_cpu_seconds()
    calc, occupied = closed_shell_ground_state(atoms, settings, result, txt)
    if calc is None:
        return finish_result(result, start)

    step = process_cpu_seconds()
    headline = [i for i, symbol in enumerate(symbols) if symbol in HEADLINE_ELEMENTS]
    nbands = occupied + 2 * len(headline) + EXTRA_BANDS
    converged = {"bands": occupied + 2 * len(headline) + 2, "eigenstates": settings.empty_band_tolerance}
    bands = calc.fixed_density(
        nbands=nbands,
        kpts={"size": result.kpoint_grid_mesh, "gamma": True},
        convergence=converged,
        eigensolver=settings.empty_band_eigensolver,
        txt=txt,
    )
    edges = band_edges(bands, occupied, converged["bands"])
    result.band_gap_ev, result.direct_gap_ev, result.cbm_kpoint = (
        edges["band_gap_ev"],
        edges["direct_gap_ev"],
        edges["cbm_kpoint"],
    )
    if result.band_gap_ev < settings.metal_gap_threshold_ev:
        result.status, result.reason = (
            "metal",
            f"Kohn-Sham gap {result.band_gap_ev:.3f} eV is below {settings.metal_gap_threshold_ev} eV",
        )
        return finish_result(result, start)
    eigenvalues = np.array([bands.get_eigenvalues(kpt=k) for k in range(len(bands.get_ibz_k_points()))])
    result.lowest_conduction_band_width_ev = round(float(np.ptp(eigenvalues[:, occupied])), 4)
    result.highest_valence_band_width_ev = round(float(np.ptp(eigenvalues[:, occupied - 1])), 4)
    kpoints = [list(np.round(k, 6)) for k in bands.get_ibz_k_points()]
    units = tetrahedron_atoms(structure, bond_cutoff)
    others = [i for i, symbol in enumerate(symbols) if i not in units and symbol not in ("O", "S", "Se", "Te")]
    for name, kpoint, band in (("vbm", edges["vbm_kpoint"], occupied - 1), ("cbm", edges["cbm_kpoint"], occupied)):
        weights = atom_weights(bands, kpoints.index([round(x, 6) for x in kpoint]), band)
        setattr(result, f"{name}_weight_mo4", round(float(weights[units].sum()), 4))
        if name == "cbm":
            result.cbm_weight_headline_cation = round(float(weights[headline].sum()), 4)
            result.cbm_weight_other_cations = round(float(weights[others].sum()), 4)
    result.unit_atoms = [int(i) for i in units]
    result.cpu_seconds["band_mesh"] = round(process_cpu_seconds() - step, 2)

    step = process_cpu_seconds()
    offsets = axis_offsets(mass_step_per_a)
    centre = np.asarray(edges["cbm_kpoint"]) @ atoms.cell.reciprocal()  # Cartesian, without 2 pi
    scaled = (centre + offsets / (2 * np.pi)) @ np.asarray(atoms.cell).T
    around = calc.fixed_density(
        nbands=occupied + EXTRA_BANDS,
        kpts=scaled,
        symmetry="off",
        convergence={"bands": occupied + 2, "eigenstates": settings.empty_band_tolerance},
        eigensolver=settings.empty_band_eigensolver,
        txt=txt,
    )
    energies = np.array([around.get_eigenvalues(kpt=k)[occupied] for k in range(len(offsets))])
    result.cbm_masses, result.cbm_mass_defined, result.cbm_conductivity_mass = conductivity_mass(
        energies, mass_step_per_a
    )
    result.cpu_seconds["effective_mass"] = round(process_cpu_seconds() - step, 2)
    result.status = "ok"
    return finish_result(result, start)

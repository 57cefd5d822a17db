"""Band gaps corrected for the derivative discontinuity with GPAW's GLLB-SC functional.

GLLB-SC (Kuisma et al., Phys. Rev. B 82, 115106 (2010)) gives the
fundamental gap as E_g = E_g^KS + Delta_xc: the Kohn-Sham gap of its own
self-consistent potential plus the derivative discontinuity, evaluated by
first-order perturbation theory (Eq. 25 there). For one material:

1. a self-consistent GLLB-SC ground state on the settings' ground-state grid;
2. a non-self-consistent run on the optics grid (the spectrum's own k-points),
   with one empty band per atom of which the lowest is converged, for the
   Kohn-Sham band edges;
3. Delta_xc from the ground state's response potential with those band edges
   (``calculate_discontinuity_potential``), evaluated on the optics grid
   (``calculate_discontinuity``), as GPAW's GLLB-SC band-gap tutorial does.

GLLB-SC needs PAW datasets made for it, with the core response. GPAW's
``gpaw-data`` has them for 85 elements, not for La: La's is generated at run
time by GPAW's own generator from GPAW's own parameters for La
(``gpaw.atom.configurations.parameters``), which is how the distributed GLLB-SC
datasets were made. There is no GLLB-SC dataset with Cr 3s3p semicore states,
so Cr keeps its 6-electron one here whatever ``settings.setups`` says.

Precision: SCF runs that take different paths to convergence reach gaps up to
0.05 eV apart (data/demo/README.md).
"""

from __future__ import annotations

import os
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from specgroups.firstprinciples.calculation import (
    MaterialResult,
    band_edges,
    ground_state,
    kpoint_grid,
    occupied_band_count,
    process_cpu_seconds,
)
from specgroups.firstprinciples.settings import OpticsSettings

GLLBSC = "GLLBSC"
# elements without a GLLB-SC dataset in gpaw-data 1.2.1 that GPAW's generator makes from its own parameters
GENERATED_DATASETS = ("La",)
# empty bands per atom of the band-edge run, of which only the lowest is converged: with few, the eigensolver
# stalled on K2CrO4, whose lowest empty states are a near-degenerate set of the four CrO4 ions' d states
BAND_EDGE_EMPTY_BANDS_PER_ATOM = 1
# GPAW's eigenstate criterion (4e-8 eV^2 per valence electron) stalls near 5e-6 in the GLLB-SC SCF of K2CrO4 for
# hundreds of iterations while energy and density have converged; the empty-band runs' 1e-6 is used instead
SCF_CONVERGENCE = {"eigenstates": 1e-4}


@dataclass
class CorrectedGap(MaterialResult):
    """One material's GLLB-SC gap (eV).

    - ``kohn_sham_gap_ev``: the GLLB-SC Kohn-Sham gap on the optics grid;
    - ``derivative_discontinuity_ev``: Delta_xc;
    - ``corrected_gap_ev``: their sum, the fundamental gap the spectrum's scissor shifts to.
    """

    kohn_sham_gap_ev: float | None = None
    kohn_sham_direct_gap_ev: float | None = None
    derivative_discontinuity_ev: float | None = None
    corrected_gap_ev: float | None = None
    kpoint_grid_ground_state: list[int] | None = None
    kpoint_grid_optics: list[int] | None = None
    generated_datasets: list[str] = field(default_factory=list)
    cpu_seconds: dict[str, float] = field(default_factory=dict)
    settings: dict = field(default_factory=dict)


def recorded_settings(settings: OpticsSettings, elements: set[str]) -> dict:
    """The settings a GLLB-SC result records: the spectra's, with GLLB-SC and its own datasets."""
    return {**settings.record(elements), "xc": GLLBSC, "setups": {}}


def generate_datasets(elements: set[str], directory: Path) -> list[str]:
    """Write GLLB-SC datasets that gpaw-data lacks for ``elements`` into ``directory``; return their elements."""
    from gpaw.atom.configurations import parameters
    from gpaw.atom.generator import Generator

    generated = sorted(elements & set(GENERATED_DATASETS))
    for element in generated:
        cwd = os.getcwd()
        os.chdir(directory)
        try:
            Generator(element, GLLBSC, scalarrel=True, txt=os.devnull).run(
                exx=True, logderiv=False, **parameters[element]
            )
        finally:
            os.chdir(cwd)
    return generated


def compute_corrected_gap(
    structure, material_id: str, settings: OpticsSettings, log_path: str | None = None
) -> CorrectedGap:
    """The GLLB-SC gap of one pymatgen ``Structure`` (see the module docstring); never raises for a physical outcome."""
    import gpaw
    from gpaw import KohnShamConvergenceError
    from pymatgen.io.ase import AseAtomsAdaptor

    atoms = AseAtomsAdaptor.get_atoms(structure)
    elements = set(atoms.get_chemical_symbols())
    result = CorrectedGap(
        material_id=material_id,
        formula=structure.composition.reduced_formula,
        nsites=len(structure),
        status="failed",
        settings=recorded_settings(settings, elements),
    )
    txt = log_path or os.devnull
    result.kpoint_grid_ground_state = kpoint_grid(atoms, settings.ground_state_kpoint_density, False)
    result.kpoint_grid_optics = kpoint_grid(atoms, settings.optics_kpoint_density, False)
    start = process_cpu_seconds()
    with tempfile.TemporaryDirectory(prefix="specgroups-gllbsc-") as datasets:
        result.generated_datasets = generate_datasets(elements, Path(datasets))
        gpaw.setup_paths.insert(0, datasets)
        try:
            calc = ground_state(
                atoms, settings, result.kpoint_grid_ground_state, txt, xc=GLLBSC, setups={}, convergence=SCF_CONVERGENCE
            )
            result.cpu_seconds["ground_state"] = round(process_cpu_seconds() - start, 2)
            occupied = occupied_band_count(calc)
            if occupied is None:
                result.status, result.reason = "metal", "odd number of valence electrons without spin polarisation"
                return _finish(result, start)
            step = process_cpu_seconds()
            edges_calc = calc.fixed_density(
                nbands=occupied + max(4, BAND_EDGE_EMPTY_BANDS_PER_ATOM * len(atoms)),
                kpts={"size": result.kpoint_grid_optics, "gamma": True},
                convergence={"bands": occupied + 1},
                eigensolver=settings.empty_band_eigensolver,
                txt=txt,
            )
            edges = band_edges(edges_calc, occupied, occupied + 1)
            if edges["band_gap_ev"] < settings.metal_gap_threshold_ev:
                result.status, result.reason = "metal", f"GLLB-SC Kohn-Sham gap {edges['band_gap_ev']:.3f} eV"
                return _finish(result, start)
            homo, lumo = edges_calc.get_homo_lumo()
            potential = calc.hamiltonian.xc.response.calculate_discontinuity_potential(homo, lumo)
            kohn_sham_gap, discontinuity = edges_calc.hamiltonian.xc.response.calculate_discontinuity(potential)
            result.cpu_seconds["band_edges"] = round(process_cpu_seconds() - step, 2)
        except KohnShamConvergenceError as error:
            result.reason = f"GLLB-SC calculation did not converge ({error})"
            return _finish(result, start)
        finally:
            gpaw.setup_paths.remove(datasets)
    result.kohn_sham_gap_ev = round(float(kohn_sham_gap), 4)
    result.kohn_sham_direct_gap_ev = round(edges["direct_gap_ev"], 4)
    result.derivative_discontinuity_ev = round(float(discontinuity), 4)
    result.corrected_gap_ev = round(float(kohn_sham_gap + discontinuity), 4)
    result.status = "ok"
    return _finish(result, start)


def _finish(result: CorrectedGap, start: float) -> CorrectedGap:
    result.cpu_seconds["total"] = round(process_cpu_seconds() - start, 2)
    return result

"""One material's optical spectrum from first principles with GPAW.

PBE ground state in plane waves -> non-self-consistent run with empty bands on
a denser k-mesh -> independent-particle (no local fields) dielectric tensor
diagonal from ``gpaw.response.df.DielectricFunction``. The result carries the
dielectric function as a vise ``DieleFuncData`` dict, so
:func:`specgroups.spectra.read_dielectric` reads it like a VASP result.

GPAW runs spin-unpolarised: open-shell magnetic compounds and materials with
an odd electron count come out metallic and are recorded as metals.
"""

from __future__ import annotations

import math
import os
import resource
from dataclasses import asdict, dataclass, field

import numpy as np

from specgroups.firstprinciples.paw_corrections import quadrature_fallback
from specgroups.firstprinciples.settings import OpticsSettings

HARTREE_EV = 27.211386245988


@dataclass
class MaterialResult:
    """One material's calculation: ``status`` is "ok", "metal" or "failed", with the ``reason``."""

    material_id: str
    formula: str
    nsites: int
    status: str
    reason: str = ""

    def as_dict(self) -> dict:
        return asdict(self)


@dataclass
class OpticsResult(MaterialResult):
    """What one optics calculation produced."""

    band_gap_ev: float | None = None
    direct_gap_ev: float | None = None
    vbm_kpoint: list[float] | None = None
    cbm_kpoint: list[float] | None = None
    transitions_complete_to_ev: float | None = None
    nbands: int | None = None
    # empty-band runs needed to reach settings.min_transitions_complete_ev (results from before that setting: 1)
    empty_band_rounds: int | None = None
    kpoint_grid_ground_state: list[int] | None = None
    kpoint_grid_optics: list[int] | None = None
    cpu_seconds: dict[str, float] = field(default_factory=dict)
    peak_memory_mb: float | None = None
    # PAW transforms that failed GPAW's FFBT self-check and were computed by quadrature (see paw_corrections)
    paw_quadrature_transforms: int = 0
    settings: dict = field(default_factory=dict)
    dielectric: dict | None = None


def process_cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def _peak_memory_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def kpoint_grid(atoms, density: float, contains_ibz_vertices: bool) -> list[int]:
    """Gamma-centred Monkhorst-Pack sizes for a k-point density (points per 1/angstrom).

    The tetrahedron method needs the grid to contain the vertices of the
    irreducible Brillouin zone, which ``gpaw.bztools`` guarantees.
    """
    if contains_ibz_vertices:
        from gpaw.bztools import optimal_monkhorst_pack_grid

        grid = optimal_monkhorst_pack_grid(
            atoms, kptdensity=density, contains_ibz_vertices=True, force_gamma=True, force_even=True
        )
        return [int(n) for n in grid["size"]]
    reciprocal = atoms.cell.reciprocal()
    return [max(1, math.ceil(2 * math.pi * np.linalg.norm(row) * density)) for row in reciprocal]


def band_edges(calc, occupied_bands: int, converged_bands: int) -> dict:
    """Kohn-Sham gap, direct gap and the VBM/CBM k-points (fractional) from a finished calculation.

    ``transitions_complete_to_ev`` is the lowest energy, above the VBM, of the
    highest converged band at any k-point: every transition from the VBM up to
    that energy is in the spectrum (a check that there are enough empty bands).
    """
    kpoints = calc.get_ibz_k_points()
    eigenvalues = np.array([calc.get_eigenvalues(kpt=k) for k in range(len(kpoints))])
    valence = eigenvalues[:, occupied_bands - 1]
    conduction = eigenvalues[:, occupied_bands]
    vbm_index, cbm_index = int(np.argmax(valence)), int(np.argmin(conduction))
    return {
        "band_gap_ev": float(conduction[cbm_index] - valence[vbm_index]),
        "direct_gap_ev": float(np.min(conduction - valence)),
        "vbm_kpoint": [round(float(x), 6) for x in kpoints[vbm_index]],
        "cbm_kpoint": [round(float(x), 6) for x in kpoints[cbm_index]],
        "transitions_complete_to_ev": float(np.min(eigenvalues[:, converged_bands - 1]) - valence[vbm_index]),
    }


def ground_state_calculator(
    atoms,
    settings: OpticsSettings,
    kpoint_sizes: list[int],
    txt: str,
    xc: str | None = None,
    setups: dict | None = None,
    convergence: dict | None = None,
    explicit_kpoints: np.ndarray | None = None,
):
    """The GPAW calculator of a ground state on a Gamma-centred grid of ``kpoint_sizes``, not yet run
    (on ``explicit_kpoints``, fractions of the reciprocal vectors, where given).

    The functional and PAW datasets are the settings' (``settings.xc``, ``settings.setups``) unless
    ``xc`` and ``setups`` are given; ``convergence`` overrides GPAW's SCF criteria (its keys).
    """
    from gpaw import GPAW, PW, FermiDirac

    return GPAW(
        convergence=convergence or {},
        mode=PW(settings.plane_wave_cutoff_ev),
        xc=xc or settings.xc,
        setups=settings.setups_for(set(atoms.get_chemical_symbols())) if setups is None else setups,
        kpts={"size": kpoint_sizes, "gamma": True} if explicit_kpoints is None else explicit_kpoints,
        occupations=FermiDirac(0.01),
        maxiter=settings.max_scf_iterations,
        txt=txt,
    )


def ground_state(atoms, settings: OpticsSettings, kpoint_sizes: list[int], txt: str, **options):
    """Self-consistent ground state of :func:`ground_state_calculator` (``options``: its keywords); returns the
    GPAW calculator.

    Raises ``gpaw.KohnShamConvergenceError`` when the SCF does not converge.
    """
    calc = ground_state_calculator(atoms, settings, kpoint_sizes, txt, **options)
    atoms.calc = calc
    atoms.get_potential_energy()
    return calc


def occupied_band_count(calc) -> int | None:
    """Doubly occupied bands of a spin-unpolarised calculation; None for an odd electron count (a metal)."""
    electrons = int(round(calc.get_number_of_electrons()))
    return None if electrons % 2 else electrons // 2


def converged_band_count(nbands: int) -> int:
    """The bands an empty-band run of ``nbands`` bands converges: all but the top tenth (at least two), which
    converge slowly and lie above every transition the spectrum needs."""
    return nbands - max(2, nbands // 10)


@dataclass
class EmptyBandRun:
    """The non-self-consistent run whose states the spectrum is computed from (see :func:`empty_band_run`)."""

    calc: object
    edges: dict
    nbands: int
    rounds: int
    metal: bool


def empty_band_run(
    calc,
    atom_count: int,
    occupied_bands: int,
    settings: OpticsSettings,
    kpoint_sizes: list[int],
    txt: str,
    first_round: int = 1,
) -> EmptyBandRun:
    """Empty bands on the optics grid from a ground state ``calc``, enough for the spectrum.

    Starts at ``empty_bands_per_atom`` empty bands per atom and repeats with
    1.5 times the bands (at most ``max_empty_band_rounds`` runs) while the
    highest converged band lies less than ``min_transitions_complete_ev``
    above the VBM. Stops early for a metal (Kohn-Sham gap below
    ``metal_gap_threshold_ev``). Raises ``gpaw.KohnShamConvergenceError``.

    ``first_round`` > 1 skips the runs before it (with the bands the rule gives that round), for a material
    whose earlier result on a coarser grid showed them to fall short (:func:`~specgroups.firstprinciples.runner.first_empty_band_round`).
    """
    nbands = occupied_bands + math.ceil(settings.empty_bands_per_atom * atom_count)
    for _ in range(1, min(first_round, settings.max_empty_band_rounds)):
        nbands = math.ceil(1.5 * nbands)
    for rounds in range(min(first_round, settings.max_empty_band_rounds), settings.max_empty_band_rounds + 1):
        converged_bands = converged_band_count(nbands)
        optics_calc = calc.fixed_density(
            nbands=nbands,
            kpts={"size": kpoint_sizes, "gamma": True},
            convergence={"bands": converged_bands, "eigenstates": settings.empty_band_tolerance},
            eigensolver=settings.empty_band_eigensolver,
            txt=txt,
        )
        edges = band_edges(optics_calc, occupied_bands, converged_bands)
        metal = edges["band_gap_ev"] < settings.metal_gap_threshold_ev
        if metal or edges["transitions_complete_to_ev"] >= settings.min_transitions_complete_ev:
            break
        if rounds < settings.max_empty_band_rounds:
            nbands = math.ceil(1.5 * nbands)
    return EmptyBandRun(optics_calc, edges, nbands, rounds, metal)


def closed_shell_ground_state(
    atoms, settings: OpticsSettings, result: MaterialResult, txt: str
) -> tuple[object, int | None]:
    """(calculator, doubly occupied bands) of the ground state on ``result.kpoint_grid_ground_state``, its CPU
    seconds recorded in ``result``; (None, None) with the status and reason recorded when the SCF does not
    converge ("failed") or the electron count is odd ("metal": GPAW runs spin-unpolarised)."""
    from gpaw import KohnShamConvergenceError

    start = process_cpu_seconds()
    try:
        calc = ground_state(atoms, settings, result.kpoint_grid_ground_state, txt)
    except KohnShamConvergenceError as error:
        result.reason = f"ground state did not converge in {settings.max_scf_iterations} iterations ({error})"
        return None, None
    result.cpu_seconds["ground_state"] = round(process_cpu_seconds() - start, 2)
    occupied = occupied_band_count(calc)
    if occupied is None:
        result.status, result.reason = (
            "metal",
            f"odd number of valence electrons ({calc.get_number_of_electrons():g}) without spin polarisation",
        )
        return None, None
    return calc, occupied


def compute_optics(
    structure, material_id: str, settings: OpticsSettings, log_path: str | None = None, first_empty_band_round: int = 1
) -> OpticsResult:
    """Compute the dielectric function of one pymatgen ``Structure`` (``first_empty_band_round``: see
    :func:`empty_band_run`).

    Never raises for a physical outcome: a metal or an SCF that does not
    converge comes back as a result with status "metal" or "failed" and the
    reason, so a batch keeps going.
    """
    from gpaw import KohnShamConvergenceError

    atoms, result = started_result(OpticsResult, structure, material_id, settings)
    txt = log_path or os.devnull
    tetrahedron = settings.integration == "tetrahedron"
    result.kpoint_grid_ground_state = kpoint_grid(atoms, settings.ground_state_kpoint_density, False)
    result.kpoint_grid_optics = kpoint_grid(atoms, settings.spectrum_kpoint_density(len(atoms)), tetrahedron)

    start = process_cpu_seconds()
    calc, occupied_bands = closed_shell_ground_state(atoms, settings, result, txt)
    if calc is None:
        return finish_result(result, start)
    step = process_cpu_seconds()
    try:
        run = empty_band_run(
            calc, len(atoms), occupied_bands, settings, result.kpoint_grid_optics, txt, first_empty_band_round
        )
    except KohnShamConvergenceError as error:
        result.reason = f"empty-band calculation did not converge ({error})"
        return finish_result(result, start)
    optics_calc, edges, metal = run.calc, run.edges, run.metal
    result.nbands, result.empty_band_rounds = run.nbands, run.rounds
    result.cpu_seconds["empty_bands"] = round(process_cpu_seconds() - step, 2)

    for key, value in edges.items():
        setattr(result, key, value)
    if metal:
        result.status = "metal"
        result.reason = f"Kohn-Sham gap {result.band_gap_ev:.3f} eV is below {settings.metal_gap_threshold_ev} eV"
        return finish_result(result, start)
    if result.transitions_complete_to_ev < settings.min_transitions_complete_ev:
        result.reason = (
            f"transitions complete only to {result.transitions_complete_to_ev:.2f} eV above the VBM "
            f"(min_transitions_complete_ev {settings.min_transitions_complete_ev:g}) after "
            f"{result.empty_band_rounds} empty-band runs, the last with {result.nbands} bands"
        )
        return finish_result(result, start)

    step = process_cpu_seconds()
    with quadrature_fallback() as fallbacks:
        result.dielectric = dielectric_tensor_diagonal(
            optics_calc, settings, result.band_gap_ev, txt, settings.broadening_ev
        )
    result.paw_quadrature_transforms = len(fallbacks)
    result.cpu_seconds["response"] = round(process_cpu_seconds() - step, 2)
    result.status = "ok"
    return finish_result(result, start)


def started_result(cls, structure, material_id: str, settings: OpticsSettings):
    """(ASE atoms of a pymatgen ``structure``, a ``cls`` result of it with status "failed" until it finishes and the
    settings of a spectrum of its size recorded)."""
    from pymatgen.io.ase import AseAtomsAdaptor

    atoms = AseAtomsAdaptor.get_atoms(structure)
    result = cls(
        material_id=material_id,
        formula=structure.composition.reduced_formula,
        nsites=len(structure),
        status="failed",
        settings=settings.record(set(atoms.get_chemical_symbols()), len(atoms)),
    )
    return atoms, result


def finish_result(result: MaterialResult, start: float) -> MaterialResult:
    """Record the total CPU seconds since ``start`` and the process's peak memory in a result."""
    result.cpu_seconds["total"] = round(process_cpu_seconds() - start, 2)
    result.peak_memory_mb = round(_peak_memory_mb(), 1)
    return result


def dielectric_tensor_diagonal(
    calc, settings: OpticsSettings, band_gap_ev: float, txt: str, broadening_ev: float
) -> dict:
    """xx, yy and zz of the independent-particle dielectric function as a vise DieleFuncData dict.

    ``broadening_ev`` is the Lorentzian half width eta (``settings.broadening_ev``
    for the spectra; the convergence study also uses others).

    chi0 is computed once at q = 0 and each direction is read from it. GPAW's
    non-linear frequency grid is interpolated onto a uniform grid of
    ``frequency_step_ev`` from 0 to ``max_frequency_ev``.
    """
    from gpaw.response.df import DielectricFunction

    integration = "tetrahedron integration" if settings.integration == "tetrahedron" else "point integration"
    response = DielectricFunction(
        calc,
        frequencies={
            "type": "nonlinear",
            "domega0": settings.frequency_step_ev,
            "omega2": settings.max_frequency_ev,
            "omegamax": settings.max_frequency_ev + 1.0,
        },
        eta=broadening_ev,
        ecut=settings.response_cutoff_ev,
        hilbert=True,
        intraband=False,
        integrationmode=integration,
        txt=txt,
    )
    dyson = response.get_chi0_dyson_eqs([0, 0, 0])
    frequencies = dyson.chi0.wd.omega_w * HARTREE_EV
    energies = np.round(np.arange(0.0, settings.max_frequency_ev + 1e-9, settings.frequency_step_ev), 6)
    real, imag = [], []
    for direction in "xyz":
        eps_independent, _ = dyson.inverse_dielectric_function(direction).macroscopic_dielectric_function().unpack()
        real.append(_rounded(np.interp(energies, frequencies, eps_independent.real)))
        imag.append(_rounded(np.interp(energies, frequencies, eps_independent.imag)))
    return {
        "@module": "vise.analyzer.dielectric_function",
        "@class": "DieleFuncData",
        "energies": energies.tolist(),
        "directions": ["xx", "yy", "zz"],
        "diele_func_real": real,
        "diele_func_imag": imag,
        "band_gap": round(band_gap_ev, 4),
        "title": "GPAW PBE independent-particle dielectric function",
    }


def _rounded(values: np.ndarray) -> list[float]:
    """Six significant digits: far below the method's accuracy, and it keeps the files small."""
    return [float(f"{value:.6g}") for value in values]

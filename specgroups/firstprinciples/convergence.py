"""How the spectra change with the optics k-point density and the broadening.

For one material: one ground state on the settings' ground-state grid, then,
for each optics k-point density of the plan, the empty-band run
(:func:`~specgroups.firstprinciples.calculation.empty_band_run`) and the
dielectric function at each broadening of the plan. Every other setting is the
spectra's own. :func:`convergence_errors` compares each run with the densest
grid at the reference broadening.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

import numpy as np

from specgroups.errors import InputError
from specgroups.firstprinciples.calculation import (
    dielectric_tensor_diagonal,
    empty_band_run,
    ground_state,
    kpoint_grid,
    occupied_band_count,
    process_cpu_seconds,
)
from specgroups.firstprinciples.paw_corrections import quadrature_fallback
from specgroups.firstprinciples.settings import OpticsSettings


@dataclass(frozen=True)
class ConvergencePlan:
    """The optics k-point densities (points per 1/angstrom) and Lorentzian broadenings (eV) to compare.

    Cells of at most ``small_cell_max_sites`` sites also run ``small_cell_densities`` (denser still): their
    spectra converge more slowly, so their reference must be denser than the others'.
    """

    optics_kpoint_densities: tuple[float, ...]
    broadenings_ev: tuple[float, ...]
    small_cell_max_sites: int = 0
    small_cell_densities: tuple[float, ...] = ()

    def __post_init__(self) -> None:
        if len(self.optics_kpoint_densities) < 2 or not self.broadenings_ev:
            raise InputError("params: convergence needs at least two optics k-point densities and one broadening")
        if any(
            value <= 0 for value in (*self.optics_kpoint_densities, *self.small_cell_densities, *self.broadenings_ev)
        ):
            raise InputError("params: convergence densities and broadenings must be positive")

    @classmethod
    def from_params(cls, params: dict) -> "ConvergencePlan":
        return cls(
            tuple(float(d) for d in params["optics_kpoint_densities"]),
            tuple(float(e) for e in params["broadenings_ev"]),
            int(params.get("small_cell_max_sites", 0)),
            tuple(float(d) for d in params.get("small_cell_densities", ())),
        )

    def densities_for(self, nsites: int) -> tuple[float, ...]:
        """The optics k-point densities a cell of ``nsites`` sites runs, ascending."""
        extra = self.small_cell_densities if nsites <= self.small_cell_max_sites else ()
        return tuple(sorted({*self.optics_kpoint_densities, *extra}))

    def run_labels(self, nsites: int) -> set[str]:
        """The :func:`run_label` of every run a cell of ``nsites`` sites gets."""
        return {run_label(d, e) for d in self.densities_for(nsites) for e in self.broadenings_ev}


def run_label(density: float, broadening_ev: float) -> str:
    """The file-name label of one run, e.g. ``k3.0-eta0.05``."""
    return f"k{density:g}-eta{broadening_ev:g}"


def compute_convergence(
    structure, material_id: str, settings: OpticsSettings, plan: ConvergencePlan, log_path: str | None = None
) -> dict:
    """Every run of ``plan`` for one pymatgen ``Structure``: a result dict whose ``dielectrics`` are keyed by
    :func:`run_label`; status "failed" with the reason when a step does not converge."""
    from gpaw import KohnShamConvergenceError
    from pymatgen.io.ase import AseAtomsAdaptor

    atoms = AseAtomsAdaptor.get_atoms(structure)
    result = {
        "material_id": material_id,
        "formula": structure.composition.reduced_formula,
        "nsites": len(structure),
        "status": "failed",
        "reason": "",
        "kpoint_grid_ground_state": kpoint_grid(atoms, settings.ground_state_kpoint_density, False),
        "runs": [],
        "settings": settings.record(set(atoms.get_chemical_symbols())),
        "dielectrics": {},
    }
    txt = log_path or os.devnull
    start = process_cpu_seconds()
    try:
        calc = ground_state(atoms, settings, result["kpoint_grid_ground_state"], txt)
        occupied = occupied_band_count(calc)
        if occupied is None:
            result["status"], result["reason"] = "metal", "odd number of valence electrons without spin polarisation"
            return result
        for density in plan.densities_for(len(atoms)):
            step = process_cpu_seconds()
            grid = kpoint_grid(atoms, density, False)
            run = empty_band_run(calc, len(atoms), occupied, settings, grid, txt)
            empty_bands_cpu = process_cpu_seconds() - step
            for broadening in plan.broadenings_ev:
                step = process_cpu_seconds()
                with quadrature_fallback():
                    dielectric = dielectric_tensor_diagonal(
                        run.calc, settings, run.edges["band_gap_ev"], txt, broadening
                    )
                label = run_label(density, broadening)
                result["dielectrics"][label] = dielectric
                result["runs"].append(
                    {
                        "label": label,
                        "optics_kpoint_density": density,
                        "broadening_ev": broadening,
                        "kpoint_grid_optics": grid,
                        "nbands": run.nbands,
                        **run.edges,
                        "cpu_seconds": {
                            "empty_bands": round(empty_bands_cpu, 2),
                            "response": round(process_cpu_seconds() - step, 2),
                        },
                    }
                )
    except KohnShamConvergenceError as error:
        result["reason"] = f"did not converge ({error})"
        return result
    result["status"] = "ok"
    result["cpu_seconds"] = {"total": round(process_cpu_seconds() - start, 2)}
    return result


def convergence_errors(
    grid: np.ndarray, spectra: dict[str, np.ndarray], runs: list[dict], reference_broadening_ev: float, metrics
) -> list[dict]:
    """Each run against the densest optics grid at ``reference_broadening_ev``.

    ``spectra`` maps run labels to log10 alpha on ``grid``; ``metrics`` maps a
    spectrum to its :class:`~specgroups.spectra.OnsetMetrics`. Per run, run minus
    reference: the onset error (eV), the log10 alpha mean absolute difference over
    the grid, the error of log10 of the absorption-edge integral I, the error of the
    Kohn-Sham gap of the run's own grid (eV; a grid that misses a band extremum, as odd
    grids miss the zone boundary, overestimates it), and the error of the onset after the
    scissor (eV): the dataset shifts each spectrum by (target gap - the gap of its own
    grid), so the shifted onset's error is the onset error minus the gap error.
    """
    densest = max(run["optics_kpoint_density"] for run in runs)
    reference_label = run_label(densest, reference_broadening_ev)
    measured = {label: metrics(spectrum) for label, spectrum in spectra.items()}
    reference = measured[reference_label]
    reference_run = next(run for run in runs if run["label"] == reference_label)
    rows = []
    for run in runs:
        label = run["label"]
        onset_error = measured[label].onset_energy_ev - reference.onset_energy_ev
        gap_error = run["band_gap_ev"] - reference_run["band_gap_ev"]
        rows.append(
            {
                "label": label,
                "optics_kpoint_density": run["optics_kpoint_density"],
                "broadening_ev": run["broadening_ev"],
                "kpoint_grid_optics": run["kpoint_grid_optics"],
                "onset_error_ev": float(onset_error),
                "log_alpha_mae": float(np.mean(np.abs(spectra[label] - spectra[reference_label]))),
                "log_edge_integral_error": float(
                    np.log10(measured[label].absorption_edge_integral) - np.log10(reference.absorption_edge_integral)
                ),
                "kohn_sham_gap_error_ev": float(gap_error),
                "scissored_onset_error_ev": float(onset_error - gap_error),
            }
        )
    return rows

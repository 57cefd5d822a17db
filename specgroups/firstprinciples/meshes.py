"""The direct gap on a k-mesh that holds the zone boundary, beside the optics grid's.

The spectra's optics grids are Gamma-centred Monkhorst-Pack grids of ``ceil(density x |b_i|)`` points per axis
(:func:`specgroups.firstprinciples.calculation.kpoint_grid`). Along an axis of odd size the grid never reaches the
zone boundary (k_i = 1/2), so a direct transition there is missed and the spectrum's onset, which starts at the
lowest direct transition on the grid, is overstated by the difference. Per material (PBE, the spectra's settings):
the ground state on its grid, then a non-self-consistent run of the bands at the edges on the Gamma-centred grid
whose sizes are the optics grid's rounded up to even, which holds k_i = 0 and 1/2 on every axis. The onset
overstatement (:func:`specgroups.study.neighbours.onset_overstatement`) is the optics grid's direct gap (the optics run's, from the spectra's results) minus the
smaller of the two grids' direct gaps: how far the onset of the spectrum lies above the lowest direct transition
that either grid finds (zero where the even grid finds none lower): the error of the PBE onset. A corrected onset,
shifted by a scissor to the GLLB-SC gap from the grid's fundamental gap, moves by that error minus the change of the
fundamental gap, which the even grid's ``band_gap_ev`` gives.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field

from specgroups.firstprinciples.calculation import (
    MaterialResult,
    band_edges,
    closed_shell_ground_state,
    finish_result,
    kpoint_grid,
    process_cpu_seconds,
    started_result,
)
from specgroups.firstprinciples.settings import OpticsSettings

# bands converged above the highest occupied one: the edges only
EDGE_BANDS = 4


@dataclass
class ZoneBoundaryResult(MaterialResult):
    """The band edges on the even grid (eV; k-points as fractions of the reciprocal vectors)."""

    kpoint_grid_ground_state: list[int] | None = None
    kpoint_grid_optics: list[int] | None = None
    kpoint_grid_even: list[int] | None = None
    band_gap_ev: float | None = None
    direct_gap_ev: float | None = None
    vbm_kpoint: list[float] | None = None
    cbm_kpoint: list[float] | None = None
    cpu_seconds: dict[str, float] = field(default_factory=dict)
    peak_memory_mb: float | None = None
    settings: dict = field(default_factory=dict)


def even_grid(sizes: list[int]) -> list[int]:
    """Each size rounded up to even: a Gamma-centred grid of these sizes holds k = 1/2 on every axis."""
    return [n + n % 2 for n in sizes]


def compute_zone_boundary_gap(structure, material_id: str, settings: OpticsSettings, log_path: str | None = None):
    """The :class:`ZoneBoundaryResult` of one pymatgen ``Structure``; a metal or an SCF that does not converge comes
    back with status "metal" or "failed" and the reason, so a batch keeps going."""
    atoms, result = started_result(ZoneBoundaryResult, structure, material_id, settings)
    txt = log_path or os.devnull
    result.kpoint_grid_ground_state = kpoint_grid(atoms, settings.ground_state_kpoint_density, False)
    result.kpoint_grid_optics = kpoint_grid(atoms, settings.spectrum_kpoint_density(len(atoms)), False)
    result.kpoint_grid_even = even_grid(result.kpoint_grid_optics)
    start = process_cpu_seconds()
    calc, occupied = closed_shell_ground_state(atoms, settings, result, txt)
    if calc is None:
        return finish_result(result, start)
    step = process_cpu_seconds()
    bands = calc.fixed_density(
        nbands=occupied + 2 * EDGE_BANDS,
        kpts={"size": result.kpoint_grid_even, "gamma": True},
        convergence={"bands": occupied + EDGE_BANDS, "eigenstates": settings.empty_band_tolerance},
        eigensolver=settings.empty_band_eigensolver,
        txt=txt,
    )
    edges = band_edges(bands, occupied, occupied + EDGE_BANDS)
    result.cpu_seconds["even_grid"] = round(process_cpu_seconds() - step, 2)
    result.band_gap_ev, result.direct_gap_ev = edges["band_gap_ev"], edges["direct_gap_ev"]
    result.vbm_kpoint, result.cbm_kpoint = edges["vbm_kpoint"], edges["cbm_kpoint"]
    result.status = "ok" if result.band_gap_ev >= settings.metal_gap_threshold_ev else "metal"
    return finish_result(result, start)

"""How far the GPAW spectra are from references: another code, experiment, another functional."""

from __future__ import annotations

from collections import Counter

import numpy as np

from specgroups.firstprinciples.results import exclusion_reason
from specgroups.firstprinciples.settings import OpticsSettings
from specgroups.spectra import DielectricFunction, dielectric_from_vise_dict, log_absorption_on_grid, onset_metrics, read_dielectric


def compare_spectra(
    reference: DielectricFunction, candidate: DielectricFunction, grid: np.ndarray, cut_below_gap: bool = False
) -> dict:
    """Differences between two dielectric functions on ``grid``, as log10 alpha and onsets.

    ``mean_absolute_log_alpha`` is the study's error measure (log10 units);
    ``onset_difference_ev`` is candidate minus reference at log10 alpha = 4.
    ``cut_below_gap`` zeroes both eps_imag below each one's own gap first.
    """
    reference_log = log_absorption_on_grid(reference, grid, cut_below_gap=cut_below_gap)
    candidate_log = log_absorption_on_grid(candidate, grid, cut_below_gap=cut_below_gap)
    reference_onset = onset_metrics(grid, reference_log).onset_energy_ev
    candidate_onset = onset_metrics(grid, candidate_log).onset_energy_ev
    peak = lambda d: float(d.energies[np.argmax(np.where(d.energies <= grid[-1], d.eps_imag, -np.inf))])  # noqa: E731
    return {
        "mean_absolute_log_alpha": round(float(np.mean(np.abs(candidate_log - reference_log))), 4),
        "reference_onset_ev": round(reference_onset, 3),
        "onset_ev": round(candidate_onset, 3),
        "onset_difference_ev": round(candidate_onset - reference_onset, 3),
        "reference_gap_ev": reference.band_gap,
        "gap_ev": candidate.band_gap,
        "reference_eps_imag_peak_ev": peak(reference),
        "eps_imag_peak_ev": peak(candidate),
        "reference_eps_real_at_0": round(float(reference.eps_real[0]), 3),
        "eps_real_at_0": round(float(candidate.eps_real[0]), 3),
    }


def gap_agreement(computed: np.ndarray, reference: np.ndarray) -> dict:
    """Pearson correlation, mean and mean absolute difference (computed - reference) of two gap lists."""
    computed, reference = np.asarray(computed, dtype=float), np.asarray(reference, dtype=float)
    difference = computed - reference
    return {
        "materials": int(len(computed)),
        "pearson_r": round(float(np.corrcoef(computed, reference)[0, 1]), 4),
        "mean_difference_ev": round(float(difference.mean()), 3),
        "mean_absolute_difference_ev": round(float(np.abs(difference).mean()), 3),
        "max_absolute_difference_ev": round(float(np.abs(difference).max()), 3),
    }


def against_vasp(vasp_path: str, settings: OpticsSettings, grid: np.ndarray) -> dict:
    """GPAW on the structure of a VASP optics run (``vasprun.xml[.gz]``) against that run: :func:`compare_spectra`
    as computed and with eps_imag cut below each gap, and GPAW's CPU seconds."""
    from pymatgen.io.vasp import Vasprun

    from specgroups.firstprinciples.calculation import compute_optics

    vasp = read_dielectric(vasp_path)
    structure = Vasprun(vasp_path, parse_dos=False, parse_potcar_file=False).final_structure
    result = compute_optics(structure, f"{structure.composition.reduced_formula} (VASP fixture structure)", settings)
    gpaw = dielectric_from_vise_dict(result.dielectric, f"GPAW {structure.composition.reduced_formula}")
    return {
        "as_computed": {**compare_spectra(vasp, gpaw, grid), "vasp_file": vasp_path, "cpu_seconds": result.cpu_seconds["total"]},
        "cut_below_gap": compare_spectra(vasp, gpaw, grid, cut_below_gap=True),
    }


def against_experiment(structure, material_id: str, settings: OpticsSettings, measured_gap_ev: float, measured_eps_inf: float) -> dict:
    """GPAW's Kohn-Sham gap (eV) and eps_inf (eps_real at the lowest energy) of one material beside measured values."""
    from specgroups.firstprinciples.calculation import compute_optics

    result = compute_optics(structure, material_id, settings)
    dielectric = dielectric_from_vise_dict(result.dielectric, f"GPAW {material_id}")
    return {
        "gap_ev": round(result.band_gap_ev, 3),
        "measured_gap_ev": measured_gap_ev,
        "eps_inf": round(float(dielectric.eps_real[0]), 3),
        "measured_eps_inf": measured_eps_inf,
    }


def gaps_against_database(materials: dict[str, dict], results: dict[str, dict]) -> dict:
    """:func:`gap_agreement` of GPAW's gaps with the selected materials' database gaps, over every finished
    (``ok``) result whose material has one."""
    finished = [r for r in results.values() if r["status"] == "ok" and materials.get(r["material_id"], {}).get("reference_gap_ev") is not None]
    return gap_agreement([r["band_gap_ev"] for r in finished], [materials[r["material_id"]]["reference_gap_ev"] for r in finished])


def dataset_counts(materials: dict[str, dict], results: dict[str, dict], grid_max_ev: float) -> dict:
    """How many selected materials were computed, by status; the lowest energy above the VBM up to which the
    transitions of an ``ok`` result are complete; how many the dataset stage can use (non-metallic, every
    transition up to ``grid_max_ev`` included), by source; how many are not computed yet."""
    statuses = [r["status"] for r in results.values()]
    usable = [r["material_id"] for r in results.values() if not exclusion_reason(r, grid_max_ev)]
    return {
        "computed": len(results),
        "ok": statuses.count("ok"),
        "metal": statuses.count("metal"),
        "failed": statuses.count("failed"),
        "min_transitions_complete_to_ev": round(min(r["transitions_complete_to_ev"] for r in results.values() if r["status"] == "ok"), 2),
        "complete_to_grid_end": len(usable),
        "complete_to_grid_end_by_source": dict(Counter(materials[material_id]["source"] for material_id in usable)),
        "not_computed": len(set(materials) - set(results)),
    }

"""How far the GPAW spectra are from references: another code, experiment, another functional."""

from __future__ import annotations

import numpy as np

from specgroups.spectra import DielectricFunction, log_absorption_on_grid, onset_metrics


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

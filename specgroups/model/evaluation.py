"""How well a spectrum model does on a split: spectrum MAE, the mean-spectrum baseline, onset parity and R^2."""

from __future__ import annotations

import numpy as np
import pandas as pd
from sklearn.metrics import r2_score

from specgroups.spectra import onset_metrics


def mean_absolute_error(predicted: np.ndarray, reference: np.ndarray) -> float:
    """Mean over materials and energy points of |predicted - reference| (log10 units for log10 alpha)."""
    return float(np.mean(np.abs(np.asarray(predicted) - np.asarray(reference))))


def mean_spectrum_baseline(train_spectra: np.ndarray, test_spectra: np.ndarray) -> float:
    """The MAE on the test spectra of predicting, for every material, the mean training spectrum."""
    return mean_absolute_error(np.asarray(train_spectra).mean(axis=0)[None, :], test_spectra)


def onset_parity(
    grid: np.ndarray, ids: list[str], predicted: np.ndarray, reference: np.ndarray, threshold: float
) -> pd.DataFrame:
    """Onset energies (eV, first crossing of ``threshold``) of the reference and the predicted spectra, per
    material (NaN where a spectrum has none)."""
    return pd.DataFrame(
        {
            "id": ids,
            "reference_onset_ev": [onset_metrics(grid, r, threshold).onset_energy_ev for r in reference],
            "predicted_onset_ev": [onset_metrics(grid, p, threshold).onset_energy_ev for p in predicted],
        }
    )


def onset_r2(parity: pd.DataFrame) -> tuple[float, int]:
    """R^2 of predicted vs reference onset energies, and the number of materials where both spectra have one."""
    finite = parity.dropna()
    if len(finite) < 2:
        return float("nan"), len(finite)
    return float(r2_score(finite["reference_onset_ev"], finite["predicted_onset_ev"])), len(finite)


def split_metrics(
    predictions: dict[str, np.ndarray],
    targets: dict[str, np.ndarray],
    grid: np.ndarray,
    test_ids: list[str],
    threshold: float,
) -> tuple[dict, pd.DataFrame]:
    """The model's headline numbers and the test materials' onset parity table.

    - ``spectrum_mae``: per split, :func:`mean_absolute_error` of the predicted spectra;
    - ``mean_spectrum_baseline_test_mae``: :func:`mean_spectrum_baseline`;
    - ``onset_r2_test``, ``onset_r2_materials``: :func:`onset_r2` over the test split.
    """
    parity = onset_parity(grid, test_ids, predictions["test"], targets["test"], threshold)
    r2, counted = onset_r2(parity)
    metrics = {
        "spectrum_mae": {
            split: round(mean_absolute_error(predictions[split], targets[split]), 4) for split in predictions
        },
        "mean_spectrum_baseline_test_mae": round(mean_spectrum_baseline(targets["train"], targets["test"]), 4),
        "onset_r2_test": round(r2, 4),
        "onset_r2_materials": counted,
    }
    return metrics, parity


def example_spectra(
    predicted: np.ndarray, reference: np.ndarray, grid: np.ndarray, names: list[str], quantiles: list[float]
) -> dict[str, pd.DataFrame]:
    """Reference and predicted spectra of the materials whose MAE (:func:`mean_absolute_error` of the one
    spectrum) ranks at each quantile of theirs: 0.1, 0.5, 0.9 give a good, a typical and a poor prediction.

    Keyed ``mae_p<quantile x 100>_<name>``, each a table of ``energy_ev``, ``reference`` and ``predicted``;
    the rank is round(quantile x (materials - 1)) in ascending MAE."""
    predicted, reference = np.asarray(predicted), np.asarray(reference)
    if not len(names) or not all(0.0 <= quantile <= 1.0 for quantile in quantiles):
        raise ValueError(
            f"example_spectra: needs materials and quantiles in [0, 1], got {len(names)} materials, {quantiles}"
        )
    order = np.argsort(np.abs(predicted - reference).mean(axis=1), kind="stable")
    picked = {}
    for quantile in quantiles:
        row = order[round(quantile * (len(names) - 1))]
        picked[f"mae_p{round(quantile * 100):02d}_{names[row]}"] = pd.DataFrame(
            {"energy_ev": grid, "reference": reference[row], "predicted": predicted[row]}
        )
    return picked

"""Model metrics: spectrum MAE, the mean-spectrum baseline, onset parity and R^2."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.metrics import r2_score

from specgroups.model.evaluation import example_spectra, mean_spectrum_baseline, onset_parity, onset_r2, split_metrics

GRID = np.linspace(0.0, 15.0, 1501)


def step_spectra(onsets: list[float]) -> np.ndarray:
    """log10 alpha of 2 below each onset and 6 from it on: the onset (threshold 4) lies half a step below."""
    return np.array([np.where(GRID >= onset, 6.0, 2.0) for onset in onsets])


def test_baseline_predicts_the_mean_training_spectrum():
    train = np.array([[0.0, 2.0], [2.0, 4.0]])
    assert mean_spectrum_baseline(train, np.array([[1.0, 3.0], [3.0, 3.0]])) == pytest.approx((0 + 0 + 2 + 0) / 4)


def test_onset_parity_and_r2_on_spectra_with_known_onsets():
    reference, predicted = [2.0, 3.0, 4.5, 6.0], [2.2, 2.9, 4.4, 6.3]
    parity = onset_parity(GRID, ["a", "b", "c", "d"], step_spectra(predicted), step_spectra(reference), 4.0)
    np.testing.assert_allclose(parity["reference_onset_ev"], np.array(reference) - 0.005, atol=1e-9)
    np.testing.assert_allclose(parity["predicted_onset_ev"], np.array(predicted) - 0.005, atol=1e-9)
    r2, counted = onset_r2(parity)
    assert counted == 4 and r2 == pytest.approx(r2_score(reference, predicted))


def test_materials_without_an_onset_are_left_out_of_r2():
    flat = np.full((1, len(GRID)), 2.0)  # never reaches 10^4 cm^-1
    parity = onset_parity(
        GRID,
        ["a", "b", "c"],
        np.vstack([step_spectra([2.0, 3.0]), flat]),
        np.vstack([step_spectra([2.1, 3.2]), flat]),
        4.0,
    )
    assert np.isnan(parity["predicted_onset_ev"].iloc[2]) and onset_r2(parity)[1] == 2
    assert np.isnan(onset_r2(parity.iloc[:1])[0])


def test_split_metrics_names_every_headline_number():
    spectra = step_spectra([2.0, 3.0, 4.0, 5.0])
    predictions = {"train": spectra[:2], "val": spectra[2:3], "test": spectra[2:] + 0.5}
    targets = {"train": spectra[:2], "val": spectra[2:3], "test": spectra[2:]}
    metrics, parity = split_metrics(predictions, targets, GRID, ["c", "d"], 4.0)
    assert metrics["spectrum_mae"] == {"train": 0.0, "val": 0.0, "test": 0.5}
    assert metrics["onset_r2_materials"] == 2 and list(parity["id"]) == ["c", "d"]
    assert metrics["mean_spectrum_baseline_test_mae"] > 0


def test_example_spectra_are_the_materials_at_the_mae_quantiles():
    grid = np.linspace(0, 15, 6)
    reference = np.zeros((5, 6))
    errors = np.array([0.4, 0.1, 0.3, 0.0, 0.2])  # ranks: D(0.0) B(0.1) E(0.2) C(0.3) A(0.4)
    predicted = reference + errors[:, None]
    picked = example_spectra(predicted, reference, grid, ["A", "B", "C", "D", "E"], [0.0, 0.5, 1.0])
    assert list(picked) == ["mae_p00_D", "mae_p50_E", "mae_p100_A"]
    assert list(picked["mae_p50_E"].columns) == ["energy_ev", "reference", "predicted"]
    assert np.allclose(picked["mae_p100_A"]["predicted"], 0.4) and np.allclose(picked["mae_p00_D"]["energy_ev"], grid)
    with pytest.raises(ValueError, match="quantiles"):
        example_spectra(predicted, reference, grid, list("ABCDE"), [1.5])

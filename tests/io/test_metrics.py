"""The flat headline metrics: picked from the committed stage results, a few named numbers that fit a terminal."""

from __future__ import annotations

import json

import pytest

from specgroups.io.metrics import (
    cluster_metrics,
    dataset_metrics,
    electronic_metrics,
    interpret_metrics,
    train_metrics,
    with_interval,
)
from tests.helpers import ROOT

PICKERS = {
    "dataset": dataset_metrics,
    "train": train_metrics,
    "cluster": cluster_metrics,
    "interpret": interpret_metrics,
    "electronic": electronic_metrics,
}
PROFILES = {"default": ROOT, "eps2": ROOT / "profiles/eps2"}


@pytest.mark.parametrize("profile", PROFILES)
def test_committed_metrics_are_the_headline_numbers_of_the_committed_results(profile):
    folder = PROFILES[profile]
    for stage, pick in PICKERS.items():
        results = json.loads((folder / "results" / f"{stage}.json").read_text())
        metrics = json.loads((folder / "metrics" / f"{stage}.json").read_text())
        assert flattened(metrics) == pytest.approx(flattened(pick(results))), stage
        assert all(
            isinstance(value, (int, float)) and not isinstance(value, bool) for value in flattened(metrics).values()
        ), stage


def flattened(metrics: dict) -> dict:
    """As ``dvc metrics show`` names nested keys: ``group.key``."""
    return {
        f"{key}.{k}" if isinstance(value, dict) else key: v
        for key, value in metrics.items()
        for k, v in (value.items() if isinstance(value, dict) else [(None, value)])
    }


def test_all_stages_together_fit_a_terminal():
    keys = set()
    for folder in PROFILES.values():
        for stage in PICKERS:
            keys |= set(flattened(json.loads((folder / "metrics" / f"{stage}.json").read_text())))
    # about 30 columns of `dvc metrics show` fit a wide terminal; sign_agreement appears only where held-out
    # materials fall on both sides of a contrast
    assert 15 <= len(keys) <= 30


def test_guideline_validation_has_the_keys_the_issue_names():
    metrics = json.loads((ROOT / "metrics/interpret.json").read_text())
    validation = metrics["guideline_validation"]
    assert {"held_out_materials", "coverage", "nominal_level"} <= set(validation)
    assert 0 <= validation["coverage"] <= 1 and validation["held_out_materials"] > 0
    # sign agreement needs enough held-out materials on both sides of a contrast; absent when none has them
    assert 0 <= validation.get("sign_agreement", 0) <= 1
    cross_validated = metrics["cross_validated_coverage"]
    assert 0 <= cross_validated["coverage"] <= 1 and cross_validated["held_out_pairs"] > 0


@pytest.mark.parametrize("cation", ["V", "Cr"])
def test_each_cations_onset_interval_brackets_its_estimate(cation):
    metrics = json.loads((ROOT / "metrics/interpret.json").read_text())
    name = f"onset_difference_{cation}_ev"
    assert metrics[f"{name}_low"] <= metrics[name] <= metrics[f"{name}_high"]


def test_interval_keys_and_a_stage_that_did_not_run():
    assert with_interval("d", 0.5, [0.1, 0.9]) == {"d": 0.5, "d_low": 0.1, "d_high": 0.9}
    assert (
        electronic_metrics({"enabled": False, "representation": None, "representatives": {}, "localisation": {}}) == {}
    )
    mass = {"cbm_curvature_mass": {"differences": {"isolated_alkali - elsewhere": {"difference": 1.5}}}}
    no_class = {"cbm_curvature_mass": {"differences": {"isolated_alkali - elsewhere": {"difference": float("nan")}}}}
    assert electronic_metrics({"localisation": {"V": mass, "Cr": no_class}}) == {"cbm_mass_difference_V": 1.5}

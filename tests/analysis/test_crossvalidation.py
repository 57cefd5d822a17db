"""specgroups.analysis.crossvalidation: folds that keep families whole, and coverage at the stated level on
exchangeable materials."""

from __future__ import annotations

import json

import numpy as np
import pytest

from specgroups.analysis.crossvalidation import (
    CrossValidationPlan,
    cross_validated_guidelines,
    family_folds,
    material_families,
    with_polymorphs,
)
from specgroups.analysis.guidelines import GuidelineRules, Materials
from tests.helpers import ROOT

RULES = GuidelineRules(0.8, 2, ("O",), 0.9)


def test_every_material_is_held_out_once_per_repeat_with_its_family():
    families = np.repeat([f"f{k}" for k in range(12)], [1, 2, 3] * 4)
    plan = CrossValidationPlan(folds=4, repeats=3, bootstrap_rounds=10)
    masks = family_folds(families, plan, seed=0)
    assert len(masks) == 12
    for repeat in range(3):
        assert np.array_equal(np.sum(masks[4 * repeat : 4 * repeat + 4], axis=0), np.ones(len(families)))
    for mask in masks:
        for family in np.unique(families):
            assert len(set(mask[families == family])) == 1  # a family is held out whole
    assert not all(np.array_equal(a, b) for a, b in zip(masks[:4], masks[4:8]))  # repeats shuffle


def test_coverage_of_exchangeable_materials_reaches_the_level_and_stable_guidelines_reappear():
    """Two clusters of 40 materials, one feature each, onsets drawn from one skewed distribution per cluster: the
    guidelines appear in every fold and their intervals cover held-out carriers at about the guaranteed rate."""
    rng = np.random.default_rng(0)
    labels = np.repeat([1, 2], 40)
    matrix = np.column_stack([labels == 1, labels == 2])
    onsets = np.where(labels == 1, 3.0, 5.0) + rng.lognormal(sigma=0.5, size=80)
    materials = Materials(["Cr6+", "V5+"], matrix, labels, onsets, onsets / 2, np.zeros(80, dtype=bool))
    families = np.array([f"f{k}" for k in range(80)])
    plan = CrossValidationPlan(folds=5, repeats=4, bootstrap_rounds=50)
    found = cross_validated_guidelines(materials, families, {}, {1: 2, 2: 1}, 2, 0.05, RULES, plan, seed=0)
    assert found["held_out_pairs"] == 80 * 4  # each material once per repeat, under its cluster's guideline
    # 32 derivation carriers: k = floor(33 x 0.1) = 3, guaranteed (33 - 6) / 33 = 0.82
    assert found["coverage"] == pytest.approx(0.82, abs=0.06)
    assert found["coverage_ci95"][0] < found["coverage"] < found["coverage_ci95"][1]
    assert found["appearances"] == {"Cr6+ in cluster 1": 1.0, "V5+ in cluster 2": 1.0}
    assert found["statuses"]["held"] + found["statuses"]["failed"] == 40


def test_polymorphs_join_their_families_transitively_and_others_stay_apart():
    families = {"a": "AB2 #166", "b": "AB2 #194", "c": "ABC #1", "d": "AB2 #194"}
    formulas = {"a": "GaCuO2", "b": "GaCuO2", "c": "KNaO", "d": "AlCuO2"}
    joined = with_polymorphs(families, formulas)
    assert joined == {"a": "AB2 #166", "b": "AB2 #166", "c": "ABC #1", "d": "AB2 #166"}


def test_the_delafossite_stackings_of_the_set_are_one_family():
    materials = {m["id"]: m["structure"] for m in json.loads((ROOT / "data/demo/materials.json").read_text())}
    pairs = [("mp-11019", "mp-4280"), ("mp-3748", "mp-3098")]  # GaCuO2 and AlCuO2, 3R and 2H
    found = material_families({m: materials[m] for pair in pairs for m in pair})
    assert all(found[a] == found[b] for a, b in pairs)

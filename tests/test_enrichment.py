"""Enrichment statistics on hand-made examples with known answers."""

from __future__ import annotations

import math

import numpy as np
import pytest

from specgroups.enrichment import contrast, difference_with_interval, enrichment, feature_matrix


def test_feature_matrix():
    names, matrix = feature_matrix({"a": {"V5+", "O2-"}, "b": {"O2-"}}, ["b", "a"])
    assert names == ["O2-", "V5+"]
    np.testing.assert_array_equal(matrix, [[True, False], [True, True]])


def test_fisher_test_and_correction_by_hand():
    # 10 materials; group 1 = the first 4; "X" is carried by exactly those 4, "Y" by every other material
    features = {f"m{i}": ({"X"} if i < 4 else set()) | ({"Y"} if i % 2 else set()) for i in range(10)}
    ids = list(features)
    names, matrix = feature_matrix(features, ids)
    groups = np.array([1] * 4 + [2] * 6)
    table = enrichment(names, matrix, groups, min_count=2)
    x = table[(table.group == 1) & (table.feature == "X")].iloc[0]
    # P(all 4 carriers of X fall in the 4-member group) = 1 / C(10, 4)
    assert x.p_value == pytest.approx(1 / math.comb(10, 4))
    assert math.isinf(x.odds_ratio) and x.fraction_in_group == 1.0 and x.fraction_in_total == 0.4
    y = table[(table.group == 1) & (table.feature == "Y")].iloc[0]
    # Y: 2 of 4 in group 1, 5 of 10 overall -> hypergeometric P(>= 2) = 1 - P(0) - P(1)
    p0 = math.comb(5, 0) * math.comb(5, 4) / math.comb(10, 4)
    p1 = math.comb(5, 1) * math.comb(5, 3) / math.comb(10, 4)
    assert y.p_value == pytest.approx(1 - p0 - p1)
    # Benjamini-Hochberg: q >= p, and X (smallest p) comes first
    assert (table.q_value >= table.p_value - 1e-12).all() and table.iloc[0].feature == "X"
    n_tests = len(table)
    assert x.q_value == pytest.approx(min(1.0, x.p_value * n_tests))


def test_groups_below_min_count_are_not_tested():
    names, matrix = feature_matrix({"a": {"X"}, "b": set(), "c": set()}, ["a", "b", "c"])
    assert enrichment(names, matrix, np.array([1, 1, 2]), min_count=2).empty


def test_difference_with_interval():
    rng = np.random.default_rng(0)
    result = difference_with_interval(np.full(10, 3.0) + rng.normal(0, 0.1, 10), np.full(12, 2.0) + rng.normal(0, 0.1, 12), rng, 2000)
    assert result["difference"] == pytest.approx(1.0, abs=0.1)
    assert result["ci95"][0] < result["difference"] < result["ci95"][1] and result["ci95"][0] > 0.8
    assert result["n"] == [10, 12]


def test_contrast_of_two_groups_by_hand():
    names = ["X", "Y"]
    matrix = np.array([[1, 1], [1, 0], [1, 1], [1, 0], [0, 1], [0, 0], [0, 1], [0, 0]], dtype=bool)
    in_a, in_b = np.arange(8) < 4, np.arange(8) >= 4
    onsets = np.array([4.0, 4.1, 3.9, 4.0, 3.0, 3.1, 2.9, 3.0])
    result = contrast(names, matrix, in_a, in_b, onsets, np.random.default_rng(0), 2000)
    x = result["features"][0]
    assert (x["feature"], x["in_a"], x["in_b"]) == ("X", 4, 0)
    assert x["p_value"] == pytest.approx(2 / math.comb(8, 4))  # two-sided: all four in a, or all four in b
    y = result["features"][1]
    assert (y["in_a"], y["in_b"], y["p_value"]) == (2, 2, pytest.approx(1.0))
    assert result["onset_a_minus_b_ev"]["difference"] == pytest.approx(1.0)

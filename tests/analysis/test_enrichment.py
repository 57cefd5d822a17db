"""Enrichment statistics on hand-made examples with known answers."""

from __future__ import annotations

import math

import numpy as np
import pytest

from specgroups.analysis.enrichment import difference_with_interval, enrichment, feature_matrix, nested_tests


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
    result = difference_with_interval(
        np.full(10, 3.0) + rng.normal(0, 0.1, 10), np.full(12, 2.0) + rng.normal(0, 0.1, 12), rng, 2000
    )
    assert result["difference"] == pytest.approx(1.0, abs=0.1)
    assert result["ci95"][0] < result["difference"] < result["ci95"][1] and result["ci95"][0] > 0.8
    assert result["n"] == [10, 12]


def test_nested_features_are_tested_once_and_within_their_parent():
    # "element Cr" and "Cr6+" have the same carriers as "Cr6+ T:4": only the most specific is tested, against all;
    # "Cr6+ T:4 among alkali" has fewer carriers and is tested within "Cr6+ T:4"
    parents = {"Cr6+": "element Cr", "Cr6+ T:4": "Cr6+", "Cr6+ T:4 among alkali": "Cr6+ T:4"}
    chain = ["element Cr", "Cr6+", "Cr6+ T:4", "Cr6+ T:4 among alkali"]
    carriers = {f"m{i}": (set(chain[:3]) | ({chain[3]} if i < 4 else set()) if i < 8 else set()) for i in range(16)}
    names, matrix = feature_matrix(carriers, list(carriers))
    assert nested_tests(names, matrix, parents) == {"Cr6+ T:4": None, "Cr6+ T:4 among alkali": "Cr6+ T:4"}
    groups = np.array([1] * 4 + [2] * 12)  # group 1: the four carriers among alkali
    table = enrichment(names, matrix, groups, min_count=2, parents=parents)
    assert set(table.feature) == {"Cr6+ T:4", "Cr6+ T:4 among alkali"}
    nested = table[(table.group == 1) & (table.feature == "Cr6+ T:4 among alkali")].iloc[0]
    # within the 8 Cr carriers, all 4 of group 1 carry it and none of the other 4: 1 / C(8, 4)
    assert (nested.within, nested.in_group, nested.group_size, nested.in_total, nested.total) == (
        "Cr6+ T:4",
        4,
        4,
        4,
        8,
    )
    assert nested.p_value == pytest.approx(1 / math.comb(8, 4))
    plain = enrichment(names, matrix, groups, min_count=2)
    assert len(plain[plain.group == 1]) == 4  # without parents, every link of the chain is tested again

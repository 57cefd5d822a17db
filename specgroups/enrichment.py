"""Which features are over-represented in a group of materials, with multiple-testing control."""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy.stats import false_discovery_control, fisher_exact

ENRICHMENT_COLUMNS = [
    "group", "feature", "in_group", "group_size", "in_total", "total",
    "fraction_in_group", "fraction_in_total", "odds_ratio", "p_value", "q_value",
]


def feature_matrix(features_by_material: dict[str, set[str]], ids: list[str]) -> tuple[list[str], np.ndarray]:
    """Sorted feature names and a materials x features boolean matrix in ``ids`` order."""
    names = sorted(set().union(*(features_by_material[i] for i in ids))) if ids else []
    column = {name: k for k, name in enumerate(names)}
    matrix = np.zeros((len(ids), len(names)), dtype=bool)
    for row, material_id in enumerate(ids):
        for name in features_by_material[material_id]:
            matrix[row, column[name]] = True
    return names, matrix


def enrichment(names: list[str], matrix: np.ndarray, groups: np.ndarray, min_count: int = 2) -> pd.DataFrame:
    """One-sided Fisher exact test of every feature in every group against the whole set.

    Only (group, feature) pairs with at least ``min_count`` carriers in the
    group are tested. q values are Benjamini-Hochberg adjusted over all tests.
    The odds ratio is the effect size (inf when every carrier is in the group).
    """
    rows = []
    totals = matrix.sum(axis=0)
    n = len(matrix)
    for group in np.unique(groups):
        inside = groups == group
        size = int(inside.sum())
        counts = matrix[inside].sum(axis=0)
        for k in np.flatnonzero(counts >= min_count):
            a = int(counts[k])
            table = [[a, size - a], [int(totals[k]) - a, n - size - (int(totals[k]) - a)]]
            odds, p = fisher_exact(table, alternative="greater")
            rows.append([group, names[k], a, size, int(totals[k]), n, a / size, totals[k] / n, float(odds), float(p)])
    table = pd.DataFrame(rows, columns=ENRICHMENT_COLUMNS[:-1])
    table["q_value"] = false_discovery_control(table["p_value"].to_numpy()) if len(table) else []
    return table.sort_values(["q_value", "p_value", "group", "feature"], ignore_index=True)


def difference_with_interval(values_a: np.ndarray, values_b: np.ndarray, rng: np.random.Generator, rounds: int) -> dict:
    """Difference of the means (a - b) of the finite values, with the 2.5th and 97.5th percentiles of that
    difference over ``rounds`` bootstrap resamples of each group (a 95% percentile interval) and both counts."""
    values_a, values_b = np.asarray(values_a, dtype=float), np.asarray(values_b, dtype=float)
    values_a, values_b = values_a[np.isfinite(values_a)], values_b[np.isfinite(values_b)]
    if len(values_a) == 0 or len(values_b) == 0:
        return {"difference": float("nan"), "ci95": [float("nan"), float("nan")], "n": [len(values_a), len(values_b)]}
    resampled = [
        rng.choice(values_a, len(values_a)).mean() - rng.choice(values_b, len(values_b)).mean() for _ in range(rounds)
    ]
    return {
        "difference": float(values_a.mean() - values_b.mean()),
        "ci95": [float(np.percentile(resampled, 2.5)), float(np.percentile(resampled, 97.5))],
        "n": [len(values_a), len(values_b)],
    }


def mean_with_interval(values: np.ndarray, rng: np.random.Generator, rounds: int) -> dict:
    """Mean of the finite values, with the 2.5th and 97.5th percentiles of the mean over ``rounds`` bootstrap
    resamples (a 95% percentile interval) and their count; NaN for none."""
    values = np.asarray(values, dtype=float)
    values = values[np.isfinite(values)]
    if len(values) == 0:
        return {"mean": float("nan"), "ci95": [float("nan"), float("nan")], "n": 0}
    resampled = [rng.choice(values, len(values)).mean() for _ in range(rounds)]
    return {"mean": float(values.mean()), "ci95": [float(np.percentile(resampled, 2.5)), float(np.percentile(resampled, 97.5))], "n": len(values)}


def contrast(
    names: list[str], matrix: np.ndarray, in_a: np.ndarray, in_b: np.ndarray, onsets: np.ndarray, rng: np.random.Generator, rounds: int
) -> dict:
    """What separates group a from group b: two-sided Fisher test per feature (BH-corrected over the features
    carried by either group), and the onset difference with its bootstrap interval of ``rounds`` resamples."""
    rows = []
    size_a, size_b = int(in_a.sum()), int(in_b.sum())
    for k, name in enumerate(names):
        a, b = int(matrix[in_a, k].sum()), int(matrix[in_b, k].sum())
        if a + b == 0:
            continue
        _, p = fisher_exact([[a, size_a - a], [b, size_b - b]], alternative="two-sided")
        rows.append({"feature": name, "in_a": a, "in_b": b, "p_value": float(p)})
    if rows:
        for row, q in zip(rows, false_discovery_control([row["p_value"] for row in rows])):
            row["q_value"] = float(q)
    rows.sort(key=lambda row: (row["p_value"], row["feature"]))
    return {"size_a": size_a, "size_b": size_b, "features": rows,
            "onset_a_minus_b_ev": difference_with_interval(onsets[in_a], onsets[in_b], rng, rounds)}

"""Which features are over-represented in a group of materials, with multiple-testing control."""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy.stats import false_discovery_control, fisher_exact

ENRICHMENT_COLUMNS = [
    "group",
    "feature",
    "within",
    "in_group",
    "group_size",
    "in_total",
    "total",
    "fraction_in_group",
    "fraction_in_total",
    "odds_ratio",
    "p_value",
    "q_value",
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


def nested_tests(names: list[str], matrix: np.ndarray, parents: dict[str, str]) -> dict[str, str | None]:
    """{feature tested: the feature it is tested within (None: the whole set)}, for nested features.

    Features form chains, each one's carriers a subset of its parent's (``parents``, e.g.
    :func:`specgroups.analysis.chemistry.feature_parents`). A feature whose carriers are exactly those of one of its
    children says nothing the child does not, so it is left out and the child (more specific, same
    materials) stands for it. A kept feature is tested within its nearest ancestor whose carriers differ
    from its own; a chain's most general kept feature is tested against the whole set.
    """
    column = {name: k for k, name in enumerate(names)}

    def same_carriers(a: str, b: str) -> bool:
        return bool(np.array_equal(matrix[:, column[a]], matrix[:, column[b]]))

    redundant = {
        parent
        for child, parent in parents.items()
        if child in column and parent in column and same_carriers(child, parent)
    }
    tested = {}
    for name in names:
        if name in redundant:
            continue
        ancestor = parents.get(name)
        while ancestor is not None and ancestor in column and same_carriers(name, ancestor):
            ancestor = parents.get(ancestor)
        tested[name] = ancestor if ancestor in column else None
    return tested


def enrichment(
    names: list[str], matrix: np.ndarray, groups: np.ndarray, min_count: int = 2, parents: dict[str, str] | None = None
) -> pd.DataFrame:
    """One-sided Fisher exact test of every feature in every group.

    Without ``parents`` each feature is tested against the whole set. With them (nested features,
    :func:`nested_tests`), a feature whose carriers equal a child's is not tested, and a nested feature
    is tested within the carriers of its distinct ancestor (column ``within``): is the feature more
    frequent among the group's carriers of the ancestor than among the other carriers of the ancestor?
    So "V5+ isolated T:4 among alkali" counts as enriched only if the group holds more of it than its
    share of isolated V5+ tetrahedra explains, and V, V5+, V5+ T:4 are not counted again on the same
    materials.

    Only (group, feature) pairs with at least ``min_count`` carriers in the group are tested: the
    number of tests is the number of rows, and q values are Benjamini-Hochberg adjusted over all of
    them (every group and feature at once). The odds ratio is the effect size (inf when every carrier of
    the feature within the reference set is in the group); ``in_total`` and ``total`` count the reference
    set (the whole set, or the ancestor's carriers).
    """
    within = nested_tests(names, matrix, parents) if parents is not None else dict.fromkeys(names)
    column = {name: k for k, name in enumerate(names)}
    rows = []
    for group in np.unique(groups):
        inside = groups == group
        counts = matrix[inside].sum(axis=0)
        for name, ancestor in within.items():
            k = column[name]
            if counts[k] < min_count:
                continue
            reference = matrix[:, column[ancestor]] if ancestor is not None else np.ones(len(matrix), dtype=bool)
            a, size = int(counts[k]), int((inside & reference).sum())
            total, in_total = int(reference.sum()), int(matrix[:, k].sum())
            table = [[a, size - a], [in_total - a, total - size - (in_total - a)]]
            odds, p = fisher_exact(table, alternative="greater")
            rows.append(
                [
                    group,
                    name,
                    ancestor or "",
                    a,
                    size,
                    in_total,
                    total,
                    a / size,
                    in_total / total,
                    float(odds),
                    float(p),
                ]
            )
    table = pd.DataFrame(rows, columns=ENRICHMENT_COLUMNS[:-1])
    table["q_value"] = false_discovery_control(table["p_value"].to_numpy()) if len(table) else []
    return table.sort_values(["q_value", "p_value", "group", "feature"], ignore_index=True)


def bootstrap_means(values: np.ndarray, rng: np.random.Generator, rounds: int) -> np.ndarray:
    """The means of ``rounds`` bootstrap resamples of ``values`` (each as many draws with replacement), drawn
    as one rounds x n array."""
    return rng.choice(values, (rounds, len(values))).mean(axis=1)


def difference_with_interval(values_a: np.ndarray, values_b: np.ndarray, rng: np.random.Generator, rounds: int) -> dict:
    """Difference of the means (a - b) of the finite values, with the 2.5th and 97.5th percentiles of that
    difference over ``rounds`` bootstrap resamples of each group (a 95% percentile interval) and both counts."""
    values_a, values_b = np.asarray(values_a, dtype=float), np.asarray(values_b, dtype=float)
    values_a, values_b = values_a[np.isfinite(values_a)], values_b[np.isfinite(values_b)]
    if len(values_a) == 0 or len(values_b) == 0:
        return {"difference": float("nan"), "ci95": [float("nan"), float("nan")], "n": [len(values_a), len(values_b)]}
    resampled = bootstrap_means(values_a, rng, rounds) - bootstrap_means(values_b, rng, rounds)
    return {
        "difference": float(values_a.mean() - values_b.mean()),
        "ci95": [float(np.percentile(resampled, 2.5)), float(np.percentile(resampled, 97.5))],
        "n": [len(values_a), len(values_b)],
    }


def family_bootstrap_means(
    values: np.ndarray, families: np.ndarray, rng: np.random.Generator, rounds: int
) -> np.ndarray:
    """The means of ``rounds`` cluster-bootstrap resamples: as many structure families as ``values`` come from,
    drawn with replacement, each bringing all its materials (members of one family are not independent draws)."""
    names, index = np.unique(np.asarray(families), return_inverse=True)
    sums = np.bincount(index, weights=values, minlength=len(names))
    counts = np.bincount(index, minlength=len(names))
    draws = rng.integers(0, len(names), (rounds, len(names)))
    return sums[draws].sum(axis=1) / counts[draws].sum(axis=1)


def family_difference_interval(
    values_a: np.ndarray,
    families_a: np.ndarray,
    values_b: np.ndarray,
    families_b: np.ndarray,
    rng: np.random.Generator,
    rounds: int,
) -> dict:
    """The 95 % percentile interval of the difference of means (a - b) over ``rounds`` resamples of structure
    families (:func:`family_bootstrap_means`; finite values only), and the number of families on each side."""
    found = []
    for values, families in ((values_a, families_a), (values_b, families_b)):
        values, families = np.asarray(values, dtype=float), np.asarray(families)
        kept = np.isfinite(values)
        found.append((values[kept], families[kept]))
    counts = [len(np.unique(families)) for _, families in found]
    if min(counts) == 0:
        return {"ci95_families": [float("nan"), float("nan")], "n_families": counts}
    resampled = family_bootstrap_means(*found[0], rng, rounds) - family_bootstrap_means(*found[1], rng, rounds)
    return {
        "ci95_families": [float(np.percentile(resampled, 2.5)), float(np.percentile(resampled, 97.5))],
        "n_families": counts,
    }


def mean_with_interval(values: np.ndarray, rng: np.random.Generator, rounds: int) -> dict:
    """Mean of the finite values, with the 2.5th and 97.5th percentiles of the mean over ``rounds`` bootstrap
    resamples (a 95% percentile interval) and their count; NaN for none."""
    values = np.asarray(values, dtype=float)
    values = values[np.isfinite(values)]
    if len(values) == 0:
        return {"mean": float("nan"), "ci95": [float("nan"), float("nan")], "n": 0}
    resampled = bootstrap_means(values, rng, rounds)
    return {
        "mean": float(values.mean()),
        "ci95": [float(np.percentile(resampled, 2.5)), float(np.percentile(resampled, 97.5))],
        "n": len(values),
    }

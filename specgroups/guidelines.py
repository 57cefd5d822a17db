"""What the clusters say: each cluster's members, onsets and enriched features, and the design-guideline
statements of contrasted cluster pairs (the dendrogram's siblings and any pairs named in params)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from specgroups.enrichment import contrast


def cluster_summaries(table: pd.DataFrame, labels: np.ndarray, enriched: pd.DataFrame, max_q_value: float) -> dict[int, dict]:
    """Per cluster: member ids and formulas, mean and standard deviation of the onset energy (eV) and of the
    log10 of the absorption-edge integral I (cm^-1 eV, :func:`specgroups.spectra.onset_metrics`), and the features enriched in it at q <= ``max_q_value``."""
    summaries = {}
    for cluster in sorted(set(labels.tolist())):
        members = np.flatnonzero(labels == cluster)
        top = enriched[(enriched.group == cluster) & (enriched.q_value <= max_q_value)]
        summaries[int(cluster)] = {
            "members": table["id"].iloc[members].tolist(),
            "formulas": table["formula"].iloc[members].tolist(),
            **{
                column: {"mean": float(table[column].iloc[members].mean()), "std": float(table[column].iloc[members].std())}
                for column in ("onset_energy_ev", "log10_edge_integral")
            },
            "enriched": top[["feature", "in_group", "group_size", "fraction_in_total", "odds_ratio", "q_value"]].to_dict("records"),
        }
    return summaries


def guideline(pair: tuple[int, int], result: dict, max_q_value: float) -> dict:
    """One statement from :func:`specgroups.enrichment.contrast` of two clusters: the (at most three shown)
    features that separate them at q <= ``max_q_value``, and their onset difference with its 95% interval."""
    a, b = pair
    separating = [row for row in result["features"] if row["q_value"] <= max_q_value]
    onset = result["onset_a_minus_b_ev"]
    parts = [f"{row['feature']}: {row['in_a']}/{result['size_a']} vs {row['in_b']}/{result['size_b']}" for row in separating[:3]]
    text = (
        f"clusters {a} vs {b}: " + ("; ".join(parts) if parts else "no feature separates them at this q")
        + f"; onset {onset['difference']:+.2f} eV (95% CI {onset['ci95'][0]:+.2f} to {onset['ci95'][1]:+.2f})"
    )
    best = separating[0]["p_value"] if separating else 1.0
    return {"clusters": [a, b], "statement": text, "separating_features": separating, "onset_a_minus_b_ev": onset, "best_p_value": best}


def ranked_guidelines(
    pairs: list[tuple[int, int]], names: list[str], matrix: np.ndarray, labels: np.ndarray, onsets: np.ndarray,
    rng: np.random.Generator, max_q_value: float, rounds: int,
) -> list[dict]:
    """The :func:`guideline` of every pair, strongest separating feature (smallest p) first, then the larger
    onset difference; ``labels`` and ``onsets`` are per row of ``matrix``."""
    found = (
        guideline(pair, contrast(names, matrix, labels == pair[0], labels == pair[1], onsets, rng, rounds), max_q_value)
        for pair in pairs
    )
    return sorted(found, key=lambda g: (g["best_p_value"], -abs(g["onset_a_minus_b_ev"]["difference"] or 0.0)))

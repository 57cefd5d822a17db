"""What the clusters say: each cluster's members, onsets and enriched features, and the design guidelines
read off them, derived on some materials and validated on the others.

A guideline is one feature enriched in one cluster (:func:`specgroups.analysis.enrichment.enrichment`, q <= the
threshold), stated as a chemist can act on it: the onset and log10 I of the cluster's materials with that
feature (means with 95 % bootstrap intervals), the range holding a stated share of them (the
guideline's interval, at ``level``), and their onset against the cluster the dendrogram joins theirs to
(:func:`specgroups.analysis.clustering.nearest_clusters`). Everything is computed on the derivation materials
(training and validation); the held-out materials (the test split), classified by the same rules (their
features and their cluster), test each guideline (:func:`validate`).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy.stats import binomtest
from scipy.stats import t as student_t

from specgroups.analysis.enrichment import difference_with_interval, enrichment, mean_with_interval
from specgroups.errors import InputError

# a guideline fails when its held-out coverage is below the nominal level at this one-sided binomial p
COVERAGE_FAILURE_P = 0.05


@dataclass(frozen=True)
class Materials:
    """The materials guidelines are read from, one row each: feature names and the boolean materials x features
    matrix, cluster labels, onsets (eV), log10 of the absorption-edge integral I (cm^-1 eV), and which rows
    are held out (never used to derive a guideline)."""

    names: list[str]
    matrix: np.ndarray
    labels: np.ndarray
    onsets: np.ndarray
    log10_edge_integral: np.ndarray
    held_out: np.ndarray

    def carriers(self, feature: str, cluster: int, held_out: bool) -> np.ndarray:
        return self.matrix[:, self.names.index(feature)] & (self.labels == cluster) & (self.held_out == held_out)

    def members(self, cluster: int, held_out: bool) -> np.ndarray:
        return (self.labels == cluster) & (self.held_out == held_out)


def cluster_summaries(
    table: pd.DataFrame, labels: np.ndarray, enriched: pd.DataFrame, max_q_value: float
) -> dict[int, dict]:
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
                column: {
                    "mean": float(table[column].iloc[members].mean()),
                    "std": float(table[column].iloc[members].std()),
                }
                for column in ("onset_energy_ev", "log10_edge_integral")
            },
            "enriched": top[
                ["feature", "within", "in_group", "group_size", "fraction_in_total", "odds_ratio", "q_value"]
            ].to_dict("records"),
        }
    return summaries


def guideline(
    row: pd.Series, materials: Materials, nearest: int, level: float, rng: np.random.Generator, rounds: int
) -> dict:
    """The guideline of one enrichment row (a feature in a cluster), on the derivation materials.

    - ``onset_energy_ev``, ``log10_edge_integral``: mean of the cluster's carriers of the feature, 95 % bootstrap interval, n;
    - ``interval_ev``: the range the guideline states one more material of this kind absorbs in: the Student-t
      prediction interval at ``level``, mean +- t((1 + level) / 2, n - 1) s sqrt(1 + 1/n) of the carriers'
      onsets (s their standard deviation; it assumes roughly normal onsets within a guideline). Empirical
      quantiles of a few materials would cover a new one far less often than ``level``. A guideline needs
      n >= 2 (the enrichment's ``min_count``) for it;
    - ``contrast_ev``: their mean onset minus that of the nearest cluster's members, with its interval;
      ``effect_spans_zero`` when that interval holds 0 (the guideline then claims no direction).
    """
    cluster, feature = int(row["group"]), str(row["feature"])
    carriers, others = materials.carriers(feature, cluster, False), materials.members(nearest, False)
    onsets = materials.onsets[carriers]
    contrast = difference_with_interval(onsets, materials.onsets[others], rng, rounds)
    half_width = student_t.ppf((1 + level) / 2, len(onsets) - 1) * onsets.std(ddof=1) * np.sqrt(1 + 1 / len(onsets))
    low, high = onsets.mean() - half_width, onsets.mean() + half_width
    return {
        "feature": feature,
        "within": str(row["within"]),
        "cluster": cluster,
        "nearest_cluster": nearest,
        "clusters": [cluster, nearest],
        "n": int(carriers.sum()),
        "q_value": float(row["q_value"]),
        "onset_energy_ev": mean_with_interval(onsets, rng, rounds),
        "log10_edge_integral": mean_with_interval(materials.log10_edge_integral[carriers], rng, rounds),
        "interval_ev": [float(low), float(high)],
        "level": level,
        "contrast_ev": contrast,
        "effect_spans_zero": bool(not contrast["ci95"][0] > 0 and not contrast["ci95"][1] < 0),
    }


def statement(g: dict) -> str:
    """One guideline in words, every number with its interval and n."""
    onset, intensity, contrast = g["onset_energy_ev"], g["log10_edge_integral"], g["contrast_ev"]
    within = f", tested within {g['within']}" if g["within"] else ""
    return (
        f"{g['feature']} (cluster {g['cluster']}, n = {g['n']}{within}; q = {g['q_value']:.2g}): onset {onset['mean']:.2f} eV "
        f"[{onset['ci95'][0]:.2f}, {onset['ci95'][1]:.2f}], one more such material {g['interval_ev'][0]:.2f}-{g['interval_ev'][1]:.2f} eV ({g['level']:.0%} prediction interval); "
        f"log10 I {intensity['mean']:.2f} [{intensity['ci95'][0]:.2f}, {intensity['ci95'][1]:.2f}]; "
        f"against cluster {g['nearest_cluster']} (n = {contrast['n'][1]}): {contrast['difference']:+.2f} eV "
        f"[{contrast['ci95'][0]:+.2f}, {contrast['ci95'][1]:+.2f}]"
        + (" (interval spans zero: no direction claimed)" if g["effect_spans_zero"] else "")
    )


def validate(g: dict, materials: Materials) -> dict:
    """One guideline tested on the held-out materials of its cluster that carry its feature.

    - ``held_out_carriers``; ``in_interval``: how many of them absorb within ``interval_ev``; ``coverage``
      their share (None without one), to compare with the nominal ``level``;
    - ``held_out_contrast_ev``: their mean onset minus that of the held-out members of the nearest cluster
      (None when either side has none); ``sign_agrees`` whether it has the sign of the derivation contrast's
      estimate (None when it cannot be computed);
    - ``status``: "not tested" (no held-out carrier), "failed" (coverage below ``level`` at one-sided
      binomial p < 0.05, or the sign disagrees where the derivation interval excludes zero: a guideline
      whose interval spans zero claims no direction, so its sign cannot fail it), else "held".
    """
    carriers = materials.carriers(g["feature"], g["cluster"], True)
    onsets = materials.onsets[carriers]
    inside = int(((onsets >= g["interval_ev"][0]) & (onsets <= g["interval_ev"][1])).sum())
    others = materials.onsets[materials.members(g["nearest_cluster"], True)]
    held_out_contrast = float(onsets.mean() - others.mean()) if len(onsets) and len(others) else None
    sign_agrees = (
        None
        if held_out_contrast is None
        else bool(np.sign(held_out_contrast) == np.sign(g["contrast_ev"]["difference"]))
    )
    undercovered = (
        len(onsets) > 0 and binomtest(inside, len(onsets), g["level"], alternative="less").pvalue < COVERAGE_FAILURE_P
    )
    wrong_direction = sign_agrees is False and not g["effect_spans_zero"]
    status = "not tested" if not len(onsets) else ("failed" if undercovered or wrong_direction else "held")
    return {
        "held_out_carriers": int(len(onsets)),
        "in_interval": inside,
        "coverage": inside / len(onsets) if len(onsets) else None,
        "held_out_contrast_ev": held_out_contrast,
        "sign_agrees": sign_agrees,
        "status": status,
    }


def derived_guidelines(
    enriched: pd.DataFrame,
    materials: Materials,
    nearest: dict[int, int],
    max_q_value: float,
    level: float,
    rng: np.random.Generator,
    rounds: int,
) -> list[dict]:
    """Every guideline (enrichment rows at q <= ``max_q_value``, from the derivation materials only), each
    with its statement and validation, ranked by effect size: those whose contrast claims a direction
    first, then by the contrast's magnitude, then by q."""
    significant = enriched[enriched.q_value <= max_q_value]
    if (significant.in_group < 2).any():
        raise InputError(
            "params: chemistry.min_count must be at least 2, so that every guideline has a prediction interval"
        )
    found = []
    for _, row in significant.iterrows():
        g = guideline(row, materials, nearest[int(row["group"])], level, rng, rounds)
        found.append({**g, "statement": statement(g), "validation": validate(g, materials)})
    return sorted(
        found, key=lambda g: (g["effect_spans_zero"], -abs(g["contrast_ev"]["difference"]), g["q_value"], g["feature"])
    )


def validation_summary(guidelines: list[dict], materials: Materials, level: float) -> dict:
    """Over all guidelines (``metrics/chemistry.json`` ``guideline_validation``):

    - ``held_out_materials``: materials held out from the derivation;
    - ``coverage``: of all (guideline, held-out carrier) pairs, the share whose onset lies in the guideline's
      interval (a material counts once per guideline it falls under), to compare with ``nominal_level``;
    - ``sign_agreement``: of the guidelines with a computable held-out contrast, the share whose held-out
      contrast has the sign of the derivation estimate (``sign_pairs`` of them); ``sign_agreement_directed``
      the same over those whose derivation interval excludes zero (``directed_sign_pairs``): only these claim
      a direction, the others' signs agree by chance half of the time;
    - the counts behind both, and how many guidelines held, failed or could not be tested.
    """
    validations = [g["validation"] for g in guidelines]
    pairs = sum(v["held_out_carriers"] for v in validations)
    signs = [v["sign_agrees"] for v in validations if v["sign_agrees"] is not None]
    directed = [
        g["validation"]["sign_agrees"]
        for g in guidelines
        if g["validation"]["sign_agrees"] is not None and not g["effect_spans_zero"]
    ]
    return {
        "held_out_materials": int(materials.held_out.sum()),
        "nominal_level": level,
        "coverage": sum(v["in_interval"] for v in validations) / pairs if pairs else None,
        "coverage_pairs": pairs,
        "sign_agreement": sum(signs) / len(signs) if signs else None,
        "sign_pairs": len(signs),
        "sign_agreement_directed": sum(directed) / len(directed) if directed else None,
        "directed_sign_pairs": len(directed),
        **{
            status.replace(" ", "_"): sum(v["status"] == status for v in validations)
            for status in ("held", "failed", "not tested")
        },
    }


def validated_guidelines(
    materials: Materials,
    parents: dict[str, str],
    nearest: dict[int, int],
    min_count: int,
    max_q_value: float,
    level: float,
    rng: np.random.Generator,
    rounds: int,
) -> tuple[pd.DataFrame, list[dict], dict]:
    """(the enrichment tests of the derivation materials, the guidelines at q <= ``max_q_value`` read off them
    with their held-out validation, the :func:`validation_summary`); ``parents`` nests the features
    (:func:`specgroups.analysis.chemistry.feature_parents`), ``nearest`` maps each cluster to the one the dendrogram
    joins it to (:func:`specgroups.analysis.clustering.nearest_clusters`)."""
    derivation = ~materials.held_out
    enriched = enrichment(
        materials.names, materials.matrix[derivation], materials.labels[derivation], min_count, parents
    )
    guidelines = derived_guidelines(enriched, materials, nearest, max_q_value, level, rng, rounds)
    return enriched, guidelines, validation_summary(guidelines, materials, level)


def guideline_materials(
    table: pd.DataFrame,
    rows: np.ndarray,
    names: list[str],
    matrix: np.ndarray,
    labels: np.ndarray,
    derivation_splits: list[str],
    held_out_splits: list[str],
) -> Materials:
    """The :class:`Materials` of the dataset ``rows`` (those with a chemistry record; ``matrix`` per row of
    ``rows``, ``labels`` per row of the dataset) in a derivation or a held-out split; materials in neither
    (the paper's ``unused``) take no part."""
    splits = table["split"].to_numpy()[rows]
    keep = np.isin(splits, [*derivation_splits, *held_out_splits])
    return Materials(
        names,
        matrix[keep],
        labels[rows][keep],
        table["onset_energy_ev"].to_numpy()[rows][keep],
        table["log10_edge_integral"].to_numpy()[rows][keep],
        np.isin(splits[keep], held_out_splits),
    )

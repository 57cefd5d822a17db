"""What the clusters say: each cluster's members, onsets and enriched features, and the design guidelines
read off them, derived on some materials and validated on the others.

A guideline is one feature enriched in one cluster (:func:`specgroups.analysis.enrichment.enrichment`, q <= the
threshold), stated as a chemist can act on it: the onset and log10 I of the cluster's materials with that
feature (means with 95 % bootstrap intervals), the range holding a stated share of them (the
guideline's interval, at ``level``), and their onset against the cluster the dendrogram joins theirs to
(:func:`specgroups.analysis.clustering.nearest_clusters`). Everything is computed on the derivation materials
(training and validation); the held-out materials (the test split), classified by the same rules (their
features and their cluster), test each guideline (:func:`validate`).

A guideline's interval is distribution-free: for n exchangeable carriers, the k-th smallest and k-th largest
onset, k = floor((n + 1)(1 - level) / 2), hold one more such material with probability at least
(n + 1 - 2k) / (n + 1) >= level (the split-conformal interval of a model that predicts a constant; Vovk et al.,
Algorithmic Learning in a Random World, 2005). With too few carriers (k < 1: n < 9 at level 0.8) no finite
interval has that guarantee, and the interval is unbounded: the honest answer. A Student-t interval on a few
heterogeneous carriers covered held-out materials far less often than stated. Each interval's width is set
beside two baselines of the same construction: the whole cluster's derivation members and all derivation
materials; a guideline narrows the range only where it is narrower than both.

A status that can fail: "held" or "failed" needs at least ``min_held_out_carriers`` held-out carriers (a
guideline with one held-out carrier could never fail on coverage), otherwise "untested"; its direction is tested
only with that many held-out materials on each side. Features that tell a chemist nothing (the anion's identity,
features most of the dataset carries: :func:`trivial_features`) are tested alike and reported apart.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy.stats import binomtest

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


@dataclass(frozen=True)
class GuidelineRules:
    """How guidelines are stated and tested (see the module): the prediction ``level``; the held-out carriers a
    held/failed status needs (``min_held_out_carriers``); the anion elements whose identity is no guideline
    (``trivial_elements``) and the share of materials above which a feature is too common to be one
    (``max_carrier_share``)."""

    level: float
    min_held_out_carriers: int
    trivial_elements: tuple[str, ...]
    max_carrier_share: float


def prediction_interval(onsets: np.ndarray, level: float) -> list[float | None]:
    """[k-th smallest, k-th largest] of ``onsets``, k = floor((n + 1)(1 - level) / 2): one more exchangeable
    material falls in it with probability at least ``level``; [None, None] (unbounded) when k < 1."""
    values = np.sort(np.asarray(onsets, dtype=float))
    k = int(np.floor((len(values) + 1) * (1 - level) / 2 + 1e-9))
    if k < 1:
        return [None, None]
    return [float(values[k - 1]), float(values[len(values) - k])]


def interval_width(interval: list[float | None]) -> float | None:
    """The width of a :func:`prediction_interval` (eV); None when unbounded."""
    return None if interval[0] is None else interval[1] - interval[0]


def trivial_features(materials: Materials, rules: GuidelineRules) -> set[str]:
    """The features that tell a chemist nothing: an anion's identity (``element X`` for X in the rules'
    ``trivial_elements``) and any feature carried by more than ``max_carrier_share`` of the derivation materials."""
    shares = materials.matrix[~materials.held_out].mean(axis=0)
    anions = {f"element {element}" for element in rules.trivial_elements}
    return {name for name, share in zip(materials.names, shares) if name in anions or share > rules.max_carrier_share}


def guideline(
    row: pd.Series, materials: Materials, nearest: int, level: float, rng: np.random.Generator, rounds: int
) -> dict:
    """The guideline of one enrichment row (a feature in a cluster), on the derivation materials.

    - ``onset_energy_ev``, ``log10_edge_integral``: mean of the cluster's carriers of the feature, 95 % bootstrap interval, n;
    - ``interval_ev``: the range the guideline states one more material of this kind absorbs in, the carriers'
      :func:`prediction_interval` at ``level`` ([None, None]: unbounded, too few carriers); ``width_ev``, and
      the widths of the same interval over the cluster's derivation members (``cluster_width_ev``) and over all
      derivation materials (``all_materials_width_ev``); ``narrower_than_baselines`` when it is narrower than both;
    - ``contrast_ev``: their mean onset minus that of the nearest cluster's members, with its interval;
      ``effect_spans_zero`` when that interval holds 0 (the guideline then claims no direction).
    """
    cluster, feature = int(row["group"]), str(row["feature"])
    carriers, others = materials.carriers(feature, cluster, False), materials.members(nearest, False)
    onsets = materials.onsets[carriers]
    contrast = difference_with_interval(onsets, materials.onsets[others], rng, rounds)
    interval = prediction_interval(onsets, level)
    width = interval_width(interval)
    cluster_width = interval_width(prediction_interval(materials.onsets[materials.members(cluster, False)], level))
    all_width = interval_width(prediction_interval(materials.onsets[~materials.held_out], level))
    baselines = [w for w in (cluster_width, all_width) if w is not None]
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
        "interval_ev": interval,
        "level": level,
        "width_ev": width,
        "cluster_width_ev": cluster_width,
        "all_materials_width_ev": all_width,
        "narrower_than_baselines": bool(width is not None and all(width < w for w in baselines)),
        "contrast_ev": contrast,
        "effect_spans_zero": bool(not contrast["ci95"][0] > 0 and not contrast["ci95"][1] < 0),
    }


def statement(g: dict) -> str:
    """One guideline in words, every number with its interval and n."""
    onset, intensity, contrast = g["onset_energy_ev"], g["log10_edge_integral"], g["contrast_ev"]
    within = f", tested within {g['within']}" if g["within"] else ""
    low, high = g["interval_ev"]
    interval = f"{low:.2f}-{high:.2f} eV" if low is not None else f"unbounded (too few materials at n = {g['n']})"
    return (
        f"{g['feature']} (cluster {g['cluster']}, n = {g['n']}{within}; q = {g['q_value']:.2g}): onset {onset['mean']:.2f} eV "
        f"[{onset['ci95'][0]:.2f}, {onset['ci95'][1]:.2f}], one more such material {interval} ({g['level']:.0%} prediction interval); "
        f"log10 I {intensity['mean']:.2f} [{intensity['ci95'][0]:.2f}, {intensity['ci95'][1]:.2f}]; "
        f"against cluster {g['nearest_cluster']} (n = {contrast['n'][1]}): {contrast['difference']:+.2f} eV "
        f"[{contrast['ci95'][0]:+.2f}, {contrast['ci95'][1]:+.2f}]"
        + (" (interval spans zero: no direction claimed)" if g["effect_spans_zero"] else "")
    )


def validate(g: dict, materials: Materials, min_held_out: int) -> dict:
    """One guideline tested on the held-out materials of its cluster that carry its feature.

    - ``held_out_carriers``; ``in_interval``: how many of them absorb within ``interval_ev`` (all of them for an
      unbounded one); ``coverage`` their share (None without one), to compare with the nominal ``level``;
    - ``held_out_contrast_ev``: their mean onset minus that of the held-out members of the nearest cluster
      (None when either side has fewer than ``min_held_out``); ``sign_agrees`` whether it has the sign of the
      derivation contrast's estimate (None when it is not computed);
    - ``status``: "untested" (fewer than ``min_held_out`` held-out carriers), "failed" (a bounded interval's
      coverage below ``level`` at one-sided binomial p < 0.05, or the sign disagrees where the derivation
      interval excludes zero: a guideline whose interval spans zero claims no direction, so its sign cannot fail
      it), else "held".
    """
    carriers = materials.carriers(g["feature"], g["cluster"], True)
    onsets = materials.onsets[carriers]
    low, high = g["interval_ev"]
    bounded = low is not None
    inside = int(((onsets >= low) & (onsets <= high)).sum()) if bounded else len(onsets)
    others = materials.onsets[materials.members(g["nearest_cluster"], True)]
    enough = len(onsets) >= min_held_out
    held_out_contrast = float(onsets.mean() - others.mean()) if enough and len(others) >= min_held_out else None
    sign_agrees = (
        None
        if held_out_contrast is None
        else bool(np.sign(held_out_contrast) == np.sign(g["contrast_ev"]["difference"]))
    )
    undercovered = (
        bounded
        and enough
        and binomtest(inside, len(onsets), g["level"], alternative="less").pvalue < COVERAGE_FAILURE_P
    )
    wrong_direction = sign_agrees is False and not g["effect_spans_zero"]
    status = "untested" if not enough else ("failed" if undercovered or wrong_direction else "held")
    return {
        "held_out_carriers": int(len(onsets)),
        "in_interval": inside,
        "coverage": inside / len(onsets) if len(onsets) else None,
        "bounded": bounded,
        "held_out_contrast_ev": held_out_contrast,
        "sign_agrees": sign_agrees,
        "status": status,
    }


def derived_guidelines(
    enriched: pd.DataFrame,
    materials: Materials,
    nearest: dict[int, int],
    max_q_value: float,
    rules: GuidelineRules,
    rng: np.random.Generator,
    rounds: int,
) -> list[dict]:
    """Every guideline (enrichment rows at q <= ``max_q_value``, from the derivation materials only), each
    with its statement, validation and whether it is ``trivial`` (:func:`trivial_features`), ranked by effect
    size: those whose contrast claims a direction first, then by the contrast's magnitude, then by q."""
    significant = enriched[enriched.q_value <= max_q_value]
    if (significant.in_group < 2).any():
        raise InputError(
            "params: chemistry.min_count must be at least 2, so that every guideline has a prediction interval"
        )
    found, trivial = [], trivial_features(materials, rules)
    for _, row in significant.iterrows():
        g = guideline(row, materials, nearest[int(row["group"])], rules.level, rng, rounds)
        validation = validate(g, materials, rules.min_held_out_carriers)
        found.append({**g, "trivial": g["feature"] in trivial, "statement": statement(g), "validation": validation})
    return sorted(
        found, key=lambda g: (g["effect_spans_zero"], -abs(g["contrast_ev"]["difference"]), g["q_value"], g["feature"])
    )


def validation_summary(guidelines: list[dict], materials: Materials, level: float, min_held_out: int) -> dict:
    """Over the guidelines that are not trivial (``metrics/interpret.json`` ``guideline_validation``; the trivial
    ones are counted in ``trivial``):

    - ``held_out_materials``: materials held out from the derivation;
    - ``coverage``: of all (guideline, held-out carrier) pairs under a bounded interval, the share whose onset lies
      in the guideline's interval (a material counts once per guideline it falls under), to compare with
      ``nominal_level`` (``coverage_p_value``: two-sided binomial test against it); ``unbounded``: the guidelines whose interval is unbounded (too few carriers), and
      ``narrower_than_baselines`` those narrower than both baselines;
    - ``sign_agreement``: of the guidelines with a computable held-out contrast, the share whose held-out
      contrast has the sign of the derivation estimate (``sign_pairs`` of them); ``sign_agreement_directed``
      the same over those whose derivation interval excludes zero (``directed_sign_pairs``): only these claim
      a direction, the others' signs agree by chance half of the time;
    - the counts behind both, and how many guidelines held, failed or were untested.
    """
    stated = [g for g in guidelines if not g["trivial"]]
    validations = [g["validation"] for g in stated]
    bounded = [v for v in validations if v["bounded"]]
    pairs = sum(v["held_out_carriers"] for v in bounded)
    signs = [v["sign_agrees"] for v in validations if v["sign_agrees"] is not None]
    directed = [
        g["validation"]["sign_agrees"]
        for g in stated
        if g["validation"]["sign_agrees"] is not None and not g["effect_spans_zero"]
    ]
    return {
        "held_out_materials": int(materials.held_out.sum()),
        "nominal_level": level,
        "min_held_out_carriers": min_held_out,
        "coverage": sum(v["in_interval"] for v in bounded) / pairs if pairs else None,
        "coverage_pairs": pairs,
        "coverage_p_value": float(binomtest(sum(v["in_interval"] for v in bounded), pairs, level).pvalue)
        if pairs
        else None,
        "unbounded": len(validations) - len(bounded),
        "narrower_than_baselines": sum(g["narrower_than_baselines"] for g in stated),
        "trivial": len(guidelines) - len(stated),
        "sign_agreement": sum(signs) / len(signs) if signs else None,
        "sign_pairs": len(signs),
        "sign_agreement_directed": sum(directed) / len(directed) if directed else None,
        "directed_sign_pairs": len(directed),
        **{
            status.replace(" ", "_"): sum(v["status"] == status for v in validations)
            for status in ("held", "failed", "untested")
        },
    }


def validated_guidelines(
    materials: Materials,
    parents: dict[str, str],
    nearest: dict[int, int],
    min_count: int,
    max_q_value: float,
    rules: GuidelineRules,
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
    guidelines = derived_guidelines(enriched, materials, nearest, max_q_value, rules, rng, rounds)
    return enriched, guidelines, validation_summary(guidelines, materials, rules.level, rules.min_held_out_carriers)


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

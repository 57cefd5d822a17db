"""What a clustering says about chemistry: enrichment, per-cluster summaries, validated design guidelines, and
how coherent each representation's clusters are chemically. Needs the per-material chemistry records and the
clusters; the study's V5+/Cr6+ contrast is drawn on the same clusters apart (:mod:`specgroups.study.contrast`)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from specgroups.analysis.chemistry import feature_parents, feature_table
from specgroups.analysis.clustering import nearest_clusters
from specgroups.analysis.crossvalidation import CrossValidationPlan, cross_validated_guidelines
from specgroups.analysis.guidelines import (
    GuidelineRules,
    cluster_summaries,
    guideline_materials,
    validated_guidelines,
)


@dataclass(frozen=True)
class GuidelineSplits:
    """Guidelines are derived on ``derivation_splits`` and tested on ``held_out_splits``; each states the range
    one more material of its kind falls in with probability ``interval_level``, and held-out coverage is checked
    against it; the other fields are :class:`specgroups.analysis.guidelines.GuidelineRules`'."""

    derivation_splits: tuple[str, ...]
    held_out_splits: tuple[str, ...]
    interval_level: float
    min_held_out_carriers: int
    trivial_elements: tuple[str, ...]
    max_carrier_share: float

    @property
    def rules(self) -> GuidelineRules:
        return GuidelineRules(
            self.interval_level, self.min_held_out_carriers, self.trivial_elements, self.max_carrier_share
        )


@dataclass(frozen=True)
class InterpretSettings:
    """Enrichment: (cluster, feature) pairs with at least ``min_count`` carriers are tested, q <= ``max_q_value``
    reported; ``guidelines``: the splits and interval level; ``cross_validation``: the grouped, repeated
    cross-validation of the guidelines (:mod:`specgroups.analysis.crossvalidation`); ``bootstrap_rounds``: resamples
    of every 95 % interval; ``seed`` of them all;
    ``group_quorum``: how many of the study's group must share a cluster (:mod:`specgroups.study.group`)."""

    min_count: int
    max_q_value: float
    guidelines: GuidelineSplits
    cross_validation: CrossValidationPlan
    bootstrap_rounds: int
    seed: int
    group_quorum: int


@dataclass(frozen=True)
class ClusterChemistry:
    """The enrichment tests, the per-cluster summaries, the guidelines and the JSON-ready summary of them."""

    enrichment: pd.DataFrame
    clusters: dict
    guidelines: list[dict]
    summary: dict


def interpret_clusters(
    table: pd.DataFrame,
    ids: list[str],
    records: dict[str, dict],
    clusters: dict[str, np.ndarray],
    families: dict[str, str],
    settings: InterpretSettings,
) -> ClusterChemistry:
    """The chemistry of the chosen clustering (``clusters``: a clusters.npz's arrays; ``table``: the dataset's
    materials, rows in ``ids`` order; ``families``: each material's structure family,
    :func:`specgroups.structures.structure_family`), the guidelines' grouped cross-validation, in which each
    guideline's ``appearance`` is the share of folds that state it, and the chemical coherence of every
    representation's clusters."""
    labels, splits = clusters["labels"], settings.guidelines
    usable, rows, names, matrix = feature_table(records, ids)
    materials = guideline_materials(
        table, rows, names, matrix, labels, list(splits.derivation_splits), list(splits.held_out_splits)
    )
    parents, nearest = feature_parents([records[m] for m in usable]), nearest_clusters(clusters["linkage"], labels)
    enriched, guidelines, validation = validated_guidelines(
        materials,
        parents,
        nearest,
        settings.min_count,
        settings.max_q_value,
        splits.rules,
        np.random.default_rng(settings.seed),
        settings.bootstrap_rounds,
    )
    every_split = [*splits.derivation_splits, *splits.held_out_splits]
    everyone = guideline_materials(table, rows, names, matrix, labels, every_split, [])
    kept = np.isin(table["split"].to_numpy()[rows], every_split)
    cross_validation = cross_validated_guidelines(
        everyone,
        np.array([families[ids[row]] for row in rows[kept]]),
        parents,
        nearest,
        settings.min_count,
        settings.max_q_value,
        splits.rules,
        settings.cross_validation,
        settings.seed,
    )
    for g in guidelines:
        g["appearance"] = cross_validation["appearances"].get(f"{g['feature']} in cluster {g['cluster']}", 0.0)
    summary = {
        "materials": len(ids),
        "representation": str(clusters["representation"]),
        "enrichment_tests": len(enriched),
        "max_q_value": settings.max_q_value,
        "significant": int((enriched.q_value <= settings.max_q_value).sum()),
        "guidelines": [g["statement"] for g in guidelines if not g["trivial"]],
        "trivial_guidelines": [g["statement"] for g in guidelines if g["trivial"]],
        "guideline_validation": validation,
        "cross_validation": cross_validation,
    }
    return ClusterChemistry(
        enriched, cluster_summaries(table, labels, enriched, settings.max_q_value), guidelines, summary
    )

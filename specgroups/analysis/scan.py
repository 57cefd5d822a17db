"""The number of clusters and the representation, scanned and chosen by a stated rule.

For every representation and cluster count, the consensus clusters of the ensemble's members
(:mod:`specgroups.analysis.consensus`) are measured as the cluster stage measures its own: spectral coherence
(within-cluster MAE of the reference spectra over that of random groups of the same sizes; lower is better),
environment coherence (within-cluster Jaccard similarity of the coordination environments over random groups;
higher is better), consensus stability, PAC, seed-to-seed and split-half ARI (reproducibility across
retraining), bootstrap ARI of the first member (materials resampled under one model), and the out-of-sample
validation of the design guidelines read off them (:mod:`specgroups.analysis.guidelines`). The baselines
(:mod:`specgroups.analysis.baselines`) are scanned beside them. The rule (:class:`SelectionRule`) uses neither the
held-out materials' onsets nor the baselines, so the validation stays an out-of-sample check of the choice.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import numpy as np
import pandas as pd

from specgroups.analysis.baselines import with_baselines
from specgroups.analysis.chemistry import FEATURE_KINDS, feature_parents, feature_table
from specgroups.analysis.clustering import (
    bootstrap_stability,
    chemical_coherence,
    jaccard_similarities,
    nearest_clusters,
    spectral_coherence,
    spectral_distances,
)
from specgroups.analysis.consensus import consensus_of
from specgroups.analysis.guidelines import GuidelineRules, Materials, guideline_materials, validated_guidelines
from specgroups.analysis.interpret import InterpretSettings
from specgroups.errors import InputError
from specgroups.io.outputs import ClusteringChoice

# random partitions of the members behind each split-half ARI
SPLIT_HALF_PARTITIONS = 10
SCAN_COLUMNS = [
    "representation",
    "n_clusters",
    "mean_cluster_size",
    "spectral_coherence_ratio",
    "environment_coherence_ratio",
    "bootstrap_ari",
    "consensus_stability",
    "pac",
    "seed_to_seed_ari",
    "split_half_consensus_ari",
    "guidelines",
    "coverage",
    "sign_agreement",
]


@dataclass(frozen=True)
class ScanSettings:
    """Random relabellings per coherence baseline, bootstrap resamples of the stability, bootstrap resamples of
    each guideline's intervals, the enrichment's minimum carriers and q threshold, the guidelines' prediction
    rules (:class:`specgroups.analysis.guidelines.GuidelineRules`), and the seed of every generator."""

    permutations: int
    stability_rounds: int
    guideline_rounds: int
    min_count: int
    max_q_value: float
    rules: GuidelineRules
    seed: int


def scan_point(
    features: np.ndarray,
    labels: np.ndarray,
    linkage: np.ndarray,
    reference_distances: np.ndarray,
    environment_similarities: np.ndarray,
    rows: np.ndarray,
    materials: Materials,
    parents: dict[str, str],
    settings: ScanSettings,
    bootstrap_labels: np.ndarray | None = None,
) -> dict:
    """The measures of one clustering: ``labels`` of every dataset row, cut from ``linkage`` (of ``features``, or
    the consensus of an ensemble whose first member's features ``features`` are, clustered as ``bootstrap_labels``:
    the bootstrap resamples materials under that one model);
    ``reference_distances`` are the :func:`specgroups.analysis.clustering.spectral_distances` of the reference spectra,
    ``environment_similarities`` the :func:`specgroups.analysis.clustering.jaccard_similarities` of the
    coordination-environment matrix of the dataset ``rows`` with a chemistry record, and ``materials``
    (:func:`specgroups.analysis.guidelines.guideline_materials`) carries these labels."""
    n_clusters = len(np.unique(labels))
    _, guidelines, validation = validated_guidelines(
        materials,
        parents,
        nearest_clusters(linkage, labels),
        settings.min_count,
        settings.max_q_value,
        settings.rules,
        np.random.default_rng(settings.seed),
        settings.guideline_rounds,
    )
    return {
        "n_clusters": n_clusters,
        "mean_cluster_size": len(labels) / n_clusters,
        "spectral_coherence_ratio": spectral_coherence(
            reference_distances, labels, np.random.default_rng(settings.seed), settings.permutations
        )["ratio_to_random"],
        "environment_coherence_ratio": chemical_coherence(
            environment_similarities, labels[rows], np.random.default_rng(settings.seed), settings.permutations
        )["ratio_to_random"],
        "bootstrap_ari": bootstrap_stability(
            features,
            labels if bootstrap_labels is None else bootstrap_labels,
            n_clusters,
            np.random.default_rng(settings.seed),
            settings.stability_rounds,
        )["bootstrap_ari_mean"],
        "guidelines": len(guidelines),
        "coverage": validation["coverage"],
        "sign_agreement": validation["sign_agreement"],
    }


def cluster_scan(
    ensemble: dict[str, np.ndarray],
    counts: list[int],
    reference_spectra: np.ndarray,
    environments: np.ndarray,
    rows: np.ndarray,
    materials_for: Callable[[np.ndarray], Materials],
    parents: dict[str, str],
    settings: ScanSettings,
) -> pd.DataFrame:
    """:func:`scan_point` of the consensus clusters (:func:`specgroups.analysis.consensus.consensus_of`) of every
    representation (``ensemble``: one members x materials x dimensions array each) at every count, with the
    consensus's stability, PAC, seed-to-seed ARI and split-half ARI; one row each (:data:`SCAN_COLUMNS`);
    ``materials_for`` gives the guideline materials of a labelling."""
    found = []
    reference_distances, environment_similarities = (
        spectral_distances(reference_spectra),
        jaccard_similarities(environments),
    )
    for name, members in ensemble.items():
        for count in counts:
            consensus = consensus_of(list(members), count)
            point = scan_point(
                members[0],
                consensus.labels,
                consensus.linkage,
                reference_distances,
                environment_similarities,
                rows,
                materials_for(consensus.labels),
                parents,
                settings,
                consensus.member_labels[0],
            )
            summary = consensus.summary()
            found.append(
                {
                    "representation": name,
                    **point,
                    "consensus_stability": summary["stability"],
                    "pac": summary["pac"],
                    "seed_to_seed_ari": summary["seed_to_seed_ari"],
                    "split_half_consensus_ari": consensus.split_half_ari(settings.seed, SPLIT_HALF_PARTITIONS),
                }
            )
    return pd.DataFrame(found, columns=SCAN_COLUMNS)


@dataclass(frozen=True)
class SelectionRule:
    """How the representation and the number of clusters are chosen, from the scan:

    among the representations in ``candidates`` and the scanned counts whose clusters are large enough to count
    features in (at least ``min_mean_cluster_size`` materials on average; the study's are 2,681 / 96, about 28),
    reproducible across retraining (consensus stability, the mean co-association within its consensus clusters, at
    least ``min_consensus_stability``: 0.5 asks that, on average, two materials of one cluster share a cluster in
    most members) and spectrally coherent (spectral coherence ratio below
    ``max_spectral_coherence_ratio``), the one whose clusters share coordination environments most (the highest
    environment coherence ratio: guidelines are read off shared chemistry); ties go to fewer clusters, then to
    the earlier candidate. Environment coherence grows as clusters shrink (``results/scan.json`` shows it for every
    representation), so without the size floor the rule would pick the largest count scanned: the floor,
    not the coherence, sets the count, and the coherence picks the representation. Held-out onsets play no part,
    so the guideline validation of the choice stays out of sample.
    """

    candidates: tuple[str, ...]
    min_mean_cluster_size: float
    min_consensus_stability: float
    max_spectral_coherence_ratio: float

    def pick(self, scan: pd.DataFrame) -> dict | None:
        """{"representation", "n_clusters"} the rule picks; None when no scanned clustering qualifies (a small
        dataset has no count with clusters of the minimum mean size); InputError for an unknown candidate."""
        unknown = sorted(set(self.candidates) - set(scan["representation"]))
        if unknown:
            raise InputError(
                f"params: scan.rule.candidates {unknown} are not among the representations {sorted(set(scan['representation']))}"
            )
        qualified = scan[
            scan["representation"].isin(self.candidates)
            & (scan["mean_cluster_size"] >= self.min_mean_cluster_size)
            & (scan["consensus_stability"] >= self.min_consensus_stability)
            & (scan["spectral_coherence_ratio"] < self.max_spectral_coherence_ratio)
        ]
        if qualified.empty:
            return None
        order = {name: k for k, name in enumerate(self.candidates)}
        best = min(
            qualified.itertuples(),
            key=lambda r: (-r.environment_coherence_ratio, r.n_clusters, order[r.representation]),
        )
        return {"representation": str(best.representation), "n_clusters": int(best.n_clusters)}


@dataclass(frozen=True)
class ScanPlan:
    """The ``scan`` params: the cluster ``counts`` scanned, random relabellings per coherence baseline, bootstrap
    resamples of the stability and of each guideline's intervals, the seed of them all, and the selection rule."""

    counts: tuple[int, ...]
    permutations: int
    stability_rounds: int
    guideline_rounds: int
    seed: int
    rule: SelectionRule


def scan_clusterings(
    table: pd.DataFrame,
    ids: list[str],
    ensemble: dict[str, np.ndarray],
    spectra: np.ndarray,
    records: dict[str, dict],
    pretrained: dict[str, np.ndarray],
    plan: ScanPlan,
    guidelines: InterpretSettings,
) -> tuple[pd.DataFrame, ClusteringChoice | None]:
    """(:func:`cluster_scan` of the consensus clusters of every representation of an ensemble (``ensemble``: an
    ensemble_features.npz's arrays) and of the baselines (:mod:`specgroups.analysis.baselines`) at every count of
    ``plan``, the rule's pick); ``records`` are the per-material chemistry records, ``pretrained`` the pretrained
    models' features (pretrained_features.npz), ``guidelines`` how the interpret
    stage reads guidelines off a clustering (enrichment threshold, splits, interval level)."""
    usable, rows, feature_names, matrix = feature_table(records, ids)
    environments = matrix[:, [FEATURE_KINDS["environments"](name) for name in feature_names]]
    splits = guidelines.guidelines
    settings = ScanSettings(
        plan.permutations,
        plan.stability_rounds,
        plan.guideline_rounds,
        guidelines.min_count,
        guidelines.max_q_value,
        splits.rules,
        plan.seed,
    )

    def materials_for(labels: np.ndarray) -> Materials:
        return guideline_materials(
            table, rows, feature_names, matrix, labels, list(splits.derivation_splits), list(splits.held_out_splits)
        )

    representations = with_baselines(ensemble, spectra, records, ids, pretrained, plan.seed)
    scan = cluster_scan(
        representations,
        list(plan.counts),
        spectra,
        environments,
        rows,
        materials_for,
        feature_parents([records[m] for m in usable]),
        settings,
    )
    picked = plan.rule.pick(scan)
    return scan, ClusteringChoice(picked["representation"], picked["n_clusters"], "scan rule") if picked else None

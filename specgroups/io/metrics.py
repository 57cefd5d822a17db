"""The headline numbers each stage writes to ``metrics/<stage>.json``: named, a few per stage.

These are what ``dvc metrics show`` and ``dvc metrics diff`` compare across commits and
experiments, so every key is one number (a 95 % interval is two more keys, ``<name>_low``
and ``<name>_high``; one group of numbers, ``guideline_validation``, is nested, so that its
keys read as one group, and DVC flattens it to ``guideline_validation.<key>``) and the keys
of all stages together fit a wide terminal (under 30).
The whole results (member lists, tables, every representation's quality) are the stages'
``results/<stage>.json``, which the figures and the report read. Each function takes such a result object and
picks from it; the definitions of the numbers are those of the functions that made it.
"""

from __future__ import annotations

from typing import Callable

from specgroups.io.atomic import write_json_atomic
from specgroups.io.layout import ProfileLayout

Number = int | float
GUIDELINE_VALIDATION_KEYS = ("held_out_materials", "coverage", "sign_agreement", "nominal_level")


def write_results(layout: ProfileLayout, stage: str, results: dict, headline: Callable[[dict], dict]) -> None:
    """A stage's whole results to ``results/<stage>.json`` and their headline numbers (one of the functions
    below, applied to them) to ``metrics/<stage>.json`` of the profile, each atomically."""
    write_json_atomic(layout.results(stage), results)
    write_json_atomic(layout.metrics(stage), headline(results))


def with_interval(name: str, estimate: float, interval: tuple[float, float] | list[float]) -> dict[str, float]:
    """``{name: estimate, name_low: lower bound, name_high: upper bound}``."""
    low, high = interval
    return {name: float(estimate), f"{name}_low": float(low), f"{name}_high": float(high)}


def dataset_metrics(summary: dict) -> dict[str, Number]:
    """From :func:`specgroups.io.dataset.dataset_summary`: materials in the dataset, materials excluded, the mean
    onset energy (eV), the count of onsets more than
    0.1 eV below the lowest direct transition plus the scissor (0 for sound spectra), and the agreement with
    published onsets where there are any (:func:`published_onset_metrics`)."""
    return {
        "materials": summary["materials"],
        "excluded": summary["excluded"],
        "onset_mean_ev": summary["onset_energy_ev"]["mean"],
        "onsets_below_direct_gap_plus_scissor": summary["onsets_below_direct_gap_plus_scissor"],
        **published_onset_metrics(summary.get("published_agreement")),
    }


def published_onset_metrics(agreement: dict | None) -> dict[str, Number]:
    """From :func:`specgroups.io.dataset.published_agreement`: the mean absolute difference (eV) and Pearson's r of
    the recomputed against the published onsets, and 1 if they agree within the tolerance, 0 if not; nothing
    without published onsets (every source but the authors')."""
    if not agreement:
        return {}
    onsets = agreement["onset_energy_ev"]
    return {
        "published_onset_mad_ev": onsets["mean_absolute_difference"],
        "published_onset_r": onsets["pearson_r"],
        "published_onsets_agree": int(agreement["onsets_agree"]),
    }


def train_metrics(evaluation: dict) -> dict[str, Number]:
    """From the train stage's evaluation (:func:`specgroups.model.evaluation.split_metrics` plus the run): the
    test MAE of the predicted spectra, the mean-spectrum baseline's test MAE (both in the spectra's units),
    the R^2 of predicted against reference onset energies over the test materials, and the epoch of the
    checkpoint evaluated (-1 for a published checkpoint)."""
    return {
        "test_mae": evaluation["spectrum_mae"]["test"],
        "baseline_test_mae": evaluation["mean_spectrum_baseline_test_mae"],
        "onset_r2_test": evaluation["onset_r2_test"],
        "best_epoch": evaluation["best_epoch"],
    }


def cluster_metrics(results: dict) -> dict[str, Number]:
    """From the cluster stage's results, for the chosen representation: the number of clusters, the within-cluster
    spectrum MAE of its consensus clusters over that of random groups of the same sizes (below 1: spectrally
    coherent; :func:`specgroups.analysis.clustering.representation_quality`), the consensus stability (mean
    co-association within its clusters), the seed-to-seed ARI (two single models), the split-half consensus ARI
    of two disjoint halves of the ensemble (:mod:`specgroups.analysis.consensus`; absent with one member) and the
    environment coherence ratio (within-cluster Jaccard similarity of coordination environments over that of random
    groups; :func:`specgroups.analysis.baselines.chemical_coherence_table`)."""
    chosen, consensus = results["quality"][results["representation"]], results["consensus"][results["representation"]]
    curve = results["split_half_consensus_ari"]
    return _finite(
        {
            "n_clusters": results["n_clusters"],
            "spectral_coherence_ratio": chosen["ratio_to_random"],
            "consensus_stability": consensus["stability"],
            "seed_to_seed_ari": consensus["seed_to_seed_ari"],
            "split_half_consensus_ari": curve[max(curve, key=int)] if curve else None,
            "environment_coherence_ratio": results["environment_coherence_ratio"][results["representation"]],
        }
    )


def _finite(metrics: dict) -> dict:
    """The entries that are numbers (a class without members gives NaN, a validation without held-out
    carriers None: both are left out)."""
    return {key: value for key, value in metrics.items() if value is not None and value == value}


def interpret_metrics(summary: dict) -> dict[str, Number | dict[str, Number]]:
    """From the interpret stage's summary: per cation (V, Cr), the onset difference of the V5+/Cr6+ oxides
    with isolated tetrahedra among alkali ions minus those of the same cation elsewhere (eV, with its
    bootstrap 95 % interval; :func:`specgroups.study.contrast.environment_differences`), how many enrichment tests reach the
    q-value threshold, and the out-of-sample validation of the design guidelines under ``guideline_validation``
    (:func:`specgroups.analysis.guidelines.validation_summary`; DVC shows its keys as ``guideline_validation.coverage``...),
    and the coverage of the grouped cross-validation with its held-out pairs
    (:func:`specgroups.analysis.crossvalidation.cross_validated_guidelines`)."""
    metrics = {}
    for cation, entry in summary["headline"]["by_cation"].items():
        difference = entry["onset_energy_ev"]["differences"]["isolated_alkali - elsewhere"]
        metrics.update(with_interval(f"onset_difference_{cation}_ev", difference["difference"], difference["ci95"]))
    return _finite(
        {
            **metrics,
            "significant_features": summary["significant"],
            "guideline_validation": _finite(
                {key: summary["guideline_validation"][key] for key in GUIDELINE_VALIDATION_KEYS}
            ),
            "cross_validated_coverage": _finite(
                {key: summary["cross_validation"][key] for key in ("coverage", "held_out_pairs")}
            ),
        }
    )


def electronic_metrics(summary: dict) -> dict[str, Number]:
    """From the electronic stage's summary (:func:`specgroups.study.mechanism.localisation_by_class`): per cation, the
    mean CBM curvature mass (electron masses; :func:`specgroups.study.mechanism.curvature_mass`) of the oxides with
    isolated tetrahedra among alkali ions minus that of the same cation's oxides elsewhere (positive: a heavier,
    more localised CBM among alkali ions); nothing when the stage was not enabled or a class had no result."""
    return _finite(
        {
            f"cbm_mass_difference_{cation}": entry["cbm_curvature_mass"]["differences"]["isolated_alkali - elsewhere"][
                "difference"
            ]
            for cation, entry in (summary.get("localisation") or {}).items()
        }
    )

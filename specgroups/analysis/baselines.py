"""What a clustering of a spectrum model's features is compared with, at the same cluster counts, through the
same measures: representations that never saw a trained spectrum model.

- ``reference``: the reference spectra themselves (the best any representation can do on spectral coherence);
- ``chemistry``: a composition and coordination-environment fingerprint, one 0/1 column per chemistry feature
  of :func:`specgroups.analysis.chemistry.feature_table` (elements, oxidation states, ChemEnv environments,
  isolated tetrahedra), zeros for a material whose chemistry could not be determined;
- ``chgnet``: the per-material features of CHGNet, a universal interatomic potential trained on energies and
  forces that never saw a spectrum (:mod:`specgroups.model.pretrained`): what any learned description of structure
  gives;
- ``random``: Gaussian noise of the model features' width (64), seeded (what no structure at all gives).

The spectrum model's features reveal groups only where their clusters beat these.
"""

from __future__ import annotations

import numpy as np

from specgroups.analysis.chemistry import FEATURE_KINDS, feature_table
from specgroups.analysis.clustering import ClusterSettings, chemical_coherence_by_kind

BASELINES = ("reference", "chemistry", "chgnet", "random")
RANDOM_DIMENSIONS = 64


def baseline_representations(
    spectra: np.ndarray, records: dict[str, dict], ids: list[str], pretrained: dict[str, np.ndarray], seed: int
) -> dict[str, np.ndarray]:
    """{baseline: materials x dimensions} for the dataset's materials ``ids`` (rows of ``spectra`` and of each
    ``pretrained`` model's features)."""
    _, rows, _, matrix = feature_table(records, ids)
    fingerprint = np.zeros((len(ids), matrix.shape[1]))
    fingerprint[rows] = matrix
    noise = np.random.default_rng(seed).normal(size=(len(ids), RANDOM_DIMENSIONS))
    return {
        "reference": np.asarray(spectra, dtype=float),
        "chemistry": fingerprint,
        **{name: np.asarray(pretrained[name], dtype=float) for name in ("chgnet",)},
        "random": noise,
    }


def with_baselines(
    ensemble: dict[str, np.ndarray],
    spectra: np.ndarray,
    records: dict[str, dict],
    ids: list[str],
    pretrained: dict[str, np.ndarray],
    seed: int,
) -> dict[str, np.ndarray]:
    """Every representation as (members x materials x dimensions): the ensemble's (an ensemble_features.npz's
    arrays) and each of :func:`baseline_representations` as its one member."""
    members = {name: values for name, values in ensemble.items() if name != "material_ids"}
    baselines = baseline_representations(spectra, records, ids, pretrained, seed)
    return {**members, **{name: values[None] for name, values in baselines.items()}}


def chemical_coherence_table(
    records: dict[str, dict], ids: list[str], labels: dict[str, np.ndarray], seed: int, permutations: int
) -> dict[str, dict]:
    """{representation: {kind: coherence}} of each representation's cluster ``labels`` (over the dataset's materials
    ``ids``), for each kind of chemical feature (elements, oxidation states, environments): the mean within-cluster
    Jaccard similarity of the materials' features over that of random groups of the same sizes (``ratio_to_random``;
    higher: chemically more alike than chance; :func:`specgroups.analysis.clustering.chemical_coherence_by_kind`).
    The cluster stage owns it; the interpret stage and the report read it from ``results/cluster.json``."""
    _, rows, names, matrix = feature_table(records, ids)
    return chemical_coherence_by_kind(
        matrix, names, FEATURE_KINDS, {name: values[rows] for name, values in labels.items()}, seed, permutations
    )


def against_baselines(
    chosen: str, quality: dict[str, dict], consensus: dict[str, dict], environments: dict[str, float]
) -> dict[str, dict]:
    """For each baseline, at the chosen count: its spectral coherence ratio (within-cluster spectrum MAE over random
    groups'; lower is better), environment coherence ratio (the environments' ``ratio_to_random`` of
    :func:`chemical_coherence_table`; higher is better),
    bootstrap ARI and consensus stability; whether the chosen representation's clusters are spectrally more coherent
    (``beats_on_spectra``), chemically more coherent (``beats_on_environments``), and both: "the spectrum model's
    features reveal groups" is supported against this baseline (``reveals_groups``)."""
    ratio = quality[chosen]["ratio_to_random"]
    table = {}
    for name in BASELINES:
        on_spectra = bool(ratio < quality[name]["ratio_to_random"])
        on_environments = bool(environments[chosen] > environments[name])
        table[name] = {
            "spectral_coherence_ratio": quality[name]["ratio_to_random"],
            "environment_coherence_ratio": environments[name],
            "bootstrap_ari": quality[name]["bootstrap_ari_mean"],
            "consensus_stability": consensus[name]["stability"],
            "beats_on_spectra": on_spectra,
            "beats_on_environments": on_environments,
            "reveals_groups": on_spectra and on_environments,
        }
    return table


def baseline_comparison(
    chosen: str,
    labels: dict[str, np.ndarray],
    quality: dict[str, dict],
    consensus: dict[str, dict],
    records: dict[str, dict],
    ids: list[str],
    settings: ClusterSettings,
) -> dict:
    """The cluster stage's JSON-ready chemistry of its clusters and their comparison with the baselines': the
    :func:`chemical_coherence_table` of every representation's ``labels`` (``settings``' seed and random
    relabellings), the environment coherence ratio of the ``chosen`` one and the baselines, and
    :func:`against_baselines`."""
    coherence = chemical_coherence_table(records, ids, labels, settings.seed, settings.permutations)
    environments = {name: coherence[name]["environments"]["ratio_to_random"] for name in [chosen, *BASELINES]}
    return {
        "chemical_coherence": coherence,
        "environment_coherence_ratio": environments,
        "baselines": against_baselines(chosen, quality, consensus, environments),
    }

"""What a clustering of a spectrum model's features is compared with, at the same cluster counts, through the
same measures: representations that never saw a trained spectrum model.

- ``reference``: the reference spectra themselves (the best any representation can do on spectral coherence);
- ``chemistry``: a composition and coordination-environment fingerprint, one 0/1 column per chemistry feature
  of :func:`specgroups.analysis.chemistry.feature_table` (elements, oxidation states, ChemEnv environments,
  isolated tetrahedra), zeros for a material whose chemistry could not be determined;
- ``random``: Gaussian noise of the model features' width (64), seeded (what no structure at all gives).

The spectrum model's features reveal groups only where their clusters beat these.
"""

from __future__ import annotations

import numpy as np

from specgroups.analysis.chemistry import feature_table

BASELINES = ("reference", "chemistry", "random")
RANDOM_DIMENSIONS = 64


def baseline_representations(
    spectra: np.ndarray, records: dict[str, dict], ids: list[str], seed: int
) -> dict[str, np.ndarray]:
    """{baseline: materials x dimensions} for the dataset's materials ``ids`` (rows of ``spectra``)."""
    _, rows, _, matrix = feature_table(records, ids)
    fingerprint = np.zeros((len(ids), matrix.shape[1]))
    fingerprint[rows] = matrix
    noise = np.random.default_rng(seed).normal(size=(len(ids), RANDOM_DIMENSIONS))
    return {"reference": np.asarray(spectra, dtype=float), "chemistry": fingerprint, "random": noise}


def against_baselines(chosen: str, quality: dict[str, dict], consensus: dict[str, dict]) -> dict[str, dict]:
    """For each baseline, at the chosen count: its spectral coherence ratio (within-cluster spectrum MAE over random
    groups'; lower is better), bootstrap ARI and consensus stability beside the chosen representation's, and whether
    the chosen one's clusters are spectrally more coherent (``beats_on_spectra``)."""
    ratio = quality[chosen]["ratio_to_random"]
    return {
        name: {
            "spectral_coherence_ratio": quality[name]["ratio_to_random"],
            "bootstrap_ari": quality[name]["bootstrap_ari_mean"],
            "consensus_stability": consensus[name]["stability"],
            "beats_on_spectra": bool(ratio < quality[name]["ratio_to_random"]),
        }
        for name in BASELINES
    }

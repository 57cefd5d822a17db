"""specgroups.analysis.baselines: the representations a spectrum model's clusters are compared with."""

from __future__ import annotations

import numpy as np

from specgroups.analysis.baselines import (
    BASELINES,
    RANDOM_DIMENSIONS,
    against_baselines,
    baseline_representations,
    environment_coherence,
)
from specgroups.analysis.chemistry import chemistry_record
from tests.helpers import oxide_id, oxide_structure


def test_baselines_cover_every_material_and_the_random_one_is_seeded():
    ids = [oxide_id("MgO"), oxide_id("ZnO"), "mp-unanalysed"]
    records = {
        material_id: chemistry_record(oxide_structure(material_id).as_dict(), material_id) for material_id in ids[:2]
    }
    records[ids[2]] = {"id": ids[2], "error": "no oxidation states"}
    spectra = np.arange(12.0).reshape(3, 4)
    pretrained = {"chgnet": np.ones((3, 5))}
    found = baseline_representations(spectra, records, ids, pretrained, seed=0)
    assert list(found) == list(BASELINES) and np.array_equal(found["reference"], spectra)
    assert np.array_equal(found["chgnet"], pretrained["chgnet"])
    fingerprint = found["chemistry"]
    assert fingerprint.shape[0] == 3 and set(np.unique(fingerprint)) <= {0.0, 1.0}
    assert fingerprint[2].sum() == 0 and (fingerprint[0] != fingerprint[1]).any()  # Mg and Zn differ
    assert found["random"].shape == (3, RANDOM_DIMENSIONS)
    again = lambda seed: baseline_representations(spectra, records, ids, pretrained, seed)["random"]  # noqa: E731
    assert np.array_equal(found["random"], again(0)) and not np.array_equal(found["random"], again(1))


def test_the_chosen_representation_is_compared_with_each_baseline():
    ratios = {"pooled": 0.6, "reference": 0.3, "chemistry": 0.8, "chgnet": 0.5, "random": 1.0}
    quality = {name: {"ratio_to_random": ratio, "bootstrap_ari_mean": 0.5} for name, ratio in ratios.items()}
    consensus = {name: {"stability": 1.0} for name in quality}
    environments = {"pooled": 2.5, "reference": 1.8, "chemistry": 6.4, "chgnet": 2.0, "random": 1.0}
    table = against_baselines("pooled", quality, consensus, environments)
    assert [table[name]["beats_on_spectra"] for name in BASELINES] == [False, True, False, True]
    assert [table[name]["beats_on_environments"] for name in BASELINES] == [True, False, True, True]
    assert [table[name]["reveals_groups"] for name in BASELINES] == [False, False, False, True]


def test_environment_coherence_is_high_for_clusters_of_one_environment_and_low_for_mixed_ones():
    octahedral_mg, tetrahedral_zn = ["MgO", "MgTiO3", "Sr2MgMoO6"], ["ZnO", "KLiZnO2", "KNaZnO2"]
    ids = [oxide_id(formula) for formula in octahedral_mg + tetrahedral_zn]
    records = {m: chemistry_record(oxide_structure(m).as_dict(), m) for m in ids}
    labels = {"by_environment": np.array([0, 0, 0, 1, 1, 1]), "mixed": np.array([0, 1, 0, 1, 0, 1])}
    found = environment_coherence(records, ids, labels, seed=0, permutations=50)
    assert found["by_environment"] > 1.0 > found["mixed"]

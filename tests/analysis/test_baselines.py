"""specgroups.analysis.baselines: the representations a spectrum model's clusters are compared with."""

from __future__ import annotations

import numpy as np

from specgroups.analysis.baselines import (
    BASELINES,
    RANDOM_DIMENSIONS,
    against_baselines,
    baseline_comparison,
    baseline_representations,
    chemical_coherence_table,
)
from specgroups.analysis.chemistry import chemistry_record
from specgroups.analysis.clustering import ClusterSettings
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


def test_chemical_coherence_is_high_for_clusters_of_one_environment_and_low_for_mixed_ones():
    octahedral_mg, tetrahedral_zn = ["MgO", "MgTiO3", "Sr2MgMoO6"], ["ZnO", "KLiZnO2", "KNaZnO2"]
    ids = [oxide_id(formula) for formula in octahedral_mg + tetrahedral_zn]
    records = {m: chemistry_record(oxide_structure(m).as_dict(), m) for m in ids}
    labels = {"by_environment": np.array([0, 0, 0, 1, 1, 1]), "mixed": np.array([0, 1, 0, 1, 0, 1])}
    found = chemical_coherence_table(records, ids, labels, seed=0, permutations=50)
    assert all(sorted(kinds) == ["elements", "environments", "oxidation_states"] for kinds in found.values())
    for kind in ("elements", "environments", "oxidation_states"):
        assert found["by_environment"][kind]["ratio_to_random"] > 1.0 > found["mixed"][kind]["ratio_to_random"]


def test_the_cluster_stage_owns_the_coherence_the_baseline_verdicts_use():
    ids = [oxide_id(formula) for formula in ["MgO", "MgTiO3", "Sr2MgMoO6", "ZnO", "KLiZnO2", "KNaZnO2"]]
    records = {m: chemistry_record(oxide_structure(m).as_dict(), m) for m in ids}
    by_environment, mixed = np.array([0, 0, 0, 1, 1, 1]), np.array([0, 1, 0, 1, 0, 1])
    labels = {"pooled": by_environment, **{name: mixed for name in BASELINES}}
    quality = {name: {"ratio_to_random": 0.5, "bootstrap_ari_mean": 0.5} for name in labels}
    consensus = {name: {"stability": 1.0} for name in labels}
    settings = ClusterSettings(permutations=50, bootstrap_rounds=10, seed=0, stable_core=0.8)
    found = baseline_comparison("pooled", labels, quality, consensus, records, ids, settings)
    table = found["chemical_coherence"]
    assert sorted(table) == sorted(labels)
    assert found["environment_coherence_ratio"] == {n: table[n]["environments"]["ratio_to_random"] for n in labels}
    assert all(found["baselines"][name]["beats_on_environments"] for name in BASELINES)

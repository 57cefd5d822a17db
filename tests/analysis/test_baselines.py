"""specgroups.analysis.baselines: the representations a spectrum model's clusters are compared with."""

from __future__ import annotations

import numpy as np

from specgroups.analysis.baselines import BASELINES, RANDOM_DIMENSIONS, against_baselines, baseline_representations
from specgroups.analysis.chemistry import chemistry_record
from tests.helpers import oxide_id, oxide_structure


def test_baselines_cover_every_material_and_the_random_one_is_seeded():
    ids = [oxide_id("MgO"), oxide_id("ZnO"), "mp-unanalysed"]
    records = {
        material_id: chemistry_record(oxide_structure(material_id).as_dict(), material_id) for material_id in ids[:2]
    }
    records[ids[2]] = {"id": ids[2], "error": "no oxidation states"}
    spectra = np.arange(12.0).reshape(3, 4)
    found = baseline_representations(spectra, records, ids, seed=0)
    assert list(found) == list(BASELINES) and np.array_equal(found["reference"], spectra)
    fingerprint = found["chemistry"]
    assert fingerprint.shape[0] == 3 and set(np.unique(fingerprint)) <= {0.0, 1.0}
    assert fingerprint[2].sum() == 0 and (fingerprint[0] != fingerprint[1]).any()  # Mg and Zn differ
    assert found["random"].shape == (3, RANDOM_DIMENSIONS)
    assert np.array_equal(found["random"], baseline_representations(spectra, records, ids, seed=0)["random"])


def test_the_chosen_representation_is_compared_with_each_baseline():
    ratios = {"pooled": 0.6, "reference": 0.3, "chemistry": 0.8, "random": 1.0}
    quality = {name: {"ratio_to_random": ratio, "bootstrap_ari_mean": 0.5} for name, ratio in ratios.items()}
    consensus = {name: {"stability": 1.0} for name in quality}
    table = against_baselines("pooled", quality, consensus)
    assert [table[name]["beats_on_spectra"] for name in BASELINES] == [False, True, True]

"""specgroups.model.pretrained: CHGNet's crystal features of real oxides, from the weights its wheel ships."""

from __future__ import annotations

import numpy as np
import pytest

from specgroups.errors import InputError
from specgroups.model.pretrained import PretrainedSettings, chgnet_features
from tests.helpers import oxide_id, oxide_structure

IDS = [oxide_id(formula) for formula in ("MgO", "ZnO", "CaO")]
STRUCTURES = {material_id: oxide_structure(material_id).as_dict() for material_id in IDS}


def test_features_are_per_material_in_the_given_order_and_independent_of_the_batch():
    features = chgnet_features(STRUCTURES, IDS, PretrainedSettings(batch_size=2))
    assert features.shape == (3, 64) and np.isfinite(features).all()
    assert not np.allclose(features[0], features[1])  # MgO and ZnO differ
    reversed_order = chgnet_features(STRUCTURES, IDS[::-1], PretrainedSettings(batch_size=3))
    np.testing.assert_allclose(reversed_order[::-1], features, rtol=1e-5, atol=1e-6)


def test_a_supercell_has_the_features_of_its_cell():
    """The crystal feature is a mean over atoms, so a 2x1x1 supercell of MgO must give MgO's."""
    supercell = oxide_structure(IDS[0]).make_supercell([2, 1, 1], in_place=False)
    both = chgnet_features(
        {"cell": STRUCTURES[IDS[0]], "supercell": supercell.as_dict()}, ["cell", "supercell"], PretrainedSettings()
    )
    np.testing.assert_allclose(both[0], both[1], rtol=1e-4, atol=1e-5)


def test_an_unknown_weights_version_is_refused():
    with pytest.raises((InputError, ValueError)):
        chgnet_features(STRUCTURES, IDS, PretrainedSettings(model="9.9.9"))

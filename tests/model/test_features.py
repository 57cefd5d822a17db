"""Per-material features from every layer of a model (specgroups.model.features), on real graphs."""

from __future__ import annotations

import numpy as np
import torch

from specgroups.model.features import extract_features, representation_names
from specgroups.model.network import build_model
from specgroups.model.training import make_deterministic, predict
from tests.model.test_training import ARCHITECTURE, real_set  # noqa: F401 (real_set: a fixture)


def test_hooks_capture_every_layer(real_set):  # noqa: F811 (the fixture)
    make_deterministic(123, 1)
    model = build_model({**ARCHITECTURE, "alignn_layers": 2, "gcn_layers": 2})
    features = extract_features(model, real_set, batch_size=4, device=torch.device("cpu"))
    assert (
        list(features)
        == representation_names(model)
        == ["alignn_1", "alignn_2", "gcn_1", "gcn_2", "pooled", "predicted"]
    )
    for name in ("alignn_1", "alignn_2", "gcn_1", "gcn_2", "pooled"):
        assert features[name].shape == (len(real_set), 16)
    # the pooled vector is the mean of the last GCN layer's node features
    np.testing.assert_allclose(features["pooled"], features["gcn_2"], rtol=1e-6, atol=1e-7)
    np.testing.assert_allclose(
        features["predicted"], predict(model, real_set, 1, torch.device("cpu")), rtol=1e-5, atol=1e-6
    )
    assert not np.allclose(features["alignn_1"], features["gcn_2"])

"""specgroups.io.outputs: each stage artifact round-trips through its one reader and writer."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from specgroups import InputError
from specgroups.io.outputs import (
    ClusteringChoice,
    Interpretation,
    read_clustering_choice,
    read_clusters,
    read_features,
    read_interpretation,
    representation_names,
    resolve_choice,
    write_clustering_choice,
    write_clusters,
    write_features,
    write_interpretation,
)


def test_features_and_clusters_round_trip_and_name_their_stage(tmp_path):
    ids = ["mp-1", "mp-2", "mp-3"]
    features = {"alignn_1": np.arange(6.0).reshape(3, 2), "pooled": np.ones((3, 4))}
    write_features(tmp_path / "features.npz", ids, np.array(["train", "val", "test"]), np.zeros((3, 5)), features)
    read = read_features(tmp_path / "features.npz")
    assert list(read) == ["material_ids", "split", "reference", "alignn_1", "pooled"]
    assert representation_names(read) == ["reference", "alignn_1", "pooled"]
    labels = {"alignn_1": np.array([1, 1, 2]), "pooled": np.array([1, 2, 2])}
    linkages = {name: np.zeros((2, 4)) for name in labels}
    write_clusters(tmp_path / "clusters.npz", read["material_ids"], "pooled", labels, linkages)
    clusters = read_clusters(tmp_path / "clusters.npz", ids)
    assert str(clusters["representation"]) == "pooled" and clusters["labels"].tolist() == [1, 2, 2]
    with pytest.raises(InputError, match="clusters.npz: its materials differ"):
        read_clusters(tmp_path / "clusters.npz", ids[::-1])
    with pytest.raises(InputError, match="absent.npz: not found \\(run the embed stage\\)"):
        read_features(tmp_path / "absent.npz")


def test_the_choice_is_the_scans_unless_params_override_it(tmp_path):
    picked = ClusteringChoice("alignn_2", 12, "scan rule")
    write_clustering_choice(tmp_path / "choice.json", picked)
    assert read_clustering_choice(tmp_path / "choice.json") == picked
    names = ["reference", "alignn_2", "pooled"]
    assert resolve_choice(picked, None, None, names) == picked
    assert resolve_choice(picked, "pooled", None, names) == ClusteringChoice("pooled", 12, "params")
    assert resolve_choice(None, "pooled", 96, names) == ClusteringChoice("pooled", 96, "params")
    write_clustering_choice(tmp_path / "none.json", None)
    assert read_clustering_choice(tmp_path / "none.json") is None
    with pytest.raises(InputError, match="picked no clustering"):
        resolve_choice(None, "pooled", None, names)
    with pytest.raises(InputError, match="'gcn_9' is not one of"):
        resolve_choice(picked, "gcn_9", None, names)


def test_the_interpretation_folder_round_trips(tmp_path):
    interpretation = Interpretation(
        pd.DataFrame({"cluster": [1], "feature": ["element:V"], "q_value": [0.01]}),
        {"1": {"size": 3}},
        [{"statement": "V-containing"}],
        pd.DataFrame({"id": ["mp-1"], "cation": ["V"], "environment": ["isolated_alkali"]}),
        {"by_cation": {}, "pair": None},
    )
    write_interpretation(tmp_path / "interpretation", interpretation)
    read = read_interpretation(tmp_path / "interpretation")
    assert read.clusters == interpretation.clusters and read.contrast == interpretation.contrast
    pd.testing.assert_frame_equal(read.contrast_oxides, interpretation.contrast_oxides)

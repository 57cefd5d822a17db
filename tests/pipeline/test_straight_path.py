"""The data path runs one way: the scan's pick reaches the cluster stage through data/clustering_choice.json,
with no edit of params; params override it only where they say so."""

from __future__ import annotations

import json
import shutil

import pytest
import yaml

from tests.helpers import dvc


def set_params(repo, **sections) -> None:
    params = yaml.safe_load((repo / "params.yaml").read_text())
    for section, values in sections.items():
        params[section].update(values)
    (repo / "params.yaml").write_text(yaml.safe_dump(params, sort_keys=False))


@pytest.mark.slow
def test_a_changed_rule_reaches_the_cluster_stage_without_a_hand_edit(pipeline_repo, tmp_path):
    repo = tmp_path / "repo"
    shutil.copytree(pipeline_repo, repo, symlinks=True)
    scan = yaml.safe_load((repo / "params.yaml").read_text())["scan"]
    # small clusters qualify on this 100-material copy; params no longer override the pick
    rule = {**scan["rule"], "min_mean_cluster_size": 5, "min_bootstrap_ari": 0.0, "max_spectral_coherence_ratio": 10.0}
    for candidate in ("gcn_1", "alignn_1"):
        set_params(
            repo,
            cluster={"representation": None, "n_clusters": None},
            scan={"rule": {**rule, "candidates": [candidate]}},
        )
        dvc(repo, "repro", "dvc.yaml:cluster")
        picked = json.loads((repo / "data/clustering_choice.json").read_text())
        used = json.loads((repo / "results/cluster.json").read_text())
        assert picked["representation"] == used["representation"] == candidate
        assert used["n_clusters"] == picked["n_clusters"] and used["chosen_by"] == "scan rule"
    # an override in params wins, and says so
    set_params(repo, cluster={"representation": "pooled", "n_clusters": 6})
    dvc(repo, "repro", "dvc.yaml:cluster")
    used = json.loads((repo / "results/cluster.json").read_text())
    assert (used["representation"], used["n_clusters"], used["chosen_by"]) == ("pooled", 6, "params")

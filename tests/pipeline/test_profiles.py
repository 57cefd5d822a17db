"""Profiles are overlays of one pipeline: generated dvc.yaml files, params that hold only their differences."""

from __future__ import annotations

import subprocess
import sys

import yaml

from specgroups.io.params import merged, profile_params
from specgroups.present.figures import pipeline_graph
from tests.helpers import ROOT, dvc

PAPER = ROOT / "profiles/paper/dvc.yaml"
EPS2 = ROOT / "profiles/eps2/dvc.yaml"


def test_every_generated_dvc_yaml_is_current():
    completed = subprocess.run(
        [sys.executable, "tools/pipeline.py", "--check"], cwd=ROOT, capture_output=True, text=True
    )
    assert completed.returncode == 0, completed.stdout + completed.stderr


def differences(default: dict, overlay: dict, where: str = "") -> list[str]:
    """Keys of ``overlay`` whose value equals the default's: an overlay holds only differences."""
    same = []
    for key, value in overlay.items():
        if key in default and isinstance(value, dict) and isinstance(default[key], dict):
            same += differences(default[key], value, f"{where}{key}.")
        elif key in default and value == default[key]:
            same.append(f"{where}{key}")
    return same


def test_profile_params_hold_only_their_differences():
    default = yaml.safe_load((ROOT / "params.yaml").read_text())
    for profile in ("paper", "eps2"):
        overlay = yaml.safe_load((ROOT / f"profiles/{profile}/params.yaml").read_text())
        assert differences(default, overlay) == [], profile
        assert (
            len(
                [
                    line
                    for line in (ROOT / f"profiles/{profile}/params.yaml").read_text().splitlines()
                    if ":" in line and not line.lstrip().startswith("#")
                ]
            )
            < 45
        )


def test_an_overlay_merges_key_by_key_and_replaces_lists():
    default = {
        "train": {"epochs": 60, "architecture": {"alignn_layers": 2, "gcn_layers": 2}},
        "scan": {"counts": [6, 12]},
    }
    overlay = {"train": {"architecture": {"alignn_layers": 4}}, "scan": {"counts": [96]}}
    assert merged(default, overlay) == {
        "train": {"epochs": 60, "architecture": {"alignn_layers": 4, "gcn_layers": 2}},
        "scan": {"counts": [96]},
    }


def test_paper_params_say_what_the_study_did():
    params = profile_params(ROOT / "profiles/paper", ROOT)
    train = params["train"]
    assert params["graphs"]["max_neighbors"] == 20 and params["graphs"]["cutoff"] == 10.0
    assert (train["architecture"]["alignn_layers"], train["architecture"]["gcn_layers"]) == (4, 4)
    assert (train["architecture"]["embedding_features"], train["architecture"]["hidden_features"]) == (64, 64)
    assert (train["loss"], train["optimizer"], train["scheduler"]) == ("l1", "adamw", "constant")
    assert (train["learning_rate"], train["weight_decay"], train["batch_size"], train["epochs"], train["seed"]) == (
        1e-3,
        1e-5,
        4,
        500,
        123,
    )
    assert (params["cluster"]["n_clusters"], params["cluster"]["representation"]) == (96, "pooled")
    assert train["mode"] == "published" and train["published_run"].endswith("neighbor_20/hidden_64")


def test_every_profile_runs_the_same_stages_in_the_same_order():
    default = pipeline_graph(ROOT / "dvc.yaml")
    assert pipeline_graph(PAPER) == default
    stages, edges = pipeline_graph(EPS2)
    assert stages[1:] == default[0] and ("export", "dataset") in edges
    assert sorted(edge for edge in edges if edge[0] != "export") == default[1]


def test_dvc_knows_every_paper_stage_and_the_imports_feeding_it():
    dot = dvc(ROOT, "dag", "--dot", str(PAPER.relative_to(ROOT))).stdout
    for stage in yaml.safe_load(PAPER.read_text())["stages"]:
        assert f"profiles/paper/dvc.yaml:{stage}" in dot
    assert '"data.dvc" -> "profiles/paper/dvc.yaml:dataset"' in dot
    assert '"model.dvc" -> "profiles/paper/dvc.yaml:train"' in dot


def test_imports_pin_the_authors_commit_over_https():
    for name in ("data.dvc", "model.dvc"):
        repo = yaml.safe_load((ROOT / name).read_text())["deps"][0]["repo"]
        assert repo["url"] == "https://github.com/takahashi-akira-36m/opt_absorption_alignn"
        assert repo["rev"] == repo["rev_lock"] == "4fcf79581cc0416e64b8969f27a0bcf92da14c1a"

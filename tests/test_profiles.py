"""The paper profile has the default profile's stages: same code, params sections and stage graph."""

from __future__ import annotations

import re

import pytest
import yaml

from specgroups.figures import pipeline_graph
from tests.helpers import ROOT, dvc

PAPER = ROOT / "profiles/paper/dvc.yaml"
EPS2 = ROOT / "profiles/eps2/dvc.yaml"
CODE = re.compile(r"^(stages/|specgroups/|paper/templates|paper/study_reported)")


def stage_summary(dvc_yaml) -> dict[str, dict]:
    stages = yaml.safe_load(dvc_yaml.read_text())["stages"]
    summary = {}
    for name, stage in stages.items():
        params = stage["params"]
        sections = params[0][next(iter(params[0]))] + params[1:] if isinstance(params[0], dict) else params
        summary[name] = {
            "module": re.match(r"python -m (\S+)", stage["cmd"]).group(1),
            "code": sorted(dep for dep in stage["deps"] if CODE.match(dep)),
            "params": sorted(sections),
        }
    return summary


def test_paper_profile_keeps_in_step_with_the_default():
    assert stage_summary(PAPER) == stage_summary(ROOT / "dvc.yaml")
    assert pipeline_graph(PAPER) == pipeline_graph(ROOT / "dvc.yaml")


def test_eps2_profile_is_the_default_after_an_export_stage():
    summary = stage_summary(EPS2)
    assert summary.pop("export")["module"] == "stages.export_spectra"
    assert summary == stage_summary(ROOT / "dvc.yaml")
    stages, edges = pipeline_graph(EPS2)
    assert stages[1:] == pipeline_graph(ROOT / "dvc.yaml")[0]
    assert sorted(edge for edge in edges if edge[0] != "export") == pipeline_graph(ROOT / "dvc.yaml")[1]
    assert ("export", "dataset") in edges


@pytest.mark.parametrize("profile", ["paper", "eps2"])
def test_profiles_run_from_the_root_with_their_own_params_and_outputs(profile):
    stages = yaml.safe_load((ROOT / f"profiles/{profile}/dvc.yaml").read_text())["stages"]
    for name, stage in stages.items():
        assert stage["wdir"] == "../.."
        assert stage["cmd"].endswith(f"--params profiles/{profile}/params.yaml"), name
        assert list(stage["params"][0]) == [f"profiles/{profile}/params.yaml"], name
        for entry in stage.get("outs", []) + stage.get("metrics", []) + stage.get("plots", []):
            path = next(iter(entry)) if isinstance(entry, dict) else entry
            assert path.startswith(f"profiles/{profile}/"), (name, path)


def test_paper_params_say_what_the_study_did():
    params = yaml.safe_load((ROOT / "profiles/paper/params.yaml").read_text())
    train = params["train"]
    assert params["graphs"]["max_neighbors"] == 20 and params["graphs"]["cutoff"] == 10.0
    assert (train["architecture"]["alignn_layers"], train["architecture"]["gcn_layers"]) == (4, 4)
    assert (train["architecture"]["embedding_features"], train["architecture"]["hidden_features"]) == (64, 64)
    assert (train["loss"], train["optimizer"], train["scheduler"]) == ("l1", "adamw", "constant")
    assert (train["learning_rate"], train["weight_decay"], train["batch_size"], train["epochs"], train["seed"]) == (
        1e-3, 1e-5, 4, 500, 123,
    )  # fmt: skip
    assert params["cluster"]["n_clusters"] == 96
    assert train["mode"] == "published" and train["published_run"].endswith("neighbor_20/hidden_64")
    # every section the default profile has, with the same keys (only values differ)
    default = yaml.safe_load((ROOT / "params.yaml").read_text())
    eps2 = yaml.safe_load((ROOT / "profiles/eps2/params.yaml").read_text())
    source_keys = {"authors", "materials", "first_principles", "table"}
    for section, values in default.items():
        assert set(params[section]) - source_keys == set(values) - source_keys, section
        assert set(eps2[section]) - source_keys == set(values) - source_keys, section


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

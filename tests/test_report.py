"""The report's provenance comes from dvc.lock, its numbers are formatted from data, images are embedded."""

from __future__ import annotations

from pathlib import Path

import yaml

from specgroups.report import data_uri, git_commit, markdown_to_html, number, provenance

ROOT = Path(__file__).parents[1]


def test_provenance_matches_dvc_lock(tmp_path):
    lock = {
        "schema": "2.0",
        "stages": {
            "dataset": {
                "cmd": "python -m stages.dataset",
                "deps": [{"path": "data/demo/materials.json", "hash": "md5", "md5": "a" * 32, "size": 1}],
                "params": {"params.yaml": {"dataset.floor": 2.0}},
                "outs": [{"path": "data/dataset", "hash": "md5", "md5": "b" * 32 + ".dir", "size": 2}],
            }
        },
    }
    path = tmp_path / "dvc.lock"
    path.write_text(yaml.safe_dump(lock))
    [row] = provenance(path)
    assert row["stage"] == "dataset" and row["params"] == {"dataset.floor": 2.0}
    assert row["deps"] == [("data/demo/materials.json", "a" * 32)]
    assert row["outs"] == [("data/dataset", "b" * 32 + ".dir")]


def test_project_lock_lists_every_stage_that_ran():
    stages = {row["stage"] for row in provenance(ROOT / "dvc.lock")}
    assert {"dataset", "graphs", "train", "embed", "cluster"} <= stages


def test_numbers_and_missing_values():
    assert number(0.12345) == "0.123" and number(3) == "3" and number(None) == "n/a" and number(float("nan")) == "n/a"
    assert number(2.0, 2) == "2.00"


def test_html_is_self_contained(tmp_path):
    png = tmp_path / "a.png"
    png.write_bytes(b"\x89PNG\r\n\x1a\nfake")
    html = markdown_to_html(f"## Clusters\n\n| a | b |\n|---|---|\n| 1 | 2 |\n\n![x]({data_uri(png)})\n", ROOT / "paper/templates")
    assert '<h2 id="clusters">Clusters</h2>' in html and "<table>" in html
    assert 'src="data:image/png;base64,' in html and "http" not in html.replace("https://", "")


def test_git_commit_names_head():
    assert len(git_commit(ROOT).split("+")[0]) == 40

"""make check-repro's tool on a small copy of the default profile: two forced runs, same clusters and metrics."""

from __future__ import annotations

import subprocess
import sys

import pytest

from tests.helpers import ROOT

pytestmark = pytest.mark.slow


def test_two_forced_runs_from_a_clean_clone_agree(pipeline_repo):
    source = pipeline_repo
    completed = subprocess.run(
        [sys.executable, str(ROOT / "tools/check_repro.py"), "--source", str(source), "--target", "dvc.yaml:cluster"],
        capture_output=True,
        text=True,
        timeout=1200,
    )
    assert completed.returncode == 0, completed.stdout[-3000:] + completed.stderr[-3000:]
    lines = completed.stdout.splitlines()
    assert lines[-1] == "reproducible"
    assert any(line.startswith("same  cluster labels labels_pooled") for line in lines)
    assert any(line.startswith("same  bytes of models/default/best_model.pt") for line in lines)
    assert any(line.startswith("same  metrics/cluster.json run 1 vs run 2") for line in lines)
    assert any(line.startswith("within rtol 1e-06  metrics/train.json vs committed") for line in lines)


def test_differences_beyond_the_tolerance_are_reported():
    import importlib.util

    spec = importlib.util.spec_from_file_location("check_repro", ROOT / "tools/check_repro.py")
    tool = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(tool)
    flat = tool.numbers({"mae": {"test": 0.2, "train": 0.1}, "ci": [1.0, 2.0], "name": "x", "ok": True})
    assert flat == {".mae.test": 0.2, ".mae.train": 0.1, ".ci[0]": 1.0, ".ci[1]": 2.0}
    assert tool.differences(flat, {**flat, ".mae.test": 0.2 + 1e-9}, 1e-6) == []
    assert tool.differences(flat, {**flat, ".mae.test": 0.2 + 1e-9}, 0.0) == [f".mae.test: 0.2 vs {0.2 + 1e-9}"]
    assert tool.differences(flat, {".mae.test": 0.2}, 1e-6) == [
        ".ci[0] missing",
        ".ci[1] missing",
        ".mae.train missing",
    ]

"""Stage entry points: bad input is one line on stderr and exit status 2."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).parents[1]


def run_stage(module: str, params: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", module, "--params", str(params)], cwd=ROOT, capture_output=True, text=True
    )


def test_missing_params_file_exits_2(tmp_path):
    completed = run_stage("stages.dataset", tmp_path / "absent.yaml")
    assert completed.returncode == 2
    assert completed.stderr.strip().count("\n") == 0
    assert "absent.yaml: params file not found" in completed.stderr


def test_missing_section_exits_2(tmp_path):
    params = tmp_path / "params.yaml"
    params.write_text(yaml.safe_dump({"train": {}}))
    completed = run_stage("stages.dataset", params)
    assert completed.returncode == 2 and "no 'dataset' section" in completed.stderr


def test_dataset_stage_writes_nothing_when_its_input_is_bad(tmp_path):
    params = yaml.safe_load((ROOT / "params.yaml").read_text())
    params["dataset"].update(output=str(tmp_path / "dataset"), metrics=str(tmp_path / "metrics.json"))
    params["dataset"]["onset_correction"]["mode"] = "hybrid"
    path = tmp_path / "params.yaml"
    path.write_text(yaml.safe_dump(params))
    completed = run_stage("stages.dataset", path)
    assert completed.returncode == 2 and "onset correction mode" in completed.stderr
    assert not (tmp_path / "dataset").exists() and not (tmp_path / "metrics.json").exists()

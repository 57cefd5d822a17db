"""SIGKILL at the wrong moment: the pipeline reruns cleanly and the GPAW batch resumes without recomputing finished
materials (atomic writes and the chemistry batch under SIGKILL: tests/io/test_atomic.py, tests/io/test_parallel.py)."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest
import yaml

from tests.helpers import ROOT, dvc, small_pipeline

pytestmark = pytest.mark.slow


def start(command: list[str], cwd: Path, **environment: str) -> subprocess.Popen:
    """A process in its own group (so that a kill reaches its children), with the venv first on PATH."""
    env = {**os.environ, "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}", **environment}
    return subprocess.Popen(
        command, cwd=cwd, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, start_new_session=True
    )


def kill_when(process: subprocess.Popen, condition, timeout_s: float = 600) -> None:
    deadline = time.monotonic() + timeout_s
    while not condition():
        assert process.poll() is None, "the process finished before it could be killed"
        assert time.monotonic() < deadline, "the condition never came"
        time.sleep(0.05)
    os.killpg(process.pid, signal.SIGKILL)
    process.wait()


def test_a_killed_dvc_repro_leaves_the_cache_intact_and_reruns_cleanly(tmp_path):
    repo = small_pipeline(tmp_path / "repo", epochs=2)
    before = yaml.safe_load((repo / "dvc.lock").read_text())["stages"]["train"]["outs"]
    params = yaml.safe_load((repo / "params.yaml").read_text())
    params["train"]["epochs"] = 4
    (repo / "params.yaml").write_text(yaml.safe_dump(params, sort_keys=False))
    log = tmp_path / "repro.log"
    with open(log, "w") as handle:
        repro = subprocess.Popen(
            [sys.executable, "-m", "dvc", "repro", "dvc.yaml:embed"],
            cwd=repo,
            stdout=handle,
            stderr=subprocess.STDOUT,
            start_new_session=True,
            env={**os.environ, "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}"},
        )
        kill_when(repro, lambda: "Running stage 'train'" in log.read_text())
    # the previous run's cached outputs are still in the cache, byte for byte (cache: false ones live in git)
    stage = yaml.safe_load((repo / "dvc.yaml").read_text())["stages"]["train"]
    declared = stage["outs"] + stage.get("metrics", []) + stage.get("plots", [])
    in_git = {
        next(iter(entry))
        for entry in declared
        if isinstance(entry, dict) and next(iter(entry.values())).get("cache") is False
    }
    assert in_git and any(out["path"] not in in_git for out in before)
    for out in before:
        if out["md5"].endswith(".dir") or out["path"] in in_git:
            continue
        cached = repo / ".dvc/cache/files/md5" / out["md5"][:2] / out["md5"][2:]
        assert cached.is_file(), out["path"]
    assert "Running stage 'train'" in dvc(repo, "repro", "dvc.yaml:embed").stdout
    assert "up to date" in dvc(repo, "status", "dvc.yaml:embed").stdout
    after = yaml.safe_load((repo / "dvc.lock").read_text())["stages"]["train"]["params"]["params.yaml"]["train"][
        "epochs"
    ]
    assert after == 4


@pytest.mark.gpaw
def test_the_gpaw_batch_resumes_without_recomputing(tmp_path):
    """Two small materials with cheap settings; the batch is killed once the first has finished."""
    params = yaml.safe_load((ROOT / "profiles/firstprinciples/params.yaml").read_text())
    materials = json.loads((ROOT / "data/demo/materials.json").read_text())
    small = [m for m in materials if m["nsites"] == 2][:2]
    (tmp_path / "materials.json").write_text(json.dumps(small))
    params["gpaw"].update(plane_wave_cutoff_ev=300.0, ground_state_kpoint_density=1.0, optics_kpoint_density=1.0)
    params["spectra"].update(materials=str(tmp_path / "materials.json"), output=str(tmp_path / "results"), workers=1)
    (tmp_path / "params.yaml").write_text(yaml.safe_dump(params))
    command = [sys.executable, "-m", "stages.firstprinciples.spectra", "--profile", str(tmp_path)]
    results = tmp_path / "results"
    batch = start(command, ROOT, OPENBLAS_NUM_THREADS="1", OMP_NUM_THREADS="1")
    kill_when(batch, lambda: len(list(results.glob("*.json"))) >= 1)
    finished = {path.name: path.stat().st_mtime_ns for path in results.glob("*.json")}
    assert len(finished) == 1
    rerun = start(command, ROOT, OPENBLAS_NUM_THREADS="1", OMP_NUM_THREADS="1")
    output, _ = rerun.communicate(timeout=900)
    assert rerun.returncode == 0, output[-2000:]
    assert "1 already done" in output
    assert {path.name for path in results.glob("*.json")} == {f"{m['id']}.json" for m in small}
    assert {name: (results / name).stat().st_mtime_ns for name in finished} == finished
    statuses = [json.loads((results / f"{m['id']}.json").read_text())["status"] for m in small]
    assert all(status in ("ok", "metal") for status in statuses) and np.size(statuses) == 2

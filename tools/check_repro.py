"""Reproducibility check: a clean clone, `dvc repro --force` twice, identical cluster labels and metrics.

    python tools/check_repro.py [--target dvc.yaml] [--rtol 1e-6]        (make check-repro)

Clones the current commit into a temporary directory, runs the target pipeline
twice from scratch with this checkout's .venv, and compares:

- the bytes of the features, the clusters and the model (data/features.npz, data/clusters.npz,
  models/default/best_model.pt): must be identical between the two runs (same machine);
- cluster labels of every representation (data/clusters.npz): must be identical;
- every number of metrics/*.json and results/*.json: the two runs must agree bit for bit (same machine);
  against the metrics committed in this checkout (made on another machine, or
  with other BLAS/CPU instructions) they must agree within ``--rtol``.

Prints one line per compared file and exits 1 on any difference beyond those rules.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import math
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np

ROOT = Path(__file__).parents[1]


def numbers(data, prefix: str = "") -> dict[str, float]:
    """Every number in a JSON document, keyed by its path."""
    if isinstance(data, dict):
        return {k: v for key, value in data.items() for k, v in numbers(value, f"{prefix}.{key}").items()}
    if isinstance(data, list):
        return {k: v for i, value in enumerate(data) for k, v in numbers(value, f"{prefix}[{i}]").items()}
    if isinstance(data, (int, float)) and not isinstance(data, bool):
        return {prefix: float(data)}
    return {}


def metrics_of(repo: Path) -> dict[str, dict[str, float]]:
    """The numbers of every stage's headline metrics and whole results, keyed by the file's path in ``repo``."""
    paths = sorted((repo / "metrics").glob("*.json")) + sorted((repo / "results").glob("*.json"))
    return {path.relative_to(repo).as_posix(): numbers(json.loads(path.read_text())) for path in paths}


ARTIFACTS = ("data/features.npz", "data/clusters.npz", "models/default/best_model.pt")


def snapshot(repo: Path) -> dict:
    with np.load(repo / "data/clusters.npz", allow_pickle=False) as clusters:
        labels = {name: clusters[name].copy() for name in clusters.files if name.startswith("labels")}
    digests = {name: hashlib.sha256((repo / name).read_bytes()).hexdigest() for name in ARTIFACTS}
    return {"labels": labels, "metrics": metrics_of(repo), "artifacts": digests}


def differences(first: dict[str, float], second: dict[str, float], rtol: float) -> list[str]:
    problems = [f"{key} missing" for key in set(first) ^ set(second)]
    for key in set(first) & set(second):
        a, b = first[key], second[key]
        if not (a == b or (math.isnan(a) and math.isnan(b)) or math.isclose(a, b, rel_tol=rtol, abs_tol=rtol)):
            problems.append(f"{key}: {a} vs {b}")
    return sorted(problems)


def repro(repo: Path, target: str) -> None:
    environment = {
        **os.environ,
        "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}",
        "OPENBLAS_NUM_THREADS": "1",
        "OMP_NUM_THREADS": "1",
        "MKL_NUM_THREADS": "1",
        "DVC_NO_ANALYTICS": "1",
    }
    subprocess.run([sys.executable, "-m", "dvc", "repro", "--force", target], cwd=repo, env=environment, check=True)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--source", type=Path, default=ROOT, help="the checkout to clone (its committed state)")
    parser.add_argument("--target", default="dvc.yaml", help="what to reproduce (a dvc.yaml or dvc.yaml:stage)")
    parser.add_argument("--rtol", type=float, default=1e-6, help="tolerance against the committed metrics")
    arguments = parser.parse_args()
    source = arguments.source.resolve()
    committed = metrics_of(source)
    scratch = Path(tempfile.mkdtemp(prefix="specgroups-check-repro-"))
    try:
        clone = scratch / "clone"
        subprocess.run(["git", "clone", "--quiet", str(source), str(clone)], check=True)
        runs = []
        for _ in range(2):
            repro(clone, arguments.target)
            runs.append(snapshot(clone))
        failed = False
        for name in ARTIFACTS:
            same = runs[0]["artifacts"][name] == runs[1]["artifacts"][name]
            failed |= not same
            print(f"{'same' if same else 'DIFFERENT'}  bytes of {name}")
        for name in sorted(runs[0]["labels"]):
            same = np.array_equal(runs[0]["labels"][name], runs[1]["labels"][name])
            failed |= not same
            print(f"{'same' if same else 'DIFFERENT'}  cluster labels {name}")
        for name in sorted(runs[0]["metrics"]):
            exact = differences(runs[0]["metrics"][name], runs[1]["metrics"].get(name, {}), 0.0)
            failed |= bool(exact)
            print(f"{'same' if not exact else 'DIFFERENT'}  {name} run 1 vs run 2 {exact[:3] if exact else ''}")
            if name in committed:
                drift = differences(committed[name], runs[0]["metrics"][name], arguments.rtol)
                failed |= bool(drift)
                print(
                    f"{'within' if not drift else 'BEYOND'} rtol {arguments.rtol:g}  {name} vs committed {drift[:3] if drift else ''}"
                )
        print("reproducible" if not failed else "NOT reproducible")
        return 1 if failed else 0
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())

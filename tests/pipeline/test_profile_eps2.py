"""Bring your own spectra: `dvc repro profiles/eps2/dvc.yaml` runs the whole method on eps_imag and builds its report."""

from __future__ import annotations

import json
import shutil
import subprocess

import numpy as np
import pytest
import yaml

from specgroups.firstprinciples.results import exclusion_reason, load_results
from specgroups.io.dataset import read_dataset
from tests.helpers import ROOT, dvc, keep_first_materials

pytestmark = pytest.mark.slow


def test_eps2_profile_builds_its_report(tmp_path):
    repo = tmp_path / "repo"
    for folder in ("specgroups", "stages", "data/demo", "paper/templates"):
        shutil.copytree(ROOT / folder, repo / folder, ignore=shutil.ignore_patterns("__pycache__"))
    for name in ("params.yaml", "paper/study_reported.yaml", "profiles/eps2/dvc.yaml", "profiles/eps2/params.yaml"):
        (repo / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(ROOT / name, repo / name)
    listed = keep_first_materials(repo, 100)
    # the profile as committed, with the suite's budget: half its epochs, three of its cluster counts scanned; a
    # hundred materials make no cluster of the rule's minimum mean size, so the count and representation are set
    params = yaml.safe_load((repo / "profiles/eps2/params.yaml").read_text())
    params.update(
        train={"epochs": 30, "ensemble": {"members": 1}},
        scan={"counts": [6, 12, 24]},
        cluster={"representation": "alignn_2", "n_clusters": 12},
        chemistry={"workers": 1},
    )
    (repo / "profiles/eps2/params.yaml").write_text(yaml.safe_dump(params, sort_keys=False))
    subprocess.run(["git", "init", "-q"], cwd=repo, check=True)
    dvc(repo, "init", "-q")
    dvc(repo, "repro", "profiles/eps2/dvc.yaml")

    results = load_results(repo / "data/demo/first_principles")
    # metals, materials the batch has not computed yet and spectra short of 15 eV are left out, with the reason
    computed = [material_id for material_id in listed if not exclusion_reason(results.get(material_id), 15.0)]
    dataset = read_dataset(repo / "profiles/eps2/data/dataset")
    assert len(dataset.ids) == len(computed)
    assert dataset.spectra.min() > -1e-6 and 5 < np.median(dataset.spectra.max(axis=1)) < 100  # eps_imag, not log alpha
    train = json.loads((repo / "profiles/eps2/results/train.json").read_text())
    assert train["spectrum_mae"]["test"] < train["mean_spectrum_baseline_test_mae"]
    report = (repo / "profiles/eps2/report.md").read_text()
    assert "spectrum MAE, test (eps_imag)" in report and "not computed in this profile" in report
    html = (repo / "profiles/eps2/report.html").read_text()
    assert html.count("data:image/png;base64,") >= 3 and "http://" not in html and "https://cdn" not in html

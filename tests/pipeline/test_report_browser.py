"""The HTML report in a real browser (headless Chromium): it loads, every image decodes, the sections are there."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml

from specgroups.analysis.guidelines import Materials, guideline, statement, validate
from specgroups.present.figures import cluster_grid_figure, cluster_panel_figure, pipeline_graph, save, workflow_figure
from tests.helpers import CHROMIUM, CHROMIUM_FLAGS

ROOT = Path(__file__).parents[2]


@pytest.fixture(scope="module")
def report(tmp_path_factory) -> Path:
    """The report stage run on the committed results and dvc.lock, with figures drawn here from small spectra."""
    work = tmp_path_factory.mktemp("report")
    figures = work / "figures"
    grid = np.linspace(0, 15, 1501)
    spectra = np.clip(2 + (grid[None, :] - np.array([[2.0], [2.5], [4.0], [4.4]])) * 3, 2, 6)
    labels, onsets, edges = np.array([1, 1, 2, 2]), np.array([2.7, 3.2, 4.7, 5.1]), np.array([1.0, 1.1, 0.8, 0.9])
    stages, dependencies = pipeline_graph(ROOT / "dvc.yaml")
    save(workflow_figure(stages, dependencies, {}), figures / "figure1_workflow", dpi=100)
    save(cluster_grid_figure(grid, spectra, labels, onsets, 2), figures / "figure2_clusters", dpi=100)
    save(cluster_grid_figure(grid, spectra, labels, onsets, 2), figures / "figure3_contrast", dpi=100)
    save(cluster_grid_figure(grid, spectra, labels, onsets, 2), figures / "figure4_stability", dpi=100)
    chemistry = work / "data/interpretation"
    chemistry.mkdir(parents=True)
    summaries = {}
    for cluster in (1, 2):
        save(
            cluster_panel_figure(grid, spectra, labels, onsets, edges, cluster),
            figures / "clusters" / f"cluster_{cluster:03d}",
            dpi=100,
        )
        members = np.flatnonzero(labels == cluster)
        summaries[str(cluster)] = {
            "members": [f"mp-{i}" for i in members],
            "formulas": ["Na3VO4", "K3VO4"] if cluster == 1 else ["V2O5", "MgV2O6"],
            "onset_energy_ev": {"mean": float(onsets[members].mean()), "std": 0.1},
            "log10_edge_integral": {"mean": 5.2, "std": 0.1},
            "enriched": [
                {
                    "feature": "V5+ isolated T:4 among alkali",
                    "within": "V5+ isolated T:4",
                    "in_group": 2,
                    "group_size": 2,
                    "fraction_in_total": 0.5,
                    "odds_ratio": None,
                    "q_value": 0.04,
                }
            ],
        }
    (chemistry / "clusters.json").write_text(json.dumps(summaries))
    found = Materials(
        ["V5+ isolated T:4 among alkali"],
        np.array([[True], [True], [False], [False]]),
        labels,
        onsets,
        edges,
        np.zeros(4, dtype=bool),
    )
    row = pd.Series(
        {"group": 1, "feature": "V5+ isolated T:4 among alkali", "within": "V5+ isolated T:4", "q_value": 0.04}
    )
    stated = guideline(row, found, 2, 0.8, np.random.default_rng(0), 100)
    (chemistry / "guidelines.json").write_text(
        json.dumps(
            [
                {
                    **stated,
                    "statement": statement(stated),
                    "validation": validate(stated, found, 5),
                    "trivial": False,
                    "appearance": 1.0,
                }
            ]
        )
    )
    # the committed results, and an interpretation folder holding this test's clusters and guideline
    (work / "results").mkdir()
    for path in (ROOT / "results").glob("*.json"):
        (work / "results" / path.name).write_bytes(path.read_bytes())
    (chemistry / "contrast.json").write_text(
        json.dumps(json.loads((ROOT / "results/interpret.json").read_text())["headline"])
    )
    pd.DataFrame(columns=["cluster", "feature", "q_value"]).to_csv(chemistry / "enrichment.csv", index=False)
    pd.DataFrame(columns=["id", "cation", "environment"]).to_csv(chemistry / "contrast.csv", index=False)
    (work / "dvc.lock").write_bytes((ROOT / "dvc.lock").read_bytes())
    # the report's own provenance row hashes the deps its dvc.yaml entry names: here, this test's inputs
    (work / "dvc.yaml").write_text(
        yaml.safe_dump(
            {
                "stages": {
                    "report": {
                        "cmd": "python -m stages.report",
                        "deps": [str(figures), str(chemistry)],
                        "outs": [str(work / "report.md"), str(work / "report.html")],
                    }
                }
            }
        )
    )
    report = {"templates": str(ROOT / "paper/templates"), "study": str(ROOT / "paper/study_reported.yaml")}
    (work / "params.yaml").write_text(yaml.safe_dump({"report": report}))
    completed = subprocess.run(
        [sys.executable, "-m", "stages.report", "--profile", str(work)],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert completed.returncode == 0, completed.stderr
    return work / "report.html"


def test_report_contains_every_section(report):
    html = report.read_text()
    for section in (
        'id="dataset"',
        'id="model"',
        'id="design-guidelines"',
        'id="figures"',
        'id="clusters"',
        'id="cluster-1"',
        'id="cluster-2"',
        'id="provenance"',
    ):
        assert section in html
    assert "http://" not in html and "https://" not in html.replace("https://creativecommons", "")


def test_report_renders_in_headless_chromium(report, tmp_path):
    assert CHROMIUM, "chromium is missing: `make test` installs it with tools/install.sh"
    profile = tmp_path / "profile"
    dom = subprocess.run(
        [
            CHROMIUM,
            *CHROMIUM_FLAGS,
            f"--user-data-dir={profile}",
            "--virtual-time-budget=5000",
            "--dump-dom",
            report.as_uri(),
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert dom.returncode == 0, dom.stderr[-2000:]
    images = dom.stdout.split('data-images="')[1].split('"')[0]
    decoded, total = map(int, images.split("/"))
    assert total == 6 and decoded == total  # figures 1-4 and two cluster panels
    assert 'id="cluster-2"' in dom.stdout and "Figure 2" in dom.stdout
    screenshot = tmp_path / "report.png"
    shot = subprocess.run(
        [
            CHROMIUM,
            *CHROMIUM_FLAGS,
            f"--user-data-dir={profile}",
            "--window-size=1200,2400",
            f"--screenshot={screenshot}",
            report.as_uri(),
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert shot.returncode == 0 and screenshot.stat().st_size > 20000
    failed = [
        line for line in (dom.stderr + shot.stderr).splitlines() if "Failed to load resource" in line or "ERR_" in line
    ]
    assert not failed, failed

"""The DVC commands a user types first, offline: metrics show, plots show (drawn in Chromium), exp run + exp show."""

from __future__ import annotations

import re
import shutil
import subprocess

import pytest
import yaml

from tests.helpers import CHROMIUM, CHROMIUM_FLAGS, ROOT, dvc, git

WARNING = re.compile(r"failed to load|WARNING|ERROR", re.IGNORECASE)


def columns(table: str) -> list[str]:
    """The header cells of DVC's plain table (columns are separated by two or more spaces)."""
    return re.split(r"\s{2,}", table.splitlines()[0].strip())


def test_metrics_show_prints_no_warning_and_fits_a_terminal():
    completed = dvc(ROOT, "metrics", "show")
    assert not WARNING.search(completed.stdout + completed.stderr), completed.stdout[:500] + completed.stderr
    header = columns(completed.stdout)
    assert header[0] == "Path" and len(header) <= 31, header  # the 30 keys of tests/io/test_metrics.py
    rows = {line.split()[0] for line in completed.stdout.splitlines()[1:]}
    assert {"metrics/train.json", "metrics/interpret.json", "profiles/eps2/metrics/train.json"} <= rows
    markdown = dvc(ROOT, "metrics", "show", "--md").stdout
    assert "| metrics/train.json " in markdown and "test_mae" in markdown and "onset_difference_V_ev_low" in markdown


def test_plots_show_writes_a_page_that_draws_every_plot_offline(tmp_path):
    assert CHROMIUM, "chromium is missing: `make test` installs it with tools/install.sh"
    completed = dvc(ROOT, "plots", "show", "-o", str(tmp_path / "plots"))
    assert not WARNING.search(completed.stdout + completed.stderr), completed.stderr
    page = tmp_path / "plots/index.html"
    html = page.read_text()
    assert "cdn.jsdelivr" not in html and "<script src=" not in html  # the libraries are inline
    plots = re.findall(r'<div id = "([^"]+)">', html)
    expected = {"learning_curve", "onset_parity", "test_spectra", "n_clusters_scan"}
    for profile in ("", "profiles_eps2_"):
        assert all(any(name.startswith(f"{profile}metrics_{kind}") for name in plots) for kind in expected), plots
    dom = subprocess.run(
        [
            CHROMIUM,
            *CHROMIUM_FLAGS,
            f"--user-data-dir={tmp_path / 'chromium'}",
            "--virtual-time-budget=10000",
            "--dump-dom",
            page.as_uri(),
        ],
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert dom.returncode == 0, dom.stderr[-2000:]
    drawn = dict.fromkeys(plots, False)
    for name, body in re.findall(r'<div id="([^"]+)" class="vega-embed[^"]*"[^>]*>(.*?)</details>', dom.stdout, re.S):
        sizes = re.findall(r'<canvas width="(\d+)" height="(\d+)"', body)
        drawn[name] = any(int(width) > 50 and int(height) > 50 for width, height in sizes)
    assert all(drawn.values()), [name for name, ok in drawn.items() if not ok]


@pytest.mark.slow
def test_an_experiment_changes_one_param_and_shows_it_beside_the_metrics(pipeline_repo, tmp_path):
    repo = tmp_path / "repo"
    shutil.copytree(pipeline_repo, repo, symlinks=True)
    params_before = (repo / "params.yaml").read_text()
    dvc(repo, "exp", "run", "--temp", "-S", "cluster.n_clusters=6", "dvc.yaml:cluster")
    assert (repo / "params.yaml").read_text() == params_before and not git(repo, "status", "--porcelain").strip()
    table = dvc(repo, "exp", "show", "--only-changed", "--md", "--no-pager").stdout
    header = [cell.strip() for cell in table.splitlines()[0].strip("|").split("|")]
    assert "cluster.n_clusters" in header and "n_clusters" in header and len(header) <= 12, header
    rows = [
        [cell.strip() for cell in line.strip().strip("|").split("|")]
        for line in table.splitlines()[2:]
        if line.startswith("|")
    ]
    assert all(len(row) == len(header) for row in rows), table
    by_count = {row[header.index("cluster.n_clusters")]: row for row in rows}
    clusters = str(yaml.safe_load(params_before)["cluster"]["n_clusters"])
    assert {clusters, "6"} <= set(by_count) and by_count["6"][header.index("n_clusters")] == "6", table


def test_every_profile_declares_the_studys_artifacts_as_outputs_of_its_stages():
    from dvc.repo import Repo

    declared = Repo(str(ROOT)).artifacts.read()
    for dvc_yaml in ("dvc.yaml", "profiles/eps2/dvc.yaml", "profiles/paper/dvc.yaml"):
        artifacts = declared[dvc_yaml]
        assert {name: artifact.type for name, artifact in artifacts.items()} == {
            "spectral-dataset": "dataset",
            "spectrum-model": "model",
            "cluster-assignment": "data",
            "figures": "figures",
            "report": "report",
        }
        folder = (ROOT / dvc_yaml).parent
        outputs = {
            next(iter(entry)) if isinstance(entry, dict) else entry
            for stage in yaml.safe_load((ROOT / dvc_yaml).read_text())["stages"].values()
            for entry in stage.get("outs", [])
        }
        wdir = "" if folder == ROOT else (folder.relative_to(ROOT).as_posix() + "/")
        assert {wdir + artifact.path for artifact in artifacts.values()} <= outputs, dvc_yaml
        assert all(artifact.desc and artifact.labels for artifact in artifacts.values())

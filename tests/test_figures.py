"""Figures: the workflow graph is DVC's own, and every figure is written as PNG and SVG."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import numpy as np

from specgroups.figures import cluster_grid_figure, pipeline_graph, save, workflow_figure

ROOT = Path(__file__).parents[1]


def dvc_dag_edges() -> set[tuple[str, str]]:
    environment = {**os.environ, "DVC_NO_ANALYTICS": "1"}
    dot = subprocess.run([sys.executable, "-m", "dvc", "dag", "--dot", "dvc.yaml"], cwd=ROOT, env=environment,
                         capture_output=True, text=True, check=True).stdout
    edges = set(re.findall(r'"([^"]+)" -> "([^"]+)"', dot))
    return {(a, b) for a, b in edges if "/" not in a and "/" not in b}  # stages of the root dvc.yaml only


def test_workflow_edges_are_dvc_dag_edges():
    stages, edges = pipeline_graph(ROOT / "dvc.yaml")
    assert stages[0] == "dataset" and "train" in stages
    assert set(edges) == dvc_dag_edges()


def test_figures_are_written_as_png_and_svg(tmp_path):
    stages, edges = pipeline_graph(ROOT / "dvc.yaml")
    written = save(workflow_figure(stages, edges, {"dataset": "250 materials"}), tmp_path / "figure1")
    grid = np.linspace(0, 15, 1501)
    spectra = np.clip(2 + (grid[None, :] - np.array([[2.0], [3.0], [4.0]])) * 3, 2, 6)
    written += save(cluster_grid_figure(grid, spectra, np.array([1, 1, 2]), np.array([2.7, 3.7, 4.7]), 2), tmp_path / "figure2")
    assert [p.suffix for p in written] == [".png", ".svg", ".png", ".svg"]
    assert all(p.stat().st_size > 5000 for p in written)
    assert b"<svg" in (tmp_path / "figure2.svg").read_bytes()[:500]

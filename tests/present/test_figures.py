"""Figures: the workflow graph is DVC's own, and every figure is written as PNG and SVG."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from specgroups.present.figures import cluster_grid_figure, draw_density_slice, pipeline_graph, save, workflow_figure

ROOT = Path(__file__).parents[2]


def dvc_dag_edges() -> set[tuple[str, str]]:
    environment = {**os.environ, "DVC_NO_ANALYTICS": "1"}
    dot = subprocess.run(
        [sys.executable, "-m", "dvc", "dag", "--dot", "dvc.yaml"],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
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
    written += save(
        cluster_grid_figure(grid, spectra, np.array([1, 1, 2]), np.array([2.7, 3.7, 4.7]), 2), tmp_path / "figure2"
    )
    assert [p.suffix for p in written] == [".png", ".svg", ".png", ".svg"]
    assert all(p.stat().st_size > 5000 for p in written)
    assert b"<svg" in (tmp_path / "figure2.svg").read_bytes()[:500]


def test_density_map_marks_each_site_inside_the_cell():
    """VBiPbO5 (the default profile's representative of the other environments) has an oblique c axis (in-plane
    part -2.8, -2.4 A) and a V site at w = 0.85: its mark belongs at its own (u, v) on the map, not at its
    Cartesian x, y, which fall outside the cell."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from pymatgen.core import Structure

    from specgroups.io.atomic import read_json

    record = next(m for m in read_json(ROOT / "data/demo/materials.json") if m["id"] == "mp-23642")
    structure = Structure.from_dict(record["structure"])
    figure, axis = plt.subplots()
    draw_density_slice(axis, np.ones((12, 16, 8)), "(c) CBM other", structure)
    marks = axis.collections[-1].get_offsets()
    in_plane = structure.lattice.matrix[:2, :2]
    fractional = np.linalg.solve(in_plane.T, np.asarray(marks).T).T
    expected = sorted(tuple(np.round(site.frac_coords[:2] % 1.0, 6)) for site in structure if site.specie.symbol == "V")
    assert sorted(tuple(np.round(f, 6)) for f in fractional) == expected
    assert np.all((fractional >= 0) & (fractional < 1))
    plt.close(figure)


# Figures and reports are committed (DVC outs with cache: false): figures 1-3 as PNG (300 dpi) and SVG, a
# PNG (150 dpi) and SVG panel per cluster, and the self-contained HTML report; this much per profile.
COMMITTED_FIGURES_BUDGET_MB = 10.0


@pytest.mark.parametrize("report", ["paper/report.md", "profiles/eps2/report.md"])
def test_a_committed_report_links_only_to_committed_images(report):
    tracked = set(
        subprocess.run(["git", "ls-files"], cwd=ROOT, capture_output=True, text=True, check=True).stdout.split()
    )
    assert report in tracked
    links = re.findall(r"!\[[^\]]*\]\(([^)]+)\)", (ROOT / report).read_text())
    assert len(links) >= 4
    for link in links:
        target = ((ROOT / report).parent / link).resolve().relative_to(ROOT).as_posix()
        assert target in tracked, f"{report} shows {link}, which git does not track"


@pytest.mark.parametrize(
    "figures, html", [("figures", "paper/report.html"), ("profiles/eps2/figures", "profiles/eps2/report.html")]
)
def test_committed_figures_and_reports_fit_the_size_budget(figures, html):
    tracked = subprocess.run(
        ["git", "ls-files", figures, html], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout.split()
    assert html in tracked and any(name.endswith(".svg") for name in tracked)
    total = sum((ROOT / name).stat().st_size for name in tracked)
    assert total <= COMMITTED_FIGURES_BUDGET_MB * 1e6


def test_two_processes_write_the_same_svg(tmp_path):
    """matplotlib draws random clip-path ids into an SVG unless svg.hashsalt is set: the style sets it."""
    script = (
        "import sys, numpy as np; from pathlib import Path; "
        "from specgroups.present.figures import cluster_grid_figure, save; "
        "grid = np.linspace(0, 15, 151); spectra = np.vstack([grid, grid[::-1]]); "
        "save(cluster_grid_figure(grid, spectra, np.array([1, 2]), np.array([2.0, 3.0]), 2), Path(sys.argv[1]), dpi=50)"
    )
    for name in ("first", "second"):
        subprocess.run([sys.executable, "-c", script, str(tmp_path / name)], check=True, cwd=ROOT)
    first, second = ((tmp_path / name).with_suffix(".svg").read_bytes() for name in ("first", "second"))
    assert b"clip-path" in first and first == second

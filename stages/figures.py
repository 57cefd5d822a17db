"""Stage `figures`: figure 1 (workflow), 2 (every cluster), 3 (the contrasted pair of clusters) and per-cluster panels."""

from __future__ import annotations

from pathlib import Path

import yaml

from specgroups.atomic import read_json
from specgroups.contrast import pair_sides
from specgroups.dataset import read_dataset
from specgroups.features import load_features
from specgroups.figures import (cluster_grid_figure, cluster_panel_figure, contrast_figure, pipeline_graph, representatives_for_figure,
                                save, workflow_figure, workflow_notes)
from stages._common import load_params, stage_main


def run(arguments) -> str:
    params = load_params(arguments.params, "figures")
    output, label = Path(params["output"]), params["quantity_label"]
    dataset, labels = read_dataset(params["dataset"]), load_features(params["clusters"])["labels"]
    grid, spectra, table = dataset.energy_grid, dataset.spectra, dataset.materials
    onsets = table["onset_energy_ev"].to_numpy()
    notes = workflow_notes(yaml.safe_load(Path(arguments.params).read_text()), read_json(params["results"]["dataset"]), read_json(params["results"]["train"]))
    written = save(workflow_figure(*pipeline_graph(params["dvc_yaml"]), notes), output / "figure1_workflow")
    written += save(cluster_grid_figure(grid, spectra, labels, onsets, int(params["grid_columns"]), label), output / "figure2_clusters")
    sides, titles = pair_sides(read_json(params["results"]["chemistry"])["headline"]["pair"], labels)
    structures, densities = representatives_for_figure(read_json(params["results"]["electronic"])["representatives"], dataset.structures, params["electronic_dir"])
    bond_cutoff = float(load_params(arguments.params, "electronic")["bond_cutoff"])
    figure = contrast_figure(grid, {side: spectra[rows] for side, rows in sides.items()}, titles, structures, densities, bond_cutoff, label)
    written += save(figure, output / "figure3_contrast")
    for cluster in sorted(set(labels.tolist())):
        figure = cluster_panel_figure(grid, spectra, labels, onsets, table["log10_edge_integral"].to_numpy(), cluster, label)
        written += save(figure, output / "clusters" / f"cluster_{cluster:03d}", dpi=int(params["panel_dpi"]))
    return f"figures: {len(written)} files (figures 1-3 and {len(set(labels.tolist()))} cluster panels) -> {output}"


if __name__ == "__main__":
    stage_main(run, __doc__)

"""Stage `figures`: figure 1 (workflow), 2 (every cluster), 3 (the contrasted groups) and per-cluster panels."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import yaml
from pymatgen.core import Structure

from specgroups.atomic import read_json
from specgroups.chemistry import headline_class
from specgroups.dataset import read_dataset
from specgroups.features import load_features
from specgroups.figures import cluster_grid_figure, cluster_panel_figure, contrast_figure, pipeline_graph, save, workflow_figure
from stages._common import load_params, stage_main


def workflow_notes(params_path: str, metrics: dict[str, str]) -> dict[str, str]:
    params = yaml.safe_load(Path(params_path).read_text())
    dataset = read_json(metrics["dataset"])
    train = read_json(metrics["train"])
    architecture = params["train"]["architecture"]
    return {
        "dataset": f"{dataset['materials']} materials, {params['figures']['quantity']}",
        "graphs": f"k-nearest, {params['graphs']['max_neighbors']} neighbours",
        "train": f"ALIGNN {architecture['alignn_layers']}+{architecture['gcn_layers']} layers, test MAE {train['spectrum_mae']['test']:.3f}",
        "embed": "features of every layer",
        "cluster": f"Ward, {params['cluster']['n_clusters']} clusters ({params['cluster']['representation']})",
        "chemistry": "oxidation states, ChemEnv, enrichment",
        "electronic": "GPAW CBM localisation",
    }


def run(arguments) -> str:
    params = load_params(arguments.params, "figures")
    output = Path(params["output"])
    dataset = read_dataset(params["dataset"])
    clusters = load_features(params["clusters"])
    labels = clusters["labels"]
    grid, spectra = dataset.energy_grid, dataset.spectra
    onsets = dataset.materials["onset_energy_ev"].to_numpy()
    written = []
    stages, edges = pipeline_graph(params["dvc_yaml"])
    written += save(workflow_figure(stages, edges, workflow_notes(arguments.params, params["metrics"])), output / "figure1_workflow")
    written += save(cluster_grid_figure(grid, spectra, labels, onsets, int(params["grid_columns"]), params["quantity_label"]), output / "figure2_clusters")

    records = read_json(Path(params["chemistry"]) / "materials.json")
    classes = np.array([headline_class(records[m]) if "error" not in records[m] else None for m in dataset.ids], dtype=object)
    electronic = read_json(params["electronic"])["representatives"]
    structures, densities = {}, {}
    for group, result in electronic.items():
        if result.get("material"):
            structures[group] = Structure.from_dict(dataset.structures[result["material"]])
            from ase.io.cube import read_cube_data

            densities[group], _ = read_cube_data(str(Path(params["electronic_dir"]) / result["cube_file"]))
    by_group = {group: spectra[classes == group] for group in ("isolated_alkali", "other")}
    written += save(contrast_figure(grid, by_group, structures, densities, params["quantity_label"]), output / "figure3_contrast")
    for cluster in sorted(set(labels.tolist())):
        figure = cluster_panel_figure(grid, spectra, labels, onsets, dataset.materials["absorption_edge_integral"].to_numpy(), cluster, params["quantity_label"])
        written += save(figure, output / "clusters" / f"cluster_{cluster:03d}", dpi=int(params["panel_dpi"]))
    return f"figures: {len(written)} files (figures 1-3 and {len(set(labels.tolist()))} cluster panels) -> {output}"


if __name__ == "__main__":
    stage_main(run, __doc__)

"""Stage `graphs`: ALIGNN k-nearest graphs for every material of the dataset (cached by structure hash)."""

from __future__ import annotations

from pathlib import Path

from pymatgen.core import Structure

from specgroups.atomic import write_json_atomic
from specgroups.dataset import read_dataset
from specgroups.graphs import GraphSettings, build_graph_cache
from stages._common import load_params, stage_main


def run(arguments) -> str:
    params = load_params(arguments.params, "graphs")
    settings = GraphSettings(float(params["cutoff"]), int(params["max_neighbors"]), str(params["atom_features"]))
    dataset = read_dataset(params["dataset"])
    structures = {material_id: Structure.from_dict(dataset.structures[material_id]) for material_id in dataset.ids}
    output = Path(params["output"])
    index = build_graph_cache(structures, settings, output)
    for stale in set(path.name for path in output.glob("*.pt")) - set(index.values()):
        (output / stale).unlink()
    write_json_atomic(output / "index.json", index)
    return f"graphs: {len(index)} materials (cutoff {settings.cutoff} A, {settings.max_neighbors} neighbours) -> {output}"


if __name__ == "__main__":
    stage_main(run, __doc__)
